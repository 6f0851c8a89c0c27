"""What the tip-offs app adds to shared mechanisms: its menu, the draw's weight factor (verified
tip-offs), the overdue escalation tick job, a section of the hazard and inspection pages (the
tip-off they came from), a dashboard panel and the demo."""

from django.utils import timezone

from worksafe.core.registry import dashboard_panel, demo_loader, nav_menu, page_section
from worksafe.core.tick import tick_job
from worksafe.inspections.services import weight_provider

nav_menu("tipoffs", "tipoffs/_nav.html", order=75)


@weight_provider("tipoffs")
def verified_tipoffs(enterprise_ids):
    """Each verified (属实/部分属实) tip-off of the last 12 months adds 1 to an enterprise's weight."""
    from .services import verified_counts

    return verified_counts(enterprise_ids)


@tick_job("tipoffs_overdue")
def _overdue(now=None):
    from .services import escalate_overdue

    return escalate_overdue(timezone.localdate(now) if now else None)


def _linked(request, obj, field):
    from .models import TipOff

    rows = TipOff.objects.visible_to(request.user).filter(**{field: obj}).select_related("department")
    return {"tipoffs": list(rows)} if rows.exists() else None


@page_section("hazards.Hazard", "tipoffs", "tipoffs/_linked.html", order=50)
def hazard_tipoffs(request, hazard, scope):
    return _linked(request, hazard, "hazard")


@page_section("inspections.Inspection", "tipoffs", "tipoffs/_linked.html", order=50)
def inspection_tipoffs(request, inspection, scope):
    return _linked(request, inspection, "inspection")


@page_section("accidents.Accident", "tipoffs", "tipoffs/_linked.html", order=50)
def accident_tipoffs(request, accident, scope):
    """The tip-off that revealed a concealed or falsely reported accident (the accident records its
    number in ``tipoff_id``), when the viewer may see it."""
    from .models import TipOff

    if not accident.tipoff_id:
        return None
    rows = TipOff.objects.visible_to(request.user).filter(pk=accident.tipoff_id).select_related("department")
    return {"tipoffs": list(rows)} if rows.exists() else None


@dashboard_panel("tipoffs", "tipoffs/_panel.html", order=45)
def tipoffs_panel(request, scope):
    if not scope.is_staff_scope:
        return None
    from .models import TipOff

    qs = TipOff.objects.visible_to(request.user)
    today = timezone.localdate()
    return {
        "received": qs.filter(state="received").count(),
        "open": qs.filter(state__in=TipOff.OPEN_STATES).count(),
        "late": qs.filter(state="received", accept_due__lt=today).count()
        + qs.filter(state__in=["accepted", "verifying"], complete_due__lt=today).count(),
    }


@demo_loader("tipoffs", order=80)
def _demo_tipoffs(out):
    from . import demo

    n = demo.generate()
    if n:
        out(f"演示举报:{n}件")
    if demo.link_concealed_accident():
        out("演示举报:已关联揭示瞒报事故的举报")
