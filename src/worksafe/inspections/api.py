"""The inspections API: plans and batches (with the draw's steps), inspections (with their steps),
findings, enforcement actions (with their steps), documents, certificates, conflicts, items."""

from rest_framework import serializers, viewsets

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin

from . import services
from .filters import ActionFilter, BatchFilter, DocumentFilter, FindingFilter, InspectionFilter, ItemFilter
from .models import (
    Batch,
    EnforcementAction,
    EnforcementCertificate,
    Finding,
    Inspection,
    InspectionDocument,
    InspectionItem,
    InspectionPlan,
    Recusal,
)


class InspectionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionItem
        fields = "__all__"


class CertificateSerializer(serializers.ModelSerializer):
    class Meta:
        model = EnforcementCertificate
        fields = "__all__"


class RecusalSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recusal
        fields = "__all__"


class InspectionPlanSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionPlan
        fields = "__all__"


class InspectionBatchSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.BATCH)
    seed = serializers.CharField(source="revealed_seed", read_only=True, help_text="公开于抽取之后")

    class Meta:
        model = Batch
        fields = "__all__"


class InspectionSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.INSPECTION)

    class Meta:
        model = Inspection
        fields = "__all__"


class InspectionFindingSerializer(serializers.ModelSerializer):
    class Meta:
        model = Finding
        fields = "__all__"


class EnforcementActionSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.ACTION)

    class Meta:
        model = EnforcementAction
        fields = "__all__"


class InspectionDocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = InspectionDocument
        exclude = ["file"]


class ItemViewSet(ScopedReadOnlyViewSet):
    queryset = InspectionItem.objects.all()
    serializer_class = InspectionItemSerializer
    filterset_class = ItemFilter


class CertificateViewSet(ScopedReadOnlyViewSet):
    queryset = EnforcementCertificate.objects.all()
    serializer_class = CertificateSerializer


class RecusalViewSet(ScopedReadOnlyViewSet):
    queryset = Recusal.objects.all()
    serializer_class = RecusalSerializer


class PlanViewSet(ScopedReadOnlyViewSet):
    queryset = InspectionPlan.objects.all()
    serializer_class = InspectionPlanSerializer


class BatchViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Batches and their draw: POST …/step/ with ``open`` (publish the seed's SHA-256) then ``draw``."""

    queryset = Batch.objects.all()
    serializer_class = InspectionBatchSerializer
    lifecycle = services.BATCH
    select_related = ("plan",)
    prefetch_related = ("sectors", "townships")
    filterset_class = BatchFilter


class InspectionViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Inspections; POST …/step/ takes a step (notify, arrive, record, close) with the version last seen.
    A covert inspection is invisible to its enterprise until it is recorded."""

    queryset = Inspection.objects.all()
    serializer_class = InspectionSerializer
    lifecycle = services.INSPECTION
    prefetch_related = ("team",)
    filterset_class = InspectionFilter


class FindingViewSet(ScopedReadOnlyViewSet):
    queryset = Finding.objects.all()
    serializer_class = InspectionFindingSerializer
    filterset_class = FindingFilter


class ActionViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Enforcement actions; POST …/step/ (法制审核, decision, 复查 …)."""

    queryset = EnforcementAction.objects.all()
    serializer_class = EnforcementActionSerializer
    lifecycle = services.ACTION
    filterset_class = ActionFilter


class DocumentViewSet(ScopedReadOnlyViewSet):
    queryset = InspectionDocument.objects.all()
    serializer_class = InspectionDocumentSerializer
    filterset_class = DocumentFilter


def register(router):
    router.register("inspection-items", ItemViewSet)
    router.register("enforcement-certificates", CertificateViewSet)
    router.register("recusals", RecusalViewSet)
    router.register("inspection-plans", PlanViewSet)
    router.register("inspection-batches", BatchViewSet)
    router.register("inspections", InspectionViewSet)
    router.register("inspection-findings", FindingViewSet)
    router.register("enforcement-actions", ActionViewSet)
    router.register("inspection-documents", DocumentViewSet)
