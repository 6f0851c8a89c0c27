"""Choosing one row among many by typing (docs/pages.md, "Pickers").

A ``<select>`` of every enterprise (or person) the user sees makes a page grow with the register:
at province scale a list page of 50 rows carried 600 KB of options. A :class:`PickerField` renders a
text input and an empty ``<datalist>`` instead; ``site.js`` fills the list as the user types from
``/pick/<key>/?q=`` (:class:`PickView`, at most ``PICK_LIMIT`` matches from the rows the user sees).
Without JavaScript the user types the full name or code. The field resolves what was typed against
its own queryset (the view sets it from ``visible_to``, as for a select), so a row outside the scope
is refused like one that does not exist.

What can be picked is registered by the app that owns the rows (``core.registry.register_picker``);
core knows no domain model.
"""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.html import format_html
from django.views import View

from .registry import PICK_LIMIT, PICKERS

#: a row's id typed as text (at most 18 digits: always within a 64-bit key)
ID_TEXT = re.compile(r"^\d{1,18}$")


def _picker(key: str):
    try:
        return PICKERS[key]
    except KeyError:
        raise LookupError(f"no picker registered as {key!r}") from None


class PickerInput(forms.TextInput):
    """A text input with its ``<datalist>``, filled from the picker's search as the user types."""

    def __init__(self, key: str, attrs=None):
        super().__init__(attrs)
        self.key = key

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        a = ctx["widget"]["attrs"]
        list_id = f"{a.get('id') or name}-options"
        p = _picker(self.key)
        a.update({"list": list_id, "autocomplete": "off", "data-pick-url": reverse("core:pick", args=[self.key])})
        a.setdefault("placeholder", p.placeholder or f"输入{p.label}名称查找")
        ctx["list_id"] = list_id
        return ctx

    def render(self, name, value, attrs=None, renderer=None):
        ctx = self.get_context(name, value, attrs)
        html = self._render(self.template_name, ctx, renderer)
        return format_html('{}<datalist id="{}"></datalist>', html, ctx["list_id"])


class PickerField(forms.ModelChoiceField):
    """One row of ``queryset`` chosen by typing: the picker's text of a row (what the list offers),
    a full name or code the picker recognises, or the row's id (the API, a link)."""

    default_error_messages = {
        "invalid_choice": "未找到%(what)s“%(value)s”,或不在您的权限范围内。请输入名称后从候选中选择。",
        "ambiguous": "有多个%(what)s与“%(value)s”相符,请从候选中选择(或输入统一社会信用代码等完整信息)。",
    }

    def __init__(self, key: str, queryset=None, **kwargs):
        self.picker_key = key
        kwargs.setdefault("widget", PickerInput(key))
        super().__init__(queryset, **kwargs)

    @property
    def picker(self):
        return _picker(self.picker_key)

    def _refuse(self, code: str, value):
        raise ValidationError(self.error_messages[code], code=code,
                              params={"what": self.picker.label, "value": str(value)[:40]})

    def to_python(self, value):
        if value in self.empty_values:
            return None
        qs = self.queryset
        if isinstance(value, qs.model):
            value = value.pk
        text = str(value).strip()
        if not text:
            return None
        if ID_TEXT.match(text):
            obj = qs.filter(pk=int(text)).first() if int(text) < 2**63 else None
            if obj is not None:
                return obj
        matches = list(self.picker.exact(qs, text)[:2])
        if len(matches) == 1:
            return matches[0]
        self._refuse("ambiguous" if matches else "invalid_choice", text)

    def prepare_value(self, value):
        """How the input shows the value: a row (or its id) as the picker's text, what was typed as typed."""
        if value in self.empty_values:
            return ""
        if hasattr(value, "_meta"):
            return self.picker.text(value)
        if isinstance(value, int) or (isinstance(value, str) and ID_TEXT.match(value)):
            obj = self.queryset.filter(pk=int(value)).first() if self.queryset is not None else None
            return self.picker.text(obj) if obj is not None else str(value)
        return value

    def has_changed(self, initial, data):
        return str(self.prepare_value(initial)) != str(data or "")


class PickView(View):
    """``/pick/<key>/?q=``: at most ``PICK_LIMIT`` rows the user may pick that ``q`` finds, as JSON
    ``{"results": [{"id": …, "text": …}]}`` (the text is what the input takes)."""

    def get(self, request, key):
        p = PICKERS.get(key)
        if p is None:
            raise Http404("未知的选择类型")
        q = (request.GET.get("q") or "").replace("\x00", "").strip()[:100]
        rows = list(p.search(p.rows(request.user), q)[:PICK_LIMIT]) if q else []
        return JsonResponse({"results": [{"id": r.pk, "text": p.text(r)} for r in rows]},
                            json_dumps_params={"ensure_ascii": False})
