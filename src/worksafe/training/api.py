"""The training API: sessions (with their lifecycle steps), attendance, certificates, materials."""

from rest_framework import serializers, viewsets

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin

from . import services
from .filters import AttendanceFilter, CertificateFilter, SessionFilter
from .models import Attendance, Certificate, TrainingMaterial, TrainingSession


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


class AttendanceViewSet(ScopedReadOnlyViewSet):
    queryset = Attendance.objects.all()
    serializer_class = TrainingAttendanceSerializer
    filterset_class = AttendanceFilter


class CertificateViewSet(ScopedReadOnlyViewSet):
    queryset = Certificate.objects.all()
    serializer_class = TrainingCertificateSerializer
    filterset_class = CertificateFilter


class MaterialViewSet(ScopedReadOnlyViewSet):
    queryset = TrainingMaterial.objects.all()
    serializer_class = TrainingMaterialSerializer


def register(router):
    router.register("training-sessions", SessionViewSet)
    router.register("training-attendance", AttendanceViewSet)
    router.register("training-certificates", CertificateViewSet)
    router.register("training-materials", MaterialViewSet)
