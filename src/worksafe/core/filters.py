import django_filters
from django import forms


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


class FilterSet(django_filters.FilterSet):
    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, request=request, **kwargs)
        bootstrap(self.form)


class BootstrapFormMixin:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        bootstrap(self)
