"""The tip-offs API (officers only): cases with their lifecycle step and an audited reveal of the
reporter's identity, officer entry of hotline/letter/visit tip-offs, messages, rewards with their
steps. No payload holds the identity, the payee's details or the receipt's hash; the reveal
endpoints are the only way to the identity, for the allowed roles, each call audited."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.org.models import Division, Sector

from . import crypto, services
from .filters import RewardFilter, TipOffFilter
from .models import Reward, TipOff, TipOffMessage

HIDDEN = ["identity", "receipt_hash"]


class TipOffSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.TIPOFF)

    class Meta:
        model = TipOff
        exclude = HIDDEN


class TipOffCreateSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=[c for c in TipOff.Channel.choices if c[0] != "online"])
    category = serializers.ChoiceField(choices=TipOff.Category.choices)
    description = serializers.CharField(max_length=5000)
    township = serializers.PrimaryKeyRelatedField(
        queryset=Division.objects.filter(level=Division.Level.TOWNSHIP), required=False, allow_null=True
    )
    sector = serializers.PrimaryKeyRelatedField(
        queryset=Sector.objects.all(), required=False, allow_null=True
    )
    enterprise_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    when = serializers.CharField(max_length=100, required=False, allow_blank=True)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, write_only=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True, write_only=True)
    employee = serializers.BooleanField(required=False, default=False)


class TipOffCreatedSerializer(TipOffSerializer):
    receipt = serializers.CharField(read_only=True, help_text="回执码:只在此次应答中出现一次,请告知举报人")


class RevealSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="查看理由(记入审计日志)")


class IdentitySerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    phone = serializers.CharField(required=False)


class TipOffMessageSerializer(serializers.ModelSerializer):
    class Meta:
        model = TipOffMessage
        fields = "__all__"


class RewardSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.REWARD)

    class Meta:
        model = Reward
        exclude = ["payee"]


class TipOffViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Tip-offs; POST …/step/ (accept, reject, reassign, verify, conclude, close, merge) with the
    version last seen; POST / enters a hotline/letter/visit tip-off (the answer carries the receipt
    once); POST …/reveal/ shows the reporter's identity to the county office or the custodian
    (audited)."""

    queryset = TipOff.objects.all()
    serializer_class = TipOffSerializer
    lifecycle = services.TIPOFF
    select_related = ("department", "township")
    filterset_class = TipOffFilter

    @extend_schema(request=TipOffCreateSerializer, responses={201: TipOffCreatedSerializer})
    def create(self, request):
        s = TipOffCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        t, receipt = services.file_tipoff(entered_by=request.user, **s.validated_data)
        data = dict(self.get_serializer(t).data, receipt=crypto.display(receipt))
        return Response(data, status=status.HTTP_201_CREATED)

    @extend_schema(request=RevealSerializer, responses=IdentitySerializer)
    @action(detail=True, methods=["post"])
    def reveal(self, request, pk=None):
        t = self.get_object()
        identity = services.reveal_identity(
            request.user, t, reason=request.data.get("reason", ""), request=request
        )
        resp = Response({k: identity.get(k, "") for k in ("name", "phone")})
        resp["Cache-Control"] = "no-store"
        return resp

    @extend_schema(
        request=inline_serializer("TipOffAsk", {"text": serializers.CharField(max_length=2000)}),
        responses=TipOffMessageSerializer,
    )
    @action(detail=True, methods=["post"])
    def ask(self, request, pk=None):
        t = self.get_object()
        m = services.ask(t, request.user, request.data.get("text", ""))
        return Response(TipOffMessageSerializer(m).data, status=status.HTTP_201_CREATED)


class TipOffMessageViewSet(ScopedReadOnlyViewSet):
    queryset = TipOffMessage.objects.all()
    serializer_class = TipOffMessageSerializer


class RewardViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Rewards; POST …/step/ (approve, refuse by the county office; pay). ``claim`` is the
    reporter's, on the receipt page."""

    queryset = Reward.objects.all()
    serializer_class = RewardSerializer
    lifecycle = services.REWARD
    select_related = ("tipoff",)
    filterset_class = RewardFilter


def register(router):
    router.register("tipoffs", TipOffViewSet)
    router.register("tipoff-messages", TipOffMessageViewSet)
    router.register("tipoff-rewards", RewardViewSet)
