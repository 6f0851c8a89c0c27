"""core.backdate.move_back: a case written today moves into the past whole — its own dates, the
dates of its app's rows hanging from it and their history — and nothing else moves."""

import datetime

from worksafe.core.backdate import move_back
from worksafe.org.models import Department
from worksafe.plans import services
from worksafe.plans.models import Area, Phase, Plan, Task
from worksafe.standards import plan_text

DOC = """某县安全生产专项整治三年行动方案
二、主要任务
（一）危险化学品安全整治。一是排查隐患，2021年12月底前完成。（牵头单位：县应急管理局）
三、实施步骤
（一）动员部署阶段（2020年7月至2020年9月）
"""


def test_a_case_moves_back_whole_and_nothing_else_moves(org):
    plan = services.import_plan(plan_text.parse_plan(DOC), county=org, source_text=DOC)
    task = Task.objects.get(area__plan=plan)
    dept = Department.objects.get(name="县应急管理局")
    before = {
        "start": plan.start, "imported": plan.imported_at, "phase": Phase.objects.get(plan=plan).start,
        "due": task.due_date, "task_history": list(Task.history.filter(id=task.pk).values_list("history_date", flat=True)),
        "dept_history": list(Department.history.filter(id=dept.pk).values_list("history_date", flat=True)),
    }
    delta = datetime.timedelta(days=400, hours=3)
    moved = move_back(plan, delta)
    assert moved >= 4  # the plan, its phase, its area, its task
    plan.refresh_from_db()
    task.refresh_from_db()
    assert plan.start == before["start"] - datetime.timedelta(days=400)  # a date moves by whole days
    assert plan.imported_at == before["imported"] - delta  # a time by the whole delta
    assert Phase.objects.get(plan=plan).start == before["phase"] - datetime.timedelta(days=400)
    assert task.due_date == before["due"] - datetime.timedelta(days=400)
    assert list(Task.history.filter(id=task.pk).values_list("history_date", flat=True)) == [
        d - delta for d in before["task_history"]]
    assert Plan.history.filter(id=plan.pk, start=plan.start).exists()  # the history's copy too
    # another app's rows (the department the plan names) keep their dates
    assert list(Department.history.filter(id=dept.pk).values_list("history_date", flat=True)) == before["dept_history"]
    assert Area.objects.get(plan=plan).units.get() == dept
