"""What the credit app adds to shared mechanisms: tick jobs (removal at the end of the management
period, candidates from penalties, hazards and plan tasks), the enterprise-colour raiser, the draw's
weight factor, sections of the enterprise file, a dashboard panel, live metrics, the menu and the demo."""

from decimal import Decimal

from django.utils import timezone

from worksafe.core.metrics import register
from worksafe.core.registry import (
    LEVEL_RAISERS,
    dashboard_panel,
    demo_loader,
    nav_menu,
    page_section,
    report_figure,
)
from worksafe.core.tick import tick_job
from worksafe.inspections.services import weight_provider

from . import services


@tick_job("credit_expire_listings")
def _expire(now=None):
    return services.expire_listings(now)


@tick_job("credit_proposals")
def _proposals(now=None):
    return services.sweep_penalties(now) + services.sweep_hazards(now) + services.sweep_tasks(now)


def listed(enterprise):
    """A published, unremoved serious-dishonesty listing raises the enterprise's colour one level."""
    if services.is_listed(enterprise):
        return "列入安全生产严重失信主体名单"
    return None


LEVEL_RAISERS["credit"] = listed


@weight_provider("credit")
def listed_weight(enterprise_ids):
    """A listed enterprise weighs 2 more in the random draw (加大执法检查频次, 安全生产法第七十八条)."""
    from .models import Listing

    ids = (
        Listing.objects.public()
        .filter(enterprise_id__in=enterprise_ids)
        .values_list("enterprise_id", flat=True)
    )
    return {i: 2 for i in set(ids)}


def _coverage(user=None, on=None):
    """(published, required, the required without a commitment as a queryset) for the commitment
    period containing ``on``: counted by the database in one query (the county's thousands of
    enterprises are not fetched to be compared in Python), by ``services.required_enterprises`` and
    ``services.committed``, the rule ``services.commitment_status`` applies."""
    from django.db.models import Count

    from worksafe.enterprises.models import Enterprise

    ents = services.required_enterprises(Enterprise.objects.visible_to(user) if user is not None else None)
    done = services.committed(on)
    counts = ents.order_by().aggregate(total=Count("pk"), ok=Count("pk", filter=done))
    return counts["ok"], counts["total"], ents.filter(~done)


@register("credit_commitment_pct", "今日承诺公告发布率", ("承诺", "公告", "研判"), unit="%")
def commitment_pct():
    ok, total, _ = _coverage()
    if not total:
        return None
    return (Decimal(ok * 100) / Decimal(total)).quantize(Decimal("0.1")), f"{ok}/{total}家"


@register("credit_listed_enterprises", "列入严重失信主体名单的企业", ("失信", "黑名单", "惩戒"), unit="家")
def listed_enterprises():
    from .models import Listing

    n = Listing.objects.public().values("enterprise_id").distinct().count()
    return Decimal(n), f"{n}家"


@dashboard_panel("credit", "credit/_panel.html", order=60)
def credit_panel(request, scope):
    if not scope.is_staff_scope:
        return None
    from .models import Accountability, Listing

    ok, total, missing = _coverage(request.user)
    listings = Listing.objects.visible_to(request.user)
    return {
        "commit_ok": ok,
        "commit_total": total,
        "missing": missing.order_by("name")[:10],
        "missing_count": total - ok,
        "pending": listings.filter(state__in=["proposed", "notified", "decided"]).count(),
        "in_force": listings.filter(state="published").count(),
        "repairs": listings.filter(state="published", repair_requested_on__isnull=False).count(),
        "proposed_acts": Accountability.objects.visible_to(request.user).filter(state="proposed").count(),
        "open_acts": Accountability.objects.visible_to(request.user).filter(state="issued").count(),
    }


@page_section("enterprises.Enterprise", "credit", "credit/_enterprise_credit.html", order=30)
def enterprise_credit(request, enterprise, scope):
    from .models import Accountability, Commitment, Listing

    today = timezone.localdate()
    status = services.commitment_status([enterprise.pk], today)[enterprise.pk]
    return {
        "commitment_status": status,
        "commitments": Commitment.objects.visible_to(request.user).filter(enterprise=enterprise)[:7],
        "listings": Listing.objects.visible_to(request.user).filter(enterprise=enterprise),
        "accountabilities": Accountability.objects.visible_to(request.user).filter(enterprise=enterprise)[
            :10
        ],
        "may_commit": scope.has_role("enterprise") and enterprise.pk in scope.enterprise_ids,
    }


@demo_loader("credit", order=90)
def _demo_credit(out):
    from . import demo

    n = demo.generate()
    if n:
        out(f"演示信用与问责:{n}条")


nav_menu("credit", "credit/_nav.html", order=80)


def _connect_penalty_decisions():
    """A penalty decided in the inspections app becomes a candidate as soon as its transaction commits
    (its decision document and number exist by then); the tick's sweep catches anything missed."""
    from django.db import transaction
    from django.db.models.signals import post_save

    from worksafe.inspections.models import EnforcementAction

    def on_save(sender, instance, **kwargs):
        if instance.category == "penalty" and instance.state in ("decided", "closed"):
            transaction.on_commit(lambda: services.sweep_penalties(only=instance.pk))

    post_save.connect(on_save, sender=EnforcementAction, dispatch_uid="credit_penalty_candidates", weak=False)


_connect_penalty_decisions()


def _connect_accidents():
    """An accident recorded (or re-graded, or found concealed) in the accidents app proposes what
    the rules say (``services.propose_from_accident``): listing candidates and an accountability
    action, counted over the last 12 months (事故多发). A registered enterprise only: an accident of
    an unregistered party has no one to list."""
    import datetime

    from django.utils import timezone

    from worksafe.accidents.models import Accident
    from worksafe.accidents.services import accident_counts
    from worksafe.accidents.signals import accident_recorded

    def on_accident(sender, accident, created=False, **kwargs):
        if accident.enterprise_id is None or accident.state == "withdrawn":
            return
        occurred = timezone.localtime(accident.occurred_at).date()
        since = occurred - datetime.timedelta(days=365)
        larger = (Accident.objects.recorded().filter(enterprise_id=accident.enterprise_id,
                                                     occurred_at__date__gte=since)
                  .exclude(grade="general").count())
        recent = accident_counts(since, occurred, by="township").get(accident.enterprise.township_id, (0, 0))[0]
        services.propose_from_accident(
            enterprise=accident.enterprise, grade=accident.grade,
            concealed=bool(accident.concealed or accident.falsely_reported),
            source_label=f"事故:{accident}", source_url=accident.get_absolute_url(),
            source_key=f"accident:{accident.pk}", occurred=occurred,
            department=accident.supervising_unit,
            larger_in_12_months=max(larger, 1 if accident.grade != "general" else 0), recent_count=recent)

    accident_recorded.connect(on_accident, sender=Accident, dispatch_uid="credit_from_accidents", weak=False)


_connect_accidents()


@report_figure("commitments_missing", "未按时发布安全承诺公告(天)")
def commitments_missing(enterprise, start, cutoff):
    """Days of the report's period (up to its cut-off) without the enterprise's safety commitment,
    for an enterprise that must publish one; ``None`` (no line) for one that need not."""
    return services.commitment_days_missing(enterprise, start, cutoff)
