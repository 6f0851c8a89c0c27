"""Monitoring API: reading ingestion for gateways (token), and the scoped registers of gateways,
sensors and alarms for people, with the alarm steps.

``POST /api/monitoring/readings/`` with ``Authorization: Bearer <gateway token>`` (or
``X-Gateway-Token``) and ``{"readings": [{"sensor": "<code>", "time": "<ISO 8601>" | <unix s>,
"value": <number>}, ...]}`` answers 200 with ``{"accepted": n, "rejected": [{"index", "sensor",
"reason"}], "alarms_raised": n, "alarms_changed": n}``: a bad reading never drops the good ones,
and re-sending a batch stores nothing twice. 401 for a missing or wrong token; 400 for a body that
is not such an object or a batch over ``WORKSAFE_INGEST_MAX_BATCH``.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers, viewsets
from rest_framework.authentication import BaseAuthentication
from rest_framework.decorators import action
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin

from . import alarms, ingest, services
from .filters import AlarmFilter, DeadLetterFilter, GatewayFilter, ProposalFilter, SensorFilter
from .models import Alarm, DeadLetter, Gateway, Sensor, ThresholdProposal


class GatewayTokenAuthentication(BaseAuthentication):
    """A gateway authenticates with its token; it acts as no user (``request.auth`` is the gateway)."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        token = header[7:].strip() if header[:7].lower() == "bearer " else request.META.get("HTTP_X_GATEWAY_TOKEN", "")
        if not token:
            return None
        gateway = services.gateway_for_token(token)
        if gateway is None:
            raise exceptions.AuthenticationFailed("网关令牌无效或网关已停用。")
        return AnonymousUser(), gateway

    def authenticate_header(self, request):
        return 'Bearer realm="gateway"'


class IsGateway(BasePermission):
    message = "须使用网关令牌(Authorization: Bearer <令牌>)上报读数。"

    def has_permission(self, request, view):
        return isinstance(request.auth, Gateway)


class ReadingInSerializer(serializers.Serializer):
    sensor = serializers.CharField(help_text="监测点编号")
    time = serializers.CharField(help_text="ISO 8601 时间(无时区按北京时间)或 Unix 秒")
    value = serializers.FloatField()


class BatchSerializer(serializers.Serializer):
    readings = ReadingInSerializer(many=True)


class RejectedSerializer(serializers.Serializer):
    index = serializers.IntegerField()
    sensor = serializers.CharField(allow_null=True)
    reason = serializers.CharField()


class IngestResultSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    rejected = RejectedSerializer(many=True)
    alarms_raised = serializers.IntegerField()
    alarms_changed = serializers.IntegerField()


class ReadingIngestViewSet(viewsets.ViewSet):
    """Gateways post batches of readings here (each reading accepted or refused with a reason)."""

    authentication_classes = [GatewayTokenAuthentication]
    permission_classes = [IsGateway]

    @extend_schema(request=BatchSerializer, responses=IngestResultSerializer)
    def create(self, request):
        try:
            data = request.data
        except exceptions.ParseError:
            raise services.ServiceError("请求体不是有效的 JSON。") from None
        readings = data.get("readings") if isinstance(data, dict) else None
        if not isinstance(readings, list):
            raise services.ServiceError("请求体应为 {\"readings\": [...]} 形式的 JSON 对象。", field="readings")
        try:
            with transaction.atomic():  # what a failing batch wrote goes back, the dead letter below stays
                result = ingest.ingest(request.auth, readings)
        except (services.ServiceError, *ingest.TRANSIENT):
            raise
        except Exception as e:  # whatever it holds, one batch never costs a 500: kept for an officer
            import json

            letter = ingest.dead_letter("http", request.path, json.dumps(data, ensure_ascii=False, default=repr),
                                        f"{e.__class__.__name__}: {e}", gateway=request.auth)
            return Response({"detail": "该批读数无法处理,已记录待查(死信),请联系监管部门。",
                             "dead_letter": letter.pk}, status=422)
        return Response(result.as_dict())


class GatewaySerializer(serializers.ModelSerializer):
    class Meta:
        model = Gateway
        fields = ["id", "enterprise", "code", "name", "token_hint", "active", "last_seen_at", "created_at"]


class SensorSerializer(serializers.ModelSerializer):
    last_value = serializers.FloatField(source="state.last_value", read_only=True, allow_null=True)
    last_time = serializers.DateTimeField(source="state.last_time", read_only=True, allow_null=True)
    level = serializers.IntegerField(source="state.level", read_only=True, allow_null=True)
    offline = serializers.BooleanField(source="state.offline", read_only=True)

    class Meta:
        model = Sensor
        exclude = ["config_version"]


class ThresholdsSerializer(serializers.Serializer):
    blue = serializers.FloatField(required=False, allow_null=True)
    yellow = serializers.FloatField(required=False, allow_null=True)
    orange = serializers.FloatField(required=False, allow_null=True)
    red = serializers.FloatField(required=False, allow_null=True)
    deadband = serializers.FloatField(required=False, min_value=0)
    rate_limit = serializers.FloatField(required=False, allow_null=True)
    rate_alarm_level = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=4)
    rate_any_direction = serializers.BooleanField(required=False)
    direction = serializers.ChoiceField(choices=["RISING", "FALLING"], required=False)
    interval_s = serializers.IntegerField(required=False, min_value=1)
    thresholds_source = serializers.CharField(required=False, allow_blank=True)
    active = serializers.BooleanField(required=False)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=2000,
                                   help_text="企业提出变更申请时的理由")


class AlarmSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(alarms.ALARM)

    class Meta:
        model = Alarm
        fields = "__all__"


class GatewayViewSet(ScopedReadOnlyViewSet):
    queryset = Gateway.objects.all()
    serializer_class = GatewaySerializer
    select_related = ("enterprise",)
    filterset_class = GatewayFilter


class SensorViewSet(ScopedReadOnlyViewSet):
    """Monitoring points with their live state. POST …/thresholds/ changes limits or configuration
    (history keeps the old values)."""

    queryset = Sensor.objects.all()
    serializer_class = SensorSerializer
    select_related = ("state",)
    filterset_class = SensorFilter

    @extend_schema(request=ThresholdsSerializer, responses=SensorSerializer)
    @action(detail=True, methods=["post"])
    def thresholds(self, request, pk=None):
        sensor = get_object_or_404(self.get_queryset(), pk=pk)
        s = ThresholdsSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        sensor = services.update_sensor(sensor, request.user, **s.validated_data)
        data = self.get_serializer(Sensor.objects.select_related("state").get(pk=sensor.pk)).data
        if sensor.proposal is not None:  # an enterprise proposes; its supervisors decide
            return Response({**data, "proposal": sensor.proposal.pk,
                             "detail": "预警阈值和启停由监管部门决定,已提交变更申请待审核。"}, status=202)
        return Response(data)

    @extend_schema(parameters=[OpenApiParameter("from", int, description="起始时间(毫秒)"),
                               OpenApiParameter("to", int, description="截止时间(毫秒)")],
                   responses={200: {"type": "object"}})
    @action(detail=True, methods=["get"])
    def readings(self, request, pk=None):
        """Raw readings of the point, newest last, at most 10,000 (``[[ms, value], ...]``)."""
        import time

        from .models import Reading

        sensor = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            to_ms = int(request.query_params.get("to") or time.time() * 1000)
            from_ms = int(request.query_params.get("from") or to_ms - 3_600_000)
        except ValueError:
            raise services.ServiceError("from、to 应为毫秒时间戳。") from None
        rows = (Reading.objects.filter(sensor_id=sensor.pk, ts__gte=from_ms, ts__lt=to_ms).order_by("ts")
                .values_list("ts", "value")[:10_000])
        return Response({"sensor": sensor.code, "unit": sensor.unit, "readings": [list(r) for r in rows]})


class AlarmViewSet(LifecycleViewSetMixin, ScopedReadOnlyViewSet):
    """Alarms (newest first). POST …/step/ acknowledges, handles (note) or turns one into a hazard (location, description, level)."""

    queryset = Alarm.objects.all()
    serializer_class = AlarmSerializer
    lifecycle = alarms.ALARM
    select_related = ("sensor", "enterprise", "facility")
    filterset_class = AlarmFilter


class ProposalSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.PROPOSAL)

    class Meta:
        model = ThresholdProposal
        fields = ["id", "sensor", "enterprise", "changes", "reason", "state", "version", "proposed_by", "proposed_at",
                  "reviewed_by", "reviewed_at", "review_note", "allowed_steps"]


class ProposalViewSet(LifecycleViewSetMixin, ScopedReadOnlyViewSet):
    """Enterprises' proposals to change a point's limits or on/off state (POST
    /api/monitoring/sensors/{id}/thresholds/ as an enterprise makes one); POST …/step/ approves,
    rejects (note) or withdraws."""

    queryset = ThresholdProposal.objects.all()
    serializer_class = ProposalSerializer
    lifecycle = services.PROPOSAL
    select_related = ("sensor",)
    filterset_class = ProposalFilter


class DeadLetterSerializer(serializers.ModelSerializer):
    class Meta:
        model = DeadLetter
        fields = ["id", "source", "topic", "gateway_code", "gateway", "enterprise", "payload", "size", "error",
                  "received_at", "reviewed_at", "reviewed_by"]


class DeadLetterViewSet(ScopedReadOnlyViewSet):
    """Messages and batches that could not be processed at all (kept, acknowledged, answered)."""

    queryset = DeadLetter.objects.all()
    serializer_class = DeadLetterSerializer
    filterset_class = DeadLetterFilter


def register(router):
    router.register("monitoring/threshold-proposals", ProposalViewSet)
    router.register("monitoring/dead-letters", DeadLetterViewSet)
    router.register("monitoring/readings", ReadingIngestViewSet, basename="monitoring-readings")
    router.register("monitoring/gateways", GatewayViewSet)
    router.register("monitoring/sensors", SensorViewSet)
    router.register("monitoring/alarms", AlarmViewSet)
