"""Live plan metrics computed from the organisation's data."""

from decimal import ROUND_HALF_UP, Decimal

from worksafe.core.metrics import register
from worksafe.core.scoping import Role


@register("inspectors_qualified_pct", "具有安全生产相关专业学历和实践经验的执法人员占比",
          keywords=("执法人员", "专业"))
def inspectors_qualified_pct():
    from .models import Membership

    qs = Membership.objects.filter(role=Role.INSPECTOR, active=True, user__is_active=True)
    total = qs.values("user").distinct().count()
    if not total:
        return None
    qualified = qs.filter(qualified=True).values("user").distinct().count()
    pct = (Decimal(qualified) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return pct, f"在职执法人员{total}人,其中专业{qualified}人"
