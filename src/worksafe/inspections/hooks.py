"""What the inspections app adds to shared mechanisms: the draw's weight factor from hazards, a
dashboard panel, a section of the enterprise file, live metrics and the demo."""

from decimal import Decimal

from django.db.models import Count, Q
from django.utils import timezone

from worksafe.core.metrics import register
from worksafe.core.registry import dashboard_panel, demo_loader, nav_menu, page_section

from .services import weight_provider


@weight_provider("hazards")
def open_major_or_overdue_hazards(enterprise_ids):
    """Each open major hazard and each overdue hazard adds 1 to an enterprise's weight in the draw.
    (Verified tip-offs and credit listings will be added by those apps: 0 until then.)"""
    from worksafe.hazards.models import Hazard

    today = timezone.localdate()
    rows = (Hazard.objects.filter(enterprise_id__in=enterprise_ids)
            .filter(Q(level=Hazard.Level.MAJOR) & ~Q(state__in=["closed", "dismissed"])
                    | Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today))
            .values("enterprise_id").annotate(n=Count("id")))
    return {r["enterprise_id"]: r["n"] for r in rows}


def inspected_ids(user=None, year=None):
    """The ids of the enterprises inspected on site in ``year`` (default this year), as a subquery."""
    from .models import Inspection

    year = year or timezone.localdate().year
    insp = Inspection.objects.visible_to(user) if user is not None else Inspection.objects.all()
    return insp.filter(on_site_at__year=year).values("enterprise_id")


def coverage(user=None, year=None):
    """Enterprises inspected this year (on site at least once) among the operating ones visible."""
    from worksafe.enterprises.models import Enterprise

    ents = Enterprise.objects.visible_to(user) if user is not None else Enterprise.objects.all()
    ents = ents.filter(status=Enterprise.Status.OPERATING)
    return ents, ents.filter(pk__in=inspected_ids(user, year))


@register("inspections_coverage_pct", "本年度监督检查覆盖企业比例", ("执法", "检查"), unit="%")
def coverage_pct():
    ents, done = coverage()
    total = ents.count()
    if not total:
        return None
    return (Decimal(done.count() * 100) / Decimal(total)).quantize(Decimal("0.1")), f"{done.count()}/{total}家"


@register("inspections_red_orange_uninspected", "本年度未检查的红橙企业", ("红", "橙", "检查"), unit="家")
def red_orange_uninspected():
    ents, done = coverage()
    n = ents.filter(risk_level__gte=3).exclude(pk__in=done.values("pk")).count()
    return Decimal(n), f"{n}家"


@dashboard_panel("inspections", "inspections/_panel.html", order=40, deferred=True)
def inspections_panel(request, scope):
    """This year's coverage by sector, township and colour: grouped counts in the database (a
    fixed number of queries), never the enterprises' rows in Python."""
    if not scope.is_staff_scope:
        return None
    from worksafe.org.models import Division

    from .models import Inspection

    ents, done = coverage(request.user)
    inspected = Q(pk__in=inspected_ids(request.user))

    def table(key, label_of, order=None):
        # no DISTINCT: an enterprise has one township and level, and each sector once
        agg = {r[key]: (r["n"], r["d"]) for r in ents.values(key).annotate(
            n=Count("pk"), d=Count("pk", filter=inspected)).order_by()}
        keys = sorted(agg, key=order or (lambda k: str(label_of(k))))
        return [(label_of(k), agg[k][0], agg[k][1], round(100 * agg[k][1] / agg[k][0]) if agg[k][0] else 0)
                for k in keys]

    towns = dict(Division.objects.filter(pk__in=ents.values("township_id")).values_list("pk", "name"))
    levels = {4: "红", 3: "橙", 2: "黄", 1: "蓝", None: "未定级"}
    today = timezone.localdate()
    overdue = Inspection.objects.visible_to(request.user).filter(
        batch__due_on__lt=today, state__in=["planned", "notified", "on_site"]).count()
    uninspected = ents.filter(risk_level__gte=3).exclude(inspected).order_by("-risk_level", "name")
    return {"by_sector": table("sectors__name", lambda k: k or "未分类"),
            "by_township": table("township_id", lambda k: towns.get(k, "")),
            "by_level": table("risk_level", lambda k: levels.get(k, k), order=lambda k: -(k or 0)),
            "uninspected": list(uninspected[:10]), "uninspected_count": uninspected.count(),
            "overdue": overdue, "total": ents.count(), "done": done.count()}


@page_section("enterprises.Enterprise", "inspections", "inspections/_enterprise_inspections.html", order=25)
def enterprise_inspections(request, enterprise, scope):
    from .models import Inspection

    return {"inspections": Inspection.objects.visible_to(request.user).filter(enterprise=enterprise)
            .select_related("department").order_by("-planned_on", "-id")[:20]}


@demo_loader("inspections", order=70)
def _demo_inspections(out):
    from . import demo

    n = demo.generate()
    if n:
        out(f"演示监督检查:{n}次")

nav_menu("inspections", "inspections/_nav.html", order=60)
