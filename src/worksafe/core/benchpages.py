"""`worksafe bench pages` (registered in ``core.registry.BENCHES``): how fast every list, dashboard,
map-data, statistics, export and API list answers at province scale, per role.

For each ``--enterprises`` size (several may be given: ``--enterprises 5000 50000``, each size its own
fresh throw-away database, filled and measured in turn) it

1. builds a throw-away database next to the one ``DATABASE_URL`` names (``core.bench``);
2. runs the cheap demo loaders (the organisation with its logins, the veto rules, the imported plan
   with its progress; not the slow generated demo register);
3. calls every ``core.registry.SCALE_FILLERS`` entry in order with a :class:`Size`: the apps bulk-create
   enterprises, facilities, risk points, hazards in every state and age, sensors, readings and alarms
   (``<app>/scale.py``), keeping the denormalised fields the pages read consistent;
4. walks the URL resolver: every GET page without path arguments (no forms, create pages, logout,
   single-file downloads or the admin), the ``?export=xlsx`` of every list whose table exports, and
   every DRF list route under ``/api/``;
5. requests each route as each of ``--users`` (default: the county office, a department, a township
   and an enterprise login of the demo) ``--repeat`` times (the first a warm-up, not counted) through
   Django's test client, and prints per route and user the status, p50 and p95 (ms), the query count
   and the response size; then the slowest routes, any answer that is not 200, and one line per size::

       pages <sqlite|postgresql> enterprises=<N>: p95_max_ms=<ms> route=<slowest route> p95_median_ms=<ms>

A route whose warm-up takes longer than ``--slow-ms`` (5,000) is not repeated: its figures are that
one request's (marked ``*``). A request still running after ``--timeout`` seconds (120) is stopped
(SIGALRM; a running SQL statement finishes first) and reported as ``TIMEOUT`` with status 0: it counts
in the figures with the time it ran, so the summary line names it.

The figures are over the routes that answered 200 (and the timeouts). Every other answer is reported and left out of
the figures (a 403 or 404 where the role may not use a page, listed together; any other status on a
line of its own, ``NOT 200: …``); a 5xx makes the bench fail after printing everything. Timings include the response's rendering and, for an export, writing the
whole file; they do not include a network or a WSGI server.
"""

from __future__ import annotations

import contextlib
import logging
import math
import signal
import statistics
import threading
import time
import traceback
from dataclasses import dataclass

from django.core.management.base import CommandError

from worksafe.core.registry import bench

DEFAULT_USERS = "county,dept,township,enterprise"
#: demo loaders the bench runs (cheap: the organisation and logins, the veto rules, the plan)
LOADERS = ("org", "veto_rules", "plan")
#: GET routes without arguments that are not pages to measure: logins and account pages, actions
#: answered by a redirect, single files, the API's description (not a list)
SKIP_NAMES = {
    "login", "logout", "otp_verify", "otp_setup", "password_change", "password_change_done",
    "core:notification_read_all", "core:notice_preference", "org:token_renew",
    "risks:basemap", "tipoffs:public_file", "tipoffs:public_track",
    "api-root", "api-schema", "api-docs", "api-redoc",
}
#: statuses that only mean "not for this role"
NOT_FOR_ROLE = (403, 404)


@dataclass(frozen=True)
class Size:
    """What the fillers read: enterprises, hazards per enterprise, readings per sensor."""

    enterprises: int
    hazards_per_enterprise: int = 10
    readings_per_sensor: int = 3


@dataclass
class Result:
    user: str
    route: str
    status: int
    times_ms: list[float]
    queries: int
    size: int
    error: str = ""
    single: bool = False  # one request only (slower than --slow-ms): the figures are that request's

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        return percentile(self.times_ms, 95)


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 4 samples the p95 is the slowest)."""
    s = sorted(values)
    return s[max(0, math.ceil(p / 100 * len(s)) - 1)]


def add_arguments(parser):
    parser.add_argument("--enterprises", type=int, nargs="+", default=[5000],
                        help="企业数;可给多个规模(如 5000 50000),每个规模单独建库、填充、测量")
    parser.add_argument("--hazards-per-enterprise", type=int, default=10, help="每家企业的隐患数")
    parser.add_argument("--readings-per-sensor", type=int, default=3, help="每个监测点的读数条数")
    parser.add_argument("--repeat", type=int, default=5, help="每个路由每个用户的请求次数(第一次为预热,不计)")
    parser.add_argument("--users", default=DEFAULT_USERS, help="以哪些演示账号请求(逗号分隔)")
    parser.add_argument("--only", default="", help="只测地址中含此文字的路由(调试用)")
    parser.add_argument("--slow-ms", type=float, default=5000,
                        help="预热请求超过此毫秒数的路由不再重复请求(其数字即该次请求)")
    parser.add_argument("--timeout", type=int, default=120,
                        help="单个请求最长秒数,超过即停止并记为超时(计入结果,状态列为 0)")
    parser.add_argument("--top", type=int, default=10, help="列出最慢的路由数")
    parser.add_argument("--keep-db", action="store_true", help="保留基准数据库(调试用)")
    parser.add_argument("--use-current-db", action="store_true",
                        help="在当前数据库中运行,不建临时库(仅供测试:会写入大量数据)")


@bench("pages", "各角色访问全部列表、看板、地图数据、统计、导出和接口列表的耗时、查询数、响应大小", add_arguments)
def run(command, **options):
    run_pages(command.stdout, **options)


def run_pages(out, *, enterprises, hazards_per_enterprise=10, readings_per_sensor=3, repeat=5,
              users=DEFAULT_USERS, only="", top=10, slow_ms=5000, timeout=120, keep_db=False, use_current_db=False, **_):
    from worksafe.core.bench import throwaway_database
    from worksafe.core.bench import vendor as db_vendor

    if min([*enterprises, repeat]) < 1 or hazards_per_enterprise < 0 or readings_per_sensor < 0:
        raise CommandError("--enterprises、--repeat 须为正整数,--hazards-per-enterprise、--readings-per-sensor 不能为负。")
    if use_current_db and len(enterprises) > 1:
        raise CommandError("--use-current-db 只能测一个规模。")
    names = [u.strip() for u in users.split(",") if u.strip()]
    vendor = db_vendor()
    summaries, failures = [], []
    for n in enterprises:
        size = Size(n, hazards_per_enterprise, readings_per_sensor)
        if use_current_db:
            summary, failed = _one_size(out, vendor, size, names, repeat, only, top, slow_ms, timeout)
        else:
            with throwaway_database("bench_pages", keep=keep_db):
                summary, failed = _one_size(out, vendor, size, names, repeat, only, top, slow_ms, timeout)
        summaries.append(summary)
        failures += failed
    if failures:
        out.write("\n".join(summaries))
        raise CommandError(f"{len(failures)} 个请求服务器出错(5xx),见上:" + "; ".join(failures[:5]))
    if len(summaries) > 1:  # every size's line again at the end, the last one last
        out.write("\n".join(summaries[:-1]))
        out.write(summaries[-1])


def _one_size(out, vendor, size: Size, names, repeat, only, top, slow_ms, timeout):
    t0 = time.perf_counter()
    _load_demo(out)
    _fill(out, size)
    out.write(f"  filled in {time.perf_counter() - t0:.1f} s")
    routes = [r for r in discover_routes() if only in r]
    out.write(f"bench pages on {vendor}: {size.enterprises} enterprises, {size.hazards_per_enterprise} hazards each, "
              f"{len(routes)} routes x {len(names)} users x {repeat} requests")
    t0 = time.perf_counter()
    results = measure(routes, names, repeat, slow_ms, timeout)
    out.write(f"  requested in {time.perf_counter() - t0:.1f} s")
    return _report(out, vendor, size, results, top, repeat)


def _load_demo(out):
    from worksafe.core.registry import DEMO_LOADERS

    for key in LOADERS:
        loader = DEMO_LOADERS.get(key)
        if loader is None:
            raise CommandError(f"缺少演示数据加载器:{key}")
        t = time.perf_counter()
        loader.load(lambda line: None)
        out.write(f"  demo loader {key}: {time.perf_counter() - t:.1f} s")


def _fill(out, size: Size):
    from django.db import transaction

    from worksafe.core.registry import SCALE_FILLERS

    world: dict = {}
    for filler in sorted(SCALE_FILLERS.values(), key=lambda f: (f.order, f.key)):
        t = time.perf_counter()
        with transaction.atomic():
            filler.fill(world, size)
        counts = world.get("counts", {}).get(filler.key, {})
        what = ", ".join(f"{k} {v:,}" for k, v in counts.items())
        out.write(f"  filler {filler.key}: {time.perf_counter() - t:.1f} s ({what})")
    _analyze()


def _analyze():
    """Fresh planner statistics, as a database in service would have them."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE")


# ------------------------------------------------------------------------------------ routes


def discover_routes() -> list[str]:
    """Every GET page without path arguments (not a form), each deferred desk panel, each table
    export, every API list."""
    from django.urls import URLPattern, URLResolver, get_resolver, reverse
    from django.views.generic.edit import FormMixin

    from worksafe.core.views import ScopedListView

    def walk(patterns, prefix="", ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace == "admin":
                    continue
                sub = ":".join(filter(None, [ns, p.namespace])) if p.namespace else ns
                yield from walk(p.url_patterns, prefix + str(p.pattern), sub)
            elif isinstance(p, URLPattern) and p.name and not p.pattern.regex.groupindex:
                yield (f"{ns}:{p.name}" if ns else p.name), p

    pages, exports, api = [], [], []
    for name, p in walk(get_resolver().url_patterns):
        if name in SKIP_NAMES:
            continue
        cb = p.callback
        actions = getattr(cb, "actions", None)
        if actions is not None:  # a DRF viewset route
            if name.endswith("-list") and "get" in actions:
                api.append(reverse(name))
            continue
        cls = getattr(cb, "view_class", None)
        if cls is None or not hasattr(cls, "get") or "get" not in getattr(cls, "http_method_names", ()):
            continue
        url = reverse(name)
        if issubclass(cls, FormMixin) or url.endswith("/new/"):
            continue  # forms and create pages
        pages.append(url)
        if (issubclass(cls, ScopedListView) and cls.table_class is not None and cls.export_name is None
                and "xlsx" in getattr(cls.table_class, "exports", {})):
            exports.append(url + "?export=xlsx")
    from worksafe.core.registry import PANELS

    # the desk's deferred panels, each loaded by its own request after the desk (core.views.PanelView)
    panels = [reverse("core:panel", args=[k]) for k, p in sorted(PANELS.items()) if p.deferred]
    return pages + panels + exports + api


# ------------------------------------------------------------------------------------ requests


def _host() -> str:
    from django.conf import settings

    hosts = [h for h in settings.ALLOWED_HOSTS if h not in ("*",) and not h.startswith(".")]
    return hosts[0] if hosts else "127.0.0.1"


class Timeout(Exception):
    """A request ran past ``--timeout`` (raised inside it by SIGALRM)."""


TIMEOUT = 0  # the status column of a request stopped by --timeout


@contextlib.contextmanager
def _deadline(seconds: int):
    """Stop the request after ``seconds`` (main thread, POSIX; a running SQL statement is not
    interrupted, the request stops when it returns)."""
    if not seconds or not hasattr(signal, "SIGALRM") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame):
        raise Timeout()

    old = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)


@contextlib.contextmanager
def _quiet_request_log():
    """A 403 is reported in the table, not as a traceback on stderr (a 500 still is)."""
    log = logging.getLogger("django.request")
    level = log.level
    log.setLevel(logging.ERROR)
    try:
        yield
    finally:
        log.setLevel(level)


def measure(routes: list[str], names: list[str], repeat: int, slow_ms: float = 5000,
            timeout_s: int = 120) -> list[Result]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    User = get_user_model()
    host = _host()
    results = []
    # the demo's county login needs a second factor; the bench logs in with force_login (it measures
    # the pages, the two-factor step is measured nowhere)
    with override_settings(WORKSAFE_OTP_REQUIRED=False), _quiet_request_log():
        for username in names:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(f"没有用户 {username}(演示数据或填充程序未创建)。")
            client = Client(HTTP_HOST=host, raise_request_exception=False)
            client.force_login(user)
            for url in routes:
                results.append(_request(client, username, url, repeat, connection, CaptureQueriesContext,
                                        slow_ms, timeout_s))
    return results


def _request(client, username, url, repeat, connection, capture, slow_ms, timeout_s) -> Result:
    from django.db import reset_queries

    times, status, queries, size, error, single = [], 0, 0, 0, "", repeat == 1
    for i in range(repeat):
        reset_queries()  # the log keeps 9,000 queries: a full one would count none
        with capture(connection) as ctx:
            t = time.perf_counter()
            try:
                with _deadline(timeout_s):
                    resp = client.get(url, secure=True)
                    body = b"".join(resp.streaming_content) if resp.streaming else resp.content
                status = resp.status_code
                exc = getattr(resp, "exc_info", None)
                if exc and issubclass(exc[0], Timeout):
                    status, error = TIMEOUT, f"超过 {timeout_s} 秒"
                elif exc:
                    error = "".join(traceback.format_exception_only(exc[0], exc[1])).strip()[:300]
            except Timeout:
                body, status, error = b"", TIMEOUT, f"超过 {timeout_s} 秒"
            except Exception as e:  # noqa: BLE001 - reported, and the bench fails on it
                body, status, error = b"", 500, f"{type(e).__name__}: {e}"[:300]
            elapsed = (time.perf_counter() - t) * 1000
        if i > 0 or repeat == 1:
            times.append(elapsed)
        queries, size = len(ctx.captured_queries), len(body)
        if status >= 500 or status == TIMEOUT:  # not repeated: this request is the figure
            times, single = [elapsed], True
            break
        if i == 0 and elapsed > slow_ms:  # too slow to repeat: the warm-up is the figure
            times, single = [elapsed], True
            break
    return Result(username, url, status, times or [0.0], queries, size, error, single)


# ------------------------------------------------------------------------------------ report


def _report(out, vendor, size: Size, results: list[Result], top: int, repeat: int):
    out.write(f"{'user':<11} {'status':>6} {'p50_ms':>8} {'p95_ms':>8} {'queries':>7} {'bytes':>10}  route")
    for r in results:
        mark = "*" if r.single and repeat > 1 else " "
        out.write(f"{r.user:<11} {r.status:>6} {r.p50:>8.1f} {r.p95:>7.1f}{mark} {r.queries:>7} {r.size:>10}  {r.route}")
    if repeat > 1 and any(r.single for r in results):
        out.write("* one request only: its warm-up took longer than --slow-ms")
    timed_out = [r for r in results if r.status == TIMEOUT]
    ok = [r for r in results if r.status == 200] + timed_out  # a timeout is a figure (at least --timeout)
    denied = [r for r in results if r.status in NOT_FOR_ROLE]
    other = [r for r in results if r.status not in (200, TIMEOUT, *NOT_FOR_ROLE)]
    bad = [r for r in other if r.status >= 500]
    out.write(f"slowest {min(top, len(ok))} (p95):")
    for r in sorted(ok, key=lambda r: -r.p95)[:top]:
        out.write(f"  {r.p95:>8.1f} ms  p50 {r.p50:>8.1f}  q {r.queries:>4}  {r.size:>10} B  {r.user:<10} {r.route}")
    if denied:
        out.write(f"not for the role ({len(denied)}): " + ", ".join(f"{r.user} {r.route} {r.status}" for r in denied))
    for r in timed_out:
        out.write(f"TIMEOUT: {r.user} {r.route} stopped after {r.p95 / 1000:.0f} s (--timeout)")
    for r in other:
        out.write(f"NOT 200: {r.user} {r.route} answered {r.status} {r.error}")
    if not ok:
        raise CommandError("没有一个路由返回 200。")
    slowest = max(ok, key=lambda r: r.p95)
    summary = (f"pages {vendor} enterprises={size.enterprises}: p95_max_ms={slowest.p95:.0f} route={slowest.route} "
               f"p95_median_ms={statistics.median(r.p95 for r in ok):.0f}")
    out.write(summary)
    return summary, [f"{r.user} {r.route} {r.status}" for r in bad]
