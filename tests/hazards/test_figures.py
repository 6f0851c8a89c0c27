"""The statistics' summary (lists/figures.py) gives the live figures, scoped as the hazards are,
and says how fresh it is; the register's default order read by parts (loop/views.RankedRows) is
the order of the whole list, page after page."""

import datetime

import pytest
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests.hazards.test_lists import report
from tests.hazards.test_scale import mixed  # noqa: F401  (fixture)
from worksafe.core.tick import run_tick
from worksafe.hazards.lists import figures
from worksafe.hazards.lists.views import hazard_statistics
from worksafe.hazards.loop import views as loop_views
from worksafe.hazards.models import Hazard

ROLES = ["county", "township", "dept", "transport", "enterprise", "nobody"]


def comparable(stats):
    out = {k: v for k, v in stats.items() if k not in ("as_of", "major_open")}
    out["major_open"] = [h.pk for h in stats["major_open"]]
    return out


@pytest.mark.parametrize("role", ROLES)
def test_summary_gives_the_live_figures_of_each_scope(mixed, role):  # noqa: F811
    user = mixed.users[role]
    live = hazard_statistics(user)
    assert live["as_of"] is None  # no summary yet: counted live
    figures.rebuild()
    summed = hazard_statistics(user)
    assert summed["as_of"] is not None
    assert comparable(summed) == comparable(live)
    assert comparable(hazard_statistics(user, live=True)) == comparable(live)


def test_summary_is_scoped_like_the_hazards(mixed):  # noqa: F811
    figures.rebuild()
    totals = {r: hazard_statistics(mixed.users[r])["totals"]["total"] for r in ROLES}
    visible = {r: Hazard.objects.visible_to(mixed.users[r]).exclude(state="dismissed").count() for r in ROLES}
    assert totals == visible
    assert totals["county"] > totals["township"] > 0 and totals["nobody"] == 0
    assert totals["dept"] != totals["transport"]


def test_a_new_hazard_is_counted_after_the_tick_and_the_page_says_when(mixed, client_for):  # noqa: F811
    county = mixed.users["county"]
    figures.rebuild()
    before = hazard_statistics(county)["totals"]["total"]
    report(mixed, "county", 1, "刚上报")
    assert hazard_statistics(county)["totals"]["total"] == before  # the summary, until the tick
    run_tick()
    stats = hazard_statistics(county)
    assert stats["totals"]["total"] == before + 1
    page = client_for(county).get(reverse("hazards:statistics")).content.decode()
    assert f"统计截至 {timezone.localtime(stats['as_of']):%Y-%m-%d %H:%M}" in page
    assert figures.refresh() == 0  # nothing changed since: no rebuild


def test_a_summary_of_another_day_is_not_used(mixed, client_for):  # noqa: F811
    """Overdue counts and months depend on the day: yesterday's summary gives way to a live count."""
    county = mixed.users["county"]
    figures.rebuild(timezone.now() - datetime.timedelta(days=1))
    report(mixed, "county", 1, "今天上报")
    stats = hazard_statistics(county)
    assert stats["as_of"] is None
    assert stats["totals"]["total"] == Hazard.objects.exclude(state="dismissed").count()
    assert "统计截至" not in client_for(county).get(reverse("hazards:statistics")).content.decode()
    assert figures.refresh() > 0  # the tick rebuilds it for today
    assert hazard_statistics(county)["as_of"] is not None


def _ranked_pks(user):
    view = loop_views.HazardList()
    view.request = RequestFactory().get("/hazards/")
    view.request.user = user
    return [h.pk for h in view.get_queryset()]


@pytest.mark.parametrize("role", ["county", "township"])
def test_register_pages_follow_the_whole_order(mixed, client_for, monkeypatch, role):  # noqa: F811
    """Page after page (2 rows each, so pages straddle the overdue / open / closed parts) the
    register lists every visible hazard once, overdue first, in the order of the whole list."""
    user = mixed.users[role]
    monkeypatch.setattr(loop_views.HazardList, "paginate_by", 2)
    want = _ranked_pks(user)
    got, page = [], 1
    c = client_for(user)
    while True:
        resp = c.get(reverse("hazards:hazard_list"), {"page": page})
        assert resp.status_code == 200
        got += [h.pk for h in resp.context["object_list"]]
        assert resp.context["page_obj"].paginator.count == len(want)
        if not resp.context["page_obj"].has_next():
            break
        page += 1
    assert got == want
    today = timezone.localdate()
    states = dict(Hazard.objects.filter(pk__in=want).values_list("pk", "state"))
    deadlines = dict(Hazard.objects.filter(pk__in=want).values_list("pk", "deadline"))
    overdue = [pk for pk in got if states[pk] in Hazard.DEADLINE_STATES and deadlines[pk] and deadlines[pk] < today]
    assert got[:len(overdue)] == overdue
    assert role != "county" or (overdue and len(got) > len(overdue) + 2)  # the fixture straddles the parts


def test_register_sorted_by_a_column_is_not_read_by_parts(mixed, client_for):  # noqa: F811
    user = mixed.users["county"]
    resp = client_for(user).get(reverse("hazards:hazard_list"), {"sort": "code"})
    assert resp.status_code == 200
    pks = [h.pk for h in resp.context["object_list"]]
    assert pks == list(Hazard.objects.order_by("code", "pk").values_list("pk", flat=True)[:len(pks)])
