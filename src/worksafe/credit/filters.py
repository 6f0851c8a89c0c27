"""Filtersets of the credit lists, used by the pages and the API (``filterset_class``)."""

import django_filters

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department, Division

from .models import Accountability, ClueTransfer, Commitment, Listing

_TOWNSHIPS = Division.objects.filter(level=Division.Level.TOWNSHIP)


class CommitmentFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    day = django_filters.DateFilter(label="日期")
    township = django_filters.ModelChoiceFilter(
        label="乡镇", field_name="enterprise__township", queryset=_TOWNSHIPS
    )
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")

    class Meta:
        model = Commitment
        fields = ["q", "day", "township", "enterprise"]


class ListingFilter(FilterSet):
    q = django_filters.CharFilter(label="企业", field_name="enterprise__name", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label="状态", choices=Listing.State.choices)
    condition = django_filters.ChoiceFilter(
        label="列入情形", choices=Listing._meta.get_field("condition").choices
    )
    department = django_filters.ModelChoiceFilter(label="决定部门", queryset=Department.objects.all())
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")

    class Meta:
        model = Listing
        fields = ["q", "state", "condition", "department", "enterprise"]


class AccountabilityFilter(FilterSet):
    kind = django_filters.ChoiceFilter(label="方式", choices=Accountability.Kind.choices)
    state = django_filters.ChoiceFilter(label="状态", choices=Accountability.State.choices)
    unit = django_filters.ModelChoiceFilter(label="对象单位", queryset=Department.objects.all())
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")

    class Meta:
        model = Accountability
        fields = ["kind", "state", "unit", "enterprise"]


class ClueFilter(FilterSet):
    state = django_filters.ChoiceFilter(label="状态", choices=ClueTransfer.State.choices)
    unit = django_filters.ModelChoiceFilter(label="涉及单位", queryset=Department.objects.all())

    class Meta:
        model = ClueTransfer
        fields = ["state", "unit"]
