"""The test world's reporting rows of the summaries sub-domain (called from tests/reporting/world.py):
the world plan's yearly round (QSRD01) with the county office's unit summary (QSUM01), a file
(QSFL01) and a press (QSPR01)."""

#: scoped model label → the field carrying the row's token (merged into tests/conftest.py TOKEN_FIELDS)
TOKEN_FIELDS: dict[str, str] = {"reporting.SummaryRound": "due_basis", "reporting.Summary": "text",
                                "reporting.SummaryFile": "name", "reporting.SummaryPress": "note"}


def build(w):
    from django.core.files.base import ContentFile
    from django.utils import timezone

    from worksafe.org.models import Department
    from worksafe.reporting.models import Summary, SummaryFile, SummaryPress, SummaryRound

    today = timezone.localdate()
    rnd = SummaryRound.objects.create(plan=w.plan, year=today.year, due_on=today, due_basis="QSRD01每年12月5日报送总结",
                                      opened_by=w.users["county"])
    s = Summary.objects.create(round=rnd, unit=Department.objects.get(name="县应急管理局"), text="QSUM01年度总结")
    SummaryFile.objects.create(summary=s, file=ContentFile(b"%PDF-1.4", name="s.pdf"), name="QSFL01.pdf",
                               uploaded_by=w.users["dept"])
    SummaryPress.objects.create(summary=s, by=w.users["county"], note="QSPR01请按时报送", respond_by=today)
