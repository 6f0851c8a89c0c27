"""`worksafe bench pages` at a tiny size, in the test database (``--use-current-db``): the fillers
produce every state, the routes answer, a server error fails the bench loudly, and the last line is
the summary line of the spec (docs/scale.md)."""

import io
import re

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

SUMMARY = re.compile(r"^pages (sqlite|postgresql) enterprises=(\d+): p95_max_ms=(\d+) route=(\S+) p95_median_ms=(\d+)$")
ROW = re.compile(r"^(county|enterprise)\s+(\d{3})\s+[\d.]+\s+[\d.]+\*?\s+(\d+)\s+(\d+)\s+(\S+)$")


@pytest.mark.django_db(transaction=False)
def test_bench_pages_tiny(monkeypatch):
    from worksafe.core.views import SearchView

    def broken(self, request, *args, **kwargs):
        raise RuntimeError("broken on purpose")

    monkeypatch.setattr(SearchView, "get", broken)  # one route answers 500: the bench must fail on it
    out = io.StringIO()
    with pytest.raises(CommandError, match="5xx"):
        call_command("bench", "pages", "--enterprises", "30", "--hazards-per-enterprise", "3", "--repeat", "1",
                     "--users", "county,enterprise", "--use-current-db", stdout=out)
    lines = out.getvalue().splitlines()
    assert SUMMARY.match(lines[-1]), lines[-1]
    assert SUMMARY.match(lines[-1]).group(2) == "30"

    rows = [m.groups() for m in map(ROW.match, lines) if m]
    routes = {r[4] for r in rows}
    assert {"/", "/hazards/", "/hazards/?export=xlsx", "/risks/map/data/", "/hazards/stats/", "/api/hazards/",
            "/monitoring/", "/enterprises/"} <= routes
    assert not {r for r in routes if r.endswith("/new/") or r.startswith("/admin") or "logout" in r}
    # the county office sees every page; only the auditors' log is closed to it (and the broken one)
    county = {route: status for user, status, _q, _b, route in rows if user == "county"}
    assert county.pop("/search/") == "500"
    assert county.pop("/audit/") == "403"
    assert set(county.values()) == {"200"}, {r: s for r, s in county.items() if s != "200"}
    # an enterprise user is refused a staff page rather than shown it, and the refusal is reported
    enterprise = {route: status for user, status, _q, _b, route in rows if user == "enterprise"}
    assert set(enterprise.values()) <= {"200", "403", "404", "500"}
    assert "NOT 200: county /search/ answered 500 RuntimeError: broken on purpose" in out.getvalue()
    assert all(int(q) > 0 for user, status, q, _b, _r in rows if status == "200")  # queries are counted

    from worksafe.enterprises.models import Enterprise
    from worksafe.hazards.models import Hazard
    from worksafe.monitoring.models import Alarm

    assert set(Hazard.objects.values_list("state", flat=True)) == set(Hazard.State.values)
    assert Hazard.objects.filter(level="major", listed=True).overdue().exists()
    assert Hazard.objects.count() == 90
    assert set(Enterprise.objects.values_list("risk_level", flat=True)) >= {1, 2, 3, 4}
    assert Alarm.objects.filter(open=False).exists()
