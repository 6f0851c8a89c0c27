"""What the plans app adds to shared mechanisms: the late-task tick job, the plan panels of the
home page, the demo plan."""

from django.db.models import Count, Q
from django.utils import timezone

from worksafe.core.registry import dashboard_panel, demo_loader, nav_menu, page_section, search_provider
from worksafe.core.tick import tick_job


@tick_job("late_task_reminders")
def remind_late_tasks(now=None) -> int:
    """Tell each unit of a late task, once per task, that it is late."""
    from worksafe.core.services import notify

    from .models import Task, TaskReminder

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


def _desk_plans(request):
    """The plans in force the desk shows (services.plans_in_force), read once per request for
    both plan panels."""
    if not hasattr(request, "_worksafe_desk_plans"):
        from .services import plans_in_force

        request._worksafe_desk_plans = plans_in_force(request.user)
    return request._worksafe_desk_plans


@dashboard_panel("plan", "plans/_panel_plan.html", order=10)
def plan_panel(request, scope):
    plans = _desk_plans(request)
    return {"plans": plans} if plans else None


@dashboard_panel("plan_progress", "plans/_panel_progress.html", order=40, deferred=True)
def progress_panel(request, scope):
    """Per plan in force: task counts, late tasks and targets of the user's scope in that plan
    only (the template shows them to government users). Three queries for all the plans."""
    from .models import Target, Task
    from .services import target_state

    user = request.user
    today = timezone.localdate()
    plans = _desk_plans(request)
    if not plans:
        return {"sections": []}
    tasks = Task.objects.visible_to(user).filter(area__plan__in=plans)
    counts = {row.pop("area__plan"): row for row in tasks.order_by().values("area__plan").annotate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Task.Status.DONE)),
        late=Count("id", filter=Q(due_date__lt=today) & ~Q(status=Task.Status.DONE)),
        in_progress=Count("id", filter=Q(status=Task.Status.IN_PROGRESS)),
    )}
    late = {}
    for t in tasks.late(today).select_related("area").order_by("due_date", "id")[:10 * len(plans)]:
        late.setdefault(t.area.plan_id, []).append(t)
    targets = {}
    for t in Target.objects.visible_to(user).filter(task__area__plan__in=plans).select_related("task__area")[
            :20 * len(plans)]:
        targets.setdefault(t.task.area.plan_id, []).append(t)
    empty = {"total": 0, "done": 0, "late": 0, "in_progress": 0}
    sections = [{
        "plan": plan,
        "task_counts": counts.get(plan.pk, empty),
        "late_tasks": late.get(plan.pk, [])[:10],
        "targets": [(t, target_state(t, today)) for t in targets.get(plan.pk, [])[:20]],
    } for plan in plans]
    return {"sections": sections, "several": len(sections) > 1}


@demo_loader("plan", order=20)
def _demo_plan(out):
    from . import demo

    demo.load(out)


@page_section("org.Department", "plan_duties", "plans/_department_areas.html")
def department_areas(request, department, scope):
    """The plan areas a unit leads or shares, on the unit's page."""
    from .models import AreaUnit

    return {"area_units": AreaUnit.objects.visible_to(request.user).filter(department=department)
            .select_related("area__plan")}

nav_menu("plans", "plans/_nav.html", order=20)


@search_provider("tasks", "任务", order=30)
def search_tasks(user, q):
    """Tasks by their text, among those the user sees."""
    from worksafe.core.registry import SEARCH_LIMIT, SearchResult

    from .models import Task

    rows = Task.objects.visible_to(user).filter(text__icontains=q).select_related("area")[:SEARCH_LIMIT]
    return [SearchResult("任务", str(t), t.get_absolute_url(), f"完成时限 {t.due_date:%Y-%m-%d} · {t.get_status_display()}")
            for t in rows]
