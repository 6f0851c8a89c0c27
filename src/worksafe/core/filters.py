"""The filterset base every list uses, page and API alike (one filterset per list, in the
app's ``filters.py``; the page view names it as ``filterset_class``, so does the viewset).

Input that cannot be valid (a non-numeric or out-of-range id, a number beyond what the
database stores) is a validation error of the form: the API answers 400 with the field's
message (DRF's ``DjangoFilterBackend``), the page answers 400 and shows it at the filter,
never a 500 from the database."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django_filters import rest_framework as drf_filters

#: what any database here stores in an integer column (SQLite's and PostgreSQL's bigint)
INT_MIN, INT_MAX = -(2**63), 2**63 - 1
YES_NO = [("", "全部"), ("true", "是"), ("false", "否")]


def bootstrap(form):
    """Give every widget of ``form`` Tabler's classes."""
    for f in form.fields.values():
        w = f.widget
        if isinstance(w, (forms.Select, forms.SelectMultiple)):
            w.attrs.setdefault("class", "form-select")
        elif isinstance(w, forms.CheckboxInput):
            w.attrs.setdefault("class", "form-check-input")
        else:
            w.attrs.setdefault("class", "form-control")
    return form


def _integer_key(field: forms.ModelChoiceField) -> bool:
    model = field.queryset.model
    key = model._meta.get_field(field.to_field_name) if field.to_field_name else model._meta.pk
    return isinstance(key, (models.IntegerField, models.AutoField))


def _error(template: str, code: str, **params) -> ValidationError:
    """A validation error quoting the caller's input through ``params`` (never in the template:
    the message is %-formatted, so a ``%`` typed by the caller would break it)."""
    return ValidationError(template, code=code, params={k: str(v)[:40] for k, v in params.items()})


def _check_id(value, label: str):
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        raise _error("%(label)s:“%(value)s”不是有效的编号(应为整数)。", "invalid_id", label=label, value=value) from None
    if not INT_MIN <= n <= INT_MAX:
        raise _error("%(label)s:编号“%(value)s”超出范围。", "invalid_id", label=label, value=value)


def _guard(name: str, field: forms.Field) -> None:
    """Refuse, as a validation error, what would make the database fail: ids that are not
    integers or too large for a bigint, numbers out of the integer range."""
    label = str(field.label or name)
    original = field.clean
    if isinstance(field, forms.ModelChoiceField) and _integer_key(field):
        def clean(value):
            values = value if isinstance(value, (list, tuple)) else [value]
            for v in values:
                if v not in field.empty_values:
                    _check_id(v, label)
            return original(value)
    elif isinstance(field, (forms.IntegerField, forms.DecimalField, forms.FloatField)):
        def clean(value):
            v = original(value)
            if v is not None and not INT_MIN <= v <= INT_MAX:
                raise _error("%(label)s:“%(value)s”超出范围。", "out_of_range", label=label, value=value)
            return v
    else:
        return
    field.clean = clean


class SelectOne(forms.Select):
    """A single select for a filter that accepts several values in the query string
    (``?sectors=1&sectors=2``): the page offers one, the API takes many."""

    allow_multiple_selected = False

    def value_from_datadict(self, data, files, name):
        getter = getattr(data, "getlist", None)
        return getter(name) if getter else data.get(name)


BOOLEAN_WORDS = {"true", "false", "True", "False", "1", "0", "unknown"}


def _strict(name: str, field: forms.Field, data, api: bool) -> None:
    """A yes/no filter takes ``true``/``false`` (``1``/``0``), nothing else: ``listed=maybe`` is a
    400, not a silently ignored filter. On the API a parameter that is present but empty is refused
    too (except text searches): the schema says what each parameter holds, and ``""`` is none of
    those; the page's form sends empty fields for "all", so there it means no filter."""
    label = str(field.label or name)
    boolean = isinstance(field, forms.NullBooleanField) or isinstance(field.widget, django_filters.widgets.BooleanWidget)
    text = isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField)
    if not boolean and (text or not api):
        return
    original = field.clean

    def clean(value):
        raw = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        raw = [r for r in raw if r is not None]
        if api and raw and any(r == "" for r in raw) and not text:
            raise _error("%(label)s:参数为空;不筛选时请不要传该参数。", "empty", label=label)
        if boolean and any(r not in BOOLEAN_WORDS for r in raw if r != ""):
            raise _error("%(label)s:应为 true 或 false。", "invalid_boolean", label=label)
        return original(value)

    field.clean = clean


class FilterSet(drf_filters.FilterSet):
    """django-filter's FilterSet (its REST flavour: booleans read ``true``/``false``) with
    Tabler widgets, guarded ids and strict yes/no values."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        if request is not None:
            self._narrow_choices(getattr(request, "user", None))
        api = request is not None and request.path.startswith("/api/")
        for name, field in self.form.fields.items():
            _guard(name, field)
            _strict(name, field, self.data, api)
            if isinstance(field.widget, django_filters.widgets.BooleanWidget):
                field.widget.choices = YES_NO
        bootstrap(self.form)

    def _narrow_choices(self, user) -> None:
        """A choice of rows (an enterprise, a sensor …) offers, and accepts, only the rows the
        user may see: the page's select never lists a row outside the scope, and an id outside
        it is refused like an id that does not exist."""
        for name, f in self.filters.items():
            if not isinstance(f, (django_filters.ModelChoiceFilter, django_filters.ModelMultipleChoiceFilter)):
                continue
            field = self.form.fields.get(name)
            qs = getattr(field, "queryset", None)
            if qs is None or not hasattr(qs.model.objects.all(), "visible_to"):
                continue
            narrowed = qs.filter(pk__in=qs.model.objects.visible_to(user).values("pk"))
            field.queryset = narrowed
            if hasattr(field.widget, "choices"):
                field.widget.choices = field.choices

    def error_text(self) -> str:
        """All the form's errors as one Chinese sentence (the 400 page shows it)."""
        parts = []
        for name, errs in self.form.errors.items():
            for e in errs:
                parts.append(e if name == "__all__" or str(e).startswith(str(self.form.fields[name].label))
                             else f"{self.form.fields[name].label}:{e}")
        return "；".join(parts)


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
