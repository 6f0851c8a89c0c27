"""What the training app adds to shared mechanisms: coverage metrics for plan targets, the
certificate-expiry tick job, a dashboard panel, a section of the enterprise file, the demo and
the menu."""

from django.utils import timezone

from worksafe.core.metrics import register
from worksafe.core.registry import dashboard_panel, demo_loader, nav_menu, page_section
from worksafe.core.tick import tick_job


@register("training_officials_pct", "本年度安全监管干部参训比例", ("干部", "培训"), unit="%")
def training_officials_pct(user=None, year=None, as_of=None):
    from .services import coverage_pct

    return coverage_pct("officials", user, year, as_of)


@register("training_principals_pct", "本年度企业主要负责人参训比例", ("主要负责人", "培训"), unit="%")
def training_principals_pct(user=None, year=None, as_of=None):
    from .services import coverage_pct

    return coverage_pct("principals", user, year, as_of)


@register("training_safety_managers_pct", "本年度企业安全管理人员参训比例", ("安全管理人员", "培训"), unit="%")
def training_safety_managers_pct(user=None, year=None, as_of=None):
    from .services import coverage_pct

    return coverage_pct("safety_managers", user, year, as_of)


@tick_job("training_certificate_expiry")
def remind_expiring_certificates(now=None) -> int:
    """Tell the enterprise and the departments supervising its sectors, once per expiry date, that
    a certificate has expired or expires within WORKSAFE_CERTIFICATE_WARN_DAYS."""
    from django.db.models import F, Q

    from worksafe.core.services import notify
    from worksafe.org.models import Department, Membership

    from .services import expiring_certificates

    today = (now or timezone.now()).astimezone(timezone.get_current_timezone()).date()
    sent = 0
    due = (expiring_certificates(today).filter(Q(expiry_notified_for__isnull=True)
                                              | ~Q(expiry_notified_for=F("valid_until")))
           .select_related("enterprise"))
    for cert in due:
        ent = cert.enterprise
        users = [m.user for m in Membership.objects.filter(enterprise=ent, active=True).select_related("user")]
        depts = list(Department.objects.filter(sectors__in=ent.sectors.all()).distinct())
        word = "已过期" if cert.valid_until < today else "即将到期"
        notify(users + depts, f"{ent.name}{cert.holder}的考核合格证{word}",
               f"{cert.get_kind_display()} {cert.number},有效期至{cert.valid_until:%Y年%m月%d日}。",
               url=cert.get_absolute_url(), email=True)
        type(cert).objects.filter(pk=cert.pk).update(expiry_notified_for=cert.valid_until)
        sent += 1
    return sent


@dashboard_panel("training", "training/_panel.html", order=45, deferred=True)
def training_panel(request, scope):
    if not scope.is_staff_scope:
        return None
    from .models import Certificate, TrainingSession
    from .services import coverage_counts, expiring_certificates

    user = request.user
    today = timezone.localdate()
    return {**coverage_counts(user, as_of=today),
            "upcoming": TrainingSession.objects.visible_to(user).filter(state="planned", starts_on__gte=today)
            .order_by("starts_on")[:5],
            "expiring": expiring_certificates(today).filter(pk__in=Certificate.objects.visible_to(user).values("pk"))
            .count()}


@page_section("enterprises.Enterprise", "training", "training/_enterprise_training.html", order=30)
def enterprise_training(request, enterprise, scope):
    from .services import enterprise_people_training

    return enterprise_people_training(request.user, enterprise)


@demo_loader("training", order=95)
def _demo_training(out):
    from . import demo

    n = demo.generate()
    if n:
        out(f"演示培训:{n}个班次")


nav_menu("training", "training/_nav.html", order=85)
