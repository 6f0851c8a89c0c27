from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views import View
from django.views.generic import FormView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
    rendered_sections,
)

from . import services
from .filters import HazardFilter
from .forms import HazardForm, ListingForm
from .models import Hazard, HazardFile
from .tables import BoardTable, HazardTable

#: the register's default order: open and overdue first, then the other open ones, then the rest
RANKED_ORDER = ("rank", "deadline", "-found_at", "-id")
PART_ORDER = RANKED_ORDER[1:]
OPEN_STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance"]


class RankedRows:
    """The register's rows in its default order, for the paginator: the ``rank`` of that order is a
    ``CASE`` on today's date that no index can serve, so a page is read from its three parts in
    turn — overdue, other open, the rest — each ordered by (deadline, newest found) along the
    indexes ``hazard_ranked*``; a part's size is counted (``hazard_state_deadline``) only when a page
    starts past its end, else known from the rows read. The rows and their order are those of ``qs``
    ordered by :data:`RANKED_ORDER` (docs/hazards.md "At province scale")."""

    def __init__(self, qs, today):
        overdue = Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today)
        base = qs.order_by(*PART_ORDER)
        self.qs = qs
        self.parts = [base.filter(overdue), base.filter(state__in=OPEN_STATES).exclude(overdue),
                      base.exclude(state__in=OPEN_STATES)]
        self._sizes: dict[int, int] = {}
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = self.qs.count()
        return self._count

    def __len__(self):
        return self.count()

    def __getitem__(self, k):
        if not isinstance(k, slice):
            return self[k:k + 1][0]
        start, stop = k.start or 0, k.stop if k.stop is not None else self.count()
        rows, lo = [], 0  # lo: the position of the part's first row in the whole list
        for i, part in enumerate(self.parts):
            a = max(start, lo)
            if a >= stop:
                break
            if i in self._sizes and a >= lo + self._sizes[i]:
                lo += self._sizes[i]
                continue
            got = list(part[a - lo:stop - lo])
            rows += got
            if len(got) == stop - a or i == len(self.parts) - 1:
                break  # the page is full (or the list ends)
            # the part ended before the page: its size is known from the rows, or counted when the
            # page starts past its end
            if i not in self._sizes:
                self._sizes[i] = a - lo + len(got) if got or a == lo else part.count()
            lo += self._sizes[i]
        return rows


class HazardList(ScopedListView):
    """The hazard register of the user's scope: open ones first, overdue first among them."""

    model = Hazard
    filterset_class = HazardFilter
    table_class = HazardTable
    select_related = ("enterprise__township", "sector", "supervising_unit")
    template_name = "hazards/hazard_list.html"

    def get_queryset(self):
        from django.db.models import Case, IntegerField, Value, When

        today = timezone.localdate()
        return super().get_queryset().annotate(
            rank=Case(
                When(Q(state__in=Hazard.DEADLINE_STATES, deadline__lt=today), then=Value(0)),
                When(state__in=OPEN_STATES, then=Value(1)),
                default=Value(2), output_field=IntegerField()),
        ).order_by(*RANKED_ORDER)

    def get_paginator(self, queryset, per_page, **kwargs):
        if tuple(getattr(getattr(queryset, "query", None), "order_by", ())) == RANKED_ORDER:
            queryset = RankedRows(queryset, timezone.localdate())  # the default order, read by parts
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        ctx["can_report"] = not self.scope.read_only and bool(self.scope.roles)
        return ctx


class HazardDetail(ScopedDetailView):
    model = Hazard
    select_related = ("enterprise__township", "sector", "supervising_unit", "listed_unit", "criterion", "found_by",
                      "rectified_by", "accepted_by")
    template_name = "hazards/hazard_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        h = self.object
        user = self.request.user
        ctx["steps"] = services.HAZARD.panel(user, h, url=reverse("hazards:hazard_act", args=[h.pk]),
                                             bound=kwargs.get("bound_step"))
        s = scope_of(user)
        ctx["can_list"] = (h.is_major and not h.listed and h.state not in ("closed", "dismissed") and not s.read_only
                           and (s.is_county_office or h.supervising_unit_id in s.department_ids))
        ctx["listing_form"] = ListingForm(initial={"on": timezone.localdate(), "unit": h.supervising_unit_id})
        ctx["actions"] = h.actions.select_related("by").prefetch_related("files")
        ctx["files"] = h.files.filter(action__isnull=True)
        ctx["overdue"] = h.is_overdue()
        ctx["five"] = [(label, getattr(h, key).isoformat() if key == "deadline" and h.deadline else getattr(h, key))
                       for key, label in services.FIVE]
        ctx["report"] = [(label, getattr(h, key)) for key, label in services.MAJOR_REPORT]
        ctx["sections"] = rendered_sections(self.request, h, {"object": h})  # e.g. the tip-off it came from
        return ctx


class HazardCreate(FormView):
    form_class = HazardForm
    template_name = "hazards/hazard_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).read_only:
            raise PermissionDenied("您的角色只能查看。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_initial(self):
        s = scope_of(self.request.user)
        initial = {"source": Hazard.Source.SELF if s.enterprise_ids and not s.is_staff_scope else
                   Hazard.Source.TOWNSHIP if s.township_ids else Hazard.Source.DEPARTMENT}
        if self.request.GET.get("enterprise"):
            initial["enterprise"] = self.request.GET["enterprise"]
        elif len(s.enterprise_ids) == 1:
            initial["enterprise"] = next(iter(s.enterprise_ids))
        return initial

    def form_valid(self, form):
        d = form.cleaned_data
        try:
            h = services.report_hazard(
                self.request.user, d["enterprise"], location=d["location"], description=d["description"],
                source=d["source"], standard_item=d["standard_item"], level=d["level"], criterion=d["criterion"],
                files=d["files"], fixed_on_spot=d["fixed_on_spot"], evidence=d["evidence"],
                rectification_note=d["rectification_note"])
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, f"隐患{h.code}已登记。")
        return redirect(h)


class HazardAct(LifecycleActView):
    """One POST for every step of the loop (core.lifecycle); the form carries the version it was shown."""

    model = Hazard
    lifecycle = services.HAZARD
    detail_view = HazardDetail


class HazardListing(ScopedMixin, View):
    model = Hazard
    http_method_names = ["post"]

    def post(self, request, pk):
        h = get_object_or_404(self.get_queryset(), pk=pk)
        form = ListingForm(request.POST)
        if not form.is_valid():
            messages.error(request, "请选择督办单位和挂牌日期。")
            return redirect(h)
        try:
            services.list_for_supervision(h, request.user, version=request.POST.get("version"), **form.cleaned_data)
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "已挂牌督办。")
        return redirect(h)


class FileDownload(ScopedFileView):
    model = HazardFile


class FileThumbnail(ScopedMixin, View):
    model = HazardFile

    def get(self, request, pk):
        f = get_object_or_404(self.get_queryset(), pk=pk)
        if not f.thumbnail:  # not an image: the file itself
            return redirect(f.get_absolute_url())
        return FileResponse(f.thumbnail.open("rb"), content_type="image/jpeg")


class ListedBoard(ScopedListView):
    """挂牌督办 board: major hazards under listed supervision, overdue first."""

    model = Hazard
    select_related = ("enterprise__township", "listed_unit", "supervising_unit")
    template_name = "hazards/board.html"
    table_class = BoardTable
    extra_context = {"board_title": "挂牌督办重大事故隐患"}

    def get_table_context(self):
        return self.extra_context

    def get_queryset(self):
        return super().get_queryset().filter(listed=True).order_by("listed_lifted_on", "deadline")


class OverdueBoard(ScopedListView):
    model = Hazard
    select_related = ("enterprise__township", "listed_unit", "supervising_unit")
    template_name = "hazards/board.html"
    table_class = BoardTable
    extra_context = {"board_title": "逾期未整改隐患"}

    def get_table_context(self):
        return self.extra_context

    def get_queryset(self):
        # the states also as literal SQL: SQLite uses the partial index of the overdue states
        # (hazard_ranked_deadline) only when its condition appears as written, never for bound
        # parameters; without it a page walked the closed history's deadlines first (1.1 s at
        # 500,000 hazards, docs/scale.md). Top-level query only: the table is not aliased here.
        literal = RawSQL(f'"{Hazard._meta.db_table}"."state" IN ({", ".join(repr(s) for s in Hazard.DEADLINE_STATES)})',
                         [], output_field=BooleanField())
        return super().get_queryset().overdue().filter(literal).order_by("deadline")


class MyHazards(ScopedListView):
    """待办隐患: the open hazards whose next step the user's unit owns (the enterprise rectifies, the
    supervising department — or the township without one — confirms and accepts a major one), each
    with the steps the user may take."""

    model = Hazard
    select_related = ("enterprise__township", "supervising_unit")
    template_name = "hazards/my_hazards.html"

    paginate_by = 30

    def get_queryset(self):
        """Only what the user's unit owns: each open hazard is on exactly one unit's list."""
        return super().get_queryset().owned_by(self.scope).order_by("deadline", "-found_at")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["rows"] = [(h, services.HAZARD.allowed_steps(self.request.user, h, known_visible=True))
                       for h in ctx["object_list"]]
        return ctx
