"""Views every app shares: scoped list/detail bases, the home dashboard, the inbox."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views import View
from django.views.generic import DetailView, ListView, TemplateView

from .export import too_many_rows
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
    """A list page: the visible rows, narrowed by the list's filterset, sorted, paginated and
    shown by the list's table (:mod:`worksafe.core.tables`); ``?export=xlsx`` (or a table's
    named export) downloads exactly the filtered, sorted rows, streamed, and at most
    ``WORKSAFE_EXPORT_MAX_ROWS`` of them: above that the export is refused with a message on the
    list (its filters kept) asking to narrow the filters, rather than a file silently cut short.
    Filter input that cannot be valid answers 400 with the message at the filter, never the
    unfiltered rows."""

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
            if export not in self.table.exports:
                return HttpResponseBadRequest(f"未知的导出格式:{export}")
            refusal = too_many_rows(qs)
            if refusal:  # no truncated file: the officer narrows the filters and exports in parts
                if self.export_name:
                    raise BadRequest(refusal)
                messages.error(request, refusal)
                q = request.GET.copy()
                q.pop("export", None)
                return HttpResponseRedirect(f"{request.path}?{q.urlencode()}" if q else request.path)
            return self.table.export(export, qs)
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
        # an officer's desk shows its light panels at once and loads the heavy ones (counts over
        # the whole register) each from its own request; ?panels=all, or an enterprise user's
        # desk, computes them all here (the link for a browser without JavaScript)
        defer = scope.is_staff_scope and self.request.GET.get("panels") != "all"
        panels = panels_for(self.request, scope, defer=defer)
        ctx["panels"] = [
            render_to_string("core/_panel_slot.html", {"panel": panel}, request=self.request) if pctx is None
            else render_to_string(panel.template, {"scope": scope, **pctx}, request=self.request)
            for panel, pctx in panels]
        ctx["deferred"] = any(pctx is None for _panel, pctx in panels)
        ctx["unread"] = Notification.objects.visible_to(user).filter(read_at__isnull=True)[:5]
        return ctx


class PanelView(View):
    """``/panels/<key>/``: one desk panel, the fragment the desk's placeholder is replaced with;
    empty when the user's role does not get it. The panel's context starts from ``visible_to``
    as on the desk (the route walk in tests/core/test_scoping.py reads every panel as every role)."""

    def get(self, request, key):
        from .registry import PANELS

        panel = PANELS.get(key)
        if panel is None:
            raise Http404("未知的栏目")
        scope = scope_of(request.user)
        ctx = panel.context(request, scope)
        if ctx is None:
            return HttpResponse("")
        return render(request, panel.template, {"scope": scope, **ctx})


class InboxView(ListView):
    template_name = "core/inbox.html"
    paginate_by = 30

    def get_queryset(self):
        return Notification.objects.visible_to(self.request.user)

    def get_context_data(self, **kwargs):
        from .models import NoticePreference

        ctx = super().get_context_data(**kwargs)
        ctx["daily_digest"] = NoticePreference.objects.filter(user=self.request.user, daily_digest=True).exists()
        page = ctx.get("page_obj")
        if page is not None and ctx.get("is_paginated"):
            ctx["page_range"] = page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)
        return ctx


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


class NotificationReadAllView(View):
    """Mark every unread notice of the user read (the inbox's 全部标为已读)."""

    http_method_names = ["post"]

    def post(self, request):
        n = Notification.objects.visible_to(request.user).filter(read_at__isnull=True).update(read_at=timezone.now())
        messages.success(request, f"已将{n}条通知标为已读。" if n else "没有未读通知。")
        return redirect("core:inbox")


class NoticePreferenceView(View):
    """The user's choice: each notice by email at once, or one digest email a day."""

    http_method_names = ["post"]

    def post(self, request):
        from .models import NoticePreference

        daily = request.POST.get("daily_digest") in ("1", "on", "true")
        NoticePreference.objects.update_or_create(user=request.user, defaults={"daily_digest": daily})
        messages.success(request, "已改为每天汇总发送一封通知邮件。" if daily else "已改为每条通知即时发送邮件。")
        return redirect("core:inbox")


class SearchView(TemplateView):
    """The header's search: enterprises by name or credit code, hazards by code, tasks by text, …
    each app answers through ``core.registry.SEARCH_PROVIDERS`` from the rows the user sees."""

    template_name = "core/search.html"

    def get_context_data(self, **kwargs):
        from .registry import search_all

        ctx = super().get_context_data(**kwargs)
        q = (self.request.GET.get("q") or "").replace("\x00", "").strip()[:100]
        ctx["search_q"] = q
        ctx["groups"] = search_all(self.request.user, q) if len(q) >= 2 or q.isdigit() else []
        ctx["too_short"] = bool(q) and not ctx["groups"] and len(q) < 2
        return ctx


# ---------------------------------------------------------------- error pages


def _error_reason(exception, default: str) -> str:
    """The Chinese reason a view gave with PermissionDenied / Http404 (not Django's English
    resolver text, which would name internal paths)."""
    msg = ""
    if exception is not None and exception.args:
        first = exception.args[0]
        msg = first if isinstance(first, str) else ""
    if not msg or not any("\u4e00" <= ch <= "\u9fff" for ch in msg):
        return default
    return msg


def bad_request(request, exception=None):
    from django.shortcuts import render

    return render(request, "400.html", {"reason": _error_reason(exception, "请求的内容无法处理,请检查后重试。")},
                  status=400)


def permission_denied(request, exception=None):
    from django.shortcuts import render

    return render(request, "403.html", {"reason": _error_reason(exception, "您无权访问该页面或进行此操作。")},
                  status=403)


def page_not_found(request, exception=None):
    from django.shortcuts import render

    return render(request, "404.html",
                  {"reason": _error_reason(exception, "您要找的页面不存在,或不在您的查看范围内。")}, status=404)


def server_error(request):
    """500: rendered from a static template without the request context (the database may be
    what failed)."""
    from django.http import HttpResponseServerError
    from django.template import loader

    return HttpResponseServerError(loader.get_template("500.html").render({}))
