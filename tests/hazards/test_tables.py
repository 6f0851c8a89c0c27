"""The hazard lists as tables: one HazardFilter for the register, the 问题隐患清单 and the API;
the county layouts stay the lists' ``?export=xlsx`` and are print-ready; ``?export=table`` is
the table as shown; the dual reports' export is print-ready with the missing enterprises."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.xlsx import assert_print_ready, column, header, sheet_of
from worksafe.hazards.loop.models import Hazard


def ids(resp):
    assert resp.status_code == 200
    return {h.pk for h in resp.context["object_list"]}


def test_register_problem_list_and_api_filter_alike(world, client_for):
    c = client_for(world.users["county"])
    e = world.enterprises[0]
    for params in ({"enterprise": e.pk}, {"level": "major"}, {"state": "dismissed"}, {"listed": "true"},
                   {"open": "true"}, {"q": "QHAZ0"}, {"overdue": "false"}):
        api = {r["id"] for r in c.get("/api/hazards/", params).json()["results"]}
        assert ids(c.get(reverse("hazards:hazard_list"), params)) == api, params
        assert ids(c.get(reverse("hazards:problem_list"), params)) == api, params
    assert c.get("/api/hazards/", {"enterprise": "99999999999999999999"}).status_code == 400
    assert c.get("/api/hazards/", {"found_from": "not-a-date"}).status_code == 400
    assert c.get(reverse("hazards:problem_list"), {"sector": "x", "export": "xlsx"}).status_code == 400


def test_county_layouts_are_print_ready(world, client_for):
    c = client_for(world.users["county"])
    for name in ("hazards:problem_list", "hazards:measure_list"):
        ws = sheet_of(c.get(reverse(name), {"export": "xlsx"}))
        assert_print_ready(ws, header_row=3)


def test_problem_table_export_is_the_page(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("hazards:problem_list")
    page = list(c.get(url, {"level": "general"}).context["object_list"])
    ws = sheet_of(c.get(url, {"level": "general", "export": "table", "cols": "code,found_at,deadline"}))
    assert_print_ready(ws)
    assert header(ws) == ["编号", "发现时间", "整改期限"]
    assert column(ws, "编号") == [h.code for h in page]
    assert all(isinstance(v, datetime.datetime) for v in column(ws, "发现时间"))


def test_register_sorts_and_exports(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("hazards:hazard_list")
    by_code = [h.code for h in c.get(url, {"sort": "-code"}).context["object_list"]]
    assert by_code == sorted(by_code, reverse=True)
    ws = sheet_of(c.get(url, {"sort": "-code", "export": "xlsx"}))
    assert_print_ready(ws)
    assert column(ws, "编号") == by_code
    boards = [reverse("hazards:listed_board"), reverse("hazards:overdue_board")]
    Hazard.objects.filter(pk=world.hazards[1].pk).update(deadline=timezone.localdate() - datetime.timedelta(days=2))
    for board in boards:
        page = [h.code for h in c.get(board).context["object_list"]]
        ws = sheet_of(c.get(board, {"export": "xlsx"}))
        assert_print_ready(ws)
        assert column(ws, "编号") == page and page


def test_dual_export_lists_missing_enterprises(world, client_for):
    dept = client_for(world.users["dept"])
    ws = sheet_of(dept.get(reverse("hazards:dual_list"), {"month": "2026-09", "export": "xlsx"}))
    assert_print_ready(ws)
    assert ws["A1"].value == "2026年9月企业双报告报送情况"
    assert header(ws)[:5] == ["企业", "乡镇", "状态", "报送时间", "主要负责人"]
    states = dict(zip(column(ws, "企业"), column(ws, "状态"), strict=True))
    assert "未报送" in states.values()


def test_selfcheck_lists_export(world, client_for):
    c = client_for(world.users["county"])
    for name in ("hazards:checklist_list", "hazards:selfinspection_list", "hazards:periodic_list"):
        resp = c.get(reverse(name))
        ws = sheet_of(c.get(reverse(name), {"export": "xlsx"}))
        assert_print_ready(ws)
        assert len(column(ws, header(ws)[0])) == resp.context["paginator"].count, name
    assert c.get(reverse("hazards:periodic_list"), {"year": "99999999999999999999"}).status_code == 400
