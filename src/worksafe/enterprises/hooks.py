"""What the enterprises app adds to shared mechanisms: the own-enterprise panel of the home page."""

import re

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


# ---------------------------------------------------------------- pickers (core.picker)

def _enterprise_pickers():
    from django.db.models import Q

    from worksafe.core.registry import register_picker

    from .models import Enterprise, SafetyManager

    def last_word(text):
        return text.rsplit(maxsplit=1)[-1].upper()

    # "名称 统一社会信用代码": the code makes the text name one enterprise
    by_name_or_code = dict(
        search=lambda qs, q: qs.filter(Q(name__icontains=q) | Q(credit_code__icontains=q.upper())).order_by("name"),
        exact=lambda qs, t: qs.filter(Q(name=t) | Q(credit_code=t.upper()) | Q(credit_code=last_word(t))),
        text=lambda e: f"{e.name} {e.credit_code}",
        placeholder="输入企业名称或统一社会信用代码查找",
    )
    register_picker("enterprises", "企业", rows=lambda user: Enterprise.objects.visible_to(user), **by_name_or_code)

    # the enterprise an enterprise user's account is bound to: whoever manages accounts (the county
    # office, the system administrator, who sees no business rows) picks from the whole register
    def account_rows(user):
        from worksafe.org.services import may_manage_accounts

        return Enterprise.objects.all() if may_manage_accounts(user) else Enterprise.objects.none()

    register_picker("account_enterprises", "企业", rows=account_rows, **by_name_or_code)

    def manager_exact(qs, t):
        # "姓名(企业名称)", the text the list offers; or a bare name
        m = re.match(r"^(.+?)((.+))$", t)
        if m:
            return qs.filter(name=m.group(1).strip(), enterprise__name=m.group(2).strip())
        return qs.filter(name=t)

    register_picker(
        "safety_managers", "安全管理人员",
        rows=lambda user: SafetyManager.objects.visible_to(user),
        search=lambda qs, q: (qs.filter(Q(name__icontains=q) | Q(enterprise__name__icontains=q))
                              .select_related("enterprise").order_by("name", "enterprise__name")),
        exact=lambda qs, t: manager_exact(qs, t).select_related("enterprise"),
        text=lambda m: f"{m.name}({m.enterprise.name})",
        placeholder="输入姓名或企业名称查找",
    )


_enterprise_pickers()
