"""The accident API: the register with its report chain and casualty changes, recording an accident
(POST) and every lifecycle step (POST {id}/step/ with the version last seen)."""

from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from worksafe.core.api import ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Division, Sector
from worksafe.standards import order493

from . import services
from .filters import AccidentFilter
from .models import Accident, CasualtyChange, ReportStep


class ReportStepSerializer(serializers.ModelSerializer):
    late = serializers.SerializerMethodField()

    class Meta:
        model = ReportStep
        fields = ["id", "level", "order", "due_at", "reported_at", "reported_by", "note", "late"]

    def get_late(self, obj) -> bool:
        return obj.is_late()


class CasualtyChangeSerializer(serializers.ModelSerializer):
    class Meta:
        model = CasualtyChange
        fields = [
            "id",
            "kind",
            "at",
            "deaths",
            "missing",
            "serious_injuries",
            "direct_loss_yuan",
            "previous",
            "grade_before",
            "grade_after",
            "within_window",
            "proposed",
            "note",
            "by",
        ]


class AccidentSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.ACCIDENT)
    report_steps = ReportStepSerializer(many=True, read_only=True)
    casualty_changes = CasualtyChangeSerializer(many=True, read_only=True)
    late = serializers.SerializerMethodField()
    supplement_until = serializers.DateTimeField(read_only=True)

    class Meta:
        model = Accident
        fields = "__all__"
        read_only_fields = [f.name for f in Accident._meta.fields]

    def get_late(self, obj) -> bool:
        now = timezone.now()
        return obj.state != Accident.State.WITHDRAWN and (
            any(s.is_late(now) for s in obj.report_steps.all()) or obj.is_investigation_overdue()
        )


class AccidentCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(
        queryset=Enterprise.objects.all(), required=False, allow_null=True
    )
    party = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    township = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP), required=False, allow_null=True
    )
    sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, allow_null=True
    )
    kind = serializers.ChoiceField(choices=Accident.Kind.choices)
    occurred_at = serializers.DateTimeField()
    known_at = serializers.DateTimeField(required=False, allow_null=True)
    unit_reported_at = serializers.DateTimeField(required=False, allow_null=True)
    place = serializers.CharField(max_length=200)
    deaths = serializers.IntegerField(min_value=0, max_value=order493.MAX_PERSONS, default=0)
    missing = serializers.IntegerField(min_value=0, max_value=order493.MAX_PERSONS, default=0)
    serious_injuries = serializers.IntegerField(min_value=0, max_value=order493.MAX_PERSONS, default=0)
    direct_loss_yuan = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, max_value=order493.MAX_LOSS_YUAN, default=0
    )
    description = serializers.CharField()
    causes = serializers.CharField(required=False, allow_blank=True, default="")
    measures = serializers.CharField(required=False, allow_blank=True, default="")
    concealed = serializers.BooleanField(default=False)
    falsely_reported = serializers.BooleanField(default=False)
    revealed_by = serializers.ChoiceField(
        choices=Accident.Revealed.choices, required=False, allow_blank=True, default=""
    )
    revealed_how = serializers.CharField(required=False, allow_blank=True, default="")
    tipoff_id = serializers.IntegerField(min_value=1, required=False, allow_null=True)


class AccidentViewSet(
    LifecycleViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet
):
    """The accident register. POST records an accident (an enterprise user: its own, its figures a
    proposal); POST …/step/ takes a step (confirm, report, supplement, investigate, extend,
    submit_report, close, conceal, withdraw) with the version last seen (a stale one answers 409)."""

    queryset = Accident.objects.all()
    serializer_class = AccidentSerializer
    lifecycle = services.ACCIDENT
    select_related = ("enterprise", "township")
    prefetch_related = ("report_steps", "casualty_changes")
    filterset_class = AccidentFilter

    @extend_schema(request=AccidentCreateSerializer, responses=AccidentSerializer)
    def create(self, request, *args, **kwargs):
        s = AccidentCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        ent = d.pop("enterprise", None)
        if ent is not None:
            ent = get_object_or_404(Enterprise.objects.visible_to(request.user), pk=ent.pk)
        a = services.record_accident(request.user, enterprise=ent, **d)
        return Response(self.get_serializer(Accident.objects.get(pk=a.pk)).data, status=201)


def register(router):
    router.register("accidents", AccidentViewSet)
