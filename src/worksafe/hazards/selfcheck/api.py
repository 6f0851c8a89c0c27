"""API of self-inspection and the enterprises' reports: list, detail and create (filing) of
self-inspections, periodic statistical analyses and monthly dual reports.

Lists and details start from ``visible_to(user)``; creation goes through the services of
:mod:`.services`, which let only the enterprise's own users file (others: 403) and compute the
figures themselves (the client sends only what a person writes and signs).
"""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from worksafe.core.api import ScopedViewSetMixin, visible_or_400
from worksafe.enterprises.models import Enterprise

from . import services
from .filters import DualReportFilter, PeriodicFilter, SelfInspectionFilter
from .models import Checklist, DualReport, PeriodicReport, SelfInspection


class SelfInspectionSerializer(serializers.ModelSerializer):
    failed = serializers.SerializerMethodField()

    class Meta:
        model = SelfInspection
        fields = ["id", "enterprise", "checklist", "performed_by", "performed_at", "results", "note", "failed"]

    def get_failed(self, obj) -> int:
        return services.failed_count(obj)


class SelfInspectionCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    checklist = serializers.PrimaryKeyRelatedField(queryset=Checklist.objects.all())
    results = serializers.DictField(
        child=serializers.DictField(),
        help_text="检查项id → {ok: true/false, note: 问题描述, location: 部位/场所};每项必填,发现问题时 note、location 必填")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=300)


class PeriodicReportSerializer(serializers.ModelSerializer):
    late = serializers.BooleanField(read_only=True)

    class Meta:
        model = PeriodicReport
        fields = ["id", "enterprise", "period", "year", "quarter", "stats", "analysis", "principal_signature",
                  "due_on", "submitted_by", "submitted_at", "late"]


class PeriodicReportCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    period = serializers.ChoiceField(choices=PeriodicReport.Period.choices)
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(required=False, allow_null=True, default=None)
    analysis = serializers.CharField(required=False, allow_blank=True, default="")
    principal_signature = serializers.CharField(help_text="主要负责人签字(姓名)")


class DualReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DualReport
        fields = ["id", "enterprise", "year", "month", "risk_state", "hazard_state", "note", "principal_signature",
                  "submitted_by", "submitted_at"]


class DualReportCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    year = serializers.IntegerField()
    month = serializers.IntegerField()
    note = serializers.CharField(required=False, allow_blank=True, default="")
    principal_signature = serializers.CharField(help_text="主要负责人签字(姓名)")


class _FilingViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """List and detail in scope; POST files one through ``file`` (the enterprise must be visible)."""

    create_serializer = None

    def file(self, request, enterprise, d):
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        s = self.create_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        enterprise = visible_or_400(Enterprise.objects.visible_to(request.user), d.pop("enterprise").pk, "enterprise")
        obj = self.file(request, enterprise, d)
        return Response(self.get_serializer(obj).data, status=201)


class SelfInspectionViewSet(_FilingViewSet):
    """Self-inspections. POST records one against a checklist; each failed item becomes a hazard
    (photos of an item: multipart files named ``item_<item id>``)."""

    queryset = SelfInspection.objects.all()
    serializer_class = SelfInspectionSerializer
    create_serializer = SelfInspectionCreateSerializer
    select_related = ("enterprise", "checklist")
    filterset_class = SelfInspectionFilter

    def file(self, request, enterprise, d):
        files = {key.removeprefix("item_"): request.FILES.getlist(key) for key in request.FILES
                 if key.startswith("item_")}
        return services.run_self_inspection(request.user, enterprise, d["checklist"], d["results"], files=files,
                                            note=d["note"])

    @extend_schema(request=SelfInspectionCreateSerializer, responses={201: SelfInspectionSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class PeriodicReportViewSet(_FilingViewSet):
    """Quarterly/yearly statistical analyses (隐患排查治理统计分析). POST files one (the figures are
    computed; signed by the principal)."""

    queryset = PeriodicReport.objects.all()
    serializer_class = PeriodicReportSerializer
    create_serializer = PeriodicReportCreateSerializer
    select_related = ("enterprise",)
    filterset_class = PeriodicFilter

    def file(self, request, enterprise, d):
        return services.file_periodic(request.user, enterprise, **d)

    @extend_schema(request=PeriodicReportCreateSerializer, responses={201: PeriodicReportSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)


class DualReportViewSet(_FilingViewSet):
    """Monthly dual reports (双报告). POST files the month's report (computed; signed by the principal)."""

    queryset = DualReport.objects.all()
    serializer_class = DualReportSerializer
    create_serializer = DualReportCreateSerializer
    select_related = ("enterprise",)
    filterset_class = DualReportFilter

    def file(self, request, enterprise, d):
        return services.file_dual(request.user, enterprise, **d)

    @extend_schema(request=DualReportCreateSerializer, responses={201: DualReportSerializer})
    def create(self, request, *args, **kwargs):
        return super().create(request, *args, **kwargs)
