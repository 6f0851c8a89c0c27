"""The plan switcher of the 方案任务 menu: the plans in force (services.plans_in_force), read once
per request."""

from django import template

register = template.Library()


@register.simple_tag(takes_context=True)
def plans_in_menu(context):
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return []
    if not hasattr(request, "_worksafe_desk_plans"):
        from worksafe.plans.services import plans_in_force

        request._worksafe_desk_plans = plans_in_force(request.user)
    return request._worksafe_desk_plans
