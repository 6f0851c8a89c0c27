"""The hazards app's API: every sub-domain's viewsets, registered on the project router."""

from .lists.api import MeasureViewSet
from .loop.api import ActionViewSet, CriterionViewSet, HazardViewSet
from .selfcheck.api import DualReportViewSet, PeriodicReportViewSet, SelfInspectionViewSet


def register(router):
    router.register("hazards", HazardViewSet)
    router.register("hazard-actions", ActionViewSet)
    router.register("major-criteria", CriterionViewSet)
    router.register("measures", MeasureViewSet)
    router.register("self-inspections", SelfInspectionViewSet)
    router.register("periodic-reports", PeriodicReportViewSet)
    router.register("dual-reports", DualReportViewSet)
