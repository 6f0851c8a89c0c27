"""What the risks app adds to shared mechanisms: the risk charts of the home page, the demo
register with its risk points and major hazard sources."""

from worksafe.core.registry import dashboard_panel, demo_loader, page_section


@dashboard_panel("risk_charts", "risks/_panel_charts.html", order=50, deferred=True)
def risk_charts_panel(request, scope):
    if not scope.is_staff_scope:
        return None
    from .views_map import risk_chart_data

    return {"risk_charts": risk_chart_data(request.user)}


@demo_loader("veto_rules", order=15)
def _demo_veto_rules(out):
    from .services import load_veto_rules

    load_veto_rules()


@demo_loader("register", order=30)
def _demo_register(out):
    """150 generated enterprises in every township, with their risk points and major hazard
    sources, and the demo's enterprise login at one of them."""
    from django.db import transaction

    from worksafe.enterprises.models import Enterprise
    from worksafe.org.demo import enterprise_user
    from worksafe.org.models import Division, User
    from worksafe.plans.demo import COUNTY_CODE

    from . import demo

    with transaction.atomic():
        counts = demo.generate(Division.objects.get(code=COUNTY_CODE), n=150, seed=2020,
                               user=User.objects.get(username="county"))
        out("演示企业:新增{enterprises}家,设施{facilities}个,风险点{risk_points}个,"
            "重大危险源单元{sources}个,人员密集场所{places}处".format(**counts))
        enterprise_user(Enterprise.objects.get(name="玛沁县雪莲加油站"))


@demo_loader("basemap", order=35)
def _demo_basemap(out):
    """The demo's offline base map, generated from its divisions (var/basemap/demo.pmtiles)."""
    from . import basemap

    path = basemap.generate_demo()
    out(f"演示离线底图:{path.name},{path.stat().st_size // 1024} KB")


@page_section("enterprises.Enterprise", "nearby", "risks/_enterprise_nearby.html", slot="alerts", order=10)
def enterprise_nearby(request, enterprise, scope):
    """Gathering places within the enterprise's external safety distance."""
    from .services import gathering_places_within

    nearby = gathering_places_within(enterprise)
    return {"nearby": nearby} if nearby else None


@page_section("enterprises.Enterprise", "risks", "risks/_enterprise_risks.html", order=10)
def enterprise_risks(request, enterprise, scope):
    """Risk points, major hazard sources and the latest 19号 diagnosis of the enterprise file."""
    from .models import MajorHazardSource, RiskPoint

    user = request.user
    return {
        "risk_points": RiskPoint.objects.visible_to(user).filter(enterprise=enterprise),
        "sources": MajorHazardSource.objects.visible_to(user).filter(enterprise=enterprise)
        .prefetch_related("substances"),
        "diagnosis": enterprise.diagnoses.first(),
    }
