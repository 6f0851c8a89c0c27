"""The county report's API: list and read reports (with their figures), generate one, check one
by regeneration, publish one (``POST {id}/step/``)."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedViewSetMixin, visible_or_400
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.plans.models import Plan

from . import services
from .filters import ReportFilter
from .models import Report, ReportCheck


class ReportCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReportCheck
        fields = ["id", "checksum", "same", "differences", "checked_by", "checked_at"]


class ReportSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.REPORT)
    docx_url = serializers.SerializerMethodField()
    xlsx_url = serializers.SerializerMethodField()

    class Meta:
        model = Report
        exclude = ["docx", "xlsx"]

    def get_docx_url(self, obj) -> str:
        return reverse("reporting:report_docx", args=[obj.pk])

    def get_xlsx_url(self, obj) -> str:
        return reverse("reporting:report_xlsx", args=[obj.pk])


class GenerateSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=Report.Kind.choices, default=Report.Kind.YEARLY)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    as_of = serializers.DateField(required=False, help_text="不填则取方案规定的日期")
    remarks = serializers.CharField(required=False, allow_blank=True, max_length=20000, default="")


class ReportViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    """County reports (county office and leaders). POST generates one as of a date (county office);
    POST …/check/ regenerates its figures and compares; POST …/step/ publishes (定稿)."""

    queryset = Report.objects.all()
    serializer_class = ReportSerializer
    lifecycle = services.REPORT
    select_related = ("plan",)
    filterset_class = ReportFilter

    @extend_schema(request=GenerateSerializer, responses={201: ReportSerializer})
    def create(self, request, *args, **kwargs):
        s = GenerateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        plan = visible_or_400(Plan.objects.visible_to(request.user), d["plan"], "plan")
        report = services.generate(request.user, plan=plan, kind=d["kind"], year=d.get("year"),
                                   as_of=d.get("as_of"), remarks=d["remarks"])
        return Response(self.get_serializer(report).data, status=201)

    @extend_schema(request=None, responses=ReportCheckSerializer)
    @action(detail=True, methods=["post"])
    def check(self, request, pk=None):
        """Regenerate the figures as of the report's date; ``same`` says whether the checksum matches."""
        c = services.check(request.user, get_object_or_404(self.get_queryset(), pk=pk))
        return Response(ReportCheckSerializer(c).data)


def register(router):
    router.register("reports", ReportViewSet)
