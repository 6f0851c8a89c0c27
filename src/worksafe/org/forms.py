from django import forms

from worksafe.core.filters import BootstrapFormMixin

from .models import Department, Division


class DivisionForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Division
        fields = ["code", "name", "level", "parent", "latitude", "longitude"]


class DepartmentForm(BootstrapFormMixin, forms.ModelForm):
    class Meta:
        model = Department
        fields = ["name", "short_name", "aliases", "kind", "division", "order", "active"]
        widgets = {"aliases": forms.Textarea(attrs={"rows": 3})}
