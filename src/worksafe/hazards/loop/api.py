"""API of the closed loop: the hazard register and its steps, the step records, the major-hazard criteria."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, visible_or_400
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Department

from . import services
from .filters import ActionFilter, CriterionFilter, HazardFilter
from .models import Hazard, HazardAction, MajorCriterion


class HazardSerializer(serializers.ModelSerializer):
    overdue = serializers.SerializerMethodField()
    allowed_steps = AllowedStepsField(services.HAZARD)

    class Meta:
        model = Hazard
        fields = "__all__"
        read_only_fields = [f.name for f in Hazard._meta.fields if f.name not in (
            "enterprise", "sector", "location", "description", "source", "standard_item", "level", "criterion")]

    def get_overdue(self, obj) -> bool:
        return obj.is_overdue()


class HazardCreateSerializer(serializers.Serializer):
    enterprise = serializers.PrimaryKeyRelatedField(queryset=Enterprise.objects.all())
    location = serializers.CharField()
    description = serializers.CharField()
    source = serializers.ChoiceField(choices=Hazard.Source.choices)
    standard_item = serializers.CharField(required=False, allow_blank=True, default="")
    level = serializers.ChoiceField(choices=Hazard.Level.choices, default=Hazard.Level.GENERAL)
    criterion = serializers.PrimaryKeyRelatedField(queryset=MajorCriterion.objects.all(), required=False,
                                                   allow_null=True)


class ListingSerializer(serializers.Serializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")
    version = serializers.IntegerField()


class ActionSerializer(serializers.ModelSerializer):
    class Meta:
        model = HazardAction
        fields = ["id", "hazard", "action", "from_state", "to_state", "note", "by", "at"]


class CriterionSerializer(serializers.ModelSerializer):
    class Meta:
        model = MajorCriterion
        fields = "__all__"


class HazardViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    """The hazard register. POST records a hazard; POST …/step/ takes a step of the closed loop
    (with the version last seen: a stale version answers 409)."""

    queryset = Hazard.objects.all()
    serializer_class = HazardSerializer
    lifecycle = services.HAZARD
    select_related = ("enterprise",)
    filterset_class = HazardFilter

    @extend_schema(request=HazardCreateSerializer, responses=HazardSerializer)
    def create(self, request, *args, **kwargs):
        s = HazardCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        ent = visible_or_400(Enterprise.objects.visible_to(request.user), d.pop("enterprise").pk, "enterprise")
        h = services.report_hazard(request.user, ent, files=request.FILES.getlist("files"), **d)
        return Response(self.get_serializer(h).data, status=201)

    @extend_schema(request=ListingSerializer, responses=HazardSerializer)
    @action(detail=True, methods=["post"], url_path="list-supervision")
    def list_supervision(self, request, pk=None):
        h = get_object_or_404(self.get_queryset(), pk=pk)
        s = ListingSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        h = services.list_for_supervision(h, request.user, **s.validated_data)
        return Response(self.get_serializer(h).data)


class ActionViewSet(ScopedReadOnlyViewSet):
    queryset = HazardAction.objects.all()
    serializer_class = ActionSerializer
    filterset_class = ActionFilter


class CriterionViewSet(ScopedReadOnlyViewSet):
    queryset = MajorCriterion.objects.all()
    serializer_class = CriterionSerializer
    filterset_class = CriterionFilter
