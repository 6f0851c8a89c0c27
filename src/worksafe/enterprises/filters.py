"""The filtersets of the register's lists, shared by the pages and the API."""

import django_filters
from django.db.models import Q
from django.utils.choices import CallableChoiceIterator

from worksafe.core.filters import FilterSet, SelectOne
from worksafe.org.models import Division, Sector

from .models import ChangeRequest, Enterprise, Facility, GatheringPlace, Licence, SafetyManager


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP)


class EnterpriseFilter(FilterSet):
    q = django_filters.CharFilter(label="名称或信用代码", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", queryset=_townships())
    # one on the page; the API takes several (?sectors=1&sectors=2: any of them)
    sectors = django_filters.ModelMultipleChoiceFilter(label="行业领域", queryset=Sector.objects.all(),
                                                       widget=SelectOne)
    status = django_filters.ChoiceFilter(label="状态", choices=Enterprise.Status.choices)
    risk_level = django_filters.ChoiceFilter(label="风险等级", choices=Enterprise._meta.get_field(
        "risk_level").choices)

    class Meta:
        model = Enterprise
        fields = ["q", "township", "sectors", "status", "risk_level"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.form.fields["sectors"]
        field.widget.choices = CallableChoiceIterator(lambda: [("", "---------"), *field.choices])

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(credit_code__icontains=value)) if value else qs


class ChangeRequestFilter(FilterSet):
    """``state=all`` (or none, in the API) is every state; the page's default is 待审核."""

    state = django_filters.ChoiceFilter(label="状态", choices=[*ChangeRequest.State.choices, ("all", "全部")],
                                        method="by_state")

    class Meta:
        model = ChangeRequest
        fields = ["enterprise", "state"]

    def by_state(self, qs, name, value):
        return qs if value == "all" else qs.filter(state=value)


class GatheringPlaceFilter(FilterSet):
    q = django_filters.CharFilter(label="名称", field_name="name", lookup_expr="icontains")
    township = django_filters.ModelChoiceFilter(label="乡镇", queryset=_townships())
    kind = django_filters.ChoiceFilter(label="类型", choices=GatheringPlace.Kind.choices)

    class Meta:
        model = GatheringPlace
        fields = ["q", "township", "kind"]


class SafetyManagerFilter(FilterSet):
    class Meta:
        model = SafetyManager
        fields = ["enterprise"]


class LicenceFilter(FilterSet):
    class Meta:
        model = Licence
        fields = ["enterprise", "kind"]


class FacilityFilter(FilterSet):
    class Meta:
        model = Facility
        fields = ["enterprise", "kind"]
