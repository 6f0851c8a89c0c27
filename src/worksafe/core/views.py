"""Views every app shares: scoped list/detail bases, the home dashboard, the inbox."""

from __future__ import annotations

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from .models import AuditEvent, Notification
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
    paginate_by = 50
    filterset_class = None

    def get_queryset(self):
        qs = super().get_queryset()
        if self.filterset_class:
            self.filterset = self.filterset_class(self.request.GET or None, queryset=qs, request=self.request)
            qs = self.filterset.qs
        return qs

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        if self.filterset_class:
            ctx["filter"] = self.filterset
        q = self.request.GET.copy()
        q.pop("page", None)
        ctx["querystring"] = q.urlencode()
        return ctx


class ScopedDetailView(ScopedMixin, DetailView):
    pass


def rendered_sections(request, obj, context: dict) -> dict[str, list[str]]:
    """The sections other apps add to ``obj``'s page (``core.registry.SECTIONS``), rendered, by
    slot. Each section's template gets the page's ``context`` (``object``, the page's flags) and
    its own context."""
    from django.template.loader import render_to_string

    from .registry import sections_for

    scope = scope_of(request.user)
    return {slot: [render_to_string(section.template, {**context, "scope": scope, **sctx}, request=request)
                   for section, sctx in items]
            for slot, items in sections_for(request, obj, scope).items()}


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


def xlsx_response(filename: str, title: str, headers: list[str], rows) -> HttpResponse:
    """An .xlsx download: a title row, a header row, then the rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = title[:31]
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(1, len(headers)))
    ws["A1"].font = Font(bold=True, size=14)
    ws["A1"].alignment = Alignment(horizontal="center")
    ws.append(headers)
    for c in range(1, len(headers) + 1):
        ws.cell(row=2, column=c).font = Font(bold=True)
        ws.column_dimensions[get_column_letter(c)].width = 18
    for r in rows:
        ws.append(list(r))
    buf = io.BytesIO()
    wb.save(buf)
    resp = HttpResponse(
        buf.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    from urllib.parse import quote

    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


class HomeView(TemplateView):
    """The dashboard: each role's own view of the plan, made of the panels the apps register
    (``core.registry.PANELS``); each panel decides whether the user's role gets it."""

    template_name = "core/home.html"

    def get_context_data(self, **kwargs):
        from django.template.loader import render_to_string

        from .registry import panels_for

        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        scope = scope_of(user)
        ctx["scope"] = scope
        ctx["role_labels"] = [Role.LABELS[r] for r in sorted(scope.roles)]
        ctx["panels"] = [render_to_string(panel.template, {"scope": scope, **pctx}, request=self.request)
                         for panel, pctx in panels_for(self.request, scope)]
        ctx["unread"] = Notification.objects.visible_to(user).filter(read_at__isnull=True)[:5]
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

        from .services import IMAGE_TYPES, detect_type

        obj = get_object_or_404(self.get_queryset(), pk=pk)
        name = self.filename(obj)
        f = getattr(obj, self.file_field).open("rb")
        mime = detect_type(f)  # decided from the stored bytes: only images open in the browser
        inline = mime in IMAGE_TYPES
        return FileResponse(f, as_attachment=not inline, filename=name,
                            content_type=mime if inline else "application/octet-stream")


class AuditList(ScopedListView):
    """The security audit log, for the auditor (审计管理员) only: read and filter it, check the chain;
    nobody edits it."""

    model = AuditEvent
    template_name = "core/audit_list.html"
    paginate_by = 100

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not scope_of(request.user).has_role(Role.AUDITOR):
            raise PermissionDenied("只有审计管理员可以查看安全审计记录。")
        return super().dispatch(request, *args, **kwargs)

    def get_queryset(self):
        qs = super().get_queryset()
        g = self.request.GET
        if g.get("kind"):
            qs = qs.filter(kind=g["kind"])
        if g.get("user"):
            qs = qs.filter(username__icontains=g["user"][:150])
        if g.get("success") in ("0", "1"):
            qs = qs.filter(success=g["success"] == "1")
        return qs

    def get_context_data(self, **kwargs):
        from . import audit

        ctx = super().get_context_data(**kwargs)
        ctx["kinds"] = AuditEvent.Kind.choices
        if self.request.GET.get("verify"):
            ctx["verification"] = audit.verify()
        return ctx
