from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.views import View
from django.views.generic import ListView, TemplateView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedFileView, ScopedListView, ScopedMixin
from worksafe.enterprises.models import Enterprise
from worksafe.enterprises.views import EnterpriseList

from . import documents, services
from .filters import AccountabilityFilter, ClueFilter, CommitmentFilter, ListingFilter
from .forms import AccountabilityForm, ClueForm, CommitmentForm
from .models import Accountability, ClueTransfer, Commitment, Listing, ListingFile
from .tables import AccountabilityTable, ClueTable, CommitmentTable, ListingTable

# ---------------------------------------------------------------- public pages (no login)


@method_decorator(login_not_required, name="dispatch")
class PublicListings(ListView):
    """The published, unremoved serious-dishonesty list (公示): no login, no personal data."""

    template_name = "credit/public_listings.html"
    paginate_by = 50

    def get_queryset(self):
        return (
            Listing.objects.public().select_related("enterprise", "department").order_by("-listed_on", "-id")
        )


@method_decorator(login_not_required, name="dispatch")
class PublicCommitments(TemplateView):
    """An enterprise's public card of commitments (承诺公告): looked up by its credit code or name; the
    latest commitment and the last seven days."""

    template_name = "credit/public_commitments.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        q = (self.request.GET.get("q") or "").replace("\x00", "").strip()[:100]
        ctx["q"], ctx["cards"] = q, []
        if len(q) >= 2:
            ents = (
                services.required_enterprises()
                .filter(Q(credit_code__iexact=q) | Q(name__icontains=q))
                .select_related("township")
                .order_by("name")[:10]
            )
            for e in ents:
                recent = list(Commitment.objects.filter(enterprise=e).order_by("-day")[:7])
                ctx["cards"].append(
                    {
                        "enterprise": e,
                        "latest": recent[0] if recent else None,
                        "recent": recent,
                        "status": services.commitment_status([e.pk])[e.pk],
                    }
                )
        return ctx


# ---------------------------------------------------------------- commitments


class CommitmentList(ScopedListView):
    model = Commitment
    filterset_class = CommitmentFilter
    table_class = CommitmentTable
    select_related = ("enterprise",)
    template_name = "credit/commitment_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.scope
        mine = Enterprise.objects.filter(pk__in=s.enterprise_ids) if s.has_role(Role.ENTERPRISE) else None
        ctx["may_commit"] = bool(mine) and not s.read_only
        # counted by the database; the first names here, all of them paged on their own list
        required = services.required_enterprises(Enterprise.objects.visible_to(self.request.user))
        counts = required.aggregate(n=Count("id"), ok=Count("id", filter=services.committed()))
        ctx["required_count"] = counts["n"]
        ctx["missing_count"] = counts["n"] - counts["ok"]
        ctx["missing"] = required.exclude(services.committed()).order_by("name")[:MISSING_SHOWN]
        return ctx


#: how many of today's missing enterprises the commitments page names (the rest: their own list)
MISSING_SHOWN = 20


class CommitmentMissingList(EnterpriseList):
    """今日未发布: the enterprises that must publish and have not, for the current period, paged
    (at province scale they are thousands): the register's list (columns, filters, export) narrowed."""

    template_name = "credit/commitment_missing.html"

    def get_queryset(self):
        return services.required_enterprises(super().get_queryset()).exclude(services.committed())


class CommitmentCreate(View):
    """The enterprise publishes today's commitment (GET: the form; POST: the service)."""

    template_name = "credit/commitment_form.html"

    def enterprise(self, request):
        s = scope_of(request.user)
        ent = (
            Enterprise.objects.filter(pk__in=s.enterprise_ids).first()
            if s.has_role(Role.ENTERPRISE)
            else None
        )
        if ent is None or s.read_only:
            raise PermissionDenied("承诺公告由企业主要负责人签字后由企业发布。")
        return ent

    def get(self, request):
        ent = self.enterprise(request)
        form = CommitmentForm(initial={"day": timezone.localdate(), "principal": ent.principal})
        return render(request, self.template_name, {"form": form, "enterprise": ent})

    def post(self, request):
        ent = self.enterprise(request)
        form = CommitmentForm(request.POST)
        if form.is_valid():
            try:
                c = services.submit_commitment(request.user, ent, **form.cleaned_data)
                messages.success(request, "承诺公告已发布。")
                return redirect(c)
            except ServiceError as e:
                if e.status_code == 403:
                    raise PermissionDenied(e.message) from None
                form.add_error(e.field if e.field in form.fields else None, e.message)
        return render(request, self.template_name, {"form": form, "enterprise": ent}, status=400)


class CommitmentDetail(ScopedDetailView):
    model = Commitment
    select_related = ("enterprise", "submitted_by")
    template_name = "credit/commitment_detail.html"


# ---------------------------------------------------------------- the list


class ListingList(ScopedListView):
    model = Listing
    filterset_class = ListingFilter
    table_class = ListingTable
    select_related = ("enterprise", "department")
    template_name = "credit/listing_list.html"


class ListingJoint(ListingList):
    """联合惩戒 export: exactly the published, unremoved listings the user may see."""

    export_name = "joint"


class ListingDetail(ScopedDetailView):
    model = Listing
    select_related = ("enterprise", "department")
    template_name = "credit/listing_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["steps"] = services.LISTING.panel(
            self.request.user,
            obj,
            url=reverse("credit:listing_act", args=[obj.pk]),
            bound=kwargs.get("bound_step"),
            known_visible=True,
        )
        ctx["events"] = obj.events.select_related("user").prefetch_related("files")
        ctx["rule"] = obj.condition_rule
        return ctx


class ListingAct(LifecycleActView):
    model = Listing
    lifecycle = services.LISTING
    detail_view = ListingDetail


class FileDownload(ScopedFileView):
    model = ListingFile


# ---------------------------------------------------------------- accountability


class AccountabilityList(ScopedListView):
    model = Accountability
    filterset_class = AccountabilityFilter
    table_class = AccountabilityTable
    select_related = ("unit", "enterprise")
    template_name = "credit/accountability_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.scope
        if s.is_county_office and not s.read_only:
            ctx["form"] = kwargs.get("form") or AccountabilityForm(
                initial={"on": timezone.localdate()}, enterprises=Enterprise.objects.visible_to(self.request.user))
        return ctx

    def post(self, request, *args, **kwargs):
        s = self.scope
        if s.read_only or not s.is_county_office:
            raise PermissionDenied("约谈、通报、警示、曝光由县安委办登记。")
        form = AccountabilityForm(request.POST, enterprises=Enterprise.objects.visible_to(request.user))
        if form.is_valid():
            try:
                a = services.record_accountability(request.user, **form.cleaned_data)
                messages.success(request, f"已登记{a.get_kind_display()}。")
                return redirect(a)
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
        self.table = self.get_table()
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class AccountabilityDetail(ScopedDetailView):
    model = Accountability
    select_related = ("unit", "enterprise", "created_by")
    template_name = "credit/accountability_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["steps"] = services.ACCOUNTABILITY.panel(
            self.request.user,
            obj,
            url=reverse("credit:accountability_act", args=[obj.pk]),
            bound=kwargs.get("bound_step"),
            known_visible=True,
        )
        return ctx


class AccountabilityAct(LifecycleActView):
    model = Accountability
    lifecycle = services.ACCOUNTABILITY
    detail_view = AccountabilityDetail


# ---------------------------------------------------------------- clue transfers


class ClueList(ScopedListView):
    model = ClueTransfer
    filterset_class = ClueFilter
    table_class = ClueTable
    select_related = ("unit",)
    template_name = "credit/clue_list.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        s = self.scope
        if s.is_county_office and not s.read_only:
            ctx["form"] = kwargs.get("form") or ClueForm()
        return ctx

    def post(self, request, *args, **kwargs):
        s = self.scope
        if s.read_only or not s.is_county_office:
            raise PermissionDenied("问题线索由县安委办移交。")
        form = ClueForm(request.POST)
        if form.is_valid():
            try:
                c = services.create_clue(request.user, **form.cleaned_data)
                messages.success(request, f"已登记问题线索,汇集证据材料{len(c.items)}项。")
                return redirect(c)
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
        self.table = self.get_table()
        self.object_list = self.get_queryset()
        return render(request, self.template_name, self.get_context_data(form=form), status=400)


class ClueDetail(ScopedDetailView):
    model = ClueTransfer
    select_related = ("unit", "created_by")
    template_name = "credit/clue_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        obj = self.object
        ctx["steps"] = services.CLUE.panel(
            self.request.user,
            obj,
            url=reverse("credit:clue_act", args=[obj.pk]),
            bound=kwargs.get("bound_step"),
            known_visible=True,
        )
        ctx["acts"] = obj.accountabilities.select_related("unit", "enterprise")
        return ctx


class ClueAct(LifecycleActView):
    model = ClueTransfer
    lifecycle = services.CLUE
    detail_view = ClueDetail


class ClueDocx(ScopedMixin, View):
    model = ClueTransfer

    def get(self, request, pk):
        clue = get_object_or_404(self.get_queryset(), pk=pk)
        return _download(
            documents.clue_docx(clue),
            f"问题线索移交函{clue.pk}.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        )


class ClueXlsx(ScopedMixin, View):
    model = ClueTransfer

    def get(self, request, pk):
        clue = get_object_or_404(self.get_queryset(), pk=pk)
        return _download(
            documents.clue_xlsx(clue),
            f"问题线索证据清单{clue.pk}.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )


def _download(content: bytes, filename: str, ctype: str) -> HttpResponse:
    from urllib.parse import quote

    resp = HttpResponse(content, content_type=ctype)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
