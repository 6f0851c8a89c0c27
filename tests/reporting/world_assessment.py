"""The test world's reporting rows of the assessment sub-domain (called from tests/reporting/world.py):
a draft scheme (QSCH01) with one indicator (QIND01)."""

#: scoped model label → the field carrying the row's token (merged into tests/conftest.py TOKEN_FIELDS)
TOKEN_FIELDS: dict[str, str] = {"reporting.Scheme": "name", "reporting.Indicator": "label"}


def build(w):
    import datetime

    from worksafe.reporting.models import Indicator, Scheme

    sch = Scheme.objects.create(plan=w.plan, name="QSCH01年度考核", period_start=datetime.date(2025, 1, 1),
                                period_end=datetime.date(2025, 12, 5), created_by=w.users["county"])
    Indicator.objects.create(scheme=sch, measure="tasks_on_time", label="QIND01任务按期完成", kind="rate", weight=100)
