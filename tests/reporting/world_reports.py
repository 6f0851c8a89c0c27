"""The test world's reporting rows of the reports sub-domain (called from tests/reporting/world.py):
one yearly report of the world plan (QRPT01), with one check (QRCK01)."""

#: scoped model label → the field carrying the row's token (merged into tests/conftest.py TOKEN_FIELDS)
TOKEN_FIELDS: dict[str, str] = {"reporting.Report": "title", "reporting.ReportCheck": "checksum"}


def build(w):
    from django.utils import timezone

    from worksafe.reporting.models import ReportCheck
    from worksafe.reporting.reports import services

    report = services.generate(w.users["county"], plan=w.plan, year=timezone.localdate().year,
                               as_of=timezone.localdate())
    type(report).objects.filter(pk=report.pk).update(title="QRPT01" + report.title)
    ReportCheck.objects.create(report=report, checksum="QRCK01", same=False, checked_by=w.users["county"])
    w.report = report
