"""Hazard investigation and rectification (隐患排查治理). The models live in the three
sub-domains; Django finds them here (app label ``hazards``):

- :mod:`.loop.models` — the closed loop: Hazard, HazardAction, HazardFile, MajorCriterion, Escalation;
- :mod:`.lists.models` — the two lists (两个清单): Measure, Milestone (the problem list is a view of Hazard);
- :mod:`.selfcheck.models` — Checklist, ChecklistItem, SelfInspection, PeriodicReport, DualReport.
"""

from .lists.models import Measure, MeasureQuerySet, Milestone, MilestoneQuerySet
from .loop.models import (
    ACTION_LABELS,
    Escalation,
    Hazard,
    HazardAction,
    HazardChildQuerySet,
    HazardFile,
    HazardQuerySet,
    MajorCriterion,
    MajorCriterionQuerySet,
)
from .selfcheck.models import (
    Checklist,
    ChecklistItem,
    ChecklistQuerySet,
    DualReport,
    PeriodicReport,
    SelfInspection,
)

__all__ = [
    "ACTION_LABELS", "Checklist", "ChecklistItem", "ChecklistQuerySet", "DualReport", "Escalation", "Hazard",
    "HazardAction", "HazardChildQuerySet", "HazardFile", "HazardQuerySet", "MajorCriterion", "MajorCriterionQuerySet",
    "Measure", "MeasureQuerySet", "Milestone", "MilestoneQuerySet", "PeriodicReport", "SelfInspection",
]
