"""What the hazards app adds to shared mechanisms: tick steps and an enterprise-colour raiser."""

from django.utils import timezone

from worksafe.core import tick
from worksafe.core.registry import (
    LEVEL_RAISERS,
    dashboard_panel,
    demo_loader,
    nav_menu,
    page_section,
    search_provider,
)


def _escalate(now=None):
    from .loop.services import escalate_overdue

    return escalate_overdue(now)


def _refresh_figures(now=None):
    from .lists.figures import refresh

    return refresh(now)


def overdue_major_hazard(enterprise):
    """The plan raises an enterprise's colour one level while it has an overdue major hazard."""
    from .models import Hazard

    if Hazard.objects.filter(enterprise=enterprise, level=Hazard.Level.MAJOR).overdue(timezone.localdate()).exists():
        return "存在逾期未整改的重大事故隐患"
    return None


def _refresh_colours(now=None):
    """Keep stored colours true as deadlines pass: re-colour enterprises with major hazards."""
    from worksafe.enterprises.models import Enterprise
    from worksafe.risks.services import refresh_enterprise_level

    from .models import Hazard

    n = 0
    for ent in Enterprise.objects.filter(hazards__level=Hazard.Level.MAJOR).distinct():
        before = ent.risk_level
        if refresh_enterprise_level(ent).risk_level != before:
            n += 1
    return n


def _connect_checklist_seeding():
    """A sector created by a plan import (or by hand) gets its checklist from the plan's wording."""
    from django.db.models.signals import post_save

    from worksafe.org.models import Sector

    from .selfcheck.services import seed_for_new_sector

    post_save.connect(seed_for_new_sector, sender=Sector, dispatch_uid="hazards_seed_checklists")


_connect_checklist_seeding()
tick.STEPS["hazard_escalations"] = _escalate
tick.STEPS["enterprise_colours"] = _refresh_colours
tick.STEPS["hazard_figures"] = _refresh_figures  # the statistics' summary (lists/figures.py)
LEVEL_RAISERS["overdue_major_hazard"] = overdue_major_hazard


@dashboard_panel("hazards", "hazards/_panel.html", order=20, deferred=True)
def hazards_panel(request, scope):
    """The desk's hazard counts: two aggregate queries that read only open and listed hazards
    (the index on ``state``, the one on ``listed``), never the closed history."""
    from django.db.models import Count, Q

    from .models import Hazard

    today = timezone.localdate()
    visible = Hazard.objects.visible_to(request.user)
    counts = visible.filter(state__in=["reported", "confirmed", "rectifying", "awaiting_acceptance"]).aggregate(
        open=Count("id"),
        major_open=Count("id", filter=Q(level="major")),
        overdue=Count("id", filter=Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)),
        awaiting=Count("id", filter=Q(state="awaiting_acceptance")),
    )
    counts["listed"] = visible.filter(listed=True, listed_lifted_on__isnull=True).count()
    return {"hazard_counts": counts}


@demo_loader("hazards", order=50)
def _demo_hazards(out):
    from django.db import transaction

    from . import demo
    from .selfcheck import seed_checklists

    with transaction.atomic():
        seed_checklists()
        n = demo.generate()
        if n:
            out(f"演示隐患:{n}条")


@page_section("enterprises.Enterprise", "hazards", "hazards/_enterprise_hazards.html", order=20)
def enterprise_hazards(request, enterprise, scope):
    from .models import Hazard

    return {"hazards": Hazard.objects.visible_to(request.user).filter(enterprise=enterprise).order_by("-found_at")[:20]}

nav_menu("hazards", "hazards/_nav.html", order=50)


@search_provider("hazards", "隐患", order=20)
def search_hazards(user, q):
    """Hazards by code (YH-…), among those the user sees."""
    from worksafe.core.registry import SEARCH_LIMIT, SearchResult

    from .models import Hazard

    rows = (Hazard.objects.visible_to(user).filter(code__icontains=q).select_related("enterprise")
            .order_by("-id")[:SEARCH_LIMIT])
    return [SearchResult("隐患", f"{h.code} {h.get_level_display()} · {h.get_state_display()}", h.get_absolute_url(),
                         f"{h.enterprise.name}:{h.description[:60]}") for h in rows]
