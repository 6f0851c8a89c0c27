"""Window-limited counters for the public pages (filing, receipt look-ups), in Django's cache.

Nothing identifying is kept beyond its window and nothing at all in the database: a counter's
key is ``HMAC-SHA256(SECRET_KEY, kind + client address + window number)`` — the address itself is
never stored — and the counter expires with its window. A second, global counter per kind caps
guessing spread over many addresses. (With a database cache backend the hashed keys would sit in
the cache table until they expire; the default is the local-memory cache.)
"""

from __future__ import annotations

import hashlib
import hmac
import time

from django.conf import settings
from django.core.cache import cache

from worksafe.core.audit import client_ip

#: kind → (per client, global, window seconds); settings override: WORKSAFE_TIPOFF_RATE_LIMITS
DEFAULTS = {
    "receipt": (10, 300, 3600),  # failed receipt look-ups
    "file": (5, 200, 3600),  # tip-offs filed
}


def limits(kind: str) -> tuple[int, int, int]:
    return tuple(getattr(settings, "WORKSAFE_TIPOFF_RATE_LIMITS", {}).get(kind, DEFAULTS[kind]))


def _keys(kind: str, request) -> tuple[str, str, int]:
    per, total, window = limits(kind)
    n = int(time.time() // window)
    who = hmac.new(
        settings.SECRET_KEY.encode(), f"{kind}|{client_ip(request)}|{n}".encode(), hashlib.sha256
    ).hexdigest()[:32]
    return f"tipoff-rl:{kind}:{who}", f"tipoff-rl:{kind}:all:{n}", window


def _count(key: str) -> int:
    return int(cache.get(key) or 0)


def blocked(kind: str, request) -> bool:
    per, total, _ = limits(kind)
    mine, everyone, _ = _keys(kind, request)
    return _count(mine) >= per or _count(everyone) >= total


def hit(kind: str, request) -> None:
    mine, everyone, window = _keys(kind, request)
    for key in (mine, everyone):
        if cache.add(key, 1, timeout=window):
            continue
        try:
            cache.incr(key)
        except ValueError:  # expired in between
            cache.add(key, 1, timeout=window)
