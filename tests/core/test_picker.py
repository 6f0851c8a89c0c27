"""Pickers (core.picker): a row chosen by typing, searched within the user's scope, so a form page
does not carry a select of every enterprise (docs/pages.md, "Pickers"; docs/scale.md, "Pages
bounded by their page size")."""

import datetime
import re

import pytest
from django.utils import timezone

from worksafe.core.registry import PICK_LIMIT

pytestmark = pytest.mark.django_db


def _names(client, q, key="enterprises"):
    r = client.get(f"/pick/{key}/", {"q": q})
    assert r.status_code == 200
    return [x["text"] for x in r.json()["results"]]


def _extra_enterprises(world, n, prefix="QPICK"):
    from worksafe.enterprises.models import Enterprise
    from worksafe.standards import gb32100

    town = world.enterprises[0].township
    return Enterprise.objects.bulk_create(
        Enterprise(name=f"{prefix}{i:03d}企业", credit_code=gb32100.complete(f"91632621PK{i:07d}"), township=town)
        for i in range(n))


def test_search_answers_only_what_the_user_sees(world, client_for):
    e1, e2, e3 = world.enterprises
    dept = client_for(world.users["dept"])  # 县应急管理局: the chemical enterprises
    found = _names(dept, "QENT")
    assert any(t.startswith("QENT01化工") for t in found) and any(t.startswith("QENT03加油站") for t in found)
    assert not any("QENT02" in t for t in found)
    assert not any("QENT02" in t for t in _names(dept, e2.credit_code))  # not by its code either
    assert [t.split()[0] for t in _names(client_for(world.users["township"]), "QENT")] == ["QENT01化工"]
    assert [t.split()[0] for t in _names(client_for(world.users["enterprise"]), "QENT")] == ["QENT01化工"]
    assert _names(dept, "") == []
    assert dept.get("/pick/nothing/", {"q": "x"}).status_code == 404
    assert client_for(None).get("/pick/enterprises/", {"q": "QENT"}).status_code == 302  # the login page


def test_search_answers_a_bounded_number(world, client_for):
    _extra_enterprises(world, PICK_LIMIT + 5)
    assert len(_names(client_for(world.users["county"]), "QPICK")) == PICK_LIMIT


def test_form_takes_the_picked_text_and_refuses_an_invisible_id(world, client_for):
    from worksafe.training.models import Certificate

    e1, e2, _ = world.enterprises
    dept = client_for(world.users["dept"])
    post = {"kind": "principal", "holder": "QPKH01负责人", "number": "QPK-1", "valid_until": "2030-01-01"}
    r = dept.post("/training/certificates/", {**post, "enterprise": e2.pk})  # 县交通运输局's, not dept's
    assert r.status_code == 400
    assert "未找到企业" in r.content.decode() and "不在您的权限范围内" in r.content.decode()
    r = dept.post("/training/certificates/", {**post, "enterprise": e2.credit_code})
    assert r.status_code == 400
    assert not Certificate.objects.filter(number="QPK-1").exists()
    text = next(t for t in _names(dept, "QENT01"))
    assert dept.post("/training/certificates/", {**post, "enterprise": text}).status_code == 302
    assert Certificate.objects.get(number="QPK-1").enterprise == e1
    # a full name typed without the list (no JavaScript) is taken too
    assert dept.post("/training/certificates/", {**post, "number": "QPK-2", "enterprise": e1.name}).status_code == 302
    assert Certificate.objects.get(number="QPK-2").enterprise == e1


def test_accountability_and_recusal_forms_pick_within_scope(world, client_for):
    from worksafe.credit.models import Accountability
    from worksafe.inspections.models import Recusal

    e1, _, e3 = world.enterprises
    county = client_for(world.users["county"])
    r = county.post("/credit/accountability/", {"kind": "interview", "enterprise": f"{e1.name} {e1.credit_code}",
                                                "reason": "QPKA01约谈事由", "on": "2026-11-01",
                                                "requirements": "QPKA01整改"})
    assert r.status_code == 302, re.findall(r'(?:invalid-feedback d-block|alert-danger)">([^<]*)', r.content.decode())
    assert Accountability.objects.get(reason="QPKA01约谈事由").enterprise == e1
    r = county.post("/credit/accountability/", {"kind": "interview", "enterprise": "QPKA不存在企业",
                                                "reason": "QPKA02", "on": "2026-11-01"})
    assert r.status_code == 400 and "未找到企业“QPKA不存在企业”" in r.content.decode()
    inspector = client_for(world.users["inspector"])
    r = inspector.post("/inspections/recusals/", {"inspector": world.users["inspector"].pk,
                                                  "enterprise": world.enterprises[1].pk, "reason": "QPKR01"})
    assert r.status_code == 400 and "不在您的权限范围内" in r.content.decode()
    r = inspector.post("/inspections/recusals/", {"inspector": world.users["inspector"].pk,
                                                  "enterprise": e1.credit_code, "reason": "QPKR02"})
    assert r.status_code == 302
    assert Recusal.objects.get(reason="QPKR02").enterprise == e1


@pytest.mark.parametrize("url", ["/training/certificates/", "/credit/accountability/", "/inspections/recusals/",
                                 "/hazards/new/", "/accidents/new/", "/monitoring/gateways/new/"])
def test_form_pages_do_not_list_every_enterprise(world, client_for, url):
    _extra_enterprises(world, 30)
    page = client_for(world.users["county"]).get(url).content.decode()
    assert 'data-pick-url="/pick/enterprises/"' in page  # the form is there, with its picker
    assert "QPICK0" not in page  # and no option of the enterprises it could pick


def test_hazard_create_picks_within_scope(world, client_for):
    from worksafe.hazards.models import Hazard

    e1, e2, _ = world.enterprises
    dept = client_for(world.users["dept"])
    post = {"location": "QPKZ罐区", "source": "department_inspection", "level": "general",
            "description": "QPKZ01阀门渗漏"}
    r = dept.post("/hazards/new/", {**post, "enterprise": f"{e2.name} {e2.credit_code}"})  # not dept's
    assert r.status_code in (200, 400) and "不在您的权限范围内" in r.content.decode()
    assert not Hazard.objects.filter(description="QPKZ01阀门渗漏").exists()
    r = dept.post("/hazards/new/", {**post, "enterprise": f"{e1.name} {e1.credit_code}"})
    assert r.status_code == 302
    assert Hazard.objects.get(description="QPKZ01阀门渗漏").enterprise == e1
    # the link from an enterprise's page fills the input with the enterprise's text
    page = dept.get("/hazards/new/", {"enterprise": e1.pk}).content.decode()
    assert f'value="{e1.name} {e1.credit_code}"' in page


def test_account_enterprise_picker_is_for_who_manages_accounts(world, client_for):
    from worksafe.core.scoping import Role
    from worksafe.org.models import Membership, User

    e1, e2, _ = world.enterprises
    sysadmin = User.objects.create_user("qpk-sysadmin", password="Worksafe-2026-x")
    Membership.objects.create(user=sysadmin, role=Role.SYSADMIN)
    admin = client_for(sysadmin)  # sees no business rows, but binds accounts to the register
    assert any(t.startswith(e2.name) for t in _names(admin, "QENT", key="account_enterprises"))
    assert _names(admin, "QENT") == []  # the business picker stays empty for it
    assert _names(client_for(world.users["enterprise"]), "QENT", key="account_enterprises") == []
    page = admin.get(f"/org/users/{world.users['dept'].pk}/").content.decode()
    assert 'data-pick-url="/pick/account_enterprises/"' in page
    newbie = User.objects.create_user("qpk-newbie", password="Worksafe-2026-x")
    url = f"/org/users/{newbie.pk}/memberships/"
    r = admin.post(url, {"role": "enterprise", "enterprise": "QPK不存在的企业"}, follow=True)
    assert "未找到企业“QPK不存在的企业”" in r.content.decode()
    assert not Membership.objects.filter(user=newbie).exists()
    assert admin.post(url, {"role": "enterprise", "enterprise": f"{e2.name} {e2.credit_code}"}).status_code == 302
    assert Membership.objects.get(user=newbie).enterprise == e2


def test_unreported_periodic_list_is_paged(world, client_for):
    from worksafe.hazards.selfcheck import services as selfcheck

    _extra_enterprises(world, 60)
    user = world.users["county"]
    county = client_for(user)
    due = selfcheck.past_due_periods(timezone.localdate())
    # an officer's list: the latest past-due quarter and year
    periods = [p for p in due if p.period == "quarter"][:1] + [p for p in due if p.period == "year"][:1]
    total = selfcheck.missing_periodic_count(user, periods)
    assert total >= 60 * len(periods) and total > 50
    pages = -(-total // 50)
    seen = ""
    for n in range(1, pages + 1):
        page = county.get("/hazards/periodic/", {"missing_page": n}).content.decode()
        rows = page.count('<span class="badge bg-red text-white">逾期未报</span>')
        assert rows == (50 if n < pages else total - 50 * (pages - 1))
        assert f"共 {total} 条,第 {n}/{pages} 页" in page
        seen += page.split("已报送")[0]
    assert "missing_page=2" in county.get("/hazards/periodic/").content.decode()
    for i in range(60):  # every unreported enterprise on one page or another, once per period
        assert seen.count(f"<td>QPICK{i:03d}企业</td>") == len(periods)


def test_unreported_dual_reports_are_paged_and_counted_whole(world, client_for):
    from worksafe.hazards.selfcheck import services as selfcheck

    _extra_enterprises(world, 60, prefix="QDUAL")
    user = world.users["county"]
    county = client_for(user)
    today = timezone.localdate()
    total = selfcheck.missing_dual_reports(user, today.year, today.month).count()
    assert total >= 60
    pages = -(-total // 50)
    seen = ""
    for n in range(1, pages + 1):
        page = county.get("/hazards/dual/", {"missing_page": n}).content.decode()
        rows = page.count('<span class="badge bg-red text-white">未报送</span>')
        assert rows == (50 if n < pages else total - 50 * (pages - 1))
        assert f"共 {total} 条,第 {n}/{pages} 页" in page
        assert re.search(rf'未报送</div><div class="h2 m-0 text-red">{total}</div>', page)  # the whole count
        seen += page.split("已报送</h3>")[0]
    for i in range(60):
        assert seen.count(f">QDUAL{i:03d}企业</a>") == 1


def test_pending_certificates_are_bounded(world, client_for):
    from worksafe.training import services
    from worksafe.training.models import Certificate

    e1 = world.enterprises[0]
    for i in range(25):
        services.add_certificate(world.users["enterprise"], enterprise=e1, kind="principal", holder=f"QPKP{i:03d}",
                                 number=f"QPKP-{i}", valid_until=timezone.localdate() + datetime.timedelta(days=400))
    pending = Certificate.objects.visible_to(world.users["dept"]).filter(confirmed=False).count()
    assert pending > 20
    page = client_for(world.users["dept"]).get("/training/certificates/").content.decode()
    assert f"待核实的企业申报 <span class=\"badge ms-1\">{pending}</span>" in page and "?confirmed=false" in page
    assert "QPKP000" not in page.split("待核实的企业申报")[1].split("</table>")[0]  # the oldest are left out
