from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedReadOnlyViewSet, ScopedViewSetMixin, visible_or_400
from worksafe.org.models import Department, Sector, SectorSupervisor

from . import services
from .filters import AreaFilter, ProgressReportFilter, TargetFilter, TaskFilter
from .models import Area, AreaUnit, Phase, Plan, ProgressReport, Target, Task, TaskUnit


class PhaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Phase
        fields = ["id", "order", "name", "start", "end"]


class PlanSerializer(serializers.ModelSerializer):
    phases = PhaseSerializer(many=True, read_only=True)

    class Meta:
        model = Plan
        fields = ["id", "title", "county", "issued_on", "start", "end", "phases", "imported_at"]


class AreaUnitSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = AreaUnit
        fields = ["department", "department_name", "role", "written_as"]


class TaskUnitSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)

    class Meta:
        model = TaskUnit
        fields = ["department", "department_name", "role", "written_as"]


class AreaSerializer(serializers.ModelSerializer):
    units = AreaUnitSerializer(source="area_units", many=True, read_only=True)

    class Meta:
        model = Area
        fields = ["id", "plan", "order", "number", "title", "units", "vague_units"]


class TaskSerializer(serializers.ModelSerializer):
    code = serializers.CharField(read_only=True)
    late = serializers.SerializerMethodField()
    # the task's own units when the plan gave them per task (a task table); else empty: the area's apply
    units = TaskUnitSerializer(source="task_units", many=True, read_only=True)

    class Meta:
        model = Task
        fields = ["id", "area", "code", "order", "text", "deadlines", "due_date", "ongoing", "status", "percent",
                  "late", "units", "updated_at", "version"]
        read_only_fields = ["version"]

    def get_late(self, obj) -> bool:
        return obj.is_late()


class TargetSerializer(serializers.ModelSerializer):
    current_value = serializers.SerializerMethodField()
    live = serializers.SerializerMethodField()
    met = serializers.SerializerMethodField()

    class Meta:
        model = Target
        fields = ["id", "task", "text", "comparator", "value", "unit", "deadline", "metric", "current_value",
                  "live", "met", "current_note", "measured_at"]

    def _state(self, obj):
        cache = self.context.setdefault("_states", {})
        if obj.pk not in cache:
            cache[obj.pk] = services.target_state(obj)
        return cache[obj.pk]

    def get_current_value(self, obj) -> float | None:
        v = self._state(obj).value
        return None if v is None else float(v)

    def get_live(self, obj) -> bool:
        return self._state(obj).live

    def get_met(self, obj) -> bool | None:
        return self._state(obj).met


class TargetValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=12, decimal_places=2)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class PressSerializer(serializers.Serializer):
    note = serializers.CharField()
    respond_by = serializers.DateField()


class ProgressReportSerializer(serializers.ModelSerializer):
    unit = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False)
    attachments = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = ["id", "task", "unit", "author", "status", "percent", "text", "created_at", "attachments"]
        read_only_fields = ["author", "created_at"]

    def get_attachments(self, obj) -> list[dict]:
        return [{"id": a.id, "name": a.name, "size": a.size} for a in obj.attachments.all()]


class SectorSupervisorSerializer(serializers.ModelSerializer):
    class Meta:
        model = SectorSupervisor
        fields = ["department", "role"]


class SectorSerializer(serializers.ModelSerializer):
    supervisors = SectorSupervisorSerializer(source="sector_supervisors", many=True, read_only=True)

    class Meta:
        model = Sector
        fields = ["id", "name", "area", "high_risk", "supervisors"]


class PlanViewSet(ScopedReadOnlyViewSet):
    queryset = Plan.objects.all()
    serializer_class = PlanSerializer
    prefetch_related = ("phases",)


class AreaViewSet(ScopedReadOnlyViewSet):
    queryset = Area.objects.all()
    serializer_class = AreaSerializer
    prefetch_related = ("area_units__department",)
    filterset_class = AreaFilter


class TaskViewSet(ScopedReadOnlyViewSet):
    queryset = Task.objects.all()
    serializer_class = TaskSerializer
    select_related = ("area",)
    prefetch_related = ("task_units__department",)
    filterset_class = TaskFilter

    @extend_schema(request=PressSerializer, responses={201: None})
    @action(detail=True, methods=["post"])
    def press(self, request, pk=None):
        """督办 a late task (county office)."""
        task = get_object_or_404(self.get_queryset(), pk=pk)
        s = PressSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        press = services.press_task(task, request.user, **s.validated_data)
        return Response({"id": press.pk, "task": task.pk, "note": press.note,
                         "respond_by": press.respond_by.isoformat()}, status=201)


class TargetViewSet(ScopedReadOnlyViewSet):
    queryset = Target.objects.all()
    serializer_class = TargetSerializer
    select_related = ("task__area",)
    filterset_class = TargetFilter

    @extend_schema(request=TargetValueSerializer, responses=TargetSerializer)
    @action(detail=True, methods=["post"])
    def record(self, request, pk=None):
        """Record the current value of a target that no live metric computes."""
        target = get_object_or_404(self.get_queryset(), pk=pk)
        s = TargetValueSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        target = services.record_target_value(target, request.user, **s.validated_data)
        return Response(TargetSerializer(target, context=self.get_serializer_context()).data)


class ProgressReportViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Progress reports; POST files one through the same service as the page."""

    queryset = ProgressReport.objects.all()
    serializer_class = ProgressReportSerializer
    select_related = ("unit", "author")
    prefetch_related = ("attachments",)
    filterset_class = ProgressReportFilter

    def create(self, request, *args, **kwargs):
        s = self.get_serializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        task = visible_or_400(Task.objects.visible_to(request.user), d["task"].pk, "task")
        report = services.file_progress(task, request.user, status=d["status"], percent=d["percent"],
                                        text=d["text"], unit=d.get("unit"),
                                        attachments=request.FILES.getlist("attachments"))
        return Response(self.get_serializer(report).data, status=201)


class SectorViewSet(ScopedReadOnlyViewSet):
    queryset = Sector.objects.all()
    serializer_class = SectorSerializer
    prefetch_related = ("sector_supervisors",)


def register(router):
    router.register("plans", PlanViewSet)
    router.register("areas", AreaViewSet)
    router.register("tasks", TaskViewSet)
    router.register("targets", TargetViewSet)
    router.register("progress-reports", ProgressReportViewSet)
    router.register("sectors", SectorViewSet)
