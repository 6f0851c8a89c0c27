"""The test world's reporting rows of the assessment sub-domain (called from tests/reporting/world.py):
a draft scheme (QSCH01) with one indicator (QIND01), and a published 2025 scheme (QSCH02) with the
default indicators (QIND02…), so units see a published result and only their own row."""

#: scoped model label → the field carrying the row's token (merged into tests/conftest.py TOKEN_FIELDS)
TOKEN_FIELDS: dict[str, str] = {"reporting.Scheme": "name", "reporting.Indicator": "label"}


def build(w):
    import datetime

    from worksafe.core.lifecycle import take
    from worksafe.reporting.assessment import services
    from worksafe.reporting.models import Indicator, Scheme

    county = w.users["county"]
    sch = Scheme.objects.create(plan=w.plan, name="QSCH01年度考核", period_start=datetime.date(2025, 1, 1),
                                period_end=datetime.date(2025, 12, 5), created_by=county)
    Indicator.objects.create(scheme=sch, measure="tasks_on_time", label="QIND01任务按期完成", kind="rate", weight=100)
    pub = services.create_scheme(county, w.plan, "QSCH02上年度考核", datetime.date(2025, 1, 1),
                                 datetime.date(2025, 12, 5))
    for n, ind in enumerate(pub.indicators.all(), start=2):
        Indicator.objects.filter(pk=ind.pk).update(label=f"QIND{n:02d}{ind.label}")
    take(pub, county, "publish", version=pub.version)
    w.schemes = [sch, Scheme.objects.get(pk=pub.pk)]
