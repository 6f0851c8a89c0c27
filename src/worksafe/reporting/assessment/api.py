"""The assessment's API: schemes (list, read, create; ``results``, ``drilldown``, ``indicators``,
``propose`` and the lifecycle ``step``) and indicators (create; PATCH and DELETE while a draft)."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from worksafe.core.api import ScopedViewSetMixin, visible_or_400
from worksafe.core.lifecycle import AllowedStepsField, LifecycleViewSetMixin
from worksafe.core.services import ServiceError
from worksafe.plans.models import Plan

from . import measures as M
from . import services
from .filters import IndicatorFilter, SchemeFilter
from .models import Indicator, Scheme


class IndicatorSerializer(serializers.ModelSerializer):
    class Meta:
        model = Indicator
        fields = ["id", "scheme", "measure", "label", "kind", "weight", "per_item", "veto_at", "applies_to", "order"]
        read_only_fields = ["scheme", "measure", "kind"]


class IndicatorCreateSerializer(serializers.Serializer):
    scheme = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    measure = serializers.ChoiceField(choices=M.choices())
    label = serializers.CharField(max_length=100, required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False)
    per_item = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False)
    veto_at = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    applies_to = serializers.ChoiceField(choices=Indicator.AppliesTo.choices, required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class IndicatorUpdateSerializer(serializers.Serializer):
    label = serializers.CharField(max_length=100, required=False)
    weight = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False)
    per_item = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, required=False)
    veto_at = serializers.IntegerField(min_value=1, max_value=1000, required=False, allow_null=True)
    applies_to = serializers.ChoiceField(choices=Indicator.AppliesTo.choices, required=False)
    order = serializers.IntegerField(min_value=0, max_value=32767, required=False)


class SchemeSerializer(serializers.ModelSerializer):
    allowed_steps = AllowedStepsField(services.ASSESSMENT)
    indicators = IndicatorSerializer(many=True, read_only=True)

    class Meta:
        model = Scheme
        exclude = ["results"]


class CreateSchemeSerializer(serializers.Serializer):
    plan = serializers.IntegerField(min_value=1, max_value=2**31 - 1)
    name = serializers.CharField(max_length=200)
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    pass_mark = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100, default=60)
    excellent_mark = serializers.DecimalField(max_digits=5, decimal_places=1, min_value=0, max_value=100,
                                              default=90)


class ProposeSerializer(serializers.Serializer):
    unit = serializers.CharField(max_length=20, help_text="考核对象:t<乡镇区划id> 或 d<部门id>,见 results")
    kind = serializers.ChoiceField(choices=[("interview", "约谈"), ("circular", "通报"), ("warning", "警示"),
                                            ("exposure", "曝光")], default="interview")


def _row(r: M.Row) -> dict:
    return {"model": r.model, "pk": r.pk, "label": r.label, "url": r.url, "counted": r.counted, "why": r.why}


class SchemeViewSet(LifecycleViewSetMixin, ScopedViewSetMixin, mixins.CreateModelMixin,
                    viewsets.ReadOnlyModelViewSet):
    """Assessment schemes (考核方案). The county office and leaders see all; a township or department
    sees published ones and, in ``results`` and ``drilldown``, only its own row. POST creates a
    draft with the default indicators (county office); POST …/step/ publishes."""

    queryset = Scheme.objects.all()
    serializer_class = SchemeSerializer
    lifecycle = services.ASSESSMENT
    select_related = ("plan",)
    prefetch_related = ("indicators",)
    filterset_class = SchemeFilter

    def get_queryset(self):
        qs = super().get_queryset()
        return qs.defer("results") if self.action == "list" else qs

    @extend_schema(request=CreateSchemeSerializer, responses={201: SchemeSerializer})
    def create(self, request, *args, **kwargs):
        s = CreateSchemeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = s.validated_data
        plan = visible_or_400(Plan.objects.visible_to(request.user), d["plan"], "plan")
        scheme = services.create_scheme(request.user, plan, d["name"], d["period_start"], d["period_end"],
                                        pass_mark=d["pass_mark"], excellent_mark=d["excellent_mark"])
        return Response(self.get_serializer(self.get_queryset().get(pk=scheme.pk)).data, status=201)

    @extend_schema(responses=serializers.DictField())
    @action(detail=True, methods=["get"])
    def results(self, request, pk=None):
        """Scores and ranks per group (frozen when published; a draft's computed now)."""
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        res = services.results(scheme)
        return Response({"state": scheme.state, "checksum": scheme.checksum, "as_of": res["as_of"],
                         "indicators": res["indicators"], "groups": services.visible_groups(request.user, res)})

    @extend_schema(parameters=[OpenApiParameter("unit", str, description="t<乡镇区划id> 或 d<部门id>"),
                               OpenApiParameter("measure", str, description="指标的计算口径")],
                   responses=serializers.DictField())
    @action(detail=True, methods=["get"])
    def drilldown(self, request, pk=None):
        """The rows behind one indicator of one unit; ``numerator`` equals the rows counted."""
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        d = services.drilldown(request.user, scheme, request.query_params.get("unit", ""),
                               request.query_params.get("measure", ""))
        return Response({"unit": {k: d["unit"][k] for k in ("ref", "name", "total", "grade", "rank")},
                         "indicator": d["indicator"], **d["cell"], "rows": [_row(r) for r in d["rows"]]})

    @extend_schema(request=IndicatorCreateSerializer, responses=IndicatorSerializer(many=True))
    @action(detail=True, methods=["get", "post"])
    def indicators(self, request, pk=None):
        """GET: the scheme's indicators. POST ``measure`` (and fields): add one while a draft."""
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        if request.method == "POST":
            s = IndicatorCreateSerializer(data={**{k: request.data.get(k) for k in request.data}, "scheme": scheme.pk})
            s.is_valid(raise_exception=True)
            d = dict(s.validated_data)
            d.pop("scheme")
            ind = services.add_indicator(request.user, scheme, d.pop("measure"), **d)
            return Response(IndicatorSerializer(ind).data, status=201)
        return Response(IndicatorSerializer(scheme.indicators.all(), many=True).data)

    @extend_schema(request=ProposeSerializer, responses=serializers.DictField())
    @action(detail=True, methods=["post"])
    def propose(self, request, pk=None):
        """Propose an accountability action (约谈 …) in the credit app for one unit of a published scheme."""
        scheme = get_object_or_404(self.get_queryset(), pk=pk)
        s = ProposeSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        a, created = services.propose_accountability(request.user, scheme, s.validated_data["unit"],
                                                     kind=s.validated_data["kind"])
        return Response({"accountability": a.pk, "created": created, "kind": a.kind, "state": a.state,
                         "reason": a.reason, "url": a.get_absolute_url()}, status=201 if created else 200)


class IndicatorViewSet(ScopedViewSetMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin,
                       mixins.DestroyModelMixin, viewsets.ReadOnlyModelViewSet):
    """A scheme's indicators. POST adds one, PATCH edits, DELETE removes — only while the scheme is
    a draft and only by the county office."""

    queryset = Indicator.objects.all()
    serializer_class = IndicatorSerializer
    filterset_class = IndicatorFilter
    select_related = ("scheme",)
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    @extend_schema(request=IndicatorCreateSerializer, responses={201: IndicatorSerializer})
    def create(self, request, *args, **kwargs):
        s = IndicatorCreateSerializer(data=request.data)
        s.is_valid(raise_exception=True)
        d = dict(s.validated_data)
        scheme = visible_or_400(Scheme.objects.visible_to(request.user), d.pop("scheme"), "scheme")
        ind = services.add_indicator(request.user, scheme, d.pop("measure"), **d)
        return Response(IndicatorSerializer(ind).data, status=201)

    @extend_schema(request=IndicatorUpdateSerializer, responses=IndicatorSerializer)
    def partial_update(self, request, *args, **kwargs):
        ind = self.get_object()
        s = IndicatorUpdateSerializer(data=request.data, partial=True)
        s.is_valid(raise_exception=True)
        if not s.validated_data:
            raise ServiceError("请提供要修改的字段。")
        ind = services.update_indicator(request.user, ind, **s.validated_data)
        return Response(IndicatorSerializer(ind).data)

    def update(self, request, *args, **kwargs):
        if not kwargs.get("partial"):
            return self.http_method_not_allowed(request, *args, **kwargs)
        return self.partial_update(request, *args, **kwargs)

    def destroy(self, request, *args, **kwargs):
        services.remove_indicator(request.user, self.get_object())
        return Response(status=204)


def register(router):
    router.register("assessment-schemes", SchemeViewSet)
    router.register("assessment-indicators", IndicatorViewSet)
