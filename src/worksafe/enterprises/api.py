from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, visible_or_400
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.core.templatetags.worksafe import mask_phone

from . import services
from .filters import (
    ChangeRequestFilter,
    EnterpriseFilter,
    FacilityFilter,
    GatheringPlaceFilter,
    LicenceFilter,
    SafetyManagerFilter,
)
from .models import ChangeRequest, Enterprise, Facility, GatheringPlace, Licence, SafetyManager


class EnterpriseSerializer(serializers.ModelSerializer):
    """The principal's phone is masked unless the caller asks ``?unmask=1`` and may (core.privacy);
    each unmasked answer is an audit record."""

    override_reason = serializers.CharField(write_only=True, required=False, allow_blank=True,
                                            help_text="校验位异常时的确认原因(授权人员)")

    class Meta:
        model = Enterprise
        fields = ["id", "name", "credit_code", "credit_code_override", "township", "sectors", "address",
                  "latitude", "longitude", "legal_representative", "principal", "principal_phone", "employees",
                  "scale", "status", "standard_grade", "has_safety_team", "insured", "insurer",
                  "insurance_expiry", "protection_distance_m", "risk_level", "risk_reason", "override_reason"]
        read_only_fields = ["credit_code_override", "risk_level", "risk_reason"]
        # the credit code is checked by the service (format always; check digit unless overridden)
        extra_kwargs = {"credit_code": {"validators": []}}

    def to_representation(self, obj):
        from worksafe.core.privacy import mask_phone, may_unmask

        data = super().to_representation(obj)
        request = self.context.get("request")
        if not (request and request.GET.get("unmask") == "1" and may_unmask(request.user, obj.pk)):
            data["principal_phone"] = mask_phone(data.get("principal_phone"))
        return data


class EnterpriseViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                        viewsets.ReadOnlyModelViewSet):
    """The register; writes go through the same service as the pages (officers only)."""

    queryset = Enterprise.objects.all()
    serializer_class = EnterpriseSerializer
    prefetch_related = ("sectors",)
    filterset_class = EnterpriseFilter

    def finalize_response(self, request, response, *args, **kwargs):
        if request.GET.get("unmask") == "1" and response.status_code == 200:
            from worksafe.core import audit
            from worksafe.core.models import AuditEvent

            audit.record(AuditEvent.Kind.UNMASK, request=request, target="企业名册接口", fields="principal_phone")
        return super().finalize_response(request, response, *args, **kwargs)

    def _save(self, serializer, instance=None):
        data = dict(serializer.validated_data)
        sectors = data.pop("sectors", None)
        reason = data.pop("override_reason", "")
        ent = instance or Enterprise()
        for k, v in data.items():
            setattr(ent, k, v)
        return services.save_enterprise(self.request.user, ent, sectors=sectors, override_reason=reason)

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        ent = self._save(s)
        return Response(self.get_serializer(ent).data, status=201)

    def update(self, request, *args, **kwargs):
        instance = self.get_object()
        s = self.get_serializer(instance, data=request.data, partial=kwargs.pop("partial", False))
        s.is_valid(raise_exception=True)
        ent = self._save(s, instance)
        return Response(self.get_serializer(ent).data)


class SafetyManagerSerializer(serializers.ModelSerializer):
    phone = serializers.SerializerMethodField()

    class Meta:
        model = SafetyManager
        fields = ["id", "enterprise", "name", "phone", "certificate", "full_time"]

    def get_phone(self, obj) -> str:
        return mask_phone(obj.phone)  # personal data is masked in lists (DESIGN.md §5)


class LicenceSerializer(serializers.ModelSerializer):
    state = serializers.SerializerMethodField()

    class Meta:
        model = Licence
        fields = ["id", "enterprise", "kind", "number", "issued_by", "valid_from", "valid_to", "state"]

    def get_state(self, obj) -> str:
        return obj.state()


class FacilitySerializer(serializers.ModelSerializer):
    class Meta:
        model = Facility
        fields = "__all__"


class GatheringPlaceSerializer(serializers.ModelSerializer):
    class Meta:
        model = GatheringPlace
        fields = "__all__"


class ChangeRequestSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.CHANGE)
    changes = serializers.DictField(help_text="要变更的字段 → 新值")

    class Meta:
        model = ChangeRequest
        fields = ["id", "enterprise", "changes", "note", "state", "submitted_by", "submitted_at", "reviewed_by",
                  "reviewed_at", "review_note", "version", "allowed_steps"]
        read_only_fields = ["state", "submitted_by", "submitted_at", "reviewed_by", "reviewed_at", "review_note",
                            "version"]


class ReviewSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    note = serializers.CharField(required=False, allow_blank=True, default="")


class SafetyManagerViewSet(ScopedReadOnlyViewSet):
    queryset = SafetyManager.objects.all()
    serializer_class = SafetyManagerSerializer
    filterset_class = SafetyManagerFilter


class LicenceViewSet(ScopedReadOnlyViewSet):
    queryset = Licence.objects.all()
    serializer_class = LicenceSerializer
    filterset_class = LicenceFilter


class FacilityViewSet(ScopedReadOnlyViewSet):
    queryset = Facility.objects.all()
    serializer_class = FacilitySerializer
    filterset_class = FacilityFilter


class GatheringPlaceViewSet(ScopedReadOnlyViewSet):
    queryset = GatheringPlace.objects.all()
    serializer_class = GatheringPlaceSerializer
    filterset_class = GatheringPlaceFilter


class ChangeRequestViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                           viewsets.ReadOnlyModelViewSet):
    """An enterprise's change requests: POST {enterprise, changes: {field: new value}, note}; POST
    …/step/ approves, rejects (review_note) or withdraws; …/review/ is the older form of approve/reject."""

    queryset = ChangeRequest.objects.all()
    serializer_class = ChangeRequestSerializer
    lifecycle = services.CHANGE
    filterset_class = ChangeRequestFilter

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        ent = visible_or_400(Enterprise.objects.visible_to(request.user), s.validated_data["enterprise"].pk, "enterprise")
        cr = services.request_change(request.user, ent, s.validated_data["changes"], s.validated_data.get("note", ""))
        return Response(self.get_serializer(cr).data, status=201)

    @extend_schema(request=ReviewSerializer, responses=ChangeRequestSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request, pk=None):
        cr = get_object_or_404(self.get_queryset(), pk=pk)
        s = ReviewSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        cr = services.review_change(request.user, cr, approve=s.validated_data["approve"],
                                    note=s.validated_data["note"])
        return Response(self.get_serializer(cr).data)


def register(router):
    router.register("enterprises", EnterpriseViewSet)
    router.register("safety-managers", SafetyManagerViewSet)
    router.register("licences", LicenceViewSet)
    router.register("facilities", FacilityViewSet)
    router.register("gathering-places", GatheringPlaceViewSet)
    router.register("change-requests", ChangeRequestViewSet)
