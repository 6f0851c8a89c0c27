#!/usr/bin/env python3
"""Smoke test of a running worksafe server (CI runs it against gunicorn, .ci/run; docs/deploy.md).

    python3 deploy/smoke.py http://127.0.0.1:8001 [--user county] [--password Worksafe-2026] [--behind-proxy]

Logs in through the login form (GET /accounts/login/ → CSRF token → POST), fetches the work desk
(/) and an API list (/api/enterprises/) with the session, and checks status 200, Chinese content and
the security headers. ``--behind-proxy`` sends ``X-Forwarded-Proto: https`` as nginx does, for a
server with the production settings (HTTPS only, Secure cookies). Standard library only. Exit
status 0 when every check passed.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.cookiejar
import json
import re
import struct
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def totp(key_b32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """RFC 6238 code of a base32 key (what an authenticator app shows)."""
    key = base64.b32decode(key_b32.upper() + "=" * (-len(key_b32) % 8))
    digest = hmac.new(key, struct.pack(">Q", int((time.time() if at is None else at) // step)), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    return str((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 10 ** digits).zfill(digits)


class AnyPortCookies(http.cookiejar.DefaultCookiePolicy):
    """Send Secure cookies over the plain loopback hop too (nginx terminates TLS in production)."""

    def return_ok_secure(self, cookie, request):
        return True


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("base")
    ap.add_argument("--user", default="county")
    ap.add_argument("--password", default="Worksafe-2026")
    ap.add_argument("--otp-key", default="WORKSAFEDEMOKEY2",
                    help="base32 TOTP key for the second step (the demo's; worksafe demo prints it)")
    ap.add_argument("--behind-proxy", action="store_true")
    args = ap.parse_args(argv)
    base = args.base.rstrip("/")
    host = urllib.parse.urlsplit(base).netloc
    jar = http.cookiejar.CookieJar(AnyPortCookies())
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    extra = {"X-Forwarded-Proto": "https"} if args.behind_proxy else {}
    origin = f"{'https' if args.behind_proxy else 'http'}://{host}"
    failures: list[str] = []

    def check(ok: bool, what: str) -> None:
        print(f"  {'ok  ' if ok else 'FAIL'} {what}")
        if not ok:
            failures.append(what)

    def fetch(path: str, data: dict | None = None, **headers):
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(base + path, data=body, headers={**extra, **headers})
        try:
            with opener.open(req, timeout=30) as r:
                return r.status, dict(r.headers), r.read().decode("utf-8"), r.geturl()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read().decode("utf-8", "replace"), e.geturl()

    print(f"smoke test of {base} as {args.user}")
    status, headers, html, _ = fetch("/accounts/login/")
    check(status == 200 and "登录" in html, f"GET /accounts/login/ → {status}, login form in Chinese")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    check(token is not None, "CSRF token in the form")
    policy = headers.get("Content-Security-Policy", "")
    check("script-src 'self'" in policy and "'unsafe-inline'" not in policy.split("script-src", 1)[1].split(";")[0],
          "Content-Security-Policy: scripts from this site only, no 'unsafe-inline'")
    if args.behind_proxy:
        check("max-age=" in headers.get("Strict-Transport-Security", ""), "Strict-Transport-Security")
        check(all(c.secure for c in jar), "cookies are Secure")
    if token is None:
        return 1
    status, headers, html, url = fetch("/accounts/login/", {"username": args.user, "password": args.password,
                                                            "csrfmiddlewaretoken": token.group(1)},
                                       Referer=f"{origin}/accounts/login/", Origin=origin)
    if urllib.parse.urlsplit(url).path == "/accounts/otp/":  # the second factor (county, administrators)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        nxt = re.search(r'name="next" value="([^"]*)"', html)
        status, headers, html, url = fetch("/accounts/otp/", {"token": totp(args.otp_key), "next": nxt.group(1) if nxt else "/",
                                                              "csrfmiddlewaretoken": token.group(1) if token else ""},
                                           Referer=f"{origin}/accounts/otp/", Origin=origin)
        check(status == 200, f"second factor (TOTP) → {status}")
    check(status == 200 and urllib.parse.urlsplit(url).path == "/", f"login → {status}, on {url}")
    check(any(c.name == "sessionid" for c in jar), "session cookie set")
    status, headers, html, _ = fetch("/")
    check(status == 200 and "工作台" in html and "安全生产" in html, f"GET / → {status}, the work desk in Chinese")
    status, headers, body, _ = fetch("/api/enterprises/", Accept="application/json")
    try:
        data = json.loads(body)
    except ValueError:
        data = {}
    names = [e.get("name", "") for e in data.get("results", [])]
    check(status == 200 and data.get("count", 0) > 0 and any(re.search(r"[\u4e00-\u9fff]", n) for n in names),
          f"GET /api/enterprises/ → {status}, {data.get('count', 0)} enterprises, names in Chinese")
    status, headers, _body, _ = fetch("/static/vendor/htmx/htmx.min.js")
    check(status == 200, f"GET /static/vendor/htmx/htmx.min.js → {status}")
    print("smoke test passed" if not failures else f"smoke test FAILED: {len(failures)} check(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
