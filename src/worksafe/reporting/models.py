"""Reporting: the models live in the three sub-domains; Django finds them here (app label
``reporting``):

- :mod:`.summaries.models` — yearly summaries: SummaryRound, Summary, SummaryFile, SummaryPress;
- :mod:`.reports.models` — the county report and the final evaluation: Report, ReportCheck;
- :mod:`.assessment.models` — assessment (考核): Scheme, Indicator.
"""

from .assessment.models import Indicator, Scheme
from .reports.models import Report, ReportCheck
from .summaries.models import Summary, SummaryFile, SummaryPress, SummaryRound

__all__ = ["Indicator", "Report", "ReportCheck", "Scheme", "Summary", "SummaryFile", "SummaryPress",
           "SummaryRound"]
