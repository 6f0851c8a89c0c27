"""The two lists (问题隐患清单, 制度措施清单) and the hazard statistics: scoping of pages,
exports and counts; filters; the county .xlsx layout; the measures lifecycle, its
permissions and milestones; the statistics for a known set; fixed query counts."""

import datetime
import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from worksafe.core.services import Conflict, NotAllowed, ServiceError
from worksafe.hazards.lists import services as lists
from worksafe.hazards.lists.views import hazard_statistics
from worksafe.hazards.loop import services as hz
from worksafe.hazards.models import Hazard, Measure, Milestone
from worksafe.org.models import Department

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=20)


def report(world, user, ent, text, **kw):
    return hz.report_hazard(world.users[user], world.enterprises[ent], location="现场", description=text,
                            source="department_inspection", **kw)


def confirmed(world, user, ent, text, deadline=LATER, **kw):
    h = report(world, user, ent, text)
    return hz.confirm(h, world.users[user], deadline=deadline, responsible_person="责任人甲", requirement="限期整改",
                      **kw)


def closed(world, user, ent, text, deadline, closed_on):
    """A hazard closed on ``closed_on`` with ``deadline`` (dates moved as if time had passed)."""
    h = confirmed(world, user, ent, text)
    h = hz.start_rectification(h, world.users[user])
    h = hz.submit_rectification(h, world.users["enterprise" if ent == 0 else user], note="已整改",
                                evidence=[_pdf()])
    h = hz.accept(h, world.users["county"])
    closed_at = timezone.make_aware(datetime.datetime.combine(closed_on, datetime.time(15)))
    Hazard.objects.filter(pk=h.pk).update(deadline=deadline, closed_at=closed_at, found_at=closed_at)
    return Hazard.objects.get(pk=h.pk)


def make_overdue(h, days=3):
    Hazard.objects.filter(pk=h.pk).update(deadline=TODAY - datetime.timedelta(days=days))
    return Hazard.objects.get(pk=h.pk)


def _pdf(name="e.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, b"%PDF-1.4", content_type="application/pdf")


def sheet(resp):
    assert resp.status_code == 200
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(resp.content)).active


def data_rows(ws):
    """The rows between the header (row 3) and the 合计 line."""
    rows = [list(r) for r in ws.iter_rows(min_row=4, values_only=True)]
    assert rows[-1][0] == "合计"
    return rows[:-1], rows[-1]


# ---------------------------------------------------------------- 问题隐患清单


def test_problem_list_is_scoped_page_and_export(world, client_for):
    url = reverse("hazards:problem_list")
    expected = {"county": {"QHAZ01", "QHAZ02", "QHAZ03"}, "leader": {"QHAZ01", "QHAZ02", "QHAZ03"},
                "dept": {"QHAZ01", "QHAZ03"}, "transport": {"QHAZ02"}, "township": {"QHAZ01"},
                "enterprise": {"QHAZ01"}, "nobody": set()}
    for role, tokens in expected.items():
        c = client_for(world.users[role])
        page = c.get(url).content.decode()
        ws = sheet(c.get(url + "?export=xlsx"))
        rows, _total = data_rows(ws)
        exported = {t for t in ("QHAZ01", "QHAZ02", "QHAZ03") for r in rows if t in (r[5] or "")}
        shown = {t for t in ("QHAZ01", "QHAZ02", "QHAZ03") if t in page}
        assert shown == tokens, role
        assert exported == tokens, role
    # a filter cannot reach outside the scope
    transport = client_for(world.users["transport"])
    chem = world.hazards[0].sector_id
    assert "QHAZ01" not in transport.get(url + f"?sector={chem}").content.decode()
    assert client_for(None).get(url).status_code == 302


def test_problem_list_columns_and_overdue_rows(world, client_for):
    h = make_overdue(world.hazards[0])
    page = client_for(world.users["county"]).get(reverse("hazards:problem_list")).content.decode()
    for head in ("编号", "企业", "乡镇", "行业领域", "隐患部位及描述", "等级", "发现方式", "发现时间", "整改责任单位/责任人",
                 "整改要求", "整改期限", "状态", "挂牌督办", "监管部门"):
        assert f"<th>{head}</th>" in page
    row = page[page.index(h.code) - 300: page.index(h.code)]
    assert 'class="late"' in row  # overdue rows stand out
    assert page.count('class="late"') == 1


def test_problem_list_filters(world, client_for):
    from worksafe.org.models import Division

    e1, e2, e3 = world.enterprises
    h4 = confirmed(world, "dept", 2, "QHAZ04加油机接地")
    make_overdue(h4)
    old = report(world, "dept", 0, "QHAZ05旧隐患")
    Hazard.objects.filter(pk=old.pk).update(found_at=timezone.now() - datetime.timedelta(days=100))
    c = client_for(world.users["county"])
    url = reverse("hazards:problem_list")

    def shown(q):
        text = c.get(url + "?" + q).content.decode()
        return {t for t in ("QHAZ01", "QHAZ02", "QHAZ03", "QHAZ04", "QHAZ05") if t in text}

    xueshan = Division.objects.get(name="雪山乡")
    transport = Department.objects.get(name="县交通运输局")
    assert shown(f"township={xueshan.pk}") == {"QHAZ03", "QHAZ04"}
    assert shown(f"sector={world.hazards[1].sector_id}") == {"QHAZ02"}
    assert shown(f"supervising_unit={transport.pk}") == {"QHAZ02"}
    assert shown("level=major") == {"QHAZ02"}
    assert shown("state=dismissed") == {"QHAZ03"}
    assert shown("overdue=true") == {"QHAZ04"}
    assert shown("listed=true") == {"QHAZ02"}
    assert shown("source=department_inspection") == {"QHAZ01", "QHAZ02", "QHAZ03", "QHAZ04", "QHAZ05"}
    assert shown("source=self_inspection") == set()
    since = (TODAY - datetime.timedelta(days=10)).isoformat()
    assert shown(f"found_from={since}") == {"QHAZ01", "QHAZ02", "QHAZ03", "QHAZ04"}
    assert shown(f"found_to={since}") == {"QHAZ05"}
    assert shown("open=true&level=general") == {"QHAZ01", "QHAZ04", "QHAZ05"}
    # the export follows the filters
    rows, total = data_rows(sheet(c.get(url + "?overdue=true&export=xlsx")))
    assert [r[1] for r in rows] == [h4.code]
    assert "共1条" in total[1]


def test_problem_export_layout(world, client_for):
    h1, h2, _h3 = world.hazards
    ws = sheet(client_for(world.users["transport"]).get(reverse("hazards:problem_list") + "?export=xlsx"))
    assert ws["A1"].value == "玛沁县安全生产专项整治问题隐患清单"
    assert "A1:O1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A2"].value == "填报单位(盖章):县交通运输局"
    assert ws.cell(row=2, column=8).value == f"填报日期:{TODAY.year}年{TODAY.month}月{TODAY.day}日"
    header = [c.value for c in ws[3]]
    assert header == ["序号", "编号", "企业", "乡镇", "行业领域", "隐患部位及描述", "等级", "发现方式", "发现时间",
                      "整改责任单位/责任人", "整改要求", "整改期限", "状态", "是否挂牌督办", "监管部门"]
    assert ws.column_dimensions["F"].width == 36
    rows, total = data_rows(ws)
    h2 = Hazard.objects.get(pk=h2.pk)
    assert rows == [[1, h2.code, "QENT02运输", "拉加镇", "道路运输", "车队:QHAZ02车辆超载", "重大事故隐患", "部门检查",
                     timezone.localtime(h2.found_at).strftime("%Y-%m-%d"), "QENT02运输/李经理", "卸载整顿",
                     h2.deadline.isoformat(), "已确认", "是", "县交通运输局"]]
    assert total[1] == "共1条,其中重大事故隐患1条;已销号0条,未销号1条(逾期0条);挂牌督办中1条"
    assert f"B{ws.max_row}:O{ws.max_row}" in {str(r) for r in ws.merged_cells.ranges}


def test_problem_export_opens_in_libreoffice(world, client_for, tmp_path):
    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    resp = client_for(world.users["county"]).get(reverse("hazards:problem_list") + "?export=xlsx")
    src = tmp_path / "problems.xlsx"
    src.write_bytes(resp.content)
    subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76", "--outdir", str(tmp_path), str(src)],
                   check=True, capture_output=True, timeout=120)
    text = (tmp_path / "problems.csv").read_text(encoding="utf-8")
    assert text.startswith("玛沁县安全生产专项整治问题隐患清单")
    assert "QHAZ01静电接地损坏" in text and "合计" in text


# ---------------------------------------------------------------- 制度措施清单


def test_measure_list_and_export_are_scoped(world, client_for):
    url = reverse("hazards:measure_list")
    expected = {"county": {"QMEA01", "QMEA02"}, "leader": {"QMEA01", "QMEA02"}, "dept": {"QMEA01"},
                "inspector": {"QMEA01"}, "transport": {"QMEA02"}, "township": set(), "enterprise": set()}
    for role, tokens in expected.items():
        c = client_for(world.users[role])
        page = c.get(url).content.decode()
        assert {t for t in ("QMEA01", "QMEA02") if t in page} == tokens, role
        rows, _ = data_rows(sheet(c.get(url + "?export=xlsx")))
        assert {t for t in ("QMEA01", "QMEA02") for r in rows if t in r[1]} == tokens, role
    m1 = Measure.objects.get(title__startswith="QMEA01")
    assert client_for(world.users["transport"]).get(m1.get_absolute_url()).status_code == 404
    assert client_for(world.users["transport"]).get(reverse("hazards:measure_edit", args=[m1.pk])).status_code == 404


def test_measure_list_filters_and_latest_change(world, client_for):
    m1 = Measure.objects.get(title__startswith="QMEA01")
    m2 = Measure.objects.get(title__startswith="QMEA02")
    Measure.objects.filter(pk=m2.pk).update(deadline=TODAY - datetime.timedelta(days=1), kind="mechanism")
    c = client_for(world.users["county"])
    url = reverse("hazards:measure_list")

    def shown(q):
        text = c.get(url + "?" + q).content.decode()
        return {t for t in ("QMEA01", "QMEA02") if t in text}

    assert shown(f"owner={m1.owner_id}") == {"QMEA01"}
    assert shown("kind=mechanism") == {"QMEA02"}
    assert shown("overdue=true") == {"QMEA02"}
    assert shown("overdue=false") == {"QMEA01"}
    assert shown("state=planned") == {"QMEA01", "QMEA02"}
    assert shown("state=done") == set()
    area = world.plan.areas.get(number="三")
    lists.update_measure(m1, world.users["dept"], area=area)
    assert shown(f"area={area.pk}") == {"QMEA01"}
    # the latest change is the measure's or one of its milestones', whichever is later
    Measure.history.filter(id=m1.pk).update(history_date=timezone.now() - datetime.timedelta(days=5))
    Milestone.history.filter(measure_id=m1.pk).update(history_date=timezone.now() - datetime.timedelta(days=9))
    page = c.get(url).context["object_list"]
    row = next(m for m in page if m.pk == m1.pk)
    assert timezone.localtime(row.last_change).date() == TODAY - datetime.timedelta(days=5)
    ms = lists.add_milestone(m1, world.users["dept"], title="征求意见", due=LATER)
    row = next(m for m in c.get(url).context["object_list"] if m.pk == m1.pk)
    assert abs(row.last_change - ms.history.latest().history_date) < datetime.timedelta(seconds=1)


def test_measure_export_layout(world, client_for):
    m1 = Measure.objects.get(title__startswith="QMEA01")
    Milestone.objects.create(measure=m1, title="调研", due=TODAY - datetime.timedelta(days=3),
                             done_on=TODAY - datetime.timedelta(days=4))
    ws = sheet(client_for(world.users["dept"]).get(reverse("hazards:measure_list") + "?export=xlsx"))
    assert ws["A1"].value == "玛沁县安全生产专项整治制度措施清单"
    assert [c.value for c in ws[3]] == ["序号", "制度措施", "类别", "主要内容", "责任单位", "对应专项/任务", "完成时限",
                                        "时间表路线图", "状态", "完成情况/佐证", "最近更新"]
    rows, total = data_rows(ws)
    assert len(rows) == 1
    r = rows[0]
    assert r[:3] == [1, "QMEA01危化品安全管理制度", "法规制度"]
    assert r[4] == "县应急管理局" and r[6] == m1.deadline.isoformat() and r[8] == "未开始"
    assert r[7] == f"{TODAY - datetime.timedelta(days=3):%Y-%m-%d} 调研(已完成);{m1.deadline:%Y-%m-%d} QMIL01起草"
    assert total[1] == "共1项,已完成0项,推进中0项,未开始1项(逾期0项)"


def test_measure_lifecycle(world):
    dept, county = world.users["dept"], world.users["county"]
    owner = Department.objects.get(name="县应急管理局")
    h1 = world.hazards[0]
    m = lists.create_measure(dept, title="静电接地定期检测制度", kind="rule", owner=owner, deadline=LATER,
                             hazards=[h1])
    assert m.state == "planned" and list(m.hazards.all()) == [h1]
    with pytest.raises(ServiceError, match="不能从“未开始”变为“已完成”"):
        lists.update_measure(m, dept, state="done", evidence="已印发")
    m = lists.update_measure(m, dept, state="in_progress", version=lists.version_of(m))
    ms = lists.add_milestone(m, dept, title="起草", due=TODAY)
    with pytest.raises(ServiceError, match="节点时间不能晚于完成时限"):
        lists.add_milestone(m, dept, title="太晚", due=LATER + datetime.timedelta(days=1))
    with pytest.raises(ServiceError, match="完成情况/佐证"):
        lists.update_measure(m, dept, state="done")
    with pytest.raises(ServiceError, match="未完成的节点:起草"):
        lists.update_measure(m, dept, state="done", evidence="已印发")
    with pytest.raises(ServiceError, match="不能从“推进中”变为“未开始”"):
        lists.update_measure(m, dept, state="planned")
    lists.complete_milestone(ms, dept)
    with pytest.raises(ServiceError, match="已于"):
        lists.complete_milestone(ms, dept)
    stale = lists.version_of(m)
    m = lists.update_measure(m, dept, state="done", evidence="安监〔2026〕1号已印发", reason="印发实施")
    with pytest.raises(Conflict):
        lists.update_measure(m, dept, title="x", version=stale)
    with pytest.raises(ServiceError, match="已完成的制度措施不能再添加节点"):
        lists.add_milestone(m, dept, title="再加", due=TODAY)
    # reopening: the county office only, with a reason
    with pytest.raises(NotAllowed, match="只有县安委办"):
        lists.update_measure(m, dept, state="in_progress", reason="不落实")
    with pytest.raises(ServiceError, match="须填写说明"):
        lists.update_measure(m, county, state="in_progress")
    m = lists.update_measure(m, county, state="in_progress", reason="检查发现制度未落实")
    assert m.state == "in_progress"
    reasons = list(m.history.order_by("history_id").values_list("history_change_reason", flat=True))
    assert reasons == ["建立制度措施", "关联隐患", "开始推进", "完成:印发实施", "重新推进:检查发现制度未落实"]


def test_completing_a_milestone_starts_a_planned_measure(world):
    m1 = Measure.objects.get(title__startswith="QMEA01")
    ms = m1.milestones.get()
    with pytest.raises(ServiceError, match="晚于今天"):
        lists.complete_milestone(ms, world.users["dept"], done_on=TODAY + datetime.timedelta(days=1))
    lists.complete_milestone(ms, world.users["inspector"], done_on=TODAY - datetime.timedelta(days=1))
    m1.refresh_from_db()
    assert m1.state == "in_progress"
    assert m1.history.latest().history_change_reason == "节点“QMIL01起草”完成,自动转为推进中"
    assert lists.milestone_mark(Milestone.objects.get(pk=ms.pk)) == "done"


def test_measure_permissions(world, client_for):
    m1 = Measure.objects.get(title__startswith="QMEA01")  # owned by 县应急管理局
    emergency = Department.objects.get(name="县应急管理局")
    transport = Department.objects.get(name="县交通运输局")
    with pytest.raises(NotAllowed):
        lists.update_measure(m1, world.users["transport"], title="改")
    with pytest.raises(NotAllowed):
        lists.add_milestone(m1, world.users["transport"], title="节点", due=TODAY)
    with pytest.raises(NotAllowed):
        lists.update_measure(m1, world.users["leader"], title="改")
    with pytest.raises(NotAllowed):
        lists.create_measure(world.users["leader"], title="x", kind="rule", owner=emergency, deadline=LATER)
    with pytest.raises(NotAllowed):
        lists.create_measure(world.users["enterprise"], title="x", kind="rule", owner=emergency, deadline=LATER)
    with pytest.raises(NotAllowed, match="本单位"):
        lists.create_measure(world.users["transport"], title="x", kind="rule", owner=emergency, deadline=LATER)
    with pytest.raises(NotAllowed, match="更换责任单位"):
        lists.update_measure(m1, world.users["dept"], owner=transport)
    with pytest.raises(ServiceError, match="可见的隐患"):  # QHAZ02 is outside 县应急管理局's scope
        lists.create_measure(world.users["dept"], title="x", kind="rule", owner=emergency, deadline=LATER,
                             hazards=[world.hazards[1]])
    # the county office may make any unit the owner; that unit is told
    m = lists.create_measure(world.users["county"], title="QMEA03动态监控", kind="mechanism", owner=transport,
                             deadline=LATER)
    from worksafe.core.models import Notification
    assert Notification.objects.filter(recipient=world.users["transport"], title__contains="QMEA03").exists()
    lists.update_measure(m, world.users["county"], owner=emergency)
    # pages: leader reads, cannot create or edit; transport cannot edit 县应急管理局's measure
    leader = client_for(world.users["leader"])
    assert leader.get(m1.get_absolute_url()).status_code == 200
    assert leader.get(reverse("hazards:measure_create")).status_code == 403
    assert leader.post(reverse("hazards:measure_create"), {"title": "x"}).status_code == 403
    assert leader.get(reverse("hazards:measure_edit", args=[m1.pk])).status_code == 403
    assert reverse("hazards:measure_edit", args=[m1.pk]) not in leader.get(m1.get_absolute_url()).content.decode()
    transport_client = client_for(world.users["transport"])
    assert transport_client.post(reverse("hazards:measure_edit", args=[m1.pk]), {"title": "改"}).status_code == 404
    assert transport_client.post(reverse("hazards:milestone_add", args=[m1.pk]),
                                 {"title": "节点", "due": TODAY.isoformat()}).status_code == 404
    assert Measure.objects.get(pk=m1.pk).title.startswith("QMEA01")
    assert m1.milestones.count() == 1


def test_measure_pages_create_edit_and_milestones(world, client_for):
    dept = client_for(world.users["dept"])
    h1 = world.hazards[0]
    form = dept.get(reverse("hazards:measure_create")).content.decode()
    assert "QHAZ0" not in form  # hazards are typed by code, not listed (a select of every hazard)
    assert "县交通运输局" not in form.split('name="owner"')[1].split("</select>")[0]
    resp = dept.post(reverse("hazards:measure_create"), {
        "title": "QMEA09接地检测制度", "kind": "rule", "owner": Department.objects.get(name="县应急管理局").pk,
        "deadline": LATER.isoformat(), "state": "planned", "hazards": [h1.pk], "description": "每季度检测"})
    m = Measure.objects.get(title="QMEA09接地检测制度")
    assert resp.status_code == 302 and resp["Location"] == m.get_absolute_url()
    assert list(m.hazards.all()) == [h1]
    # by code: one the user cannot see is refused like one that does not exist, and named
    other = next(h for h in world.hazards if not Hazard.objects.visible_to(world.users["dept"]).filter(pk=h.pk).exists())
    post = {"title": "QMEA11按编号", "kind": "rule", "owner": m.owner_id, "deadline": LATER.isoformat(),
            "state": "planned", "description": ""}
    resp = dept.post(reverse("hazards:measure_create"), {**post, "hazards": f"{h1.code.lower()}, {other.code} NOPE-1"})
    page = resp.content.decode()
    assert resp.status_code == 400 and f"未找到隐患编号 {other.code}、NOPE-1" in page and "QMEA11按编号" in page
    resp = dept.post(reverse("hazards:measure_create"), {**post, "hazards": f"{h1.code}\n"})
    assert resp.status_code == 302
    assert list(Measure.objects.get(title="QMEA11按编号").hazards.all()) == [h1]
    # bad input keeps what was typed and says why
    resp = dept.post(reverse("hazards:measure_create"), {"title": "QMEA10无时限", "kind": "rule",
                                                          "owner": m.owner_id, "state": "planned"})
    assert resp.status_code == 400 and "QMEA10无时限" in resp.content.decode()
    # edit: state moves offered are the allowed ones
    edit = dept.get(reverse("hazards:measure_edit", args=[m.pk]))
    assert [c[0] for c in edit.context["form"].fields["state"].choices] == ["planned", "in_progress"]
    data = {"title": m.title, "kind": "rule", "owner": m.owner_id, "deadline": LATER.isoformat(),
            "state": "in_progress", "hazards": [h1.pk], "version": edit.context["form"].initial["version"]}
    assert dept.post(reverse("hazards:measure_edit", args=[m.pk]), data).status_code == 302
    assert dept.post(reverse("hazards:measure_edit", args=[m.pk]), data).status_code == 400  # stale version
    # milestones: add, mark done, refuse a bad one with a message
    url = reverse("hazards:milestone_add", args=[m.pk])
    assert dept.post(url, {"title": "QMIL09起草", "due": TODAY.isoformat()}).status_code == 302
    ms = m.milestones.get(title="QMIL09起草")
    dept.post(url, {"done": ms.pk, "done_on": TODAY.isoformat()})
    assert Milestone.objects.get(pk=ms.pk).done_on == TODAY
    resp = dept.post(url, {"title": "太晚", "due": (LATER + datetime.timedelta(days=5)).isoformat()}, follow=True)
    assert "节点时间不能晚于完成时限" in resp.content.decode()
    page = dept.get(m.get_absolute_url()).content.decode()
    assert "QMIL09起草" in page and "已完成" in page and "QHAZ01" in page and "变更历史" in page
    # the county office links a hazard the department cannot see; the department's edit keeps it
    lists.update_measure(m, world.users["county"], hazards=[h1, world.hazards[1]])
    page = dept.get(m.get_absolute_url()).content.decode()
    assert "QHAZ02" not in page and "另有1条关联隐患不在您的权限范围内" in page
    edit = dept.get(reverse("hazards:measure_edit", args=[m.pk]))
    data.update(state="in_progress", hazards=[h1.pk], title="QMEA09改名", version=edit.context["form"].initial["version"])
    assert dept.post(reverse("hazards:measure_edit", args=[m.pk]), data).status_code == 302
    assert set(Measure.objects.get(pk=m.pk).hazards.all()) == {h1, world.hazards[1]}


# ---------------------------------------------------------------- statistics


def test_statistics_for_a_known_set(world, client_for):
    # the world's hazards: QHAZ01 (大武镇, 危化, open), QHAZ02 (拉加镇, 道路运输, major, open), QHAZ03 dismissed
    month_ago = TODAY - datetime.timedelta(days=40)
    closed(world, "dept", 0, "QHAZ11按期", deadline=month_ago, closed_on=month_ago)  # on time
    closed(world, "dept", 0, "QHAZ12超期销号", deadline=month_ago - datetime.timedelta(days=5),
           closed_on=month_ago)  # closed late
    make_overdue(confirmed(world, "dept", 2, "QHAZ13逾期"))  # 雪山乡, overdue
    stats = hazard_statistics(world.users["county"])
    t = stats["totals"]
    assert (t["total"], t["closed"], t["due"], t["on_time"], t["overdue"], t["major_open"]) == (5, 2, 3, 1, 1, 1)
    assert t["close_rate"] == 40.0 and t["on_time_rate"] == 33.3
    by_town = {r["name"]: r for r in stats["township"]}
    assert set(by_town) == {"大武镇", "拉加镇", "雪山乡"}
    d = by_town["大武镇"]
    assert (d["total"], d["closed"], d["close_rate"], d["due"], d["on_time"], d["on_time_rate"]) == \
        (3, 2, 66.7, 2, 1, 50.0)
    assert by_town["雪山乡"]["on_time_rate"] == 0.0 and by_town["雪山乡"]["overdue"] == 1
    assert by_town["拉加镇"]["close_rate"] == 0.0 and by_town["拉加镇"]["on_time_rate"] is None
    by_sector = {r["name"]: r for r in stats["sector"]}
    assert by_sector["危险化学品"]["total"] == 4 and by_sector["道路运输"]["major_open"] == 1
    by_dept = {r["name"]: r for r in stats["department"]}
    assert by_dept["县应急管理局"]["closed"] == 2 and by_dept["县交通运输局"]["total"] == 1
    assert len(stats["months"]) == 12 and stats["months"][-1] == f"{TODAY:%Y-%m}"
    i = stats["months"].index(f"{month_ago:%Y-%m}")
    assert stats["closed"][i] == 2 and sum(stats["closed"]) == 2
    assert sum(stats["found"]) == 5  # dismissed hazards are not counted
    assert [h.description for h in stats["major_open"]] == ["QHAZ02车辆超载"]
    # scoped: 县交通运输局 sees its one hazard only
    t = hazard_statistics(world.users["transport"])["totals"]
    assert (t["total"], t["major_open"]) == (1, 1)
    assert hazard_statistics(world.users["enterprise"])["totals"]["total"] == 3
    assert hazard_statistics(world.users["nobody"])["totals"]["total"] == 0
    page = client_for(world.users["transport"]).get(reverse("hazards:statistics")).content.decode()
    assert "QHAZ02" in page and "QHAZ01" not in page and "QHAZ11" not in page
    assert "大武镇" not in page and "echarts.min.js" in page
    assert not re.search(r'(src|href)="(https?:)?//', page)  # every asset is local (a CSRF token may spell "cdn")


# ---------------------------------------------------------------- fixed query counts


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, url
    return len(ctx)


@pytest.mark.parametrize("role", ["county", "dept"])
def test_lists_export_and_stats_run_a_fixed_number_of_queries(world, client_for, role):
    c = client_for(world.users[role])
    urls = [reverse("hazards:problem_list"), reverse("hazards:problem_list") + "?export=xlsx",
            reverse("hazards:measure_list"), reverse("hazards:measure_list") + "?export=xlsx",
            reverse("hazards:statistics"), reverse("hazards:measure_create")]
    before = {u: _count(c, u) for u in urls}
    owner = Department.objects.get(name="县应急管理局")
    for i in range(6):
        h = confirmed(world, "dept", i % 3 and 2, f"多{i}")
        if i % 2:
            make_overdue(h)
        m = Measure.objects.create(title=f"多{i}", kind="rule", owner=owner, deadline=LATER,
                                   created_by=world.users["county"])
        Milestone.objects.create(measure=m, title="n", due=TODAY)
        Measure.hazards.through.objects.create(measure=m, hazard=h)
    m1 = Measure.objects.get(title__startswith="QMEA01")
    detail = m1.get_absolute_url()
    before[detail] = _count(c, detail)
    for i in range(3):
        Milestone.objects.create(measure=m1, title=f"更多{i}", due=TODAY)
        Measure.hazards.through.objects.create(
            measure=m1, hazard=Hazard.objects.visible_to(world.users[role]).order_by("-id")[i])
    after = {u: _count(c, u) for u in [*urls, detail]}
    assert after == before
