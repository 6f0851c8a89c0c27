"""Every list page and API list runs a fixed number of queries whatever the number of rows
(walked over the URL conf like the scoping test, so new lists join automatically)."""

import datetime
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from tests.core.test_scoping import LIST_ROUTES, route_methods, route_model

SKIP = {"logout", "api-schema", "api-docs", "api-redoc", "api-root"}


def more_rows(world, n):
    """n more enterprises with a full file each (and a monitored tank in alarm), and n more plan
    tasks with reports."""
    from tests.conftest import WORLD_PLAN
    from worksafe.enterprises.models import ChangeRequest, Enterprise, Facility, Licence, SafetyManager
    from worksafe.monitoring import ingest
    from worksafe.monitoring import services as mon
    from worksafe.plans import services as plan_services
    from worksafe.risks.models import (
        Diagnosis,
        HazardSubstance,
        MajorHazardSource,
        Project,
        RiskAssessment,
        RiskPoint,
    )
    from worksafe.standards import gb32100, plan_text

    county = world.users["county"]
    base = world.enterprises[0]
    start = Enterprise.objects.count()
    for i in range(start, start + n):
        e = Enterprise.objects.create(name=f"多{i}", credit_code=gb32100.complete(f"91632621MB{i:07d}"),
                                      township=base.township, risk_level=1 + i % 4)
        e.sectors.set(base.sectors.all())
        SafetyManager.objects.create(enterprise=e, name="x", phone="13900000000")
        Licence.objects.create(enterprise=e, kind="k", number=str(i),
                               valid_to=timezone.localdate() + datetime.timedelta(days=i))
        f = Facility.objects.create(enterprise=e, kind="tank", name="f")
        gw, _token = mon.create_gateway(county, e, code=f"mg{i}", name="g", token=f"mt{i}")
        mon.create_sensor(county, f, gateway=gw, code=f"ms{i}", name="s", quantity="tank_level", interval_s=60,
                          red=8)
        ingest.ingest(gw, [{"sensor": f"ms{i}", "time": time.time() - 1, "value": 9.0}])  # an alarm
        p = RiskPoint.objects.create(enterprise=e, name="p", level=1)
        RiskAssessment.objects.create(risk_point=p, method="matrix", l_value=1, c_value=1, score=1, level=1,
                                      rules_version="v")
        s = MajorHazardSource.objects.create(enterprise=e, name="s", unit_kind="storage", is_major=True, grade=2,
                                             level=3)
        HazardSubstance.objects.create(source=s, name="汽油", quantity_t=1)
        Diagnosis.objects.create(enterprise=e, score=90, level=1, rules_version="v")
        ChangeRequest.objects.create(enterprise=e, changes={"address": ["", "a"]}, submitted_by=county)
        Project.objects.create(name="p", enterprise=e, township=e.township, processes="x", state="admitted",
                               checked_by=county)
    plan_services.import_plan(plan_text.parse_plan(WORLD_PLAN.replace("测试县", f"另{n}县")), county=world.county)


def count(client, url):
    """Status and queries of one request, leaving out the session's own: the session is written at
    most twice a minute (core.security.SessionPolicyMiddleware), so on a slow run a request may carry
    that write, which depends on the clock, not on the rows."""
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    n = sum(1 for q in ctx.captured_queries
            if "django_session" not in q["sql"] and not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT")))
    return resp.status_code, n


@pytest.mark.parametrize("role", ["county", "dept"])
def test_list_routes_run_a_fixed_number_of_queries(world, client_for, role):
    client = client_for(world.users[role])
    urls = []
    for name, _route, p in LIST_ROUTES:
        cls, _model = route_model(p)
        if name in SKIP or "get" not in route_methods(cls, p.callback):
            continue
        urls.append(reverse(name))
    more_rows(world, 2)  # every list non-empty first: an empty page skips its row query
    before = {u: count(client, u) for u in urls}
    more_rows(world, 8)
    grown = []
    for u in urls:
        status, n = count(client, u)
        if status == 200 and before[u][0] == 200 and n != before[u][1]:
            grown.append(f"{u}: {before[u][1]} → {n}")
    assert not grown, "queries grow with rows: " + "; ".join(grown)
    assert sum(1 for u in urls if before[u][0] == 200) > 20
