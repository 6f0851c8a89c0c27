"""Monitoring pages: the live board, alarms and their handling, points with charts and
thresholds, monitored objects with the GB 39496 roll-up, gateways and their tokens.

Every page starts from ``visible_to``; every write goes through :mod:`.services`.
"""

from __future__ import annotations

import copy
import hashlib

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control
from django.views import View
from django.views.generic import FormView, TemplateView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import is_officer, scope_of
from worksafe.core.services import ServiceError, save_as
from worksafe.core.views import ScopedDetailView, ScopedListView, ScopedMixin
from worksafe.enterprises.models import Facility

from . import alarms, queries, services
from .filters import AlarmFilter, BoardFilter, GatewayFilter, ObjectFilter, SensorFilter
from .forms import GatewayForm, SensorCreateForm, SensorEditForm
from .models import Alarm, DeadLetter, Gateway, Sensor, ThresholdProposal
from .tables import AlarmTable, GatewayTable, ObjectTable, SensorTable

BOARD_ROWS = 200  # the board shows the newest open alarms; the rest are in the alarm list


def _local(dt, fmt="%Y-%m-%d %H:%M:%S"):
    return timezone.localtime(dt).strftime(fmt) if dt else ""


class WriterRequiredMixin:
    """Forms that change monitoring configuration: read-only roles (leaders, no role) get a 403
    for any id, so the answer says nothing about whether the id exists."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).read_only:
            raise PermissionDenied("您的角色只能查看,不能修改。")
        return super().dispatch(request, *args, **kwargs)


def _no_store(response):
    """A page that shows a gateway token: never cached anywhere."""
    patch_cache_control(response, no_store=True, no_cache=True, private=True, max_age=0)
    return response


# --- the live board ----------------------------------------------------------------------------

class BoardMixin:
    alarm_select = ("enterprise__township", "facility", "sensor")

    def board_context(self, request) -> dict:
        base = Alarm.objects.visible_to(request.user).open()
        f = BoardFilter(request.GET or None, queryset=base, request=request)
        by_township = base
        if f.is_bound and f.is_valid() and f.form.cleaned_data.get("township"):
            by_township = base.filter(enterprise__township=f.form.cleaned_data["township"])
        rows = list(f.qs.select_related(*self.alarm_select).order_by("-level", "-raised_at", "-id")[:BOARD_ROWS + 1])
        q = request.GET.copy()
        q.pop("level", None)
        return {
            "filter": f,
            "cards": queries.board_counts(by_township),
            "alarms": rows[:BOARD_ROWS],
            "more": len(rows) > BOARD_ROWS,
            "level": request.GET.get("level", ""),
            "querystring": request.GET.urlencode(),
            "card_querystring": q.urlencode(),
        }


class Board(BoardMixin, TemplateView):
    """实时预警看板: open alarms of the user's scope by level, newest first; cards and table refresh by polling."""

    template_name = "monitoring/board.html"

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **self.board_context(self.request)}


class BoardRows(BoardMixin, View):
    """The board's live part (cards and table) for HTMX polling: two queries, no context
    processors, and an ETag so an unchanged board costs a 304."""

    def get(self, request):
        html = render_to_string("monitoring/_board_live.html", self.board_context(request))
        etag = '"' + hashlib.sha1(html.encode("utf-8")).hexdigest() + '"'
        not_modified = get_conditional_response(request, etag=etag)
        resp = not_modified or HttpResponse(html)
        resp["ETag"] = etag
        patch_cache_control(resp, private=True, no_cache=True)
        return resp


# --- alarms ------------------------------------------------------------------------------------

class AlarmList(ScopedListView):
    model = Alarm
    filterset_class = AlarmFilter
    table_class = AlarmTable
    select_related = ("enterprise__township", "facility", "sensor")
    template_name = "monitoring/alarm_list.html"


class AlarmDetail(ScopedDetailView):
    model = Alarm
    select_related = ("enterprise__township", "facility", "sensor__state", "acknowledged_by", "handled_by",
                      "hazard")
    template_name = "monitoring/alarm_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx.update(alarm_actions(self.request, self.object, **kwargs))
        return ctx


def alarm_actions(request, alarm: Alarm, bound_step=None, **_kwargs) -> dict:
    """The steps the user may take now, with their forms (a bound one kept after an error)."""
    return {
        "steps": alarms.ALARM.panel(request.user, alarm, url=reverse("monitoring:alarm_act", args=[alarm.pk]),
                                    field="action", bound=bound_step),
        "recent": alarm.sensor.alarms.exclude(pk=alarm.pk).order_by("-raised_at")[:5],
    }


class AlarmAct(LifecycleActView):
    """One POST for every step people take (core.lifecycle; the form carries the version it was
    shown): 确认收到, 处置完毕, 转为隐患. A refused step re-shows the page with the input kept."""

    model = Alarm
    lifecycle = alarms.ALARM
    detail_view = AlarmDetail
    step_field = "action"
    redisplay_refusals = True


# --- sensors -----------------------------------------------------------------------------------

class SensorList(ScopedListView):
    model = Sensor
    filterset_class = SensorFilter
    table_class = SensorTable
    select_related = ("enterprise__township", "facility", "state", "gateway")
    template_name = "monitoring/sensor_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_write"] = not self.scope.read_only
        return ctx


class SensorDetail(ScopedDetailView):
    model = Sensor
    select_related = ("enterprise__township", "facility", "state", "gateway")
    template_name = "monitoring/sensor_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.object
        ctx["thresholds"] = queries.thresholds_of(s)
        alarms = list(s.alarms.order_by("-raised_at", "-id")[:20])
        ctx["open_alarms"] = [a for a in alarms if a.open]
        ctx["recent_alarms"] = alarms
        ctx["can_write"] = not self.scope.read_only
        ctx["ranges"] = [(k, v[2]) for k, v in queries.RANGES.items()]
        if s.facility.kind == Facility.Kind.RESERVOIR and s.quantity == queries.RESERVOIR_LEVEL:
            ctx["flood_limit"] = s.facility.flood_limit_level_m
        return ctx


class SensorData(ScopedMixin, View):
    """The chart's JSON: ?range=hour|day|month → series of [ms, min, max, avg] and thresholds."""

    model = Sensor

    def get(self, request, pk):
        sensor = get_object_or_404(self.get_queryset(), pk=pk)
        range_name = request.GET.get("range") or "hour"
        if range_name not in queries.RANGES:
            return JsonResponse({"detail": "range 应为 hour、day 或 month。"}, status=400)
        resp = JsonResponse(queries.chart_data(sensor, range_name))
        patch_cache_control(resp, private=True, no_cache=True)
        return resp


class SensorEdit(WriterRequiredMixin, ScopedMixin, FormView):
    model = Sensor
    form_class = SensorEditForm
    template_name = "monitoring/sensor_form.html"

    def get_object(self):
        if not hasattr(self, "object"):
            self.object = get_object_or_404(self.get_queryset().select_related("facility", "enterprise"),
                                            pk=self.kwargs["pk"])
        return self.object

    def get(self, request, *args, **kwargs):
        self.get_object()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_object()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        # a copy: the form must not touch the row the service will lock and change
        return {**super().get_form_kwargs(), "instance": copy.copy(self.object)}

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "object": self.object}

    def form_valid(self, form):
        if not form.has_changed():
            messages.info(self.request, "没有修改。")
            return redirect(self.object)
        try:
            sensor = services.update_sensor(self.object, self.request.user, **form.cleaned_data)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        if sensor.proposal is not None:
            messages.info(self.request, "预警阈值和启停由监管部门决定:您的修改已作为变更申请提交审核,审核通过后生效。")
            return redirect(sensor.proposal)
        messages.success(self.request, "监测点配置已保存。")
        return redirect(self.object)


# --- monitored objects -------------------------------------------------------------------------

def _sensors_per_row(fk: str, **cond):
    """How many sensors (matching ``cond``) the row has whose id ``fk`` holds: a subquery run for
    each row shown (the page's 50), not a GROUP BY over every row's sensors (70,000 facilities and
    24,000 gateways at province scale, docs/scale.md); the paginator's count needs no join."""
    return Coalesce(Subquery(Sensor.objects.filter(**{fk: OuterRef("pk")}, **cond).order_by()
                             .values(fk).annotate(n=Count("id")).values("n")), 0)


class ObjectList(ScopedListView):
    """监测对象: facilities of the monitored kinds with their points and current level."""

    model = Facility
    filterset_class = ObjectFilter
    table_class = ObjectTable
    select_related = ("enterprise__township",)
    template_name = "monitoring/object_list.html"

    def get_queryset(self):
        return super().get_queryset().filter(kind__in=queries.MONITORED_KINDS).annotate(
            points=_sensors_per_row("facility_id", active=True),
            reporting=_sensors_per_row("facility_id", active=True, state__offline=False,
                                       state__received_at__isnull=False),
            offline=_sensors_per_row("facility_id", active=True, state__offline=True),
        ).order_by("kind", "enterprise__name", "name")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["coverage"] = queries.coverage_cards(self.request.user)
        return ctx


class ObjectDetail(ScopedDetailView):
    model = Facility
    select_related = ("enterprise__township",)
    template_name = "monitoring/object_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        f = self.object
        sensors = list(f.sensors.select_related("state", "gateway").order_by("item", "quantity", "code"))
        ctx["status"] = queries.object_status(f, sensors)
        ctx["is_reservoir"] = f.kind == Facility.Kind.RESERVOIR
        ctx["reservoir_level"] = queries.RESERVOIR_LEVEL
        ctx["open_alarms"] = Alarm.objects.visible_to(self.request.user).open().filter(facility=f).select_related(
            "sensor")
        ctx["missing_required"], ctx["missing_optional"] = services.pond_items_missing(f)
        return ctx


# --- gateways ----------------------------------------------------------------------------------

class GatewayList(ScopedListView):
    model = Gateway
    filterset_class = GatewayFilter
    table_class = GatewayTable
    select_related = ("enterprise__township",)
    template_name = "monitoring/gateway_list.html"

    def get_queryset(self):
        return (super().get_queryset().annotate(n_sensors=_sensors_per_row("gateway_id"))
                .order_by("enterprise__name", "code"))

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_write"] = not self.scope.read_only
        return ctx


class GatewayDetail(ScopedDetailView):
    model = Gateway
    select_related = ("enterprise__township",)
    template_name = "monitoring/gateway_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sensors"] = self.object.sensors.select_related("facility", "state").order_by("code")
        ctx["can_write"] = not self.scope.read_only
        ctx["mqtt_prefix"] = settings.WORKSAFE_MQTT_TOPIC_PREFIX.strip("/")
        return ctx


class GatewayCreate(WriterRequiredMixin, FormView):
    form_class = GatewayForm
    template_name = "monitoring/gateway_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        s = scope_of(self.request.user)
        if self.request.GET.get("enterprise"):
            return {"enterprise": self.request.GET["enterprise"]}
        if len(s.enterprise_ids) == 1:
            return {"enterprise": next(iter(s.enterprise_ids))}
        return {}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            gateway, token = services.create_gateway(self.request.user, d["enterprise"], code=d["code"],
                                                     name=d["name"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        return token_page(self.request, gateway, token, "采集网关已登记")


def token_page(request, gateway, token, title):
    """The one response that shows a token: rendered here, never put in a URL or the session."""
    resp = render(request, "monitoring/gateway_token.html", {"object": gateway, "token": token, "title": title})
    return _no_store(resp)


class GatewayRotate(ScopedMixin, View):
    model = Gateway
    http_method_names = ["post"]

    def post(self, request, pk):
        gateway = get_object_or_404(self.get_queryset().select_related("enterprise"), pk=pk)
        try:
            token = services.rotate_token(gateway, request.user)
        except ServiceError as e:
            messages.error(request, e.message)
            return redirect(gateway)
        return token_page(request, gateway, token, "已更换令牌")


class SensorCreate(WriterRequiredMixin, ScopedMixin, FormView):
    """A new point on a gateway (/gateways/<pk>/sensors/new/: the pk is the gateway's)."""

    model = Gateway
    form_class = SensorCreateForm
    template_name = "monitoring/sensor_create.html"

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.gateway = None

    def get_gateway(self):
        if self.gateway is None:
            self.gateway = get_object_or_404(self.get_queryset().select_related("enterprise"), pk=self.kwargs["pk"])
        return self.gateway

    def get(self, request, *args, **kwargs):
        self.get_gateway()
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        self.get_gateway()
        return super().post(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "gateway": self.gateway}

    def get_initial(self):
        initial = {}
        if self.request.GET.get("facility"):
            initial["facility"] = self.request.GET["facility"]
        return initial

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "gateway": self.gateway}

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            sensor = services.create_sensor(self.request.user, d["facility"], gateway=self.gateway, code=d["code"],
                                            name=d["name"], quantity=d["quantity"], **form.service_fields())
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"监测点 {sensor.code} 已添加。")
        if sensor.proposal is not None:
            messages.info(self.request, "预警阈值由监管部门决定:您填写的阈值已作为变更申请提交审核,审核通过后生效。")
        return redirect(sensor)


# ---------------------------------------------------------------- dead letters (待查消息)


class DeadLetterList(ScopedListView):
    """Messages and batches that could not be processed at all: kept here, acknowledged and
    answered, so the stream went on."""

    model = DeadLetter
    select_related = ("gateway", "enterprise")
    template_name = "monitoring/deadletter_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        if self.request.GET.get("open") == "1":
            qs = qs.filter(reviewed_at__isnull=True)
        return qs


class DeadLetterDetail(ScopedDetailView):
    model = DeadLetter
    select_related = ("gateway", "enterprise", "reviewed_by")
    template_name = "monitoring/deadletter_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_review"] = is_officer(self.request.user) and self.object.reviewed_at is None
        return ctx


class DeadLetterReview(ScopedMixin, View):
    """An officer marks a dead letter as looked at (with the history of who and when)."""

    model = DeadLetter
    http_method_names = ["post"]

    def post(self, request, pk):
        letter = get_object_or_404(self.get_queryset(), pk=pk)
        if not is_officer(request.user):
            raise PermissionDenied("只有监管人员可以处理待查消息。")
        if letter.reviewed_at is None:
            letter.reviewed_at = timezone.now()
            letter.reviewed_by = request.user
            save_as(letter, request.user, "已查看")
            messages.success(request, "已标记为已查看。")
        return redirect(letter)


# ---------------------------------------------------------------- threshold proposals (阈值变更申请)


class ProposalList(ScopedListView):
    model = ThresholdProposal
    select_related = ("sensor", "enterprise", "proposed_by")
    template_name = "monitoring/proposal_list.html"

    def get_queryset(self):
        qs = super().get_queryset()
        state = self.request.GET.get("state")
        return qs.filter(state=state) if state in ThresholdProposal.State.values else qs


class ProposalDetail(ScopedDetailView):
    model = ThresholdProposal
    select_related = ("sensor", "enterprise", "proposed_by", "reviewed_by")
    template_name = "monitoring/proposal_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        p = self.object
        labels = {f.name: f.verbose_name for f in Sensor._meta.fields}
        ctx["rows"] = [(labels.get(k, k), old, new) for k, (old, new) in p.changes.items()]
        ctx["steps"] = services.PROPOSAL.panel(self.request.user, p, url=reverse("monitoring:proposal_act",
                                                                                args=[p.pk]),
                                               bound=kwargs.get("bound_step"))
        return ctx


class ProposalAct(LifecycleActView):
    model = ThresholdProposal
    lifecycle = services.PROPOSAL
    detail_view = ProposalDetail
