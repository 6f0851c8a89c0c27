"""The province-scale rewrite (docs/hazards.md "At province scale") changes how the figures are
counted, never what they are: the statistics, the desk's counts and the exports are compared with
straightforward counts over the rows of a small fixture, for the county office and a township."""

import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.hazards.test_lists import closed, confirmed, make_overdue, report
from worksafe.core import export
from worksafe.hazards.lists.views import OPEN_STATES, hazard_statistics
from worksafe.hazards.models import Hazard

TODAY = timezone.localdate()
TZ = timezone.get_current_timezone()


@pytest.fixture
def mixed(world):
    """Hazards in every state, across townships, with on-time and late closings at the day's edges."""
    deadline = TODAY - datetime.timedelta(days=50)
    closed(world, "dept", 0, "按期", deadline=deadline, closed_on=deadline)
    closed(world, "transport", 1, "超期", deadline=deadline, closed_on=deadline + datetime.timedelta(days=3))
    # closed at 23:30 on the deadline day (local time) is on time; at 00:30 the next day it is late
    for ent, text, when in ((0, "当日深夜", datetime.time(23, 30)), (2, "次日凌晨", datetime.time(0, 30))):
        h = closed(world, "dept", ent, text, deadline=deadline, closed_on=deadline)
        day = deadline if when.hour == 23 else deadline + datetime.timedelta(days=1)
        Hazard.objects.filter(pk=h.pk).update(closed_at=timezone.make_aware(datetime.datetime.combine(day, when), TZ))
    make_overdue(confirmed(world, "dept", 2, "逾期"))
    confirmed(world, "dept", 0, "整改中")
    report(world, "county", 1, "新上报")
    old = report(world, "dept", 0, "一年多以前")
    Hazard.objects.filter(pk=old.pk).update(found_at=timezone.now() - datetime.timedelta(days=400))
    return world


def expected(user):
    """The figures counted one row at a time, the way the statistics define them."""
    rows = [h for h in Hazard.objects.visible_to(user).select_related("enterprise") if h.state != "dismissed"]

    def figures(hs):
        closed_ = [h for h in hs if h.state == "closed"]
        on_time = [h for h in closed_ if h.closed_at and timezone.localtime(h.closed_at).date() <= h.deadline]
        due = closed_ + [h for h in hs if h.state in ("confirmed", "rectifying", "awaiting_acceptance")
                         and h.deadline and h.deadline < TODAY]
        return {"total": len(hs), "closed": len(closed_), "on_time": len(on_time), "due": len(due),
                "overdue": sum(h.is_overdue(TODAY) for h in hs),
                "major_open": sum(h.level == "major" and h.state in OPEN_STATES for h in hs)}

    def by(key):
        groups = {}
        for h in rows:
            groups.setdefault(key(h), []).append(h)
        return {k: figures(v) for k, v in groups.items()}

    def month(field):
        out = {}
        for h in rows:
            v = getattr(h, field)
            if v is not None:
                d = timezone.localtime(v).date()
                out[f"{d:%Y-%m}"] = out.get(f"{d:%Y-%m}", 0) + 1
        return out

    return {"totals": figures(rows), "township": by(lambda h: h.enterprise.township_id),
            "sector": by(lambda h: h.sector_id), "department": by(lambda h: h.supervising_unit_id),
            "found": month("found_at"), "closed": month("closed_at")}


KEYS = ("total", "closed", "on_time", "due", "overdue", "major_open")


@pytest.mark.parametrize("role", ["county", "township", "dept"])
def test_statistics_equal_a_row_by_row_count(mixed, role):
    user = mixed.users[role]
    stats, want = hazard_statistics(user), expected(user)
    assert {k: stats["totals"][k] for k in KEYS} == want["totals"]
    assert want["totals"]["total"] and want["totals"]["on_time"]  # the fixture is not empty
    for group in ("township", "sector", "department"):
        assert {r["id"]: {k: r[k] for k in KEYS} for r in stats[group]} == want[group], group
        names = [r["name"] for r in stats[group]]
        assert names == sorted(n for n in names if n != "未指定") + ["未指定"] * names.count("未指定")
    for series in ("found", "closed"):
        assert dict(zip(stats["months"], stats[series], strict=True)) == \
            {m: want[series].get(m, 0) for m in stats["months"]}, series


def test_on_time_is_the_local_day(mixed):
    """23:30 on the deadline day counts as on time, 00:30 the day after does not (the local day,
    not the UTC one, on every database)."""
    by_text = {h.description: h for h in Hazard.objects.filter(description__in=["当日深夜", "次日凌晨"])}
    ontime = hazard_statistics(mixed.users["county"])["totals"]["on_time"]
    Hazard.objects.filter(pk=by_text["当日深夜"].pk).update(
        closed_at=by_text["当日深夜"].closed_at + datetime.timedelta(hours=1))  # 00:30 the next day
    assert hazard_statistics(mixed.users["county"])["totals"]["on_time"] == ontime - 1


@pytest.mark.parametrize("role", ["county", "township", "transport"])
def test_desk_hazard_counts_equal_a_row_by_row_count(mixed, client_for, role):
    from worksafe.core.registry import PANELS

    listed, lifted = Hazard.objects.filter(description__in=["逾期", "按期"]).order_by("description")
    Hazard.objects.filter(pk=listed.pk).update(listed=True, level="major")
    Hazard.objects.filter(pk=lifted.pk).update(listed=True, listed_lifted_on=TODAY)  # closed, lifted
    user = mixed.users[role]
    rows = list(Hazard.objects.visible_to(user))
    want = {"open": sum(r.state in OPEN_STATES for r in rows),
            "major_open": sum(r.state in OPEN_STATES and r.level == "major" for r in rows),
            "overdue": sum(r.is_overdue(TODAY) for r in rows),
            "listed": sum(r.listed and not r.listed_lifted_on for r in rows),
            "awaiting": sum(r.state == "awaiting_acceptance" for r in rows)}
    resp = client_for(user).get("/")
    assert resp.status_code == 200
    ctx = PANELS["hazards"].context(resp.wsgi_request, resp.context["scope"])
    assert ctx["hazard_counts"] == want
    assert role != "county" or (want["open"] and want["listed"] and want["overdue"])


@pytest.mark.parametrize("role", ["county", "township", "dept"])
def test_desk_training_coverage_equals_the_people_counted_one_by_one(world, role):
    from worksafe.training.services import _pct, audiences, coverage_counts

    user = world.users[role]
    people = audiences(None, TODAY, user)
    want = {}
    for a, rows in people.items():
        done = sum(p["trained"] for p in rows)
        want[a] = None if not rows else (_pct(done, len(rows)), f"{done}/{len(rows)}人")
    assert coverage_counts(user, as_of=TODAY) == want


# ---------------------------------------------------------------- exports


def _rows(content, header_row):
    ws = load_workbook(io.BytesIO(content)).active
    return ws, [r for r in ws.iter_rows(min_row=header_row + 1, values_only=True)]


def test_a_large_export_streams_the_same_rows_filtered_and_sorted(mixed, client_for, monkeypatch):
    c = client_for(mixed.users["county"])
    url = reverse("hazards:hazard_list") + "?state=closed&sort=-code&export=xlsx"
    small = c.get(url)
    assert not small.streaming  # a small file is answered in one piece
    monkeypatch.setattr(export, "SPOOL_BYTES", 1)  # every file leaves memory: streamed from disk
    big = c.get(url)
    assert big.streaming and big["Content-Disposition"] == small["Content-Disposition"]
    content = b"".join(big.streaming_content)
    ws, rows = _rows(content, 2)
    want = list(Hazard.objects.filter(state="closed").order_by("-code", "-pk").values_list("code", flat=True))
    assert [r[0] for r in rows] == want and len(want) == 4
    assert ws.freeze_panes == "A3" and ws.print_title_rows.replace("$", "") == "2:2"
    assert ws.column_dimensions["D"].width == 40  # the declared width of 隐患
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert _rows(small.content, 2)[1] == rows


def test_the_county_layout_streams_with_its_total(mixed, client_for, monkeypatch):
    monkeypatch.setattr(export, "SPOOL_BYTES", 1)
    resp = client_for(mixed.users["township"]).get(reverse("hazards:problem_list") + "?export=xlsx")
    assert resp.streaming
    ws, rows = _rows(b"".join(resp.streaming_content), 3)
    visible = Hazard.objects.visible_to(mixed.users["township"])
    codes = list(visible.order_by("found_at", "id").values_list("code", flat=True))
    assert [r[1] for r in rows[:-1]] == codes and rows[-1][0] == "合计"
    assert rows[-1][1].startswith(f"共{len(codes)}条")
    assert f"B{len(codes) + 4}:O{len(codes) + 4}" in {str(r) for r in ws.merged_cells.ranges}
    assert ws.freeze_panes == "A4" and ws.print_title_rows.replace("$", "") == "3:3"


def test_above_the_row_limit_the_export_is_refused_with_a_message(mixed, client_for):
    c = client_for(mixed.users["county"])
    n = Hazard.objects.filter(state="closed").count()
    url = reverse("hazards:problem_list") + "?state=closed&export=xlsx"
    with override_settings(WORKSAFE_EXPORT_MAX_ROWS=n):
        assert c.get(url)["Content-Type"] == export.XLSX_TYPE  # at the limit: exported
    with override_settings(WORKSAFE_EXPORT_MAX_ROWS=n - 1):
        resp = c.get(url)
        assert resp.status_code == 302 and resp["Location"] == reverse("hazards:problem_list") + "?state=closed"
        page = c.get(resp["Location"]).content.decode()
        assert f"符合条件的记录超过{n - 1}条" in page and "请缩小筛选条件" in page
        # a route that is itself the export answers 400 with the message
    with override_settings(WORKSAFE_EXPORT_MAX_ROWS=1):
        resp = c.get(reverse("enterprises:register_export"))
        assert resp.status_code == 400 and "请缩小筛选条件" in resp.content.decode()


def test_the_hazard_export_reads_the_same_from_values_as_from_objects(mixed, client_for, monkeypatch):
    """The list export reads plain values (core.tables.Table.export_plan); the file is the one
    the model objects give, and a text a sheet cannot hold as it is still exports, as text."""
    from worksafe.hazards.loop.tables import HazardTable

    h = Hazard.objects.filter(state="closed").order_by("pk").first()
    Hazard.objects.filter(pk=h.pk).update(location="=1+1", description="带\x07控制符 ")
    c = client_for(mixed.users["county"])
    url = reverse("hazards:hazard_list") + "?export=xlsx"
    ws, fast = _rows(c.get(url).content, 2)
    monkeypatch.setattr(HazardTable, "export_values", False)  # read as objects
    slow = _rows(c.get(url).content, 2)[1]
    assert fast == slow and len(fast) == Hazard.objects.count()
    text = next(r for r in ws.iter_rows(min_row=3) if r[0].value == h.code)[3]
    assert text.value == "=1+1:带控制符 " and text.data_type == "s"  # not a formula
