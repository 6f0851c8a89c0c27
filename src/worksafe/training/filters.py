"""Filtersets of the training lists, used by the pages and the API (``filterset_class``)."""

import django_filters

from worksafe.core.filters import FilterSet
from worksafe.org.models import Department, Division, Sector

from .models import Attendance, Audience, Certificate, TrainingSession


class SessionFilter(FilterSet):
    q = django_filters.CharFilter(label="主题", field_name="topic", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label="状态", choices=TrainingSession.State.choices)
    organiser = django_filters.ModelChoiceFilter(label="组织单位", queryset=Department.objects.all())
    audience = django_filters.ChoiceFilter(label="培训对象", choices=Audience.choices, method="for_audience")
    township = django_filters.ModelChoiceFilter(label="面向乡镇", queryset=Division.objects.filter(
        level=Division.Level.TOWNSHIP))
    sector = django_filters.ModelChoiceFilter(label="面向行业领域", queryset=Sector.objects.all())
    year = django_filters.NumberFilter(label="年度", field_name="starts_on", lookup_expr="year",
                                       min_value=1900, max_value=9999)

    class Meta:
        model = TrainingSession
        fields = ["q", "state", "organiser", "audience", "township", "sector", "year"]

    def for_audience(self, queryset, name, value):
        from .models import AUDIENCE_FIELD

        return queryset.filter(**{AUDIENCE_FIELD[value]: True})


class AttendanceFilter(FilterSet):
    q = django_filters.CharFilter(label="姓名", field_name="name", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label="人员类别", choices=Audience.choices)
    session = django_filters.NumberFilter(label="培训班次编号", field_name="session_id")
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")
    unit = django_filters.ModelChoiceFilter(label="所在单位", queryset=Department.objects.all())
    confirmed = django_filters.BooleanFilter(label="已确认")
    year = django_filters.NumberFilter(label="年度", field_name="session__starts_on", lookup_expr="year",
                                       min_value=1900, max_value=9999)

    class Meta:
        model = Attendance
        fields = ["q", "kind", "session", "enterprise", "unit", "confirmed", "year"]


class CertificateFilter(FilterSet):
    q = django_filters.CharFilter(label="持证人", field_name="holder", lookup_expr="icontains")
    kind = django_filters.ChoiceFilter(label="类别", choices=Certificate.Kind.choices)
    expiry = django_filters.ChoiceFilter(label="有效期", method="by_expiry",
                                         choices=[("expired", "已过期"), ("expiring", "即将到期"), ("valid", "有效")])
    enterprise = django_filters.NumberFilter(label="企业编号", field_name="enterprise_id")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=Division.objects.filter(level=Division.Level.TOWNSHIP))
    confirmed = django_filters.BooleanFilter(label="已核实")

    class Meta:
        model = Certificate
        fields = ["q", "kind", "expiry", "enterprise", "township", "confirmed"]

    def by_expiry(self, queryset, name, value):
        import datetime

        from django.utils import timezone

        today = timezone.localdate()
        warn = today + datetime.timedelta(days=Certificate.warn_days())
        if value == "expired":
            return queryset.filter(valid_until__lt=today)
        if value == "expiring":
            return queryset.filter(valid_until__gte=today, valid_until__lte=warn)
        return queryset.filter(valid_until__gt=warn)
