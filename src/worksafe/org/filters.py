"""The filtersets of the org lists, shared by the pages and the API."""

import django_filters
from django import forms

from worksafe.core.filters import FilterSet

from .models import Department, Division, User


class DivisionFilter(FilterSet):
    q = django_filters.CharFilter(label="名称或代码", method="search")
    level = django_filters.ChoiceFilter(label="级别", choices=Division.Level.choices)
    parent = django_filters.ModelChoiceFilter(label="上级", queryset=Division.objects.all(),
                                              widget=forms.HiddenInput)
    code = django_filters.CharFilter(label="区划代码", widget=forms.HiddenInput)

    class Meta:
        model = Division
        fields = ["q", "level", "parent", "code"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value) | qs.filter(code__startswith=value)


class DepartmentFilter(FilterSet):
    q = django_filters.CharFilter(label="名称", method="search")
    kind = django_filters.ChoiceFilter(label="类型", choices=Department.Kind.choices)
    division = django_filters.ModelChoiceFilter(label="区划", queryset=Division.objects.all())
    active = django_filters.BooleanFilter(label="在用")

    class Meta:
        model = Department
        fields = ["q", "kind", "division", "active"]

    def search(self, qs, name, value):
        return qs.filter(name__icontains=value) | qs.filter(aliases__icontains=value) | qs.filter(
            short_name__icontains=value)


class UserFilter(FilterSet):
    q = django_filters.CharFilter(label="姓名或用户名", method="search")

    class Meta:
        model = User
        fields = ["q"]

    def search(self, qs, name, value):
        return qs.filter(username__icontains=value) | qs.filter(display_name__icontains=value)
