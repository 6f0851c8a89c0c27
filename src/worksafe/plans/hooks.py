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


def _desk_plan(request):
    """The plan the desk shows, read once per request for both plan panels."""
    if not hasattr(request, "_worksafe_desk_plan"):
        from .models import Plan

        request._worksafe_desk_plan = Plan.objects.visible_to(request.user).first()
    return request._worksafe_desk_plan


@dashboard_panel("plan", "plans/_panel_plan.html", order=10)
def plan_panel(request, scope):
    plan = _desk_plan(request)
    return {"plan": plan} if plan else None


@dashboard_panel("plan_progress", "plans/_panel_progress.html", order=40)
def progress_panel(request, scope):
    """Task counts, late tasks and targets of the user's scope (the template shows them to
    government users)."""
    from .models import Target, Task
    from .services import target_state

    user = request.user
    today = timezone.localdate()
    plan = _desk_plan(request)
    tasks = Task.objects.visible_to(user)
    if plan:
        tasks = tasks.filter(area__plan=plan)
    counts = tasks.aggregate(
        total=Count("id"),
        done=Count("id", filter=Q(status=Task.Status.DONE)),
        late=Count("id", filter=Q(due_date__lt=today) & ~Q(status=Task.Status.DONE)),
        in_progress=Count("id", filter=Q(status=Task.Status.IN_PROGRESS)),
    )
    targets = list(Target.objects.visible_to(user).select_related("task__area")[:20])
    return {
        "task_counts": counts,
        "late_tasks": tasks.late(today).select_related("area").order_by("due_date", "id")[:10],
        "targets": [(t, target_state(t, today)) for t in targets],
    }


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
