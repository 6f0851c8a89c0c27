"""The demo's assessments: last year's (1 January to the plan's summary day, 2025-12-05 in 玛沁县's
plan) with the default indicators, published by the county office with a 约谈 proposed for the
lowest township graded 不合格, and this year's draft (1 January to 31 December)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import take
from worksafe.org.models import User
from worksafe.plans.models import Plan
from worksafe.standards.summaries import summary_schedule

from . import services
from .models import Scheme


@transaction.atomic
def generate() -> int:
    if Scheme.objects.exists():
        return 0
    county = User.objects.filter(username="county").first()
    plan = Plan.objects.order_by("-start").first()
    if county is None or plan is None:
        return 0
    today = timezone.localdate()
    last = today.year - 1
    end = summary_schedule(plan.source_text).due_in(last) or datetime.date(last, 12, 31)
    s = services.create_scheme(county, plan, f"{last}年度安全生产专项整治工作考核", datetime.date(last, 1, 1), end)
    take(s, county, "publish", version=s.version)
    s.refresh_from_db()
    poor = [u for u in s.results["groups"]["townships"] if u["grade"] == "不合格"]
    if poor:
        services.propose_accountability(county, s, poor[-1]["ref"], kind="interview")
    services.create_scheme(county, plan, f"{today.year}年度安全生产专项整治工作考核",
                           datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))
    return 2
