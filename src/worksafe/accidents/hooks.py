"""What the accidents app adds to shared mechanisms: the enterprise-colour raiser, the tick jobs (late
steps, colours as accidents age out of the 12 months), a dashboard panel, a section of the enterprise
file, live metrics for plan targets (事故起数、死亡人数), the demo and the menu."""

import datetime
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from worksafe.core.metrics import register
from worksafe.core.registry import LEVEL_RAISERS, dashboard_panel, demo_loader, nav_menu, page_section
from worksafe.core.tick import tick_job

RAISE_DAYS = 365  # "近12个月"


def accident_in_last_year(enterprise):
    """An enterprise with an accident (一般 or above: every accident graded by 第三条) that occurred in
    the last 12 months has its colour raised one level."""
    from .models import Accident

    since = timezone.now() - datetime.timedelta(days=RAISE_DAYS)
    a = (
        Accident.objects.recorded()
        .filter(enterprise=enterprise, occurred_at__gte=since)
        .order_by("-occurred_at")
        .first()
    )
    if a is None:
        return None
    return f"近12个月内发生{a.get_grade_display()}({timezone.localtime(a.occurred_at):%Y-%m-%d})"


LEVEL_RAISERS["accident"] = accident_in_last_year


@tick_job("accident_late_steps")
def _escalate(now=None):
    from .services import escalate_late

    return escalate_late(now)


@tick_job("accident_colours")
def _refresh_colours(now=None):
    """Keep stored colours true as an accident leaves the 12 months."""
    from worksafe.enterprises.models import Enterprise
    from worksafe.risks.services import refresh_enterprise_level

    since = (now or timezone.now()) - datetime.timedelta(days=RAISE_DAYS + 31)
    n = 0
    for ent in Enterprise.objects.filter(accidents__occurred_at__gte=since).distinct():
        before = ent.risk_level
        if refresh_enterprise_level(ent).risk_level != before:
            n += 1
    return n


def _this_year():
    from .models import Accident

    return Accident.objects.recorded().filter(occurred_at__year=timezone.localdate().year)


@register("accidents_this_year", "本年度生产安全事故起数", ("事故", "起数"), unit="起")
def accidents_this_year():
    n = _this_year().count()
    return Decimal(n), f"{n}起"


@register("accident_deaths_this_year", "本年度生产安全事故死亡人数", ("事故", "死亡"), unit="人")
def deaths_this_year():
    n = _this_year().aggregate(d=Sum("deaths"))["d"] or 0
    return Decimal(n), f"{n}人"


@dashboard_panel("accidents", "accidents/_panel.html", order=45)
def accidents_panel(request, scope):
    if not scope.is_staff_scope:
        return None
    from .models import GRADE_CHOICES, Accident

    year = timezone.localdate().year
    qs = Accident.objects.visible_to(request.user).recorded().filter(occurred_at__year=year)
    counts = dict(qs.values_list("grade").annotate(n=Count("id")))
    totals = qs.aggregate(
        n=Count("id"), deaths=Sum("deaths"), concealed=Count("id", filter=Q(concealed=True))
    )
    late = Accident.objects.visible_to(request.user).late().count()
    return {
        "accident_year": year,
        "accident_by_grade": [(code, label, counts.get(code, 0)) for code, label in GRADE_CHOICES],
        "accident_totals": totals,
        "accident_late": late,
    }


@page_section("enterprises.Enterprise", "accidents", "accidents/_enterprise_accidents.html", order=30)
def enterprise_accidents(request, enterprise, scope):
    from .models import Accident

    return {
        "accidents": Accident.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .order_by("-occurred_at")[:20]
    }


@demo_loader("accidents", order=75)
def _demo_accidents(out):
    from django.db import transaction

    from . import demo

    with transaction.atomic():
        n = demo.generate()
    if n:
        out(f"演示事故:{n}起")


nav_menu("accidents", "accidents/_nav.html", order=78)
