"""What core itself registers: the daily digest of notices (a tick job)."""

from .tick import tick_job


@tick_job("notice_digest")
def notice_digest(now=None) -> int:
    from .services import send_digests

    return send_digests(now)
