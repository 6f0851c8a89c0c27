"""Each demo role walks its key pages in a real browser at 1366×900 and 390×844; a page fails on
a console error, on a horizontal overflow of the page, or on text wrapping inside a navigation
item (the navigation stays on one line at 1366 px, with three more menus than today)."""

import os
from pathlib import Path

import pytest
from django.core.management import call_command

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = {"desktop": (1366, 900), "phone": (390, 844)}
ROLES = os.environ.get("WORKSAFE_BROWSER_ROLES", "county,leader,dept,transport,township,inspector,enterprise,auditor").split(",")
SHOTS = os.environ.get("WORKSAFE_SCREENSHOTS")  # a folder: also save the docs' screenshots

# measured in the page: overflow of the document, and nav items taller than one line of text
MEASURE = """() => {
  const doc = document.documentElement;
  const overflow = doc.scrollWidth - doc.clientWidth;
  const wrapped = [];
  for (const a of document.querySelectorAll('.navbar .nav-link')) {
    const r = a.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const lh = parseFloat(getComputedStyle(a).lineHeight) || 20;
    const pad = parseFloat(getComputedStyle(a).paddingTop) + parseFloat(getComputedStyle(a).paddingBottom);
    if (r.height - pad > lh * 1.6) wrapped.push(a.textContent.trim());
  }
  const menu = document.querySelector('.ws-nav');
  let menuLines = 0;
  if (menu && menu.getBoundingClientRect().height > 0) {
    const tops = new Set([...menu.children].filter(li => li.offsetParent).map(li => Math.round(li.getBoundingClientRect().top)));
    menuLines = tops.size;
  }
  return {overflow, wrapped, menuLines};
}"""


def _pages(user):
    """The key paths of ``user``'s role: the desk, the plan and its matrix, a task with 督办, the
    hazard loop, the map, the live board and the alarms, the lists, the public pages."""
    from worksafe.core.scoping import scope_of
    from worksafe.enterprises.models import Enterprise
    from worksafe.hazards.models import Hazard
    from worksafe.plans.models import Plan, Task

    scope = scope_of(user)
    pages = ["/", "/inbox/", "/search/?q=%E5%85%AC%E5%8F%B8", "/hazards/", "/hazards/mine/",
             "/enterprises/", "/inspections/public/items/", "/inspections/public/results/"]
    plan = Plan.objects.visible_to(user).first()
    if plan:
        pages += [plan.get_absolute_url(), f"/plans/{plan.pk}/matrix/"]
    task = Task.objects.visible_to(user).filter(presses__isnull=False).first() or Task.objects.visible_to(user).first()
    if task and scope.is_staff_scope:
        pages.append(task.get_absolute_url())
    h = Hazard.objects.visible_to(user).order_by("-id").first()
    if h:
        pages.append(h.get_absolute_url())
    e = Enterprise.objects.visible_to(user).first()
    if e:
        pages.append(e.get_absolute_url())
    if scope.is_staff_scope:
        pages += ["/risks/map/", "/hazards/problems/", "/hazards/boards/overdue/"]
    pages += ["/monitoring/", "/monitoring/alarms/"]
    return pages


@pytest.fixture
def demo(settings):
    import copy

    settings.WORKSAFE_OTP_REQUIRED = False
    settings.DEBUG = False
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
    call_command("demo", stdout=open(os.devnull, "w"))


def _context(browser, live_server, user, size):
    from django.conf import settings as dj
    from django.test import Client

    c = Client()
    c.force_login(user)
    w, h = SIZES[size]
    ctx = browser.new_context(viewport={"width": w, "height": h}, locale="zh-CN",
                              device_scale_factor=1, is_mobile=size == "phone", has_touch=size == "phone")
    host = live_server.url.split("//", 1)[1].split(":")[0]
    ctx.add_cookies([{"name": dj.SESSION_COOKIE_NAME, "value": c.cookies[dj.SESSION_COOKIE_NAME].value,
                      "domain": host, "path": "/"}])
    return ctx


def test_key_pages_hold_up_for_every_role(browser, live_server, demo):
    from worksafe.core.registry import NAV_MENUS, nav_menu
    from worksafe.org.models import User

    # the three menus the next apps add (举报, 事故, 信用与问责), at their size
    extra = {"tipoffs": "browser/_nav_dummy_tipoffs.html", "accidents": "browser/_nav_dummy_accidents.html",
             "credit": "browser/_nav_dummy_credit.html"}
    saved = dict(NAV_MENUS)
    for i, (k, t) in enumerate(extra.items()):
        if k not in NAV_MENUS:
            nav_menu(k, t, order=75 + i)
    problems = []
    try:
        for role in ROLES:
            user = User.objects.get(username=role)
            pages = _pages(user)
            for size in SIZES:
                ctx = _context(browser, live_server, user, size)
                page = ctx.new_page()
                errors = []
                page.on("console", lambda m, errors=errors: m.type == "error" and errors.append(m.text))
                page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
                for path in pages:
                    errors.clear()
                    resp = page.goto(live_server.url + path, wait_until="load")
                    where = f"{role} {size} {path}"
                    if resp is None or resp.status >= 400:
                        problems.append(f"{where}: HTTP {resp.status if resp else '—'}")
                        continue
                    m = page.evaluate(MEASURE)
                    if m["overflow"] > 1:
                        problems.append(f"{where}: the page is {m['overflow']}px wider than the screen")
                    if m["wrapped"]:
                        problems.append(f"{where}: navigation items wrap: {m['wrapped']}")
                    if size == "desktop" and m["menuLines"] > 1:
                        problems.append(f"{where}: the menus take {m['menuLines']} lines")
                    if errors:
                        problems.append(f"{where}: console errors {errors}")
                    if SHOTS and role == "county" and path in ("/", "/risks/map/", "/monitoring/"):
                        name = {"/": "desk", "/risks/map/": "map", "/monitoring/": "board"}[path]
                        page.wait_for_timeout(800)
                        Path(SHOTS).mkdir(parents=True, exist_ok=True)
                        page.screenshot(path=str(Path(SHOTS) / f"{name}-{SIZES[size][0]}.png"), full_page=False)
                ctx.close()
    finally:
        NAV_MENUS.clear()
        NAV_MENUS.update(saved)
    assert not problems, "\n".join(problems)
