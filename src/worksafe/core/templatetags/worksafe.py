from django import template
from django.utils import timezone

register = template.Library()


def _display(model, field_name, value):
    from worksafe.core.privacy import PERSONAL_FIELDS, mask_id_number, mask_phone

    if field_name in PERSONAL_FIELDS and value not in (None, ""):  # history never shows personal data whole
        return mask_id_number(str(value)) if "id_number" in field_name else mask_phone(str(value))
    try:
        f = model._meta.get_field(field_name)
    except Exception:
        return value
    if isinstance(value, (list, dict)) or getattr(f, "get_internal_type", lambda: "")() == "JSONField":
        return _json_text(value)
    if f.choices and value is not None:
        return dict(f.flatchoices).get(value, value)
    if f.is_relation and value is not None and f.related_model is not None and not f.many_to_many:
        obj = f.related_model._default_manager.filter(pk=value).first()
        return str(obj) if obj else value
    if value in (None, ""):
        return "—"
    import datetime

    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else \
            value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


#: what the keys of JSON values in the history mean (ids resolved to names where a model is known)
_JSON_KEYS = {"enterprise": ("企业", "enterprises.Enterprise"), "sector": ("行业领域", "org.Sector"),
              "department": ("单位", "org.Department"), "unit": ("单位", "org.Department"),
              "division": ("行政区划", "org.Division"), "township": ("乡镇", "org.Division"),
              "user": ("人员", "org.User")}
#: fields the history never lists as a change (the optimistic-locking counter)
_HIDDEN_FIELDS = {"version"}


def _json_item(key, value):
    from django.apps import apps

    label, model = _JSON_KEYS.get(key, (key, None))
    if model and isinstance(value, int) and not isinstance(value, bool):
        try:
            obj = apps.get_model(model)._default_manager.filter(pk=value).first()
        except LookupError:
            obj = None
        value = str(obj) if obj else value
    return f"{label}:{_json_text(value)}"


def _json_text(value) -> str:
    """A JSON value as a reader reads it: ``[{'enterprise': 93, 'sector': 5}]`` → 企业:某公司,行业领域:危险化学品."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return ",".join(_json_item(k, v) for k, v in value.items())
    if isinstance(value, (list, tuple)):
        return ";".join(_json_text(v) for v in value)
    return str(value)


@register.inclusion_tag("core/_history.html")
def history(obj, limit=50):
    """The change history of ``obj``: who, when, and each field old → new."""
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    rows = []
    model = type(obj)
    for i, rec in enumerate(records[:limit]):
        prev = records[i + 1] if i + 1 < len(records) else None
        changes = []
        if prev is not None and rec.history_type == "~":
            for c in rec.diff_against(prev).changes:
                if c.field in _HIDDEN_FIELDS:
                    continue
                try:
                    label = model._meta.get_field(c.field).verbose_name
                except Exception:
                    label = c.field
                changes.append((label, _display(model, c.field, c.old), _display(model, c.field, c.new)))
        if rec.history_type == "~" and not changes and not rec.history_change_reason and prev is not None:
            continue  # a version bump alone is not a change anyone reads
        rows.append({"record": rec, "changes": changes, "reason": rec.history_change_reason or ""})
    return {"rows": rows, "truncated": len(records) > limit}


@register.filter
def mask_phone(value: str) -> str:
    """138****1234: phones are masked in lists (core.privacy)."""
    from worksafe.core.privacy import mask_phone as mask

    return mask(value)


@register.filter
def cn_numeral(n) -> str:
    """{{ phases|length|cn_numeral }}个阶段 → 四个阶段: the count the data holds, as a plan writes it."""
    from worksafe.standards.plan_text import cn_numeral as numeral

    try:
        return numeral(int(n))
    except (TypeError, ValueError):
        return ""


@register.simple_tag
def is_late(task):
    return task.is_late(timezone.localdate())


@register.filter
def pct_class(p):
    p = int(p or 0)
    return "bg-success" if p >= 100 else "bg-primary" if p >= 50 else "bg-warning"


@register.filter
def verbose_name(obj):
    meta = getattr(obj, "_meta", None)
    return meta.verbose_name if meta else ""


@register.simple_tag
def level_badge(level):
    """The four-colour badge of a risk level (colours from standards.levels only)."""
    from django.utils.html import format_html

    from worksafe.standards.levels import Level

    if level in (None, ""):
        from django.utils.safestring import mark_safe

        return mark_safe('<span class="badge bg-secondary-lt">未评定</span>')
    lv = Level(int(level))
    return format_html('<span class="badge text-white" style="background:{}">{}({})</span>', lv.hex, lv.label,
                       lv.colour_name)


@register.simple_tag
def warning_badge(level, monitored=True):
    """The badge of a monitoring warning level: 红色预警 / 橙色预警 / 黄色预警 / 蓝色预警 (Level.hex).
    Something without any monitoring point (``monitored`` false) is 未接入监测, never 正常."""
    from django.utils.html import format_html
    from django.utils.safestring import mark_safe

    from worksafe.standards.levels import Level

    if not monitored:
        return mark_safe('<span class="badge bg-secondary-lt">未接入监测</span>')
    if level in (None, ""):
        return mark_safe('<span class="badge bg-green-lt">正常</span>')
    lv = Level(int(level))
    return format_html('<span class="badge text-white" style="background:{}">{}色预警</span>', lv.hex, lv.colour_name)


@register.simple_tag
def alarm_badge(alarm):
    """An alarm's badge: its warning level, or a grey 离线 for an offline alarm."""
    from django.utils.safestring import mark_safe

    if getattr(alarm, "kind", None) == "offline":
        return mark_safe('<span class="badge bg-secondary text-white">离线</span>')
    return warning_badge(alarm.level)


@register.simple_tag(takes_context=True)
def page_numbers(context, page_obj):
    """Numbered pages for any paginated list (with or without a table): the elided range
    (1 … 4 5 [6] 7 8 … 20) and the list's query string without ``page``/``export``."""
    if page_obj is None:
        return {"range": [], "querystring": ""}
    rng = context.get("page_range") or page_obj.paginator.get_elided_page_range(page_obj.number, on_each_side=2,
                                                                              on_ends=1)
    qs = context.get("querystring")
    if qs is None:
        request = context.get("request")
        q = request.GET.copy() if request is not None else None
        if q is not None:
            q.pop("page", None)
            q.pop("export", None)
        qs = q.urlencode() if q is not None else ""
    return {"range": list(rng), "querystring": qs}
