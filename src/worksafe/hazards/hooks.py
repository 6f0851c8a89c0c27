"""What the hazards app adds to shared mechanisms: a tick step and an enterprise-colour raiser."""

from django.utils import timezone

from worksafe.core import tick
from worksafe.risks.services import LEVEL_RAISERS


def _escalate(now=None):
    from .loop.services import escalate_overdue

    return escalate_overdue(now)


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

    from worksafe.plans.models import Sector

    from .selfcheck.services import seed_for_new_sector

    post_save.connect(seed_for_new_sector, sender=Sector, dispatch_uid="hazards_seed_checklists")


_connect_checklist_seeding()
tick.STEPS["hazard_escalations"] = _escalate
tick.STEPS["enterprise_colours"] = _refresh_colours
LEVEL_RAISERS.append(overdue_major_hazard)
