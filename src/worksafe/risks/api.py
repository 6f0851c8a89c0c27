from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, visible_or_400

from . import services
from .filters import (
    AssessmentFilter,
    DiagnosisFilter,
    ProjectFilter,
    RiskPointFilter,
    SourceFilter,
    SubstanceFilter,
)
from .models import (
    Diagnosis,
    HazardSubstance,
    MajorHazardSource,
    Project,
    RiskAssessment,
    RiskPoint,
    VetoRule,
)


class RiskPointSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskPoint
        fields = "__all__"
        read_only_fields = ["level"]


class AssessmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = RiskAssessment
        fields = "__all__"


class AssessInputSerializer(serializers.Serializer):
    method = serializers.ChoiceField(choices=RiskAssessment.Method.choices)
    l = serializers.DecimalField(max_digits=6, decimal_places=2)  # noqa: E741
    e = serializers.DecimalField(max_digits=6, decimal_places=2, required=False, allow_null=True)
    c = serializers.DecimalField(max_digits=6, decimal_places=2, help_text="LEC的C,或风险矩阵的S")
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SubstanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardSubstance
        fields = "__all__"
        read_only_fields = ["critical_t", "critical_basis"]


class SourceSerializer(serializers.ModelSerializer):
    substances = SubstanceSerializer(many=True, read_only=True)

    class Meta:
        model = MajorHazardSource
        fields = "__all__"
        read_only_fields = ["s_value", "is_major", "alpha", "r_value", "grade", "level", "rules_version",
                            "assessed_at"]


class DiagnosisSerializer(serializers.ModelSerializer):
    class Meta:
        model = Diagnosis
        fields = "__all__"


class ProjectSerializer(serializers.ModelSerializer):
    processes = serializers.ListField(child=serializers.CharField(), write_only=True)
    process_list = serializers.SerializerMethodField()

    class Meta:
        model = Project
        fields = ["id", "name", "enterprise", "township", "processes", "process_list", "state", "veto_rule",
                  "veto_reason", "checked_by", "checked_at"]
        read_only_fields = ["state", "veto_rule", "veto_reason", "checked_by", "checked_at"]

    def get_process_list(self, obj) -> list[str]:
        return obj.processes.splitlines()


class VetoRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = VetoRule
        fields = "__all__"


class EnterpriseChildCreateMixin(mixins.CreateModelMixin):
    """Create a child row of an enterprise the user may write to."""

    def perform_create(self, serializer):
        from worksafe.core.scoping import require_write

        require_write(self.request.user, serializer.validated_data["enterprise"], "您不能修改该企业的档案。")
        serializer.save()


class RiskPointViewSet(ScopedViewSetMixin, EnterpriseChildCreateMixin, viewsets.ReadOnlyModelViewSet):
    queryset = RiskPoint.objects.all()
    serializer_class = RiskPointSerializer
    filterset_class = RiskPointFilter

    @extend_schema(request=AssessInputSerializer, responses=AssessmentSerializer)
    @action(detail=True, methods=["post"])
    def assess(self, request, pk=None):
        point = get_object_or_404(self.get_queryset(), pk=pk)
        s = AssessInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        a = services.assess_risk_point(point, request.user, method=d["method"], l=d["l"], e=d.get("e"), c=d["c"],
                                       note=d["note"])
        return Response(AssessmentSerializer(a).data, status=201)


class AssessmentViewSet(ScopedReadOnlyViewSet):
    queryset = RiskAssessment.objects.all()
    serializer_class = AssessmentSerializer
    filterset_class = AssessmentFilter


class SourceViewSet(ScopedViewSetMixin, EnterpriseChildCreateMixin, viewsets.ReadOnlyModelViewSet):
    queryset = MajorHazardSource.objects.all()
    serializer_class = SourceSerializer
    prefetch_related = ("substances",)
    filterset_class = SourceFilter

    @extend_schema(request=None, responses=SourceSerializer)
    @action(detail=True, methods=["post"])
    def grade(self, request, pk=None):
        source = get_object_or_404(self.get_queryset(), pk=pk)
        services.grade_source(source, request.user)
        return Response(SourceSerializer(MajorHazardSource.objects.get(pk=source.pk)).data)


class SubstanceViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    queryset = HazardSubstance.objects.all()
    serializer_class = SubstanceSerializer
    filterset_class = SubstanceFilter

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        source = visible_or_400(MajorHazardSource.objects.visible_to(request.user), d.pop("source").pk, "source")
        obj = services.add_substance(source, request.user, **d)
        return Response(self.get_serializer(obj).data, status=201)


class DiagnosisViewSet(ScopedReadOnlyViewSet):
    queryset = Diagnosis.objects.all()
    serializer_class = DiagnosisSerializer
    filterset_class = DiagnosisFilter


class ProjectViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """POST checks a project against the veto rules and records the conclusion."""

    queryset = Project.objects.all()
    serializer_class = ProjectSerializer
    filterset_class = ProjectFilter

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        p = services.check_project(request.user, name=d["name"], township=d["township"], processes=d["processes"],
                                   enterprise=d.get("enterprise"))
        return Response(self.get_serializer(p).data, status=201)


class VetoRuleViewSet(ScopedReadOnlyViewSet):
    queryset = VetoRule.objects.all()
    serializer_class = VetoRuleSerializer


def register(router):
    router.register("risk-points", RiskPointViewSet)
    router.register("risk-assessments", AssessmentViewSet)
    router.register("major-hazard-sources", SourceViewSet)
    router.register("hazard-substances", SubstanceViewSet)
    router.register("diagnoses", DiagnosisViewSet)
    router.register("projects", ProjectViewSet)
    router.register("veto-rules", VetoRuleViewSet)
