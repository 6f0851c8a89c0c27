from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Case, Exists, F, OuterRef, Q, Value, When
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.views.generic import FormView

from worksafe.core.lifecycle import LifecycleActView
from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import ScopedDetailView, ScopedListView, rendered_sections

from . import services
from .filters import AccidentFilter
from .forms import AccidentForm
from .models import Accident, ReportStep
from .tables import AccidentTable


def with_lateness(qs, now=None):
    """Annotate ``is_late``: a report step late (not made, or made after its time) or the
    investigation report overdue."""
    now = now or timezone.now()
    late_step = ReportStep.objects.filter(accident=OuterRef("pk")).filter(
        Q(reported_at__isnull=True, due_at__lt=now) | Q(reported_at__gt=F("due_at"))
    )
    return qs.annotate(
        is_late=Case(
            When(state=Accident.State.WITHDRAWN, then=Value(False)),
            When(Exists(late_step), then=Value(True)),
            When(
                state=Accident.State.INVESTIGATING,
                investigation_due__lt=timezone.localdate(now),
                then=Value(True),
            ),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


class AccidentList(ScopedListView):
    """The accident register of the user's scope, newest first; late ones in red."""

    model = Accident
    filterset_class = AccidentFilter
    table_class = AccidentTable
    select_related = ("enterprise", "township", "supervising_unit")
    template_name = "accidents/accident_list.html"

    def get_queryset(self):
        return with_lateness(super().get_queryset())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["can_report"] = not self.scope.read_only and bool(self.scope.roles)
        return ctx


class AccidentDetail(ScopedDetailView):
    model = Accident
    select_related = ("enterprise", "township", "sector", "supervising_unit", "reported_by", "confirmed_by")
    template_name = "accidents/accident_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        a = self.object
        now = timezone.now()
        ctx["steps"] = services.ACCIDENT.panel(
            self.request.user,
            a,
            url=reverse("accidents:accident_act", args=[a.pk]),
            bound=kwargs.get("bound_step"),
        )
        ctx["chain"] = [(s, s.is_late(now)) for s in a.report_steps.select_related("reported_by")]
        ctx["changes"] = a.casualty_changes.select_related("by")
        ctx["supplement_until"] = a.supplement_until
        ctx["in_window"] = a.in_supplement_window(now)
        ctx["investigation_overdue"] = a.is_investigation_overdue()
        ctx["sections"] = rendered_sections(self.request, a, {"object": a})  # e.g. the tip-off that revealed it
        return ctx


class AccidentCreate(FormView):
    form_class = AccidentForm
    template_name = "accidents/accident_form.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and scope_of(request.user).read_only:
            raise PermissionDenied("您的角色只能查看。")
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not scope_of(self.request.user).is_staff_scope:  # the regulated never grade themselves
            for name in (
                "concealed",
                "falsely_reported",
                "revealed_by",
                "revealed_how",
                "party",
                "township",
                "unit_reported_at",
            ):
                form.fields.pop(name, None)
        return form

    def get_initial(self):
        s = scope_of(self.request.user)
        initial = {}
        if self.request.GET.get("enterprise", "").isdigit():
            initial["enterprise"] = self.request.GET["enterprise"]
        elif len(s.enterprise_ids) == 1:
            initial["enterprise"] = next(iter(s.enterprise_ids))
        return initial

    def form_valid(self, form):
        d = dict(form.cleaned_data)
        try:
            a = services.record_accident(self.request.user, **d)
        except ServiceError as e:
            form.add_error(e.field if e.field in form.fields else None, e.message)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        messages.success(self.request, f"事故{a.code}已登记({a.get_grade_display()})。")
        return redirect(a)

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)


class AccidentAct(LifecycleActView):
    """One POST for every step of an accident (core.lifecycle); the form carries the version it was shown."""

    model = Accident
    lifecycle = services.ACCIDENT
    detail_view = AccidentDetail
