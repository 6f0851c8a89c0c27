"""The demo's county report: the 2025 yearly report as of the plan's summary date (2025-12-05 in
玛沁县's plan), generated and published by the county office, with one regeneration check."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.org.models import User
from worksafe.plans.models import Plan

from . import services
from .models import Report


@transaction.atomic
def generate() -> int:
    if Report.objects.exists():
        return 0
    county = User.objects.filter(username="county").first()
    plan = Plan.objects.order_by("-start").first()
    if county is None or plan is None:
        return 0
    year = timezone.localdate().year - 1
    report = services.generate(
        county, plan=plan, year=year,
        remarks="一是部分专项任务推进滞后,个别重大事故隐患超期未整改。\n"
                "二是部分单位年度总结报送不及时。\n"
                "下一步,工作专班将对逾期任务和超期隐患逐项督办,纳入年度考核。")
    take(report, county, "publish", version=report.version)
    services.check(county, report)
    return 1
