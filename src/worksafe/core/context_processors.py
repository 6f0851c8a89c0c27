from .models import Notification
from .registry import nav_menus
from .scoping import Role, scope_of


def worksafe(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    scope = scope_of(user)
    return {
        "scope": scope,
        "nav_menus": nav_menus(),
        "nav_roles": [Role.LABELS[r] for r in sorted(scope.roles)],
        "unread_count": Notification.objects.visible_to(user).filter(read_at__isnull=True).count(),
    }
