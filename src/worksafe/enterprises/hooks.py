"""What the enterprises app adds to shared mechanisms: the own-enterprise panel of the home page."""

from worksafe.core.registry import SEARCH_LIMIT, SearchResult, dashboard_panel, nav_menu, search_provider


@dashboard_panel("own_enterprise", "enterprises/_panel_own.html", order=60)
def own_enterprise_panel(request, scope):
    if not scope.enterprise_ids:
        return None
    from .models import Enterprise

    return {"enterprises": Enterprise.objects.visible_to(request.user).order_by("name")[:10]}

nav_menu("enterprises", "enterprises/_nav.html", order=30)


@search_provider("enterprises", "企业", order=10)
def search_enterprises(user, q):
    """Enterprises by name or unified social credit code, among those the user sees."""
    from django.db.models import Q

    from .models import Enterprise

    rows = (Enterprise.objects.visible_to(user).filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper()))
            .select_related("township").order_by("name")[:SEARCH_LIMIT])
    return [SearchResult("企业", e.name, e.get_absolute_url(), f"{e.credit_code} · {e.township}") for e in rows]
