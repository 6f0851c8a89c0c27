"""A missing commitment counts in the enterprise's dual report (the credit app's report line,
core REPORT_FIGURES → hazards' report figures)."""

import datetime

from django.utils import timezone

from worksafe.credit.models import Commitment
from worksafe.credit.services import commitment_days_missing, required_enterprises
from worksafe.hazards.selfcheck import services as selfcheck


def test_days_without_a_commitment_are_a_line_of_the_dual_report(world):
    ent = required_enterprises().filter(pk__in=[e.pk for e in world.enterprises]).first()
    assert ent is not None, "the world has a hazardous-chemicals enterprise"
    today = timezone.localdate()
    start = today - datetime.timedelta(days=9)
    Commitment.objects.filter(enterprise=ent, day__gte=start).delete()
    assert commitment_days_missing(ent, start, today) == 10
    for d in (start, start + datetime.timedelta(days=3)):
        Commitment.objects.create(enterprise=ent, day=d, principal="QPRIN", risk_judgement="QRJ",
                                  submitted_by=world.users["enterprise"])
    assert commitment_days_missing(ent, start, today) == 8
    risk, hazard = selfcheck.dual_state(ent, today.year, today.month)
    month_start = today.replace(day=1)
    assert hazard["commitments_missing"] == commitment_days_missing(ent, month_start, today)
    rows = dict(selfcheck.figure_rows(hazard, selfcheck.HAZARD_LABELS))
    assert rows["未按时发布安全承诺公告(天)"] == hazard["commitments_missing"]


def test_an_enterprise_that_need_not_commit_has_no_such_line(world):
    others = [e for e in world.enterprises if not required_enterprises().filter(pk=e.pk).exists()]
    assert others
    today = timezone.localdate()
    _, hazard = selfcheck.dual_state(others[0], today.year, today.month)
    assert "commitments_missing" not in hazard
