"""The training API: sessions (with their lifecycle steps), attendance, certificates, materials."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin

from . import services
from .filters import AttendanceFilter, CertificateFilter, SessionFilter
from .models import Attendance, Audience, Certificate, TrainingMaterial, TrainingSession


class AttendanceInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Audience.choices)
    user = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, help_text="干部的用户编号")
    enterprise = serializers.IntegerField(required=False, min_value=1, max_value=2**31 - 1, help_text="企业编号")
    name = serializers.CharField(required=False, allow_blank=True, max_length=50)
    attended = serializers.BooleanField(default=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=999, required=False)
    passed = serializers.BooleanField(required=False, allow_null=True, default=None)
    score = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False)


class TrainingSessionSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.SESSION)

    class Meta:
        model = TrainingSession
        fields = "__all__"


class TrainingAttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = "__all__"


class TrainingCertificateSerializer(serializers.ModelSerializer):
    expiry = serializers.SerializerMethodField(help_text="expired(已过期)/expiring(即将到期)/空(有效)")

    class Meta:
        model = Certificate
        exclude = ["expiry_notified_for"]

    def get_expiry(self, obj) -> str:
        return obj.expiry()


class TrainingMaterialSerializer(serializers.ModelSerializer):
    class Meta:
        model = TrainingMaterial
        exclude = ["file"]


class SessionViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Training sessions; POST …/step/ takes a step (hold, record, cancel) with the version last seen."""

    queryset = TrainingSession.objects.all()
    serializer_class = TrainingSessionSerializer
    lifecycle = services.SESSION
    select_related = ("organiser",)
    filterset_class = SessionFilter

    @extend_schema(request=AttendanceInputSerializer, responses={201: TrainingAttendanceSerializer})
    @action(detail=True, methods=["post"])
    def attendance(self, request, pk=None):
        """Record an attendee (the organiser; confirmed) or propose one of the enterprise's own people
        (an enterprise user; unconfirmed until the organiser confirms)."""
        from worksafe.enterprises.models import Enterprise
        from worksafe.org.models import User

        session = get_object_or_404(self.get_queryset(), pk=pk)
        s = AttendanceInputSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        person = User.objects.filter(pk=d["user"]).first() if d.get("user") else None
        ent = Enterprise.objects.visible_to(request.user).filter(pk=d["enterprise"]).first() \
            if d.get("enterprise") else None
        row = services.record_attendance(request.user, session, kind=d["kind"], person=person, enterprise=ent,
                                         name=d.get("name", ""), attended=d["attended"], hours=d.get("hours"),
                                         passed=d.get("passed"), score=d.get("score"))
        return Response(TrainingAttendanceSerializer(row).data, status=201)


class AttendanceViewSet(ScopedReadOnlyViewSet):
    queryset = Attendance.objects.all()
    serializer_class = TrainingAttendanceSerializer
    filterset_class = AttendanceFilter

    @extend_schema(request=None, responses=TrainingAttendanceSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """The organiser confirms an enterprise's proposal."""
        row = services.confirm_attendance(request.user, get_object_or_404(self.get_queryset(), pk=pk))
        return Response(TrainingAttendanceSerializer(row).data)


class CertificateViewSet(ScopedReadOnlyViewSet):
    queryset = Certificate.objects.all()
    serializer_class = TrainingCertificateSerializer
    filterset_class = CertificateFilter

    @extend_schema(request=None, responses=TrainingCertificateSerializer)
    @action(detail=True, methods=["post"])
    def confirm(self, request, pk=None):
        """An officer who sees the enterprise confirms a certificate the enterprise registered."""
        cert = services.confirm_certificate(request.user, get_object_or_404(self.get_queryset(), pk=pk))
        return Response(TrainingCertificateSerializer(cert).data)


class MaterialViewSet(ScopedReadOnlyViewSet):
    queryset = TrainingMaterial.objects.all()
    serializer_class = TrainingMaterialSerializer


def register(router):
    router.register("training-sessions", SessionViewSet)
    router.register("training-attendance", AttendanceViewSet)
    router.register("training-certificates", CertificateViewSet)
    router.register("training-materials", MaterialViewSet)
