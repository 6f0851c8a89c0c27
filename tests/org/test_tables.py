"""The org lists as tables: filters shared with the API, exports print-ready and filtered,
phones masked in the export as on the page."""

from django.urls import reverse

from tests.xlsx import assert_print_ready, column, sheet_of
from worksafe.org.models import Department, Division


def test_department_list_and_api_filter_alike(world, client_for):
    c = client_for(world.users["county"])
    for params in ({"kind": Department.objects.first().kind}, {"q": "应急"}, {"active": "true"}):
        page = {d.pk for d in c.get(reverse("org:department_list"), params).context["object_list"]}
        api = {r["id"] for r in c.get("/api/departments/", {**params, "page_size": 1000}).json()["results"]}
        assert page == api, params
    assert c.get("/api/departments/", {"division": "99999999999999999999"}).status_code == 400
    assert c.get("/api/divisions/", {"parent": "abc"}).status_code == 400


def test_division_export_and_filters(world, client_for):
    c = client_for(world.users["county"])
    params = {"level": Division.Level.TOWNSHIP, "sort": "-code"}
    page = list(c.get(reverse("org:division_list"), params).context["object_list"])
    ws = sheet_of(c.get(reverse("org:division_list"), {**params, "export": "xlsx"}))
    assert_print_ready(ws)
    assert column(ws, "名称") == [d.name for d in page] and len(page) > 3
    assert column(ws, "代码") == sorted(column(ws, "代码"), reverse=True)


def test_user_export_masks_phones(world, client_for):
    u = world.users["dept"]
    u.phone = "13912345678"
    u.save()
    c = client_for(world.users["county"])
    ws = sheet_of(c.get(reverse("org:user_list"), {"q": u.username, "export": "xlsx"}))
    assert column(ws, "用户名") == [u.username]
    assert column(ws, "手机") == ["139****5678"]
