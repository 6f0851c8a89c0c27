"""A file served with HTTP range requests (RFC 9110 §14): what a PMTiles reader asks for.

:func:`ranged_file_response` answers GET and HEAD for one file: 200 with the whole file,
206 with one byte range (``bytes=a-b``, ``bytes=a-``, ``bytes=-n``), 416 when the range
cannot be satisfied or is malformed, 304 on a matching ``If-None-Match``. A range is
capped at :data:`MAX_RANGE` bytes (a reader asks again for the rest); several ranges in
one request are refused with 416, no multipart answers.
"""

from __future__ import annotations

import re
from pathlib import Path

from django.http import FileResponse, HttpResponse
from django.utils.http import http_date

#: the largest single range answered (the reader's directory and tile reads are far smaller)
MAX_RANGE = 16 * 1024 * 1024
_RANGE = re.compile(r"^bytes=(\d{0,18})-(\d{0,18})$")


def _etag(stat) -> str:
    return f'"{stat.st_size:x}-{int(stat.st_mtime_ns):x}"'


def parse_range(header: str, size: int) -> tuple[int, int] | None:
    """``(first, last)`` inclusive of a single ``bytes=`` range in a file of ``size`` bytes,
    capped at :data:`MAX_RANGE`; ``None`` when it cannot be satisfied."""
    m = _RANGE.match(header.strip())
    if not m or (not m.group(1) and not m.group(2)) or size == 0:
        return None
    first, last = m.group(1), m.group(2)
    if not first:  # suffix: the last n bytes
        n = int(last)
        if n == 0:
            return None
        start, end = max(0, size - n), size - 1
    else:
        start = int(first)
        end = min(int(last), size - 1) if last else size - 1
        if start >= size or end < start:
            return None
    return start, min(end, start + MAX_RANGE - 1)


def ranged_file_response(request, path: Path, content_type: str = "application/octet-stream") -> HttpResponse:
    path = Path(path)
    stat = path.stat()
    size = stat.st_size
    etag = _etag(stat)
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "private, max-age=3600",
    }
    if request.headers.get("If-None-Match") == etag and "Range" not in request.headers:
        return HttpResponse(status=304, headers=headers)
    header = request.headers.get("Range")
    if_range = request.headers.get("If-Range")
    if header and if_range and if_range != etag:
        header = None  # the file changed: the whole of it
    if header is None:
        if request.method == "HEAD":
            return HttpResponse(
                status=200, content_type=content_type, headers={**headers, "Content-Length": str(size)}
            )
        resp = FileResponse(open(path, "rb"), content_type=content_type)  # noqa: SIM115 (FileResponse closes it)
        for k, v in headers.items():
            resp[k] = v
        return resp
    rng = parse_range(header, size)
    if rng is None:
        return HttpResponse(status=416, headers={**headers, "Content-Range": f"bytes */{size}"})
    start, end = rng
    length = end - start + 1
    headers.update({"Content-Range": f"bytes {start}-{end}/{size}", "Content-Length": str(length)})
    if request.method == "HEAD":
        return HttpResponse(status=206, content_type=content_type, headers=headers)
    with open(path, "rb") as f:
        f.seek(start)
        body = f.read(length)
    return HttpResponse(body, status=206, content_type=content_type, headers=headers)
