"""The tick: one idempotent sweep. Each app contributes a step; a step must be safe
to run again (it records what it did so nothing is sent twice)."""

import logging

from django.utils import timezone

log = logging.getLogger(__name__)


def remind_late_tasks(now=None) -> int:
    """Tell each unit of a late task, once per task, that it is late."""
    from worksafe.core.services import notify
    from worksafe.plans.models import Task, TaskReminder

    today = (now or timezone.now()).astimezone(timezone.get_current_timezone()).date()
    sent = 0
    late = Task.objects.late(today).exclude(reminders__kind=TaskReminder.Kind.LATE).select_related("area")
    for task in late:
        units = [au.department for au in task.area.area_units.select_related("department")]
        TaskReminder.objects.create(task=task, kind=TaskReminder.Kind.LATE)
        notify(units, f"任务{task.code}已逾期", f"{task.short_text}\n完成时限:{task.due_date:%Y年%m月%d日}",
               url=task.get_absolute_url(), email=True)
        sent += 1
    return sent


STEPS = {"late_task_reminders": remind_late_tasks}


def run_tick(now=None) -> dict[str, int]:
    results = {}
    for name, step in STEPS.items():
        results[name] = step(now)
    return results
