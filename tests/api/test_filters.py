"""Every API list filters with its page's filterset (``filterset_class``), and every parameter
the API took before (``filterset_fields``) is still a filter of the same name."""

import pytest

from worksafe.accidents import api as accidents
from worksafe.credit import api as credit
from worksafe.enterprises import api as enterprises
from worksafe.hazards.lists import api as measures
from worksafe.hazards.loop import api as hazards
from worksafe.hazards.selfcheck import api as selfcheck
from worksafe.inspections import api as inspections
from worksafe.monitoring import api as monitoring
from worksafe.org import api as org
from worksafe.plans import api as plans
from worksafe.reporting.assessment import api as assessment
from worksafe.reporting.reports import api as reports
from worksafe.reporting.summaries import api as summaries
from worksafe.risks import api as risks
from worksafe.tipoffs import api as tipoffs
from worksafe.training import api as training

KEPT = [
    (plans.AreaViewSet, ["plan"]),
    (plans.TaskViewSet, ["area", "status", "area__plan"]),
    (plans.TargetViewSet, ["plan"]),
    (plans.ProgressReportViewSet, ["task", "unit", "status"]),
    (enterprises.EnterpriseViewSet, ["township", "status", "sectors", "risk_level"]),
    (enterprises.SafetyManagerViewSet, ["enterprise"]),
    (enterprises.LicenceViewSet, ["enterprise", "kind"]),
    (enterprises.FacilityViewSet, ["enterprise", "kind"]),
    (enterprises.GatheringPlaceViewSet, ["township", "kind"]),
    (enterprises.ChangeRequestViewSet, ["enterprise", "state"]),
    (risks.RiskPointViewSet, ["enterprise", "level", "control_level"]),
    (risks.AssessmentViewSet, ["risk_point", "method", "level"]),
    (risks.SourceViewSet, ["enterprise", "is_major", "grade"]),
    (risks.SubstanceViewSet, ["source"]),
    (risks.DiagnosisViewSet, ["enterprise", "level"]),
    (risks.ProjectViewSet, ["state", "township", "enterprise"]),
    (hazards.HazardViewSet, ["enterprise", "state", "level", "source", "listed", "sector", "supervising_unit"]),
    (hazards.ActionViewSet, ["hazard", "action"]),
    (hazards.CriterionViewSet, ["sector_keyword"]),
    (measures.MeasureViewSet, ["owner", "state", "kind", "area"]),
    (monitoring.GatewayViewSet, ["enterprise", "active"]),
    (monitoring.SensorViewSet, ["enterprise", "facility", "gateway", "quantity", "active"]),
    (monitoring.AlarmViewSet, ["enterprise", "sensor", "facility", "kind", "level", "state", "open", "active"]),
    (org.DivisionViewSet, ["level", "parent", "code"]),
    (org.DepartmentViewSet, ["kind", "division", "active"]),
    (org.UserViewSet, ["q"]),  # it took none before; now the page's search
    (monitoring.ProposalViewSet, ["enterprise", "sensor", "state"]),
    (monitoring.DeadLetterViewSet, ["source", "gateway", "enterprise", "open"]),
    (selfcheck.SelfInspectionViewSet, ["enterprise", "checklist"]),
    (selfcheck.PeriodicReportViewSet, ["enterprise", "period", "year", "quarter"]),
    (selfcheck.DualReportViewSet, ["enterprise", "year", "month"]),
    (inspections.ItemViewSet, ["department", "sector"]),
    (inspections.InspectionViewSet, ["state", "kind", "batch", "enterprise"]),
    (inspections.ActionViewSet, ["kind", "state", "inspection"]),
    (inspections.BatchViewSet, ["plan", "state", "cross_region", "covert"]),
    (inspections.FindingViewSet, ["inspection", "result"]),
    (inspections.DocumentViewSet, ["inspection", "kind", "year"]),
    (accidents.AccidentViewSet, ["enterprise", "township", "sector", "grade", "kind", "state", "late", "concealed"]),
    (credit.CommitmentViewSet, ["enterprise", "day"]),
    (credit.ListingViewSet, ["enterprise", "state", "department"]),
    (credit.AccountabilityViewSet, ["kind", "state", "unit"]),
    (credit.ClueTransferViewSet, ["state", "unit"]),
    (tipoffs.TipOffViewSet, ["state", "category", "channel", "outcome", "township", "department"]),
    (tipoffs.RewardViewSet, ["state", "tipoff"]),
    (training.SessionViewSet, ["state", "organiser", "audience", "township", "sector", "year"]),
    (training.AttendanceViewSet, ["kind", "session", "enterprise", "confirmed", "year"]),
    (training.CertificateViewSet, ["kind", "expiry", "enterprise", "confirmed"]),
    (reports.ReportViewSet, ["kind", "state", "year"]),
    (summaries.RoundViewSet, ["plan", "kind", "year"]),
    (summaries.SummaryViewSet, ["round", "unit", "state", "late"]),
    (summaries.SummaryFileViewSet, ["summary"]),
    (summaries.SummaryPressViewSet, ["summary"]),
    (summaries.PhaseCheckViewSet, ["plan"]),
    (assessment.SchemeViewSet, ["state", "year"]),
    (assessment.IndicatorViewSet, ["scheme"]),
]


@pytest.mark.parametrize("viewset,names", KEPT, ids=[v.__name__ for v, _ in KEPT])
def test_api_keeps_its_filter_parameters(viewset, names):
    assert not getattr(viewset, "filterset_fields", None)
    assert set(names) <= set(viewset.filterset_class.base_filters)


def test_no_viewset_filters_by_fields_alone():
    from rest_framework.viewsets import GenericViewSet

    seen = {v for v, _ in KEPT}

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    for v in subclasses(GenericViewSet):
        if v.__module__.startswith("worksafe."):
            assert not getattr(v, "filterset_fields", None), v
            if getattr(v, "filterset_class", None):
                assert v in seen, f"{v.__name__}: list its kept parameters here"
