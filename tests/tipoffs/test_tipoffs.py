"""Tip-offs: the receipt opens its case and nothing else, the reporter's identity is unreadable
without the decrypting role (and every decryption is audited), no IP is stored, routing, the
handling lifecycle through the pages and the API, the link to hazards and inspections, the
reward from the enforcement decision to the payout shown on the receipt page."""

import datetime
import io
import re
import zipfile

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.core.models import AuditEvent
from worksafe.tipoffs import services
from worksafe.tipoffs.models import Reward, TipOff

NAME, PHONE = "王小明举报人", "13912345678"
IP = "203.0.113.77"


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def file_online(client, **extra):
    data = {
        "category": "major_hazard",
        "description": "罐区报警器被关闭,夜间动火作业",
        "enterprise_name": "QENT01化工",
        "place": "罐区",
        "when": "每晚",
        "name": NAME,
        "phone": PHONE,
        **extra,
    }
    resp = client.post("/tipoffs/public/", data, REMOTE_ADDR=IP, HTTP_USER_AGENT="Mozilla/5.0 QBROWSERFP")
    assert resp.status_code == 200, re.findall(
        r"(?:invalid-feedback d-block|alert-danger)[^>]*>([^<]*)<", resp.content.decode()
    )
    receipt = re.search(r'id="receipt">([\d ]+)<', resp.content.decode()).group(1)
    return TipOff.objects.order_by("-pk").first(), receipt


def db_text() -> str:
    """Every stored value of every table, as text (what a stolen database shows)."""
    out = []
    for model in apps.get_models():
        for row in model._default_manager.all().values():
            out.append(" ".join(str(v) for v in row.values()))
    return "\n".join(out)


def body(resp) -> str:
    content = b"".join(resp.streaming_content) if resp.streaming else resp.content
    if "spreadsheetml" in resp.get("Content-Type", ""):
        with zipfile.ZipFile(io.BytesIO(content)) as z:
            return " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return content.decode("utf-8", "replace")


# ---------------------------------------------------------------- the public page and the receipt


def test_public_pages_need_no_login_and_are_linked_from_the_login_page(client, world):
    login = client.get("/accounts/login/").content.decode()
    assert re.search(r'<a href="/tipoffs/public/">[^<]*举报', login)
    for url in ("/tipoffs/public/", "/tipoffs/public/track/"):
        resp = client.get(url)
        assert resp.status_code == 200
        html = resp.content.decode()
        assert (
            "http://" not in html.replace("http://www.w3.org", "") and "https://" not in html
        )  # no third party
        assert 'name="csrfmiddlewaretoken"' in html


def test_filing_gives_a_16_digit_receipt_shown_once_and_stored_only_as_a_slow_hash(client, world):
    t, receipt = file_online(client)
    digits = receipt.replace(" ", "")
    assert re.fullmatch(r"\d{16}", digits)
    assert t.enterprise == world.enterprises[0] and t.channel == "online" and t.real_name
    assert digits not in db_text() and receipt not in db_text()
    assert len(t.receipt_hash) == 64 and t.receipt_hash != digits
    # shown once: the case page (and every other page) never shows it again
    county = world.users["county"]
    client.force_login(county)
    assert digits not in client.get(t.get_absolute_url()).content.decode()


def test_the_receipt_opens_its_case_and_nothing_else(client, world):
    t1, r1 = file_online(client)
    t2, r2 = file_online(client, description="另一件举报:仓库没有通风设施")
    page = client.post("/tipoffs/public/track/", {"receipt": r1}).content.decode()
    assert t1.number in page and t2.number not in page and "另一件" not in page
    page2 = client.post("/tipoffs/public/track/", {"receipt": r2.replace(" ", "-")}).content.decode()
    assert t2.number in page2 and t1.number not in page2
    neutral = None
    wrong = r1.replace(" ", "")[:-1] + str((int(r1[-1]) + 1) % 10)
    for bad in [
        wrong,
        "0000000000000000",
        r1[:-2],
        r1 + "7",
        "",
        "abcdefghijklmnop",
        "１２３４" * 4,
        "9" * 5000,
        "' OR 1=1 --",
        "\x00" * 16,
    ]:
        resp = client.post("/tipoffs/public/track/", {"receipt": bad})
        assert resp.status_code == 404, bad
        text = resp.content.decode()
        assert t1.number not in text and t2.number not in text
        msg = re.search(r'alert-warning" role="alert">([^<]*)<', text).group(1)
        neutral = neutral or msg
        assert msg == neutral  # the same answer whatever was wrong
        cache.clear()


def test_an_old_receipt_of_a_merged_case_opens_only_that_case(client, world):
    first, r1 = file_online(client)
    dup, r2 = file_online(client, description="罐区晚上有人电焊")
    take(dup, world.users["county"], "merge", data={"into": first.number})
    page = client.post("/tipoffs/public/track/", {"receipt": r2}).content.decode()
    assert dup.number in page and "已并入先前举报" in page and "首报" in page
    assert "罐区报警器被关闭" not in page  # the earlier case's content is not shown


def test_guessing_receipts_is_rate_limited(client, world, settings):
    settings.WORKSAFE_TIPOFF_RATE_LIMITS = {"receipt": (3, 1000, 3600), "file": (100, 1000, 3600)}
    t, receipt = file_online(client)
    for i in range(3):
        assert (
            client.post("/tipoffs/public/track/", {"receipt": f"{i:016d}"}, REMOTE_ADDR=IP).status_code == 404
        )
    resp = client.post("/tipoffs/public/track/", {"receipt": receipt}, REMOTE_ADDR=IP)
    assert resp.status_code == 429 and t.number not in resp.content.decode()
    # another address is not blocked by this one's guesses; nothing about either is stored
    assert (
        client.post("/tipoffs/public/track/", {"receipt": receipt}, REMOTE_ADDR="198.51.100.9").status_code
        == 200
    )
    assert IP not in db_text() and "198.51.100.9" not in db_text()


def test_a_global_cap_limits_guessing_spread_over_addresses(client, world, settings):
    settings.WORKSAFE_TIPOFF_RATE_LIMITS = {"receipt": (100, 4, 3600), "file": (100, 1000, 3600)}
    for i in range(4):
        client.post("/tipoffs/public/track/", {"receipt": f"{i:016d}"}, REMOTE_ADDR=f"198.51.100.{i}")
    assert (
        client.post("/tipoffs/public/track/", {"receipt": "1" * 16}, REMOTE_ADDR="192.0.2.1").status_code
        == 429
    )


def test_filing_is_rate_limited(client, world, settings):
    settings.WORKSAFE_TIPOFF_RATE_LIMITS = {"receipt": (10, 100, 3600), "file": (2, 100, 3600)}
    file_online(client)
    file_online(client)
    resp = client.post(
        "/tipoffs/public/", {"category": "other", "description": "第三次提交的内容"}, REMOTE_ADDR=IP
    )
    assert resp.status_code == 429 and "第三次提交的内容" in resp.content.decode()  # the text is kept
    assert TipOff.objects.count() == 5  # the world's 3 + 2


def test_no_ip_or_browser_fingerprint_is_stored(client, world):
    file_online(client)
    text = db_text()
    assert IP not in text and "QBROWSERFP" not in text


def test_bad_input_keeps_what_was_typed_and_says_why_in_chinese(client, world):
    resp = client.post("/tipoffs/public/", {"category": "", "description": "短", "place": "QPLACE罐区"})
    assert resp.status_code == 400
    html = resp.content.decode()
    assert "QPLACE罐区" in html and "至少5个字" in html
    exe = SimpleUploadedFile("photo.jpg", b"MZ\x90\x00" + b"\x00" * 200, content_type="image/jpeg")
    resp = client.post(
        "/tipoffs/public/", {"category": "other", "description": "一张伪装的图片文件", "files": exe}
    )
    assert resp.status_code == 400 and "一张伪装的图片文件" in resp.content.decode()
    assert TipOff.objects.count() == 3


def test_photos_are_checked_by_content_and_lose_their_metadata(client, world):
    from PIL import Image

    buf = io.BytesIO()
    img = Image.new("RGB", (20, 20), "red")
    exif = Image.Exif()
    exif[0x010F] = "QCAMERAMAKER"  # Make
    img.save(buf, "JPEG", exif=exif)
    photo = SimpleUploadedFile("p.jpg", buf.getvalue(), content_type="image/jpeg")
    t, _ = file_online(client, files=photo)
    f = t.files.get()
    with f.file.open("rb") as fh:
        assert b"QCAMERAMAKER" not in fh.read()


def test_enterprise_lookup_without_javascript(client, world):
    resp = client.post(
        "/tipoffs/public/", {"enterprise_name": "化工", "lookup": "1", "description": "QKEEP内容"}
    )
    html = resp.content.decode()
    assert resp.status_code == 200 and "QENT01化工" in html and "QKEEP内容" in html
    assert TipOff.objects.count() == 3
    assert (
        "QENT01" not in client.get("/tipoffs/public/").content.decode()
    )  # the register is not listed to all


# ---------------------------------------------------------------- confidentiality


def test_identity_is_unreadable_in_the_database_lists_exports_history_and_api(client, world, client_for):
    t, _ = file_online(client)
    assert NAME not in db_text() and PHONE not in db_text()
    assert t.identity and NAME not in t.identity
    for role in ("county", "leader", "dept", "township", "inspector"):
        c = client_for(world.users[role])
        for url in (
            "/tipoffs/",
            "/tipoffs/?export=xlsx",
            t.get_absolute_url(),
            "/api/tipoffs/",
            f"/api/tipoffs/{t.pk}/",
            "/tipoffs/?unmask=1",
            f"{t.get_absolute_url()}?unmask=1",
        ):
            text = body(c.get(url))
            assert NAME not in text and PHONE not in text, (role, url)
    assert "identity" not in client_for(world.users["county"]).get(f"/api/tipoffs/{t.pk}/").json()


def test_only_the_county_office_and_the_custodian_decrypt_and_each_decryption_is_audited(
    client, world, client_for
):
    t, _ = file_online(client)
    dept, county, inspector = world.users["dept"], world.users["county"], world.users["inspector"]
    url = f"/tipoffs/{t.pk}/reveal/"
    assert client_for(dept).post(url, {"reason": "核实"}).status_code == 403
    assert AuditEvent.objects.filter(kind="decrypt", success=False, user_id=dept.pk).exists()
    # the county office: needs a reason, then sees it once, audited with the reason
    c = client_for(county)
    resp = c.post(url, {"reason": ""})
    assert resp.status_code == 302 and not AuditEvent.objects.filter(kind="decrypt", success=True).exists()
    resp = c.post(url, {"reason": "核实举报事项需要联系举报人"})
    html = resp.content.decode()
    assert resp.status_code == 200 and NAME in html and PHONE in html and resp["Cache-Control"] == "no-store"
    ev = AuditEvent.objects.get(kind="decrypt", success=True)
    assert (
        ev.user_id == county.pk
        and ev.detail["reason"] == "核实举报事项需要联系举报人"
        and t.number in ev.target
    )
    # the custodian the department designates at acceptance
    take(t, dept, "accept", data={"custodian": inspector.pk})
    assert client_for(inspector).post(url, {"reason": "回访"}).status_code == 200
    assert client_for(dept).post(url, {"reason": "回访"}).status_code == 403
    # the API: the same rule, audited
    api = client_for(county).post(
        f"/api/tipoffs/{t.pk}/reveal/", {"reason": "电话回访"}, content_type="application/json"
    )
    assert api.status_code == 200 and api.json() == {"name": NAME, "phone": PHONE}
    assert (
        client_for(dept)
        .post(f"/api/tipoffs/{t.pk}/reveal/", {"reason": "x"}, content_type="application/json")
        .status_code
        == 403
    )
    assert AuditEvent.objects.filter(kind="decrypt", success=True).count() == 3
    # the leader reads everything but decrypts nothing
    assert client_for(world.users["leader"]).post(url, {"reason": "看看"}).status_code == 403


def test_an_enterprise_never_sees_a_tip_off_about_itself(client, world, client_for):
    t, _ = file_online(client)
    c = client_for(world.users["enterprise"])
    assert c.get(t.get_absolute_url()).status_code == 404
    assert c.get("/api/tipoffs/").json()["count"] == 0


def test_the_key_file_is_created_with_mode_0600_and_not_in_the_database(world, settings, tmp_path):
    from worksafe.tipoffs import crypto

    path = tmp_path / "keys" / "tipoff.key"
    settings.WORKSAFE_TIPOFF_KEYS = str(path)
    crypto.clear_cache()
    try:
        token = crypto.encrypt({"name": "甲"})
        assert path.exists() and (path.stat().st_mode & 0o777) == 0o600
        assert crypto.decrypt(token) == {"name": "甲"}
        # rotation: a new key first, the old one kept
        import json

        from cryptography.fernet import Fernet

        data = json.loads(path.read_text())
        data["keys"].insert(0, Fernet.generate_key().decode())
        path.write_text(json.dumps(data))
        crypto.clear_cache()
        assert crypto.decrypt(token) == {"name": "甲"}
        assert crypto.decrypt(crypto.rotate(token)) == {"name": "甲"}
    finally:
        crypto.clear_cache()


# ---------------------------------------------------------------- routing


def test_routing_sends_each_category_township_sector_case_to_the_right_unit(world):
    from worksafe.org.models import Department, Division, Sector
    from worksafe.tipoffs import routing

    em, tr = Department.objects.get(name="县应急管理局"), Department.objects.get(name="县交通运输局")
    chem, road = Sector.objects.get(name="危险化学品"), Sector.objects.get(name="道路运输")
    towns = list(Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")[:3])
    expected_dept = {chem: em, road: tr, None: em}
    for category in TipOff.Category.values:
        for town in [*towns, None]:
            for sector in (chem, road, None):
                r = routing.route(category, town, sector)
                want = em if category == "concealed_accident" else expected_dept[sector]
                assert r.department == want, (category, town, sector)
                assert r.township == town
                if town is None:
                    assert r.township_unit is None
                else:
                    assert r.township_unit.division == town
                    assert r.township_unit.kind == Department.Kind.TOWNSHIP_GOVERNMENT
    # the enterprise gives township and sector when the reporter did not
    e2 = world.enterprises[1]
    r = routing.route("illegal", enterprise=e2)
    assert (r.department, r.township, r.sector) == (tr, e2.township, road)


def test_reassigning_is_the_county_offices_with_a_reason(world, client_for):
    from worksafe.org.models import Department

    t = world.tipoffs[0]
    tr = Department.objects.get(name="县交通运输局")
    c = client_for(world.users["dept"])
    assert "reassign" not in c.get(f"/api/tipoffs/{t.pk}/").json()["allowed_steps"]
    county = client_for(world.users["county"])
    resp = county.post(
        f"/api/tipoffs/{t.pk}/step/",
        {"step": "reassign", "version": t.version, "department": tr.pk, "reason": ""},
        content_type="application/json",
    )
    assert resp.status_code == 400 and "理由" in resp.json()["detail"]
    resp = county.post(
        f"/api/tipoffs/{t.pk}/step/",
        {"step": "reassign", "version": t.version, "department": tr.pk, "reason": "属交通运输领域"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["department"] == tr.pk
    assert client_for(world.users["transport"]).get(t.get_absolute_url()).status_code == 200


# ---------------------------------------------------------------- handling to reward, end to end


def test_verified_case_becomes_a_major_hazard_and_an_inspection_with_a_fine_and_a_paid_reward(
    client, world, client_for
):
    from worksafe.hazards.models import MajorCriterion
    from worksafe.inspections import services as insp

    t, receipt = file_online(client, employee="on")
    dept, county, inspector = world.users["dept"], world.users["county"], world.users["inspector"]
    d = client_for(dept)
    # through the page: accept, verify; a question answered on the receipt page
    for step, data in (("accept", {}), ("verify", {})):
        t.refresh_from_db()
        resp = d.post(f"/tipoffs/{t.pk}/act/", {"step": step, "version": t.version, **data})
        assert resp.status_code == 302, resp.content.decode()[:500]
    assert d.post(f"/tipoffs/{t.pk}/ask/", {"text": "QASK动火作业在几点?"}).status_code == 302
    page = client.post("/tipoffs/public/track/", {"receipt": receipt}).content.decode()
    assert "QASK动火作业在几点" in page and dept.display_name not in page
    client.post(
        "/tipoffs/public/track/", {"receipt": receipt, "action": "answer", "text": "QANS晚上十点以后"}
    )
    assert "QANS晚上十点以后" in d.get(t.get_absolute_url()).content.decode()
    # through the API: the outcome
    t.refresh_from_db()
    resp = d.post(
        f"/api/tipoffs/{t.pk}/step/",
        {"step": "conclude", "version": t.version, "outcome": "true", "findings": "报警器被关闭,属实"},
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["state"] == "verified"
    # a major hazard, linked both ways
    criterion = MajorCriterion.objects.filter(active=True).first()
    resp = d.post(
        f"/tipoffs/{t.pk}/hazard/",
        {"location": "罐区", "description": "报警器关闭", "criterion": criterion.pk},
    )
    t.refresh_from_db()
    assert t.hazard.is_major and t.hazard.source == "tip_off"
    assert t.number in d.get(t.hazard.get_absolute_url()).content.decode()
    # no reward before the enforcement decision
    assert "处罚决定" in d.post(f"/tipoffs/{t.pk}/reward/", {}, follow=True).content.decode()
    # an inspection with a fine decided after 法制审核
    resp = d.post(f"/tipoffs/{t.pk}/inspection/")
    t.refresh_from_db()
    assert t.inspection and resp.url == t.inspection.get_absolute_url()
    assert t.number in d.get(t.inspection.get_absolute_url()).content.decode()
    insp.step(t.inspection, dept, "notify", note="核查举报")
    insp.step(t.inspection.__class__.objects.get(pk=t.inspection_id), dept, "arrive")
    fine = insp.add_action(
        t.inspection.__class__.objects.get(pk=t.inspection_id),
        dept,
        kind="fine",
        basis="安全生产法第一百零二条",
        description="未消除重大事故隐患",
        amount=100_000,
    )
    take(fine, dept, "submit_review")
    take(fine, inspector, "approve_review", data={"note": "审核通过"})
    take(fine, dept, "decide", data={})
    # the reward proposed from the fine (15% = 15,000; no uplift nationally for the employee)
    d.post(f"/tipoffs/{t.pk}/reward/", {})
    reward = Reward.objects.get(tipoff=t)
    assert reward.amount == 15_000 and reward.enforcement == fine and "15%" in reward.basis
    assert "approve" not in d.get(f"/api/tipoff-rewards/{reward.pk}/").json()["allowed_steps"]
    take(reward, county, "approve", data={})
    # claimed with the receipt: the payee's details are encrypted
    page = client.post("/tipoffs/public/track/", {"receipt": receipt}).content.decode()
    assert "申领奖励" in page and "15000元" in page
    client.post(
        "/tipoffs/public/track/",
        {
            "receipt": receipt,
            "action": "claim",
            "payee_name": "刘领奖",
            "payee_phone": "13700001111",
            "payee_id_number": "632621199001019999",
            "payee_account": "6222000011112222",
        },
    )
    reward.refresh_from_db()
    assert reward.state == "claimed" and "刘领奖" not in db_text() and "6222000011112222" not in db_text()
    # paid, through the API, and shown on the receipt page
    c = client_for(county)
    resp = c.post(
        f"/api/tipoff-rewards/{reward.pk}/step/",
        {
            "step": "pay",
            "version": reward.version,
            "paid_on": "2026-12-01",
            "method": "bank",
            "reference": "QREF0001",
        },
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json()["state"] == "paid" and "payee" not in resp.json()
    page = client.post("/tipoffs/public/track/", {"receipt": receipt}).content.decode()
    assert "QREF0001" in page and "2026-12-01" in page and "银行转账" in page
    # the payee is revealed like the identity: audited
    resp = c.post(f"/tipoffs/rewards/{reward.pk}/payee/", {"reason": "核对领奖人"})
    assert "刘领奖" in resp.content.decode()
    assert AuditEvent.objects.filter(kind="decrypt", detail__fields="领奖人信息").exists()
    # 回访
    t.refresh_from_db()
    take(t, dept, "close", data={})
    client.post("/tipoffs/public/track/", {"receipt": receipt, "action": "rate", "rating": "4"})
    t.refresh_from_db()
    assert t.rating == 4


def test_a_merged_duplicate_keeps_the_reward_with_the_first_reporter(client, world):
    first, _ = file_online(client)
    later, _ = file_online(client, description="同一件事:罐区报警器不响")
    county = world.users["county"]
    with pytest.raises(services.ServiceError, match="更早"):
        take(first, county, "merge", data={"into": later.number})
    take(later, county, "merge", data={"into": first.number})
    later.refresh_from_db()
    assert later.state == "merged" and later.merged_into == first
    with pytest.raises(services.ServiceError, match="最先举报"):
        services.propose_reward(later, county)


def test_concealed_accident_reward_takes_grade_and_deaths(client, world):
    t, _ = file_online(client, category="concealed_accident", description="上月有工人死亡未上报")
    dept = world.users["dept"]
    take(t, dept, "accept", data={})
    take(TipOff.objects.get(pk=t.pk), dept, "verify", data={})
    take(TipOff.objects.get(pk=t.pk), dept, "conclude", data={"outcome": "partly", "findings": "查实瞒报2人"})
    with pytest.raises(services.ServiceError, match="事故等级"):
        services.propose_reward(TipOff.objects.get(pk=t.pk), dept)
    r = services.propose_reward(
        TipOff.objects.get(pk=t.pk), dept, accident_grade="larger", concealed_deaths=2
    )
    assert r.amount == 80_000


def test_false_reports_are_not_rewarded_and_officers_enter_hotline_tip_offs(world, client_for):
    c = client_for(world.users["county"])
    resp = c.post(
        "/api/tipoffs/",
        {
            "channel": "hotline",
            "category": "illegal",
            "description": "电话举报无证经营",
            "name": "电话举报人",
            "phone": "13600000000",
        },
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    data = resp.json()
    assert re.fullmatch(r"\d{4} \d{4} \d{4} \d{4}", data["receipt"]) and "name" not in data
    t = TipOff.objects.get(pk=data["id"])
    assert t.channel == "hotline" and t.entered_by == world.users["county"]
    assert (
        client_for(world.users["enterprise"])
        .post(
            "/api/tipoffs/",
            {"channel": "hotline", "category": "other", "description": "企业自己登记"},
            content_type="application/json",
        )
        .status_code
        == 403
    )
    # the officers' page entry
    resp = c.post(
        "/tipoffs/new/", {"channel": "letter", "category": "other", "description": "来信反映的情况"}
    )
    assert resp.status_code == 200 and "请将回执码告知举报人" in resp.content.decode()
    assert TipOff.objects.filter(channel="letter").exists()
    # not true: no reward
    t = TipOff.objects.get(channel="letter")
    county = world.users["county"]
    take(t, county, "accept", data={})
    take(TipOff.objects.get(pk=t.pk), county, "verify", data={})
    take(TipOff.objects.get(pk=t.pk), county, "conclude", data={"outcome": "false", "findings": "不属实"})
    with pytest.raises(services.ServiceError, match="属实"):
        services.propose_reward(TipOff.objects.get(pk=t.pk), county)


# ---------------------------------------------------------------- deadlines, weight, lists


def test_overdue_cases_escalate_once_per_step(world):
    from worksafe.core.models import Notification

    t = world.tipoffs[0]
    TipOff.objects.filter(pk=t.pk).update(accept_due=timezone.localdate() - datetime.timedelta(days=10))
    before = Notification.objects.count()
    assert services.escalate_overdue() == 2  # the unit, then the county office
    assert services.escalate_overdue() == 0
    assert Notification.objects.count() > before
    assert Notification.objects.filter(title__contains="【逾期】举报").exists()


def test_verified_tip_offs_weigh_in_the_draw(world):
    from worksafe.inspections.services import WEIGHT_PROVIDERS

    t = world.tipoffs[0]
    TipOff.objects.filter(pk=t.pk).update(outcome="true", state="verified", concluded_at=timezone.now())
    TipOff.objects.filter(pk=world.tipoffs[2].pk).update(
        outcome="false", state="verified", concluded_at=timezone.now()
    )
    ids = [e.pk for e in world.enterprises]
    assert WEIGHT_PROVIDERS["tipoffs"](ids) == {world.enterprises[0].pk: 1}
    TipOff.objects.filter(pk=t.pk).update(concluded_at=timezone.now() - datetime.timedelta(days=400))
    assert WEIGHT_PROVIDERS["tipoffs"](ids) == {}


def test_list_filters_sort_and_export(world, client_for):
    c = client_for(world.users["county"])
    assert c.get("/tipoffs/?state=received&sort=-received_at").status_code == 200
    assert c.get("/tipoffs/?township=abc").status_code == 400
    assert c.get("/api/tipoffs/?township=99999999999999999999").status_code == 400
    resp = c.get("/tipoffs/?export=xlsx")
    assert resp.status_code == 200 and "QTIP01" in body(resp)
    assert c.get("/api/tipoffs/?category=illegal").json()["count"] == 0
