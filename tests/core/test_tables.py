"""The shared table layer (core.tables) through one list, the plan tasks: sorting only on
declared columns, column choice, numbered pages, the .xlsx of exactly the filtered, sorted
rows, print-ready; bad filter input is a 400, never a 500 nor the unfiltered rows."""

import datetime

from django.urls import reverse

from tests.xlsx import assert_print_ready, column, data_rows, header, sheet_of
from worksafe.plans.models import Task


def names(resp):
    return [t.text[:7] for t in resp.context["object_list"]]


def test_sort_on_declared_columns_only(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("plans:task_list")
    by_percent = [t.percent for t in c.get(url + "?sort=percent").context["object_list"]]
    assert by_percent == sorted(by_percent)
    by_due = [t.due_date for t in c.get(url + "?sort=-due_date").context["object_list"]]
    assert by_due == sorted(by_due, reverse=True)
    default = names(c.get(url))
    # not a column, not sortable, an injection: the default order, no error
    for bad in ("text", "area__plan__title", "due_date;DROP", "--due_date", "nothing"):
        resp = c.get(url, {"sort": bad})
        assert resp.status_code == 200 and names(resp) == default, bad


def test_column_choice(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("plans:task_list")
    page = c.get(url).content.decode()
    assert "<th>专项</th>" in page or ">专项" in page
    resp = c.get(url, {"cols": "code,text"})
    heads = [h["header"] for h in resp.context["table"].headers()]
    assert heads == ["编号", "任务"]
    assert resp.context["table"].chosen == {"code", "text"}
    assert [h["header"] for h in c.get(url, {"cols": ["code", "bogus"]}).context["table"].headers()] == ["编号"]
    # unknown only: every column
    assert len(c.get(url, {"cols": "bogus"}).context["table"].headers()) == 6
    # the export drops the hidden page columns, keeps the export-only ones
    ws = sheet_of(c.get(url, {"cols": "code,text", "export": "xlsx"}))
    assert header(ws) == ["编号", "任务", "牵头单位", "责任单位", "逾期"]


def test_numbered_pages(world, client_for):
    area = Task.objects.first().area
    for i in range(120):
        Task.objects.create(area=area, order=100 + i, text=f"批量任务{i}", due_date=datetime.date(2030, 1, 1))
    page = client_for(world.users["county"]).get(reverse("plans:task_list") + "?page=2").content.decode()
    assert 'aria-current="page"><span class="page-link">2</span>' in page
    assert "page=3" in page and "page=1" in page


def test_export_is_the_filtered_sorted_rows_print_ready(world, client_for):
    c = client_for(world.users["county"])
    url = reverse("plans:task_list")
    filters = {"late": "true", "sort": "-due_date"}
    page_rows = c.get(url, filters).context["object_list"]
    ws = sheet_of(c.get(url, {**filters, "export": "xlsx"}))
    assert_print_ready(ws)
    assert ws["A1"].value == "专项整治任务清单"
    assert header(ws) == ["编号", "专项", "任务", "牵头单位", "责任单位", "时限", "状态", "进度", "逾期"]
    assert column(ws, "任务") == [t.text for t in page_rows]
    assert len(data_rows(ws)) == 2
    due = column(ws, "时限")
    assert all(isinstance(d, datetime.datetime) for d in due)  # a typed date cell (openpyxl reads datetimes)
    assert [d.date() for d in due] == [t.due_date for t in page_rows]
    assert ws.cell(row=3, column=6).number_format == "yyyy-mm-dd"
    assert all(isinstance(p, int) for p in column(ws, "进度"))
    assert set(column(ws, "逾期")) == {"逾期"}
    assert "县交通运输局" in " ".join(column(ws, "牵头单位"))


def test_export_is_scoped(world, client_for):
    ws = sheet_of(client_for(world.users["transport"]).get(reverse("plans:task_list") + "?export=xlsx"))
    assert {t[:7] for t in column(ws, "任务")} == {"QTASK03", "QTASK04"}


def test_unknown_export_is_400(world, client_for):
    assert client_for(world.users["county"]).get(reverse("plans:task_list") + "?export=pdf").status_code == 400


def test_bad_filter_input_is_400_on_page_and_api(world, client_for):
    c = client_for(world.users["county"])
    for params in ({"area": "abc"}, {"area": "99999999999999999999"}, {"unit": "1.5"}):
        page = c.get(reverse("plans:task_list"), params)
        assert page.status_code == 400, params
        assert "筛选条件有误" in page.content.decode() and not page.context["object_list"]
        export = c.get(reverse("plans:task_list"), {**params, "export": "xlsx"})
        assert export.status_code == 400  # never the unfiltered rows
    api = c.get("/api/tasks/", {"area": "99999999999999999999"})
    assert api.status_code == 400 and api.json()["field"] == "area"
    assert "超出范围" in api.json()["detail"] and "超出范围" in api.json()["errors"]["area"][0]
    assert c.get("/api/tasks/", {"area__plan": "x"}).status_code == 400


def test_api_and_page_filter_alike(world, client_for):
    c = client_for(world.users["county"])
    area = Task.objects.get(text__startswith="QTASK03").area
    for params in ({"area": area.pk}, {"status": "done"}, {"late": "true"}, {"area__plan": world.plan.pk},
                   {"q": "QTASK0"}):
        page = {t.pk for t in c.get(reverse("plans:task_list"), params).context["object_list"]}
        api = {r["id"] for r in c.get("/api/tasks/", {**params, "page_size": 500}).json()["results"]}
        assert page == api, params
