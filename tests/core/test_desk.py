"""The desk (core.views.HomeView): an officer's desk shows its light panels at once and loads each
deferred panel (counts over the whole register) from its own request, /panels/<key>/
(docs/pages.md, "The desk"); ?panels=all, and an enterprise user's desk, have them all inline."""

import pytest

from worksafe.core.registry import PANELS

pytestmark = pytest.mark.django_db

DEFERRED = sorted(k for k, p in PANELS.items() if p.deferred)


def test_some_panels_are_deferred():
    assert {"hazards", "risk_charts"} <= set(DEFERRED)


def test_officer_desk_defers_the_heavy_panels(world, client_for):
    county = client_for(world.users["county"])
    page = county.get("/").content.decode()
    for key in DEFERRED:
        assert f'hx-get="/panels/{key}/"' in page
    assert "隐患排查治理" not in page  # the hazards panel is not computed with the desk
    assert 'href="?panels=all"' in page  # the way without JavaScript
    whole = county.get("/?panels=all").content.decode()
    assert "隐患排查治理" in whole and "hx-get=\"/panels/" not in whole


def test_a_panel_answers_as_a_fragment(world, client_for):
    county = client_for(world.users["county"])
    resp = county.get("/panels/hazards/")
    text = resp.content.decode()
    assert resp.status_code == 200 and "隐患排查治理" in text
    assert "<html" not in text  # the fragment that replaces the placeholder, not a page
    assert county.get("/panels/nothing/").status_code == 404
    assert client_for(None).get("/panels/hazards/").status_code == 302  # the login page


def test_a_panel_not_for_the_role_is_empty(world, client_for):
    ent = client_for(world.users["enterprise"])
    resp = ent.get("/panels/risk_charts/")
    assert resp.status_code == 200 and resp.content.strip() == b""


def test_enterprise_desk_is_inline(world, client_for):
    page = client_for(world.users["enterprise"]).get("/").content.decode()
    assert 'hx-get="/panels/' not in page
    assert "隐患排查治理" in page or "QENT01" in page
