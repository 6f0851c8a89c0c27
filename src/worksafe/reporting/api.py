"""The reporting app's API: every sub-domain's viewsets, registered on the project router."""

from .assessment.api import register as register_assessment
from .reports.api import register as register_reports
from .summaries.api import register as register_summaries


def register(router):
    register_summaries(router)
    register_reports(router)
    register_assessment(router)
