from django.contrib import messages
from django.db.models import Avg, Count, Exists, OuterRef, Prefetch, Q
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.views import View
from django.views.generic import FormView, TemplateView, UpdateView

from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.views import (
    CountyOfficeRequiredMixin,
    ScopedDetailView,
    ScopedFileView,
    ScopedListView,
    ScopedMixin,
)
from worksafe.org.models import Department, Division, Sector, SectorSupervisor
from worksafe.standards import plan_tables, plan_text

from . import services
from .filters import TargetFilter, TaskFilter
from .forms import PlanUploadForm, PressForm, ProgressForm, SectorForm, TargetValueForm
from .models import (
    Area,
    AreaUnit,
    Phase,
    Plan,
    PlanImport,
    ProgressAttachment,
    ProgressReport,
    Target,
    Task,
)
from .tables import PlanTable, SectorTable, TargetTable, TaskTable


def _units_prefetch():
    return Prefetch("area_units", queryset=AreaUnit.objects.select_related("department").order_by(
        "role", "department__order", "department_id"))


class PlanList(ScopedListView):
    model = Plan
    table_class = PlanTable
    select_related = ("county",)
    template_name = "plans/plan_list.html"


class PlanDetail(ScopedDetailView):
    """The plan overview: areas with progress, phases timeline, targets, unplaced text."""

    model = Plan
    select_related = ("county",)
    template_name = "plans/plan_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        today = timezone.localdate()
        visible_tasks = Task.objects.visible_to(user).filter(area=OuterRef("pk"))
        areas = (
            Area.objects.visible_to(user).filter(plan=self.object)
            .annotate(
                task_count=Count("tasks", distinct=True),
                avg_percent=Avg("tasks__percent"),
                late_count=Count("tasks", filter=Q(tasks__due_date__lt=today) & ~Q(tasks__status=Task.Status.DONE),
                                 distinct=True),
                mine=Exists(visible_tasks),
            )
            .prefetch_related(_units_prefetch())
        )
        ctx["areas"] = areas
        phases = list(Phase.objects.visible_to(user).filter(plan=self.object))
        ctx["phases"] = phases
        ctx["timeline"] = {
            "names": [p.name for p in phases],
            "starts": [p.start.isoformat() for p in phases],
            "ends": [p.end.isoformat() for p in phases],
            "today": today.isoformat(),
        }
        targets = Target.objects.visible_to(user).filter(task__area__plan=self.object).select_related("task__area")
        ctx["targets"] = [(t, services.target_state(t, today)) for t in targets]
        return ctx


class PlanMatrix(ScopedDetailView):
    """The responsibility matrix: areas × units, lead ● / responsible ○."""

    model = Plan
    template_name = "plans/plan_matrix.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        aus = list(AreaUnit.objects.visible_to(self.request.user).filter(area__plan=self.object)
                   .select_related("department__division", "area"))
        areas = list(Area.objects.filter(plan=self.object))
        depts = {}
        townships = {}
        cells = {}
        for au in aus:
            d = au.department
            if d.is_township_unit:
                key = ("t", d.division_id)
                townships[d.division_id] = d.division
            else:
                key = ("d", d.pk)
                depts[d.pk] = d
            prev = cells.get((au.area_id, key))
            if prev != AreaUnit.Role.LEAD:
                cells[(au.area_id, key)] = au.role
        columns = [("d", d.pk, d.short_name or d.name, f"unit={d.pk}")
                   for d in sorted(depts.values(), key=lambda d: (d.order, d.pk))]
        columns += [("t", t.pk, t.name, f"township={t.pk}") for t in sorted(townships.values(), key=lambda t: t.code)]
        rows = []
        for a in areas:
            row = []
            for kind, pk, _label, q in columns:
                role = cells.get((a.pk, (kind, pk)))
                row.append({"role": role, "query": f"area={a.pk}&{q}"})
            rows.append((a, row))
        ctx["columns"] = columns
        ctx["rows"] = rows
        return ctx


class AreaDetail(ScopedDetailView):
    model = Area
    select_related = ("plan",)
    template_name = "plans/area_detail.html"

    def get_queryset(self):
        return super().get_queryset().prefetch_related(_units_prefetch())

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["tasks"] = Task.objects.visible_to(self.request.user).filter(area=self.object).prefetch_related(
            "targets", "task_units__department", "area__area_units__department")
        ctx["today"] = timezone.localdate()
        ctx["sectors"] = self.object.sectors.all()
        return ctx


class TaskList(ScopedListView):
    """My tasks (department, township) or all tasks (county office, leaders); late ones first."""

    model = Task
    filterset_class = TaskFilter
    table_class = TaskTable
    select_related = ("area__plan",)
    template_name = "plans/task_list.html"

    def get_queryset(self):
        today = timezone.localdate()
        return super().get_queryset().annotate(
            late_first=Q(due_date__lt=today) & ~Q(status=Task.Status.DONE)
        ).order_by("-late_first", "due_date", "area__order", "order")

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["today"] = timezone.localdate()
        return ctx


class TaskDetail(ScopedDetailView):
    model = Task
    select_related = ("area__plan",)
    prefetch_related = (Prefetch("area__area_units", queryset=AreaUnit.objects.select_related("department")),
                        "task_units__department")
    template_name = "plans/task_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        user = self.request.user
        task = self.object
        units = services.units_of_user_for_task(user, task)
        ctx["reports"] = ProgressReport.objects.visible_to(user).filter(task=task).select_related(
            "unit", "author").prefetch_related("attachments")
        ctx["presses"] = task.presses.select_related("by")
        ctx["targets"] = [(t, services.target_state(t)) for t in task.targets.all()]
        ctx["progress_form"] = kwargs.get("progress_form") or (ProgressForm(units=units, task=task) if units else None)
        ctx["press_form"] = kwargs.get("press_form") or (PressForm() if services.can_press(user, task) else None)
        ctx["late"] = task.is_late()
        return ctx


class TaskReport(ScopedMixin, View):
    """File a progress report on a task (lead and responsible units)."""

    model = Task
    http_method_names = ["post"]

    def post(self, request, pk):
        task = get_object_or_404(self.get_queryset(), pk=pk)
        units = services.units_of_user_for_task(request.user, task)
        form = ProgressForm(request.POST, request.FILES, units=units, task=task)
        if form.is_valid():
            d = form.cleaned_data
            try:
                services.file_progress(task, request.user, status=d["status"], percent=d["percent"],
                                       text=d["text"], unit=d["unit"], attachments=d["attachments"])
            except ServiceError as e:
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                messages.success(request, "进展已填报。")
                return redirect(task)
        elif not units:
            messages.error(request, "只有该任务的牵头单位和责任单位可以填报进展。")
            return redirect(task)
        view = TaskDetail(request=request, kwargs={"pk": pk}, object=task)
        view.object = task
        ctx = view.get_context_data(progress_form=form)
        from django.shortcuts import render
        return render(request, view.template_name, ctx, status=400)


class TaskPress(ScopedMixin, View):
    model = Task
    http_method_names = ["post"]

    def post(self, request, pk):
        """督办; on bad input the task page comes back with the form as typed (status 400)."""
        task = get_object_or_404(self.get_queryset(), pk=pk)
        form = PressForm(request.POST)
        if form.is_valid():
            try:
                press = services.press_task(task, request.user, **form.cleaned_data)
            except ServiceError as e:
                if e.status_code != 400:
                    messages.error(request, e.message)
                    return redirect(task)
                form.add_error(e.field if e.field in form.fields else None, e.message)
            else:
                respond_by = getattr(press, "respond_by", None) or form.cleaned_data["respond_by"]
                messages.success(request, f"已督办任务{task.code},限{respond_by:%Y-%m-%d}前反馈,"
                                          "并通知了该任务的牵头单位和责任单位。")
                return redirect(task)
        messages.error(request, "督办信息不完整:" + "；".join(
            f"{form.fields[f].label if f in form.fields else ''}{'、'.join(e)}" for f, e in form.errors.items()))
        view = TaskDetail(request=request, kwargs={"pk": pk}, object=task)
        view.object = task
        from django.shortcuts import render

        return render(request, view.template_name, view.get_context_data(press_form=form), status=400)


class TargetList(ScopedListView):
    model = Target
    filterset_class = TargetFilter
    table_class = TargetTable
    select_related = ("task__area__plan",)
    template_name = "plans/target_list.html"


class TargetDetail(ScopedDetailView):
    model = Target
    select_related = ("task__area__plan",)
    template_name = "plans/target_detail.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["state"] = services.target_state(self.object)
        s = scope_of(self.request.user)
        leads = set(self.object.task.area.area_units.filter(role=AreaUnit.Role.LEAD)
                    .values_list("department_id", flat=True))
        can = not s.read_only and (s.is_county_office or bool(leads & s.unit_ids))
        ctx["value_form"] = TargetValueForm() if can and not ctx["state"].live else None
        return ctx


class TargetRecord(ScopedMixin, View):
    model = Target
    http_method_names = ["post"]

    def post(self, request, pk):
        target = get_object_or_404(self.get_queryset(), pk=pk)
        try:
            services.record_target_value(target, request.user, value=request.POST.get("value", ""),
                                         note=request.POST.get("note", ""))
        except ServiceError as e:
            messages.error(request, e.message)
        else:
            messages.success(request, "目标数据已更新。")
        return redirect(target)


class AttachmentDownload(ScopedFileView):
    model = ProgressAttachment


class SectorList(ScopedListView):
    model = Sector
    table_class = SectorTable
    select_related = ("area",)
    prefetch_related = (Prefetch("sector_supervisors", queryset=SectorSupervisor.objects.select_related(
        "department").order_by("role", "department__order")),)
    template_name = "plans/sector_list.html"


class SectorDetail(ScopedDetailView):
    model = Sector
    select_related = ("area__plan",)
    template_name = "plans/sector_detail.html"


class SectorEdit(CountyOfficeRequiredMixin, ScopedMixin, UpdateView):
    model = Sector
    form_class = SectorForm
    template_name = "org/form.html"

    def form_valid(self, form):
        self.object = form.save()
        try:
            services.set_sector_supervisors(self.object, self.request.user, lead=form.cleaned_data["lead"],
                                            co=form.cleaned_data["co"])
        except ServiceError as e:
            form.add_error(None, e.message)
            return self.form_invalid(form)
        messages.success(self.request, "已保存。")
        return HttpResponseRedirect(self.object.get_absolute_url())


class PlanImportUpload(CountyOfficeRequiredMixin, FormView):
    """Step 1 of an import: upload and parse; nothing is written to the plan yet."""

    form_class = PlanUploadForm
    template_name = "plans/import_upload.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["drafts"] = PlanImport.objects.visible_to(self.request.user)[:20]
        return ctx

    def get_initial(self):
        """The county is asked, not assumed: preset only when the system holds one county."""
        counties = list(Division.objects.filter(level=Division.Level.COUNTY)[:2])
        return {"county": counties[0]} if len(counties) == 1 else {}

    def form_valid(self, form):
        import os
        import tempfile

        f = form.cleaned_data["file"]
        ext = os.path.splitext(f.name)[1].lower()
        if ext not in plan_tables.SUPPORTED_SUFFIXES:
            form.add_error("file", "只支持 .txt、.docx、.xlsx 和 .pdf 文件。")
            return self.form_invalid(form)
        with tempfile.NamedTemporaryFile(suffix=ext, delete=False) as tmp:
            for chunk in f.chunks():
                tmp.write(chunk)
        try:
            read = plan_tables.read_plan(tmp.name)
            text, parsed = read.text, read.parsed
        except Exception as e:  # a broken file must give a message, not a 500
            form.add_error("file", f"无法读取该文件:{e}(只支持 .txt、.docx、.xlsx 和有文字层的 .pdf 文件)")
            return self.form_invalid(form)
        finally:
            os.unlink(tmp.name)
        if not parsed.areas:
            form.add_error("file", "没有从文件中读出任何专项(整治领域),请检查文件内容。")
            return self.form_invalid(form)
        draft = PlanImport.objects.create(county=form.cleaned_data["county"], source_name=f.name[:200],
                                          source_text=text, parsed=parsed.to_dict(), created_by=self.request.user)
        warning = services.county_warning(text, draft.county)
        if warning:
            messages.warning(self.request, warning)
        return redirect(draft)


def parsed_from_dict(d: dict) -> plan_text.ParsedPlan:
    import datetime

    return plan_text.ParsedPlan(
        title=d["title"],
        phases=[plan_text.Phase(**p) for p in d["phases"]],
        areas=[plan_text.Area(
            number=a["number"], title=a["title"], lead_units=a["lead_units"], mark=a.get("mark", ""),
            responsible_units=a["responsible_units"],
            items=[plan_text.Item(text=i["text"], deadlines=[datetime.date.fromisoformat(x) for x in i["deadlines"]],
                                  targets=[plan_text.Target(**t) for t in i["targets"]],
                                  lead_units=i.get("lead_units", []), responsible_units=i.get("responsible_units", []),
                                  deadline_text=i.get("deadline_text", ""), ongoing=i.get("ongoing", False))
                   for i in a["items"]],
        ) for a in d["areas"]],
        unplaced=d["unplaced"],
    )


class PlanImportReview(CountyOfficeRequiredMixin, ScopedMixin, TemplateView):
    """Step 2: see what was read, map every unknown unit, then import in one go."""

    model = PlanImport
    template_name = "plans/import_review.html"

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        draft = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        parsed = parsed_from_dict(draft.parsed)
        names = services.plan_unit_names(parsed)
        res = services.resolve_units(names, draft.county)
        ctx.update(draft=draft, parsed=draft.parsed, resolved=[(n, res.resolved[n]) for n in names if n in
                   res.resolved], unknown=res.unknown, departments=Department.objects.filter(active=True),
                   vague=[(i, v) for i, v in enumerate(parsed.vague_units)],
                   target_count=sum(len(i["targets"]) for a in draft.parsed["areas"] for i in a["items"]),
                   item_count=sum(len(a["items"]) for a in draft.parsed["areas"]),
                   county_warning=services.county_warning(draft.source_text, draft.county))
        return ctx

    def post(self, request, pk):
        draft = get_object_or_404(self.get_queryset(), pk=pk)
        if draft.status != PlanImport.Status.DRAFT:
            messages.error(request, "该文件已经导入过。")
            return redirect(draft.plan or draft)
        mapping = {}
        for key, value in request.POST.items():
            if key.startswith("map:") and value:
                mapping[key[4:]] = value
        parsed = parsed_from_dict(draft.parsed)
        # vague units (各有关部门 …): the departments chosen for them in that area, by their index
        vague = {}
        for i, v in enumerate(parsed.vague_units):
            ids = [x for x in request.POST.getlist(f"vague:{i}") if x]
            if ids:
                vague[(v["area"], v["text"])] = ids
        try:
            plan = services.import_plan(parsed, county=draft.county, user=request.user,
                                        source_name=draft.source_name, source_text=draft.source_text,
                                        mapping=mapping, vague=vague)
        except services.UnknownUnits as e:
            messages.error(request, e.message)
            return redirect(draft)
        except ServiceError as e:
            messages.error(request, e.message)
            return redirect(draft)
        draft.status = PlanImport.Status.IMPORTED
        draft.plan = plan
        draft.save()
        messages.success(request, f"已导入《{plan.title}》:{plan.areas.count()}个专项。")
        return redirect(plan)
