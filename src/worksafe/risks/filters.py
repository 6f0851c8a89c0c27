"""The filtersets of the risk lists (the map, 一张表, risk points, major hazard sources,
projects), shared by the pages and the API."""

import datetime

import django_filters
from django import forms
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from worksafe.core.filters import FilterSet
from worksafe.enterprises.models import LEVEL_CHOICES, Enterprise, Licence
from worksafe.org.models import Division, Sector
from worksafe.standards.levels import Level

from .models import Diagnosis, HazardSubstance, MajorHazardSource, Project, RiskAssessment, RiskPoint

#: not a level: the colour of an enterprise not yet graded (a neutral grey)
UNRATED = {"key": "none", "value": None, "label": "未评定", "colour_name": "灰", "hex": "#868e96"}


def _townships():
    return Division.objects.filter(level=Division.Level.TOWNSHIP)


class RiskMapFilter(FilterSet):
    """Sector, township, level: shared by the map, its data and the table."""

    sector = django_filters.ModelChoiceFilter(label="行业领域", field_name="sectors", queryset=Sector.objects.all(),
                                                empty_label="全部行业领域")
    township = django_filters.ModelChoiceFilter(
        label="乡镇", queryset=Division.objects.filter(level=Division.Level.TOWNSHIP), empty_label="全部乡镇")
    level = django_filters.ChoiceFilter(
        label="风险等级", method="filter_level", empty_label="全部等级",
        choices=[(str(lv.value), f"{lv.label}({lv.colour_name})") for lv in sorted(Level, reverse=True)]
        + [(UNRATED["key"], UNRATED["label"])])

    class Meta:
        model = Enterprise
        fields = ["sector", "township", "level"]

    def filter_level(self, qs, name, value):
        if value == UNRATED["key"]:
            return qs.filter(risk_level__isnull=True)
        return qs.filter(risk_level=int(value))


class RiskTableFilter(RiskMapFilter):
    q = django_filters.CharFilter(label="名称或信用代码", method="search")
    licence = django_filters.ChoiceFilter(label="证照", method="filter_licence", empty_label="全部",
                                          choices=[("expired", "有证照已过期"),
                                                   ("expiring", f"有证照{Licence.WARN_DAYS}天内到期")])
    major = django_filters.ChoiceFilter(label="重大危险源", method="filter_major", empty_label="全部",
                                        choices=[("yes", "有重大危险源"), ("no", "无重大危险源")])
    located = django_filters.ChoiceFilter(label="位置", method="filter_located", empty_label="全部",
                                          choices=[("yes", "已标注位置"), ("no", "未标注位置")])

    class Meta:
        model = Enterprise
        fields = ["q", "sector", "township", "level", "licence", "major", "located"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.form.order_fields(self.Meta.fields)

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(credit_code__icontains=value)) if value else qs

    def filter_licence(self, qs, name, value):
        today = timezone.localdate()
        if value == "expired":
            cond = Q(valid_to__lt=today)
        else:
            cond = Q(valid_to__gte=today, valid_to__lte=today + datetime.timedelta(days=Licence.WARN_DAYS))
        return qs.filter(Exists(Licence.objects.filter(cond, enterprise=OuterRef("pk"))))

    def filter_located(self, qs, name, value):
        located = Q(latitude__isnull=False, longitude__isnull=False)
        return qs.filter(located) if value == "yes" else qs.exclude(located)

    def filter_major(self, qs, name, value):
        has = Exists(MajorHazardSource.objects.filter(enterprise=OuterRef("pk"), is_major=True))
        return qs.filter(has) if value == "yes" else qs.exclude(has)


def _enterprise():
    """The enterprise a list is narrowed to (from an enterprise's page): a parameter, not a select."""
    return django_filters.ModelChoiceFilter(label="企业", queryset=Enterprise.objects.all(), widget=forms.HiddenInput)


class RiskPointFilter(FilterSet):
    q = django_filters.CharFilter(label="风险点或企业", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    level = django_filters.ChoiceFilter(label="风险等级", choices=LEVEL_CHOICES)
    control_level = django_filters.ChoiceFilter(label="管控层级", choices=RiskPoint.ControlLevel.choices)
    enterprise = _enterprise()

    class Meta:
        model = RiskPoint
        fields = ["q", "township", "level", "control_level", "enterprise"]

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value)) if value else qs


class SourceFilter(FilterSet):
    q = django_filters.CharFilter(label="单元或企业", method="search")
    township = django_filters.ModelChoiceFilter(label="乡镇", field_name="enterprise__township",
                                                queryset=_townships())
    is_major = django_filters.BooleanFilter(label="构成重大危险源")
    grade = django_filters.ChoiceFilter(label="级别", choices=MajorHazardSource.GRADE_CHOICES)
    enterprise = _enterprise()

    class Meta:
        model = MajorHazardSource
        fields = ["q", "township", "is_major", "grade", "enterprise"]

    def search(self, qs, name, value):
        value = value.strip()
        return qs.filter(Q(name__icontains=value) | Q(enterprise__name__icontains=value)) if value else qs


class ProjectFilter(FilterSet):
    q = django_filters.CharFilter(label="项目名称", field_name="name", lookup_expr="icontains")
    state = django_filters.ChoiceFilter(label="审查结论", choices=Project.State.choices)
    township = django_filters.ModelChoiceFilter(label="乡镇", queryset=_townships())
    enterprise = _enterprise()

    class Meta:
        model = Project
        fields = ["q", "state", "township", "enterprise"]


class AssessmentFilter(FilterSet):
    class Meta:
        model = RiskAssessment
        fields = ["risk_point", "method", "level"]


class SubstanceFilter(FilterSet):
    class Meta:
        model = HazardSubstance
        fields = ["source"]


class DiagnosisFilter(FilterSet):
    class Meta:
        model = Diagnosis
        fields = ["enterprise", "level"]
