"""Filtersets of the inspection lists, used by the pages and the API (``filterset_class``)."""

import django_filters

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department, Division, Sector

from .models import Batch, EnforcementAction, Finding, Inspection, InspectionDocument, InspectionItem


class InspectionFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label="状态", choices=Inspection.State.choices)
    kind = django_filters.ChoiceFilter(label="检查方式", choices=Inspection.Kind.choices)
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    department = django_filters.ModelChoiceFilter(label="检查部门", queryset=Department.objects.all())
    batch = django_filters.ModelChoiceFilter(label="批次", queryset=lambda request: Batch.objects.visible_to(
        getattr(request, "user", None)))
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")

    class Meta:
        model = Inspection
        fields = ["q", "state", "kind", "township", "department", "batch", "enterprise"]


class ActionFilter(FilterSet):
    category = django_filters.ChoiceFilter(label="类别", choices=EnforcementAction.Category.choices)
    kind = django_filters.ChoiceFilter(label="措施/处罚", choices=EnforcementAction.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=EnforcementAction.State.choices)
    inspection = django_filters.NumberFilter(label="检查编号", field_name="inspection_id")

    class Meta:
        model = EnforcementAction
        fields = ["category", "kind", "state", "inspection"]


class ItemFilter(FilterSet):
    department = django_filters.ModelChoiceFilter(label="检查部门", queryset=Department.objects.all())
    sector = django_filters.ModelChoiceFilter(label="行业领域", queryset=Sector.objects.all())
    enterprise = django_filters.NumberFilter(label="适用企业编号", method="for_enterprise")

    class Meta:
        model = InspectionItem
        fields = ["department", "sector"]


    def for_enterprise(self, queryset, name, value):
        """The items that apply to an enterprise the user may see: those of its sectors and those of
        every sector (an enterprise outside the scope gives only the latter)."""
        from django.db.models import Q

        from worksafe.enterprises.models import Enterprise

        user = getattr(self.request, "user", None)
        ents = Enterprise.objects.visible_to(user) if user is not None and user.is_authenticated else Enterprise.objects.none()
        sectors = ents.filter(pk=value).values("sectors")
        return queryset.filter(Q(sector__isnull=True) | Q(sector__in=sectors))


def _hidden(model, label):
    from django import forms

    return django_filters.ModelChoiceFilter(label=label, queryset=model.objects.all(), widget=forms.HiddenInput)


class BatchFilter(FilterSet):
    plan = django_filters.NumberFilter(label="年度计划", field_name="plan_id")
    state = django_filters.ChoiceFilter(label="状态", choices=Batch._meta.get_field("state").choices)
    cross_region = django_filters.BooleanFilter(label="异地交叉")
    covert = django_filters.BooleanFilter(label="暗访")

    class Meta:
        model = Batch
        fields = ["plan", "state", "cross_region", "covert"]


class FindingFilter(FilterSet):
    inspection = django_filters.NumberFilter(label="检查", field_name="inspection_id")
    result = django_filters.ChoiceFilter(label="结果", choices=Finding._meta.get_field("result").choices)

    class Meta:
        model = Finding
        fields = ["inspection", "result"]


class DocumentFilter(FilterSet):
    inspection = django_filters.NumberFilter(label="检查", field_name="inspection_id")
    kind = django_filters.ChoiceFilter(label="文书", choices=InspectionDocument._meta.get_field("kind").choices)
    year = django_filters.NumberFilter(label="年度")

    class Meta:
        model = InspectionDocument
        fields = ["inspection", "kind", "year"]
