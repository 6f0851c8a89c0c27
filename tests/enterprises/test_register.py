"""The register: credit-code rules, who may write, change requests and their review."""

import pytest

from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.enterprises import services
from worksafe.enterprises.models import ChangeRequest, Enterprise
from worksafe.standards import gb32100

FAILING = "91350203M0001QAY9B"  # a real-world code whose check digit fails (reference §3.1)


def new(world, code, name="QNEW01新企业"):
    return Enterprise(name=name, credit_code=code, township=world.enterprises[0].township)


def test_wrong_length_or_characters_always_refused(world):
    for code, msg in [("9163262", "应为18位"), ("91632621MA0000000I", "不允许的字符")]:
        with pytest.raises(ServiceError, match=msg):
            services.save_enterprise(world.users["county"], new(world, code), override_reason="确认")


def test_check_digit_failure_needs_an_authorised_override(world):
    with pytest.raises(ServiceError, match="校验位不正确"):
        services.save_enterprise(world.users["dept"], new(world, FAILING))
    with pytest.raises(NotAllowed):
        services.save_enterprise(world.users["township"], new(world, FAILING), override_reason="登记机关确认")
    ent = services.save_enterprise(world.users["dept"], new(world, FAILING), override_reason="登记机关确认")
    assert ent.credit_code_override == "登记机关确认"
    rec = ent.history.first()
    assert rec.history_user == world.users["dept"] and rec.credit_code_override == "登记机关确认"


def test_codes_are_normalised_and_unique(world):
    code = gb32100.complete("91632621MA9999999")
    services.save_enterprise(world.users["county"], new(world, code.lower()))
    assert Enterprise.objects.filter(credit_code=code).exists()
    with pytest.raises(ServiceError, match="已登记"):
        services.save_enterprise(world.users["county"], new(world, code, name="另一家"))


def test_who_may_write_the_register(world):
    code = gb32100.complete("91632621MA8888888")
    for role in ("leader", "enterprise", "nobody"):
        with pytest.raises(NotAllowed):
            services.save_enterprise(world.users[role], new(world, code))
    other_town = new(world, code)
    other_town.township = world.enterprises[1].township  # 拉加镇
    with pytest.raises(NotAllowed, match="本乡镇"):
        services.save_enterprise(world.users["township"], other_town)


def test_enterprise_change_request_reviewed_then_applied(world, client_for):
    ent = world.enterprises[0]
    ChangeRequest.objects.filter(enterprise=ent).update(state="withdrawn")
    cr = services.request_change(world.users["enterprise"], ent, {"principal": "王新", "employees": 42},
                                 "负责人变更")
    ent.refresh_from_db()
    assert ent.principal == ""  # nothing applies before review
    with pytest.raises(NotAllowed):
        services.review_change(world.users["transport"], cr, approve=True)  # not a supervisor of QENT01
    with pytest.raises(NotAllowed):
        services.review_change(world.users["enterprise"], cr, approve=True)
    services.review_change(world.users["township"], cr, approve=True)
    ent.refresh_from_db()
    assert (ent.principal, ent.employees) == ("王新", 42)
    assert ent.history.first().history_user == world.users["township"]
    with pytest.raises(Conflict):
        services.review_change(world.users["dept"], cr, approve=False, note="迟到")


def test_change_request_rules(world):
    ent = world.enterprises[0]
    with pytest.raises(ServiceError, match="待审核"):
        services.request_change(world.users["enterprise"], ent, {"principal": "甲"})  # world has one pending
    ChangeRequest.objects.filter(enterprise=ent).update(state="withdrawn")
    with pytest.raises(ServiceError, match="不能由企业申请修改"):
        services.request_change(world.users["enterprise"], ent, {"credit_code": "x"})
    with pytest.raises(ServiceError, match="没有需要变更"):
        services.request_change(world.users["enterprise"], ent, {"principal": ent.principal})
    with pytest.raises(NotAllowed):
        services.request_change(world.users["enterprise"], world.enterprises[1], {"principal": "乙"})
    cr = services.request_change(world.users["enterprise"], ent, {"principal": "甲"})
    with pytest.raises(ServiceError, match="审核意见"):
        services.review_change(world.users["dept"], cr, approve=False)
    services.withdraw_change(world.users["enterprise"], cr)
    with pytest.raises(ServiceError, match="不能从"):
        services.withdraw_change(world.users["enterprise"], cr)


def test_register_pages(world, client_for):
    ent = world.enterprises[0]
    page = client_for(world.users["dept"]).get(f"/enterprises/{ent.pk}/").content.decode()
    for part in ("QMGR01", "QLIC01", "QFAC01", "QRP01", "QSRC01", "变更历史"):
        assert part in page
    # phones masked in the list of users outside the enterprise's officers? the list shows masked phones
    ent.principal_phone = "13912345678"
    ent.save()
    listing = client_for(world.users["dept"]).get("/enterprises/").content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    # an enterprise user asks for a change in the browser
    ChangeRequest.objects.filter(enterprise=ent).update(state="withdrawn")
    c = client_for(world.users["enterprise"])
    assert c.get(f"/enterprises/{ent.pk}/edit/").status_code == 403
    resp = c.post(f"/enterprises/{ent.pk}/change/", {"address": "格萨尔路1号", "scale": "", "standard_grade": "",
                                                    "note": "搬迁"})
    cr = ChangeRequest.objects.get(enterprise=ent, state="pending")
    assert resp["Location"] == f"/enterprises/changes/{cr.pk}/"
    resp = client_for(world.users["dept"]).post(f"/enterprises/changes/{cr.pk}/act/", {"action": "approve"})
    ent.refresh_from_db()
    assert ent.address == "格萨尔路1号"


def test_officer_registers_in_the_browser(world, client_for):
    c = client_for(world.users["county"])
    data = {"name": "QNEW02加油站", "credit_code": FAILING, "township": world.enterprises[0].township_id,
            "status": "operating", "sectors": [world.enterprises[0].sectors.first().pk]}
    resp = c.post("/enterprises/new/", data)
    assert resp.status_code == 200 and "校验位不正确" in resp.content.decode()
    resp = c.post("/enterprises/new/", {**data, "override_reason": "市场监管局核实"})
    ent = Enterprise.objects.get(name="QNEW02加油站")
    assert resp["Location"] == f"/enterprises/{ent.pk}/"


def test_documents_are_part_of_the_file(world, client_for, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from worksafe.enterprises.models import Document

    ent = world.enterprises[0]
    c = client_for(world.users["enterprise"])
    c.post(f"/enterprises/{ent.pk}/documents/", {"title": "应急预案", "file": SimpleUploadedFile("a.exe", b"MZ")})
    assert not Document.objects.filter(title="应急预案").exists()
    c.post(f"/enterprises/{ent.pk}/documents/", {"title": "应急预案",
                                                 "file": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")})
    doc = Document.objects.get(title="应急预案")
    assert doc.uploaded_by == world.users["enterprise"]
    assert "应急预案" in c.get(f"/enterprises/{ent.pk}/").content.decode()
    assert b"".join(c.get(f"/enterprises/documents/{doc.pk}/").streaming_content) == b"%PDF-1.4"
    # leaders read but do not write
    client_for(world.users["leader"]).post(f"/enterprises/{ent.pk}/documents/", {
        "title": "x", "file": SimpleUploadedFile("x.pdf", b"%PDF")})
    assert not Document.objects.filter(title="x").exists()


def test_gathering_places_are_registered_by_officers(world, client_for):
    from worksafe.enterprises.models import GatheringPlace

    data = {"name": "QSCH09中学", "kind": "school", "township": world.enterprises[0].township_id,
            "latitude": "34.47", "longitude": "100.24"}
    assert client_for(world.users["enterprise"]).post("/enterprises/places/", data).status_code == 403
    client_for(world.users["township"]).post("/enterprises/places/", data)
    assert GatheringPlace.objects.filter(name="QSCH09中学").exists()
    assert "QSCH09中学" in client_for(world.users["dept"]).get("/enterprises/places/").content.decode()
