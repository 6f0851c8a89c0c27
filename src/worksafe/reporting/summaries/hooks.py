"""Hooks of the summaries sub-domain (registered from reporting/hooks.py): the tick that opens the
yearly round before its date and tells units that are late, the unit's desk panel, the demo."""

from django.utils import timezone

from worksafe.core.registry import dashboard_panel, demo_loader
from worksafe.core.tick import tick_job


@tick_job("summary_rounds")
def _tick(now=None) -> int:
    from . import services

    return services.tick(now)


@dashboard_panel("summaries", "reporting/summaries/_panel.html", order=45)
def _panel(request, scope):
    """A unit's summaries still to send (with the presses it got); the county office's open round."""
    if not scope.is_staff_scope:
        return None
    from . import services
    from .models import Summary, SummaryRound

    user = request.user
    today = timezone.localdate()
    if scope.everything:
        rnd = SummaryRound.objects.visible_to(user).filter(due_on__gte=today.replace(month=1, day=1)).order_by(
            "-due_on").first()
        if rnd is None:
            return None
        return {"round": rnd, "counts": services.counts(Summary.objects.visible_to(user).filter(round=rnd)),
                "mine": []}
    mine = list(Summary.objects.visible_to(user).filter(state__in=services.EDITABLE)
                .select_related("round", "unit").prefetch_related("presses").order_by("round__due_on", "unit__order"))
    if not mine:
        return None
    for s in mine:
        s.overdue = services.is_overdue(s, today)
        s.last_press = next(iter(s.presses.all()), None)
    return {"round": None, "mine": mine}


@demo_loader("reporting_summaries", order=96)
def _demo(out):
    from . import demo

    n = demo.load()
    if n:
        out(f"演示年度总结:{n}")
