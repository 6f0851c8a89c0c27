"""What the enterprises app adds to shared mechanisms: the own-enterprise panel of the home page."""

from worksafe.core.registry import dashboard_panel, nav_menu


@dashboard_panel("own_enterprise", "enterprises/_panel_own.html", order=60)
def own_enterprise_panel(request, scope):
    if not scope.enterprise_ids:
        return None
    from .models import Enterprise

    return {"enterprises": Enterprise.objects.visible_to(request.user).order_by("name")[:10]}

nav_menu("enterprises", "enterprises/_nav.html", order=30)
