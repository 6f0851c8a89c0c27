"""The demo plan: the seed document (玛沁县, 2020) imported through the importer, and progress
as the units might have reported it. Loaded by ``worksafe demo`` (``plans/hooks.py``); running
it again keeps existing data."""

import datetime
import random
from pathlib import Path

from django.utils import timezone

from worksafe.org.models import Division, User
from worksafe.standards import plan_text

from . import services
from .models import Plan, Target, Task

SEED = Path(__file__).resolve().parent / "data" / "maqin_2020.txt"
COUNTY_CODE = "632621"  # 玛沁县 (GB/T 2260), the county of the demo's organisation data


def load(out) -> Plan:
    plan = _plan(out)
    _progress(plan)
    return plan


def _plan(out) -> Plan:
    county = Division.objects.get(code=COUNTY_CODE)
    text = plan_text.read_document(SEED)
    parsed = plan_text.parse_plan(text)
    existing = Plan.objects.filter(title=parsed.title, county=county).first()
    if existing:
        out(f"方案已存在:《{existing.title}》")
        return existing
    plan = services.import_plan(parsed, county=county, source_name=SEED.name, source_text=text)
    out(f"已导入方案《{plan.title}》:{plan.phases.count()}个阶段,{plan.areas.count()}个专项,"
        f"{Task.objects.filter(area__plan=plan).count()}项任务,"
        f"{Target.objects.filter(task__area__plan=plan).count()}个量化目标")
    return plan


def _backdate_progress(plan: Plan, rng) -> None:
    """Give the reports believable dates: a done task was reported in progress some months before
    its deadline and done by it (a few late); a task still open reported in the last months. The
    reports' history follows (figures as of a date read them, docs/reporting.md)."""
    from worksafe.plans.models import ProgressReport

    now = timezone.now()
    for task in Task.objects.filter(area__plan=plan):
        reports = list(ProgressReport.objects.filter(task=task).order_by("created_at", "id"))
        if not reports:
            continue
        due = timezone.make_aware(datetime.datetime.combine(task.due_date, datetime.time(10)))
        done_at = min(now, due + datetime.timedelta(days=rng.choice([-40, -20, -5, 10]) if rng.random() < 0.85
                                                    else rng.randint(20, 120)))
        for r in reports:
            if r.status == Task.Status.DONE:
                at = done_at
            elif len(reports) > 1:
                at = done_at - datetime.timedelta(days=rng.randint(60, 150))
            else:
                at = now - datetime.timedelta(days=rng.randint(10, 120))
            ProgressReport.objects.filter(pk=r.pk).update(created_at=at)
            ProgressReport.history.filter(id=r.pk).update(history_date=at)


def _progress(plan: Plan) -> None:
    """Progress as the units might have reported it: most tasks done, some late and pressed."""
    from worksafe.org.demo import staff_user

    if plan.areas.filter(tasks__reports__isnull=False).exists():
        return
    rng = random.Random(2020)
    county_user = User.objects.get(username="county")
    for task in Task.objects.filter(area__plan=plan).select_related("area"):
        lead = task.area.area_units.filter(role="lead").select_related("department").first()
        reporter = staff_user(lead.department)
        roll = rng.random()
        if roll < 0.65:
            services.file_progress(task, reporter, status=Task.Status.IN_PROGRESS, percent=50,
                                   text="已制定实施方案,正在推进。", unit=lead.department)
            services.file_progress(task, reporter, status=Task.Status.DONE, percent=100,
                                   text="任务已按期完成,相关材料已归档。", unit=lead.department)
        elif roll < 0.9:
            services.file_progress(task, reporter, status=Task.Status.IN_PROGRESS,
                                   percent=rng.choice([30, 60, 80]),
                                   text="部分工作已完成,剩余工作正在推进。", unit=lead.department)
    _backdate_progress(plan, rng)
    for task in list(Task.objects.filter(area__plan=plan).late()[:2]):
        services.press_task(task, county_user, note="该任务已逾期,请牵头单位说明原因并加快推进。",
                            respond_by=timezone.localdate() + datetime.timedelta(days=7))
    for target in Target.objects.filter(task__area__plan=plan, metric=""):
        services.record_target_value(target, county_user, value="85", note="供电公司报送(演示数据)")
