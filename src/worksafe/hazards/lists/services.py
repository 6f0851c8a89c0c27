"""The two lists of the plan's phases 四 and 五 (排查整治, 集中攻坚): the problem-hazard list
(问题隐患清单) and the institutional-measures list (制度措施清单), with the time table and
road map (时间表路线图) of each measure, and the .xlsx layout a county submits upward.

Both lists are live views of the data ("动态更新两个清单"): the problem list is the hazard
register itself, the measures list shows each measure's latest change.

Measures lifecycle (``MEASURE``, a :class:`worksafe.core.lifecycle.Lifecycle`):

- 未开始 (planned) → 推进中 (in_progress): the owner unit or the county office;
- 推进中 → 已完成 (done): the same, with the completion evidence (完成情况/佐证) filled in and
  every road-map milestone done;
- 已完成 → 推进中 (reopen): the county office only, with a reason — a check (阶段有检查)
  may find a measure that does not work;
- completing a milestone of a 未开始 measure moves it to 推进中 (the work has started);
- 推进中 → 未开始 is NOT allowed: once work has started the road map records it, and going
  back would rewrite the record; a stalled measure stays 推进中 and shows as overdue.

Who may write: the officers of the owner unit (department, township or inspector members of
that unit) and the county office; leaders and enterprise users only read. Officers create
measures for their own units only; the county office for any unit. Concurrent edits cannot
both win: the form carries the measure's ``version`` and the update locks the row and compares
it (a stale version is a Conflict, 409).
"""

from __future__ import annotations

import datetime
import functools

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, notify, require_writer, save_as
from worksafe.hazards.loop.models import Hazard
from worksafe.org.models import Department, Division
from worksafe.plans.models import Area, Task

from .models import Measure, Milestone

MS = Measure.State
STATE_LABELS = dict(MS.choices)




def _editor(act: Act) -> None:
    if not can_edit(act.user, act.obj):
        raise NotAllowed("只有责任单位或县安委办可以修改该制度措施。")


def _county_office_only(act: Act) -> None:
    _editor(act)
    if not scope_of(act.user).is_county_office:
        raise NotAllowed(f"只有县安委办可以将“{STATE_LABELS[act.from_state]}”的制度措施改为“"
                         f"{STATE_LABELS[act.transition.target]}”。", field="state")


def _check_done(act: Act) -> None:
    m = act.obj
    if not m.evidence:
        raise ServiceError("标记为已完成须填写完成情况/佐证。", field="evidence")
    open_ms = list(m.milestones.filter(done_on__isnull=True).values_list("title", flat=True))
    if open_ms:
        raise ServiceError("路线图尚有未完成的节点:" + "、".join(open_ms) + "。", field="state")


def _reason_required(act: Act) -> None:
    if not (act.data.get("reason") or "").strip():
        raise ServiceError(f"{act.transition.label}须填写说明。", field="reason")


def _tell_offices(act: Act) -> Notice:
    offices = Department.objects.filter(memberships__role=Role.COUNTY_OFFICE, memberships__active=True).distinct()
    return Notice(list(offices), f"制度措施已完成:{act.obj.title}", f"责任单位:{act.obj.owner}", email=False)


MEASURE = Lifecycle(
    Measure, noun="制度措施", conflict="该制度措施刚刚已被他人修改,请刷新页面查看最新内容后再修改。",
    denied="只有责任单位或县安委办可以修改该制度措施。",
    transitions=[
        Transition("start", "开始推进", [MS.PLANNED], MS.IN_PROGRESS, who=_editor),
        Transition("complete", "完成", [MS.IN_PROGRESS], MS.DONE, who=_editor, apply=_check_done,
                   notify=_tell_offices),
        # a check (阶段有检查) may find a measure that does not work
        Transition("reopen", "重新推进", [MS.DONE], MS.IN_PROGRESS, who=_county_office_only, apply=_reason_required),
    ])
#: states a measure may be created in
INITIAL_STATES = [MS.PLANNED, MS.IN_PROGRESS]


# ---------------------------------------------------------------- permissions


def can_create(user) -> bool:
    s = scope_of(user)
    return not s.read_only and (s.is_county_office or bool(s.unit_ids))


def can_edit(user, measure: Measure) -> bool:
    s = scope_of(user)
    return not s.read_only and (s.is_county_office or measure.owner_id in s.unit_ids)


def owner_choices(user):
    """Units the user may make a measure owner: its own units, or any unit for the county office."""
    s = scope_of(user)
    qs = Department.objects.filter(active=True)
    if s.is_county_office:
        return qs
    return qs.filter(pk__in=s.unit_ids)


def allowed_states(user, measure: Measure | None) -> list[str]:
    """The states the form may offer: the current one and the moves the user may take."""
    if measure is None:
        return list(INITIAL_STATES)
    return [measure.state] + [t.target for t in MEASURE.allowed_steps(user, measure)]


def _require_editor(user, measure: Measure) -> None:
    require_write(user, measure, "只有责任单位或县安委办可以修改该制度措施。")
    if not can_edit(user, measure):
        raise NotAllowed("只有责任单位或县安委办可以修改该制度措施。")


def version_of(measure: Measure) -> int:
    """The measure's version (the form carries it; a stale one is a Conflict)."""
    return measure.version


# ---------------------------------------------------------------- measures


def _clean(user, *, title, kind, owner, deadline, area, task, hazards, existing: Measure | None = None):
    if not (title or "").strip():
        raise ServiceError("请填写制度措施名称。", field="title")
    if kind not in Measure.Kind.values:
        raise ServiceError("请选择类别。", field="kind")
    if owner is None:
        raise ServiceError("请选择责任单位。", field="owner")
    if not owner_choices(user).filter(pk=owner.pk).exists() and not (existing and existing.owner_id == owner.pk):
        raise NotAllowed("只能为本单位建立制度措施(县安委办可指定任一单位)。", field="owner")
    if isinstance(deadline, str) and deadline:
        deadline = datetime.date.fromisoformat(deadline)
    if not deadline:
        raise ServiceError("请填写完成时限。", field="deadline")
    if area is not None and not Area.objects.visible_to(user).filter(pk=area.pk).exists():
        raise ServiceError("对应专项不存在。", field="area")
    if task is not None and not (existing and existing.task_id == task.pk) and \
            not Task.objects.visible_to(user).filter(pk=task.pk).exists():
        raise ServiceError("只能关联您可见的任务。", field="task")
    if task is not None and area is not None and task.area_id != area.pk:
        raise ServiceError("所选任务不属于所选专项。", field="task")
    hazards = list(hazards or [])
    if hazards:
        ids = {h.pk for h in hazards}
        visible = set(Hazard.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
        if visible != ids:
            raise ServiceError("只能关联您可见的隐患。", field="hazards")
    return deadline, hazards


def _set_hazards(measure: Measure, user, hazards) -> None:
    """Set the linked hazards the user can see, keeping those it cannot (another editor's links)."""
    hidden = list(measure.hazards.exclude(pk__in=Hazard.objects.visible_to(user).values("pk"))
                  .values_list("pk", flat=True)) if measure.pk else []
    measure.skip_history_when_saving = True  # one history record for the whole change, written by the save
    try:
        measure.hazards.set([h.pk for h in hazards] + hidden)
    finally:
        del measure.skip_history_when_saving


@transaction.atomic
def create_measure(user, *, title: str, kind: str, owner: Department, deadline, description: str = "",
                   state: str = MS.PLANNED, evidence: str = "", area: Area | None = None, task: Task | None = None,
                   hazards=()) -> Measure:
    require_writer(user)
    if not can_create(user):
        raise NotAllowed("只有部门、乡镇工作人员和县安委办可以建立制度措施。")
    deadline, hazards = _clean(user, title=title, kind=kind, owner=owner, deadline=deadline, area=area, task=task,
                               hazards=hazards)
    if state not in INITIAL_STATES:
        raise ServiceError("新建的制度措施状态只能是“未开始”或“推进中”。", field="state")
    if task is not None and area is None:
        area = task.area
    m = Measure(title=title.strip(), kind=kind, description=(description or "").strip(), owner=owner,
                deadline=deadline, state=state, evidence=(evidence or "").strip(), area=area, task=task,
                created_by=user)
    save_as(m, user, "建立制度措施")
    if hazards:
        _set_hazards(m, user, hazards)
        MEASURE.save(m, user, "关联隐患")
    if owner.pk not in scope_of(user).unit_ids:
        notify([owner], f"【制度措施清单】请落实:{m.title}", f"完成时限:{deadline:%Y年%m月%d日}",
               url=m.get_absolute_url())
    return m


@transaction.atomic
def update_measure(measure: Measure, user, *, version=None, reason: str = "", **fields) -> Measure:
    """Change a measure's fields and/or its state (a step of ``MEASURE``, written in the same save)."""
    _require_editor(user, measure)
    locked = MEASURE.lock(measure, version)
    data = {k: getattr(locked, k) for k in ("title", "kind", "owner", "deadline", "area", "task")}
    unknown = set(fields) - {"title", "kind", "owner", "deadline", "area", "task", "hazards", "description",
                             "evidence", "state"}
    if unknown:
        raise ServiceError(f"未知字段“{'、'.join(sorted(unknown))}”。")
    data.update({k: v for k, v in fields.items() if k in data})
    if data["owner"] is not None and data["owner"].pk != locked.owner_id and not scope_of(user).is_county_office:
        raise NotAllowed("只有县安委办可以更换责任单位。", field="owner")
    hazards = fields.get("hazards")
    deadline, hazards = _clean(user, hazards=hazards, existing=locked, **data)
    new_state = fields.get("state", locked.state)
    if new_state not in MS.values:
        raise ServiceError("状态不正确。", field="state")
    act = None
    if new_state != locked.state:
        act = Act(MEASURE, MEASURE.transition_to(locked, new_state, field="state"), locked, user, locked.state,
                  data={"reason": reason})
        MEASURE.check(act)
    for k in ("title", "description", "evidence"):
        if k in fields:
            setattr(locked, k, (fields[k] or "").strip())
    locked.kind, locked.owner, locked.deadline = data["kind"], data["owner"], deadline
    locked.task = data["task"]
    locked.area = data["area"] or (data["task"].area if data["task"] else None)
    if act is not None and act.transition.apply is not None:
        act.transition.apply(act)
    if hazards is not None and "hazards" in fields:
        _set_hazards(locked, user, hazards)
    label = act.transition.label if act else "修改制度措施"
    reason = f"{label}:{reason.strip()}" if (reason or "").strip() else label
    if act is None:
        return MEASURE.save(locked, user, reason)
    act.reason = reason
    return MEASURE.commit(act).obj


# ---------------------------------------------------------------- milestones (时间表路线图)


@transaction.atomic
def add_milestone(measure: Measure, user, *, title: str, due) -> Milestone:
    _require_editor(user, measure)
    if isinstance(due, str) and due:
        due = datetime.date.fromisoformat(due)
    if not (title or "").strip():
        raise ServiceError("请填写节点名称。", field="title")
    if not due:
        raise ServiceError("请填写节点时间。", field="due")
    if measure.state == MS.DONE:
        raise ServiceError("已完成的制度措施不能再添加节点。")
    if due > measure.deadline:
        raise ServiceError(f"节点时间不能晚于完成时限({measure.deadline:%Y-%m-%d})。", field="due")
    return save_as(Milestone(measure=measure, title=title.strip()[:200], due=due), user, "添加节点")


@transaction.atomic
def complete_milestone(milestone: Milestone, user, *, done_on=None) -> Milestone:
    _require_editor(user, milestone.measure)
    locked = Milestone.objects.select_for_update().get(pk=milestone.pk)
    if locked.done_on:
        raise ServiceError(f"节点“{locked.title}”已于{locked.done_on:%Y-%m-%d}完成。")
    if isinstance(done_on, str) and done_on:
        done_on = datetime.date.fromisoformat(done_on)
    done_on = done_on or timezone.localdate()
    if done_on > timezone.localdate():
        raise ServiceError("完成日期不能晚于今天。", field="done_on")
    locked.done_on = done_on
    save_as(locked, user, "节点完成")
    measure = MEASURE.lock(locked.measure)
    if measure.state == MS.PLANNED:  # a finished step means the work has started
        MEASURE.take(measure, user, "start", reason=f"节点“{locked.title}”完成,自动转为推进中")
    return locked


def milestone_mark(ms: Milestone, today: datetime.date | None = None) -> str:
    """done | late_done | late | open — for the road map's marks."""
    today = today or timezone.localdate()
    if ms.done_on:
        return "late_done" if ms.done_on > ms.due else "done"
    return "late" if ms.due < today else "open"


def measure_overdue(m: Measure, today: datetime.date | None = None) -> bool:
    return m.state != MS.DONE and m.deadline < (today or timezone.localdate())


# ---------------------------------------------------------------- the .xlsx of the two lists


def county_name() -> str:
    county = Division.objects.filter(level=Division.Level.COUNTY).order_by("code").first()
    return county.name if county else ""


def filler_unit(user) -> str:
    """填报单位: the units the user acts for."""
    s = scope_of(user)
    names = list(Department.objects.filter(memberships__user=user, memberships__active=True)
                 .order_by("order", "id").values_list("name", flat=True).distinct())
    if s.is_county_office:
        return "县安委办" + (f"({'、'.join(names)})" if names else "")
    return "、".join(names)


PROBLEM_COLUMNS = [  # (header, width)
    ("序号", 6), ("编号", 18), ("企业", 22), ("乡镇", 10), ("行业领域", 12), ("隐患部位及描述", 36), ("等级", 10),
    ("发现方式", 11), ("发现时间", 12), ("整改责任单位/责任人", 24), ("整改要求", 28), ("整改期限", 12),
    ("状态", 10), ("是否挂牌督办", 10), ("监管部门", 16),
]
MEASURE_COLUMNS = [
    ("序号", 6), ("制度措施", 30), ("类别", 10), ("主要内容", 36), ("责任单位", 18), ("对应专项/任务", 28),
    ("完成时限", 12), ("时间表路线图", 36), ("状态", 8), ("完成情况/佐证", 30), ("最近更新", 17),
]


def listed_label(h: Hazard) -> str:
    if not h.listed:
        return "否"
    return f"是(已于{h.listed_lifted_on:%Y-%m-%d}摘牌)" if h.listed_lifted_on else "是"


@functools.cache
def _labels(name: str) -> dict:
    """A Hazard field's choices by value: get_<field>_display rebuilds them on every call."""
    return {k: str(v) for k, v in Hazard._meta.get_field(name).flatchoices}


def problem_row(h: Hazard, n: int, today: datetime.date) -> list:
    state = _labels("state").get(h.state, h.state) + ("(逾期)" if h.is_overdue(today) else "")
    return [
        n, h.code, h.enterprise.name, h.enterprise.township.name, h.sector.name if h.sector_id else "",
        f"{h.location}:{h.description}", _labels("level").get(h.level, h.level),
        _labels("source").get(h.source, h.source),
        timezone.localtime(h.found_at).strftime("%Y-%m-%d"),
        h.enterprise.name + (f"/{h.responsible_person}" if h.responsible_person else ""),
        h.requirement or h.measures, h.deadline.isoformat() if h.deadline else "", state, listed_label(h),
        h.supervising_unit.name if h.supervising_unit_id else "",
    ]


class ProblemSummary:
    """The 合计 line of the 问题隐患清单, counted while the rows are written (no second pass)."""

    def __init__(self, today: datetime.date):
        self.today = today
        self.total = self.major = self.closed = self.overdue = self.listed = 0

    def add(self, h: Hazard) -> Hazard:
        self.total += 1
        self.major += h.is_major
        self.closed += h.state == Hazard.State.CLOSED
        self.overdue += h.is_overdue(self.today)
        self.listed += bool(h.listed and not h.listed_lifted_on)
        return h

    def text(self) -> str:
        return (f"共{self.total}条,其中重大事故隐患{self.major}条;已销号{self.closed}条,"
                f"未销号{self.total - self.closed}条(逾期{self.overdue}条);挂牌督办中{self.listed}条")


def problem_summary(hazards, today: datetime.date) -> str:
    summary = ProblemSummary(today)
    for h in hazards:
        summary.add(h)
    return summary.text()


def _records(qs):
    """A queryset's rows a chunk at a time (a list as it is)."""
    return qs.iterator(chunk_size=2000) if hasattr(qs, "iterator") else iter(qs)


def problem_workbook(hazards, *, county: str, unit: str, today: datetime.date | None = None):
    """问题隐患清单 .xlsx (a file, :func:`worksafe.core.export.stream_workbook`'s kind): title,
    填报单位/日期, header, one row per hazard (fetched in chunks, written as they come), 合计."""
    today = today or timezone.localdate()
    summary = ProblemSummary(today)
    rows = (problem_row(summary.add(h), i, today) for i, h in enumerate(_records(hazards), 1))
    return _workbook(f"{county}安全生产专项整治问题隐患清单", unit, today, PROBLEM_COLUMNS, rows,
                     summary.text, sheet="问题隐患清单")


def _mark_text(ms: Milestone, today: datetime.date) -> str:
    mark = milestone_mark(ms, today)
    if mark == "done":
        return "(已完成)"
    if mark == "late_done":
        return f"(逾期完成 {ms.done_on:%Y-%m-%d})"
    return "(逾期未完成)" if mark == "late" else ""


def measure_row(m: Measure, n: int, today: datetime.date) -> list:
    road = ";".join(f"{ms.due:%Y-%m-%d} {ms.title}{_mark_text(ms, today)}" for ms in m.milestones.all())
    link = " / ".join(x for x in [str(m.area) if m.area_id else "", m.task.code if m.task_id else ""] if x)
    last = getattr(m, "last_change", None) or m.created_at
    return [n, m.title, m.get_kind_display(), m.description, m.owner.name, link, m.deadline.isoformat(), road,
            m.get_state_display() + ("(逾期)" if measure_overdue(m, today) else ""), m.evidence,
            timezone.localtime(last).strftime("%Y-%m-%d %H:%M")]


def measure_workbook(measures, *, county: str, unit: str, today: datetime.date | None = None):
    """制度措施清单 .xlsx (a file): title, 填报单位/日期, header, one row per measure, 合计."""
    today = today or timezone.localdate()
    counts = {s: 0 for s in MS.values}
    late = 0

    def rows():
        nonlocal late
        for i, m in enumerate(_records(measures), 1):
            counts[m.state] = counts.get(m.state, 0) + 1
            late += measure_overdue(m, today)
            yield measure_row(m, i, today)

    def summary():
        return (f"共{sum(counts.values())}项,已完成{counts[MS.DONE]}项,推进中{counts[MS.IN_PROGRESS]}项,"
                f"未开始{counts[MS.PLANNED]}项(逾期{late}项)")

    return _workbook(f"{county}安全生产专项整治制度措施清单", unit, today, MEASURE_COLUMNS, rows(), summary,
                     sheet="制度措施清单")


def _workbook(title: str, unit: str, today: datetime.date, columns, rows, summary, sheet: str):
    """The county layout, written row by row into a write-only workbook: everything about the
    sheet (widths, merged cells, the print setup of :func:`worksafe.core.export.page_setup`) is
    set before the first row, as write-only sheets require; ``summary()`` (the 合计 text) is
    called after the rows."""
    import tempfile

    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    from worksafe.core.export import SPOOL_BYTES, SheetRows, page_setup, style_ids, styled_cells

    n = len(columns)
    last = get_column_letter(n)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    for c, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(c)].width = width
    page_setup(ws, header_row=3, n_cols=n)  # the print setup every export shares (core.export)
    half = max(1, n // 2)
    ws.merged_cells.add(f"A1:{last}1")
    ws.merged_cells.add(f"A2:{get_column_letter(half)}2")
    if half < n:
        ws.merged_cells.add(f"{get_column_letter(half + 1)}2:{last}2")
    ws.row_dimensions[1].height = 36
    ws.row_dimensions[2].height = 22
    ws.row_dimensions[3].height = 30

    styled = styled_cells(ws)

    def cell(value, font=None, alignment=None, fill=None, with_border=False):
        return styled(value, font, alignment, fill, border if with_border else None)

    # the data rows are written as plain values with the body style (core.export.SheetRows)
    out_rows = SheetRows(ws, n, style_ids(ws, styled, alignment=Alignment(vertical="top", wrap_text=True),
                                       border=border))
    # 1: title; 2: 填报单位 (left half) and 填报日期 (right half); 3: header
    out_rows.append([cell(title, Font(name="宋体", bold=True, size=18),
                       Alignment(horizontal="center", vertical="center"))])
    out_rows.append([f"填报单位(盖章):{unit}"] + [None] * (half - 1)
                 + [cell(f"填报日期:{today.year}年{today.month}月{today.day}日",
                         alignment=Alignment(horizontal="right"))])
    head = (Font(name="宋体", bold=True, size=11), Alignment(horizontal="center", vertical="center", wrap_text=True),
            PatternFill("solid", fgColor="D9D9D9"))
    out_rows.append([cell(h, *head, with_border=True) for h, _ in columns])
    written = 3
    for r in rows:
        out_rows.write(r)
        written += 1
    # 合计
    bold = Font(bold=True)
    total = [cell("合计", bold, Alignment(horizontal="center", vertical="center"), with_border=True),
             cell(summary(), bold, Alignment(horizontal="left", vertical="center"), with_border=True)]
    total += [cell(None, bold, Alignment(horizontal="left", vertical="center"), with_border=True)
              for _ in range(n - 2)]
    out_rows.append(total)
    out_rows.close()
    ws.merged_cells.add(f"B{written + 1}:{last}{written + 1}")  # merged cells are written at the end
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out
