from django.core.management import call_command


def test_demo_loads_and_running_again_keeps_data(db, capsys):
    from worksafe.enterprises.models import Enterprise
    from worksafe.org.models import User
    from worksafe.plans.models import Plan, ProgressReport, Task

    call_command("demo")
    out = capsys.readouterr().out
    assert "18个专项" in out and "Worksafe-2026" in out
    for name in ("county", "leader", "dept", "township", "inspector", "enterprise"):
        assert f"  {name}" in out
    counts = (Plan.objects.count(), Task.objects.count(), ProgressReport.objects.count(),
              Enterprise.objects.count(), User.objects.count())
    assert counts[0] == 1 and counts[2] > 0 and Task.objects.late().exists()
    _monitoring_demo_is_live(out)
    _summaries_demo_is_there()
    call_command("demo")
    assert (Plan.objects.count(), Task.objects.count(), ProgressReport.objects.count(),
            Enterprise.objects.count(), User.objects.count()) == counts


def test_each_demo_role_sees_its_own_view(db):
    from django.test import Client

    from worksafe.org.models import User

    call_command("demo")
    seen = {}
    for name in ("county", "leader", "dept", "township", "inspector", "enterprise"):
        c = Client()
        c.force_login(User.objects.get(username=name))
        page = c.get("/?panels=all").content.decode()
        assert "玛沁县安全生产专项整治三年行动方案" in page
        seen[name] = c.get("/?panels=all").context["sections"][0]["task_counts"]["total"]
    assert seen["county"] == seen["leader"] == 77
    # every area of the seed names 各乡镇党委、政府, so a township shares every task
    assert seen["township"] == 77
    assert 0 < seen["dept"] < seen["county"]  # 县应急管理局 is not named in areas 六, 七, 八
    assert seen["enterprise"] == 0


def _monitoring_demo_is_live(out):
    """Sensors on a tailings pond, tanks, a reservoir, a scenic spot and substations; alarms in
    every state; the simulator's tokens written; the coverage targets computed live."""
    import json

    from django.conf import settings

    from worksafe.monitoring.models import Alarm, Gateway, Sensor
    from worksafe.monitoring.services import gateway_for_token
    from worksafe.plans.models import Target
    from worksafe.plans.services import target_state

    assert "在线监测" in out
    kinds = set(Sensor.objects.values_list("facility__kind", flat=True))
    assert kinds == {"tailings_pond", "tank", "reservoir", "scenic_spot", "substation"}
    states = set(Alarm.objects.values_list("state", flat=True))
    assert states == {"raised", "acknowledged", "handled", "hazard"}
    assert Alarm.objects.filter(kind="offline", open=True).exists()
    tokens_file = settings.VAR_DIR / "demo-gateway-tokens.json"
    assert tokens_file.stat().st_mode & 0o777 == 0o600  # secrets: the owner only
    tokens = json.loads(tokens_file.read_text())
    assert set(tokens) == set(Gateway.objects.values_list("code", flat=True))
    assert all(gateway_for_token(t).code == code for code, t in tokens.items())
    tailings = target_state(Target.objects.get(metric="tailings_online_monitoring_pct"))
    power = target_state(Target.objects.get(metric="power_remote_monitoring_pct"))
    assert tailings.live and str(tailings.value) == "50.0"  # 雪峰沟 reports, 金河沟 has none
    assert power.live and str(power.value) == "33.3"  # 格桑 reports; 雪域 went silent; 拉加 has none
    # and the plan's target page shows them as live values
    from django.test import Client

    from worksafe.org.models import User

    c = Client()
    c.force_login(User.objects.get(username="county"))
    page = c.get("/plans/targets/").content.decode()
    assert page.count("实时") >= 3 and "50%" in page and "33.3%" in page
    detail = c.get(Target.objects.get(metric="tailings_online_monitoring_pct").get_absolute_url()).content.decode()
    assert "系统实时计算" in detail and "在用尾矿库2个,其中在线监测正常上报1个" in detail


def _summaries_demo_is_there():
    """2025's yearly summaries: every unit, two sent after 2025-12-05, dated in 2025, and the 2025
    county report's summaries section read them; 2026's round open with one unit pressed."""
    import datetime

    from worksafe.reporting.models import Report, Summary, SummaryRound

    last = SummaryRound.objects.get(year=2025, kind="yearly")
    assert last.due_on == datetime.date(2025, 12, 5)
    assert last.summaries.filter(submitted_at__isnull=False).count() == last.summaries.count() > 20
    late = last.summaries.filter(late=True)
    assert late.count() == 2 and all(s.submitted_at.date() > last.due_on for s in late)
    assert not Summary.history.filter(round=last, history_date__year__gt=2025).exists()
    s = Report.objects.get(year=2025).figures["summaries"]
    assert s["units"] == last.summaries.count() and s["submitted"] == s["units"] - 2
    assert sorted(s["missing"]) == sorted(late.values_list("unit__name", flat=True))
    this = SummaryRound.objects.get(year=2026, kind="yearly")
    assert this.due_on == datetime.date(2026, 12, 5)
    assert this.summaries.filter(state="pending").exists() and this.summaries.filter(presses__isnull=False).count() == 1
