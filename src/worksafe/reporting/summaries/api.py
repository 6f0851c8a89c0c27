"""The summaries' API: rounds (open one = ``open_round``), summaries (the unit's text by PATCH, the
lifecycle's ``step``, ``press``), files (multipart upload), presses, and the phase checks."""

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from worksafe.core.api import ScopedViewSetMixin, visible_or_400
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.core.scoping import scope_of
from worksafe.plans.models import Phase, Plan

from . import phases, services
from .filters import PhaseFilter, RoundFilter, SummaryFileFilter, SummaryFilter, SummaryPressFilter
from .models import Summary, SummaryFile, SummaryPress, SummaryRound


class RoundSerializer(serializers.ModelSerializer):
    counts = serializers.SerializerMethodField(help_text="units, submitted, late, missing… over the summaries you see")

    class Meta:
        model = SummaryRound
        fields = ["id", "plan", "kind", "year", "due_on", "due_basis", "opened_by", "created_at", "counts"]

    def get_counts(self, obj) -> dict:
        request = self.context.get("request")
        return services.counts(Summary.objects.visible_to(request.user if request else None).filter(round=obj))


class OpenRoundSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    kind = serializers.ChoiceField(choices=SummaryRound.Kind.choices, default=SummaryRound.Kind.YEARLY)
    year = serializers.IntegerField(min_value=2000, max_value=2100, required=False)
    due_on = serializers.DateField(required=False, help_text="only when the plan's text gives no date")


class RoundViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Summary rounds. POST opens one (county office): the due date from the plan's text, one summary
    per unit of the plan; opening an existing round adds the units it lacks."""

    queryset = SummaryRound.objects.all()
    serializer_class = RoundSerializer
    filterset_class = RoundFilter
    select_related = ("plan",)

    @extend_schema(request=OpenRoundSerializer, responses={201: RoundSerializer})
    def create(self, request, *args, **kwargs):
        s = OpenRoundSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        plan = visible_or_400(Plan.objects.visible_to(request.user), d["plan"], "plan")
        rnd = services.open_round(request.user, plan, d["kind"], d.get("year"), due_on=d.get("due_on"))
        return Response(self.get_serializer(rnd).data, status=201)


class SummarySerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.SUMMARY)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    due_on = serializers.DateField(source="round.due_on", read_only=True)
    overdue = serializers.SerializerMethodField(help_text="not submitted and the due day is over")
    press_count = serializers.SerializerMethodField()

    class Meta:
        model = Summary
        fields = ["id", "round", "unit", "unit_name", "state", "text", "submitted_at", "late", "due_on", "overdue",
                  "review_note", "reviewed_by", "press_count", "version", "allowed_steps"]
        read_only_fields = [f for f in fields if f != "text"]

    def get_overdue(self, obj) -> bool:
        return services.is_overdue(obj)

    def get_press_count(self, obj) -> int:
        n = getattr(obj, "press_count", None)
        return obj.presses.count() if n is None else n


class DraftSerializer(serializers.Serializer):
    text = serializers.CharField(allow_blank=True, max_length=50000)
    version = serializers.IntegerField(required=False, help_text="the version last seen (409 when stale)")


class PressSerializer(serializers.ModelSerializer):
    class Meta:
        model = SummaryPress
        fields = ["id", "summary", "by", "note", "respond_by", "created_at"]
        read_only_fields = ["summary", "by", "created_at"]


class SummaryViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Summaries: a unit its own, the county office and leaders all. PATCH ``text`` (the unit, while
    待报送/退回修改); POST …/step/ (submit, accept, return) with ``version``; POST …/press/ (county office)."""

    queryset = Summary.objects.all()
    serializer_class = SummarySerializer
    lifecycle = services.SUMMARY
    filterset_class = SummaryFilter
    select_related = ("unit", "round")

    def get_queryset(self):
        return services.with_press_counts(super().get_queryset())

    @extend_schema(request=DraftSerializer, responses=SummarySerializer)
    def partial_update(self, request, pk=None):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        s = DraftSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        fresh = services.save_draft(request.user, obj, text=s.validated_data["text"],
                                    version=s.validated_data.get("version"))
        return Response(self.get_serializer(fresh).data)

    @extend_schema(request=PressSerializer, responses={201: PressSerializer})
    @action(detail=True, methods=["post"])
    def press(self, request, pk=None):
        """督促 the unit (county office; a summary not yet submitted or returned)."""
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        s = PressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        p = services.press(request.user, obj, note=s.validated_data["note"],
                           respond_by=s.validated_data["respond_by"])
        return Response(PressSerializer(p).data, status=201)


class FileSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = SummaryFile
        fields = ["id", "summary", "name", "content_type", "uploaded_by", "uploaded_at", "url"]
        read_only_fields = ["name", "content_type", "uploaded_by", "uploaded_at"]

    def get_url(self, obj) -> str:
        return reverse("reporting:summary_file", args=[obj.pk])


class UploadSerializer(serializers.Serializer):
    summary = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    file = serializers.FileField()


class SummaryFileViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A summary's files; POST (multipart: ``summary``, ``file``) attaches one (the unit, while editable;
    the type is checked by the file's content)."""

    queryset = SummaryFile.objects.all()
    serializer_class = FileSerializer
    filterset_class = SummaryFileFilter

    @extend_schema(request=UploadSerializer, responses={201: FileSerializer})
    def create(self, request, *args, **kwargs):
        s = UploadSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        summary = visible_or_400(Summary.objects.visible_to(request.user), s.validated_data["summary"], "summary")
        f = services.add_file(request.user, summary, s.validated_data["file"])
        return Response(self.get_serializer(f).data, status=201)


class SummaryPressViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    queryset = SummaryPress.objects.all()
    serializer_class = PressSerializer
    filterset_class = SummaryPressFilter


class PhaseCheckSerializer(serializers.ModelSerializer):
    as_of = serializers.SerializerMethodField()
    units = serializers.SerializerMethodField(help_text="one row per unit you see: its tasks due by the phase's end "
                                                        "and their state at the phase's end")

    class Meta:
        model = Phase
        fields = ["id", "plan", "order", "name", "start", "end", "as_of", "units"]

    def get_as_of(self, obj) -> str:
        return phases.as_of_day(obj).isoformat()

    def get_units(self, obj) -> list[dict]:
        request = self.context.get("request")
        checks = self.context.get("checks")  # a list's page: computed for all its phases in one pass
        rows = checks[obj.pk] if checks and obj.pk in checks else phases.check(obj, request.user if request else None)
        return [r.as_dict() for r in rows]


class PhaseCheckViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Phase checks (阶段有检查), computed as of each phase's end: the county office and leaders see
    every unit, a unit its own row, anyone else no rows."""

    queryset = Phase.objects.all()
    serializer_class = PhaseCheckSerializer
    filterset_class = PhaseFilter
    select_related = ("plan",)

    def retrieve(self, request, *args, **kwargs):
        if not scope_of(request.user).is_staff_scope:
            raise PermissionDenied("阶段检查只对县安委办、县领导和方案所列单位开放。")
        return super().retrieve(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        qs = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(qs)
        rows = list(page if page is not None else qs)
        ser = self.get_serializer(rows, many=True,
                                  context={**self.get_serializer_context(), "checks": phases.check_all(rows, request.user)})
        return self.get_paginated_response(ser.data) if page is not None else Response(ser.data)


def register(router):
    router.register("summary-rounds", RoundViewSet, basename="summaryround")
    router.register("summaries", SummaryViewSet, basename="summary")
    router.register("summary-files", SummaryFileViewSet, basename="summaryfile")
    router.register("summary-presses", SummaryPressViewSet, basename="summarypress")
    router.register("phase-checks", PhaseCheckViewSet, basename="phasecheck")
