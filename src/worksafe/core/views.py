"""Views every app shares: scoped list/detail bases, the home dashboard, the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from .models import Notification
from .scoping import Role, scope_of
from .services import ServiceError


class ScopedMixin:
    """Every page's rows start from ``Model.objects.visible_to(request.user)``; an id
    outside the scope is a 404, never a 403 that would confirm it exists."""

    model = None
    select_related: tuple = ()
    prefetch_related: tuple = ()

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user)
        if self.select_related:
            qs = qs.select_related(*self.select_related)
        if self.prefetch_related:
            qs = qs.prefetch_related(*self.prefetch_related)
        return qs

    @property
    def scope(self):
        return scope_of(self.request.user)


class ScopedListView(ScopedMixin, ListView):
    """A list page: the visible rows, narrowed by the list's filterset, sorted, paginated and
    shown by the list's table (:mod:`worksafe.core.tables`); ``?export=xlsx`` (or a table's
    named export) downloads exactly the filtered, sorted rows. Filter input that cannot be
    valid answers 400 with the message at the filter, never the unfiltered rows."""

    paginate_by = 50
    filterset_class = None
    table_class = None
    #: a route that is one of the table's named exports (e.g. the register's import layout)
    export_name: str | None = None

    def get_queryset(self):
        qs = super().get_queryset()
        if self.filterset_class:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            qs = self.filterset.qs
        return qs

    def get_table_context(self) -> dict:
        """Extra names the table's cells may use."""
        return {}

    def get_table(self):
        return self.table_class(self.request, context=self.get_table_context()) if self.table_class else None

    def filter_invalid(self) -> bool:
        fs = getattr(self, "filterset", None)
        return fs is not None and fs.is_bound and not fs.is_valid()

    def get(self, request, *args, **kwargs):
        self.table = self.get_table()
        qs = self.get_queryset()
        if self.filter_invalid():
            self.object_list = qs.none()
            ctx = self.get_context_data(filter_error=self.filterset.error_text())
            return self.render_to_response(ctx, status=400)
        if self.table:
            qs = self.table.order(qs)
        self.object_list = qs
        export = self.export_name or request.GET.get("export")
        if export and self.table:
            resp = self.table.export(export, qs)
            if resp is None:
                return HttpResponseBadRequest(f"未知的导出格式:{export}")
            return resp
        return self.render_to_response(self.get_context_data())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.filterset_class:
            ctx["filter"] = self.filterset
            fields = self.filterset.form.fields
            ctx["filter_active"] = any(v for k, v in self.request.GET.items() if k in fields)
        q = self.request.GET.copy()
        q.pop("page", None)
        q.pop("export", None)
        ctx["querystring"] = q.urlencode()
        q["export"] = "xlsx"
        ctx["export_querystring"] = q.urlencode()
        page = ctx.get("page_obj")
        if page is not None and ctx.get("is_paginated"):
            ctx["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        table = getattr(self, "table", None)
        if table is not None:
            ctx["table"] = table
            ctx["table_rows"] = table.rows(ctx["object_list"])
        return ctx


class ScopedDetailView(ScopedMixin, DetailView):
    pass


class ScopedActionView(ScopedMixin, View):
    """A POST that calls one service on one scoped object; errors come back as messages."""

    http_method_names = ["post"]

    def post(self, request, pk):
        obj = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            message = self.act(obj)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            if message:
                messages.success(request, message)
        return HttpResponseRedirect(self.get_success_url(obj))

    def act(self, obj) -> str:  # pragma: no cover
        raise NotImplementedError

    def get_success_url(self, obj):
        return obj.get_absolute_url()


class HomeView(TemplateView):
    """The dashboard: each role's own view of the plan."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from worksafe.enterprises.models import Enterprise
        from worksafe.plans.models import Plan, Target, Task
        from worksafe.plans.services import target_state

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_of(user)
        today = timezone.localdate()
        ctx["scope"] = scope
        ctx["role_labels"] = [Role.LABELS[r] for r in sorted(scope.roles)]
        plan = Plan.objects.visible_to(user).first()
        ctx["plan"] = plan
        tasks = Task.objects.visible_to(user)
        if plan:
            tasks = tasks.filter(area__plan=plan)
        ctx["task_counts"] = tasks.aggregate(
            total=Count("id"),
            done=Count("id", filter=Q(status=Task.Status.DONE)),
            late=Count("id", filter=Q(due_date__lt=today) & ~Q(status=Task.Status.DONE)),
            in_progress=Count("id", filter=Q(status=Task.Status.IN_PROGRESS)),
        )
        ctx["late_tasks"] = tasks.late(today).select_related("area").order_by("due_date", "id")[:10]
        targets = list(Target.objects.visible_to(user).select_related("task__area")[:20])
        ctx["targets"] = [(t, target_state(t, today)) for t in targets]
        ctx["enterprises"] = Enterprise.objects.visible_to(user).order_by("name")[:10]
        ctx["enterprise_count"] = Enterprise.objects.visible_to(user).count()
        if scope.is_staff_scope:
            from worksafe.risks.views_map import risk_chart_data

            ctx["risk_charts"] = risk_chart_data(user)
        ctx["unread"] = Notification.objects.visible_to(user).filter(read_at__isnull=True)[:5]
        from worksafe.hazards.models import Hazard

        hazards = Hazard.objects.visible_to(user)
        ctx["hazard_counts"] = hazards.aggregate(
            open=Count("id", filter=~Q(state__in=["closed", "dismissed"])),
            major_open=Count("id", filter=Q(level="major") & ~Q(state__in=["closed", "dismissed"])),
            overdue=Count("id", filter=Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)),
            listed=Count("id", filter=Q(listed=True, listed_lifted_on__isnull=True)),
            awaiting=Count("id", filter=Q(state="awaiting_acceptance")),
        )
        from worksafe.monitoring.models import Alarm

        ctx["alarm_counts"] = Alarm.objects.visible_to(user).filter(open=True).aggregate(
            open=Count("id"),
            red=Count("id", filter=Q(kind="level", level=4, active=True)),
            orange=Count("id", filter=Q(kind="level", level=3, active=True)),
            unacknowledged=Count("id", filter=Q(state="raised")),
            offline=Count("id", filter=Q(kind="offline", active=True)),
        )
        return ctx


class InboxView(ListView):
    template_name = "core/inbox.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)


class NotificationReadView(ScopedActionView):
    model = Notification

    def post(self, request, pk):
        n = get_object_or_404(self.get_queryset(), pk=pk)
        if n.read_at is None:
            n.read_at = timezone.now()
            n.save(update_fields=["read_at"])
        return redirect(n.url or "core:inbox")


def require_county_office(request, message: str = "只有县安委办可以进行此操作。"):
    s = scope_of(request.user)
    if not s.is_county_office or s.read_only:
        raise PermissionDenied(message)


class CountyOfficeRequiredMixin:
    """Pages only the county office (not leaders) may use; anonymous users go to the login page."""

    county_office_message = "只有县安委办可以进行此操作。"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            require_county_office(request, self.county_office_message)
        return super().dispatch(request, *args, **kwargs)


class ScopedFileView(ScopedMixin, View):
    """Serve one scoped row's file: images inline, everything else as a download."""

    file_field = "file"

    def filename(self, obj) -> str:
        return obj.name

    def get(self, request, pk):
        from django.http import FileResponse

        obj = get_object_or_404(self.get_queryset(), pk=pk)
        name = self.filename(obj)
        inline = name.lower().endswith((".jpg", ".jpeg", ".png"))
        return FileResponse(getattr(obj, self.file_field).open("rb"), as_attachment=not inline, filename=name)
