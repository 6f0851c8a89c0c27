"""Plan services: import a plan document, file progress, press late tasks, record targets.

Every write with a lifecycle goes through here (DESIGN.md §3.1): views and the
API call these functions, which check permission and transition, write, leave
the history (django-simple-history) and notify.
"""

from __future__ import annotations

import calendar
import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from worksafe.core import metrics
from worksafe.core.lifecycle import Lifecycle, Transition
from worksafe.core.scoping import Role, scope_of
from worksafe.core.services import (
    NotAllowed,
    ServiceError,
    clean_attachment,
    create_as,
    notify,
    require_writer,
    save_as,
)
from worksafe.org.models import Department, Division, Sector, SectorSupervisor, UnitGroup
from worksafe.standards import sectors as sector_rules
from worksafe.standards.plan_text import ParsedPlan, is_vague_unit

from .models import (
    Area,
    AreaUnit,
    Phase,
    Plan,
    Press,
    ProgressAttachment,
    ProgressReport,
    Target,
    Task,
    TaskUnit,
)

# ---------------------------------------------------------------- unit names


def _normal(name: str) -> str:
    name = re.sub(r"\s+", "", name)
    return name.replace("(", "(").replace(")", ")")


def _variants(name: str, county_name: str) -> list[str]:
    """The same unit written with or without the county prefix: 县X, X, 玛沁县X."""
    n = _normal(name)
    out = [n]
    for prefix in (county_name, "县"):
        if prefix and n.startswith(prefix) and len(n) > len(prefix):
            out.append(n[len(prefix):])
    bare = out[-1]
    out += [f"县{bare}", f"{county_name}{bare}"] if county_name else [f"县{bare}"]
    return list(dict.fromkeys(out))


@dataclass
class UnitResolution:
    resolved: dict[str, list[Department]] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def resolve_units(names: list[str], county: Division | None) -> UnitResolution:
    """Resolve unit names as written to departments: exact name, alias, short name,
    with or without the 县 prefix; a collective name (各乡镇党委、政府) to its group."""
    county_name = county.name if county else ""
    index: dict[str, list[Department]] = {}

    def add(key, depts):
        index.setdefault(_normal(key), depts)

    departments = Department.objects.filter(active=True)
    if county is not None:  # a prefecture hosts several counties: match within this one only
        departments = departments.filter(Q(division=county) | Q(division__parent=county))
    departments = list(departments)
    for d in departments:  # exact names win over aliases and short names
        add(d.name, [d])
    for d in departments:
        for a in d.alias_list:
            add(a, [d])
    ids = {d.pk for d in departments}
    for g in UnitGroup.objects.prefetch_related("departments"):
        members = [d for d in g.departments.all() if d.pk in ids]
        if not members:
            continue
        add(g.name, members)
        for a in g.alias_list:
            add(a, members)
    for d in departments:
        if d.short_name:
            add(d.short_name, [d])
    result = UnitResolution()
    for name in names:
        for v in _variants(name, county_name):
            if v in index:
                result.resolved[name] = index[v]
                break
        else:
            townships = _township_collective(name, departments)
            if townships:
                result.resolved[name] = townships
            elif name not in result.unknown:
                result.unknown.append(name)
    return result


_TOWNSHIP_COLLECTIVE_RE = re.compile(
    r"^(?:县)?各乡[(（]?镇[)）]?(?:、?(?:街道|社区))?(?P<what>人民政府|政府|党委[、和]?政府|党委)$")


def _township_collective(name: str, departments: list[Department]) -> list[Department]:
    """各乡镇人民政府 / 各乡(镇)人民政府 → every township government; 各乡镇党委 → every
    township party committee; 各乡(镇)党委、政府 / 各乡镇党委政府 → both (各乡镇党委、政府 itself
    is the org's UnitGroup)."""
    m = _TOWNSHIP_COLLECTIVE_RE.match(_normal(name))
    if not m:
        return []
    what = m["what"]
    if what.startswith("党委") and what.endswith("政府"):  # 各乡(镇)党委、政府: both
        kinds = {Department.Kind.TOWNSHIP_PARTY, Department.Kind.TOWNSHIP_GOVERNMENT}
    else:
        kinds = {Department.Kind.TOWNSHIP_PARTY if what == "党委" else Department.Kind.TOWNSHIP_GOVERNMENT}
    return [d for d in departments if d.kind in kinds]


def plan_unit_names(parsed: ParsedPlan) -> list[str]:
    """Every unit the plan names (areas and per-task units), as written, in order; vague
    units (各有关部门 …) are not among them: see :func:`plan_vague_units`."""
    names: list[str] = []
    for a in parsed.areas:
        units = [*a.lead_units, *a.responsible_units]
        for i in a.items:
            units += [*i.lead_units, *i.responsible_units]
        for n in units:
            if n not in names and not is_vague_unit(n):
                names.append(n)
    return names


def plan_vague_units(parsed: ParsedPlan) -> list[dict]:
    """[{"area": title, "text": as written}] — what the user resolves (or leaves) on import."""
    return parsed.vague_units


# ---------------------------------------------------------------- import


def _month_start(ym: str) -> datetime.date:
    y, m = map(int, ym.split("-"))
    return datetime.date(y, m, 1)


def _month_end(ym: str) -> datetime.date:
    y, m = map(int, ym.split("-"))
    return datetime.date(y, m, calendar.monthrange(y, m)[1])


def _issued_on(text: str, title: str) -> datetime.date | None:
    line = re.search(rf"^\s*{re.escape(title)}\s*$", text, re.M) if title else None
    head = text[: line.start()] if line else text[:500]
    m = re.search(r"(20\d\d)年(\d{1,2})月(\d{1,2})日", head)
    if not m:
        return None
    try:
        return datetime.date(*map(int, m.groups()))
    except ValueError:
        return None


class UnknownUnits(ServiceError):
    def __init__(self, unknown: list[str]):
        super().__init__("以下单位无法匹配到系统中的单位,请先对应或新建:" + "、".join(unknown))
        self.unknown = unknown


@transaction.atomic
def import_plan(
    parsed: ParsedPlan,
    *,
    county: Division,
    user=None,
    source_name: str = "",
    source_text: str = "",
    mapping: dict[str, int | str] | None = None,
    vague: dict[tuple[str, str], list[int]] | None = None,
) -> Plan:
    """Import a parsed plan in one transaction; refuse (and write nothing) while any
    unit is unknown. ``mapping`` maps a written unit name to a department id (the
    name becomes an alias of that department) or to "create" (a new department).

    Vague units (各有关部门 …) never block the import and never become aliases: ``vague``
    maps (area title, text as written) to the departments the user chose for that area; a
    vague unit left unresolved is kept on the area (``Area.vague_units``) as written.
    Items with their own units (a task table) get them as :class:`TaskUnit` rows; the
    area's units are then the union over its tasks."""
    if user is not None and not scope_of(user).is_county_office:
        raise NotAllowed("只有县安委办可以导入方案。")
    if not parsed.areas:
        raise ServiceError("没有从文件中读出任何专项(整治领域),请检查文件内容。")
    mapping = mapping or {}
    for written, target in mapping.items():
        if target == "create":
            if not Department.objects.filter(name=_normal(written)).exists():
                create_as(Department, user, "导入方案时新建", name=_normal(written), division=county,
                          kind=Department.Kind.OTHER, order=900)
        elif target:
            dept = Department.objects.filter(pk=int(target)).first()
            if dept is None:
                raise ServiceError(f"“{written}”对应的单位不存在。")
            if _normal(written) not in dept.alias_list and _normal(written) != dept.name:
                dept.aliases = "\n".join([*dept.alias_list, _normal(written)])
                save_as(dept, user, "导入方案时对应单位写法")
    names = plan_unit_names(parsed)
    resolution = resolve_units(names, county)
    if resolution.unknown:
        raise UnknownUnits(resolution.unknown)
    vague = vague or {}
    chosen: dict[tuple[str, str], list[Department]] = {}
    for key, ids in vague.items():
        try:
            wanted = [int(i) for i in ids if str(i).strip()]
        except (TypeError, ValueError):
            raise ServiceError(f"“{key[1]}”对应的单位不正确。") from None
        depts = list(Department.objects.filter(pk__in=wanted, active=True))
        if len(depts) != len(set(wanted)):
            raise ServiceError(f"“{key[1]}”对应的单位不存在。")
        if depts:
            chosen[tuple(key)] = depts

    def departments_of(area_title: str, written: str) -> list[Department]:
        if is_vague_unit(written):
            return chosen.get((area_title, written), [])
        return resolution.resolved[written]

    phases = sorted(parsed.phases, key=lambda p: p.start)
    all_deadlines = [d for a in parsed.areas for i in a.items for d in i.deadlines]
    start = _month_start(phases[0].start) if phases else datetime.date(timezone.localdate().year, 1, 1)
    end = max([_month_end(p.end) for p in phases] + all_deadlines) if (phases or all_deadlines) else \
        datetime.date(start.year + 2, 12, 31)
    plan = create_as(
        Plan,
        user,
        "导入方案",
        title=parsed.title or source_name or "未命名方案",
        county=county,
        issued_on=_issued_on(source_text, parsed.title),
        start=start,
        end=end,
        source_name=source_name[:200],
        source_text=source_text,
        unplaced=list(parsed.unplaced),
        imported_by=user,
    )
    for i, p in enumerate(parsed.phases, 1):
        Phase.objects.create(plan=plan, order=i, name=p.name, start=_month_start(p.start), end=_month_end(p.end))
    for i, a in enumerate(parsed.areas, 1):
        units = list(dict.fromkeys([*a.lead_units, *a.responsible_units]))
        area = Area.objects.create(
            plan=plan, order=i, number=a.number, mark=a.mark, title=a.title[:200],
            vague_units=[u for u in units if is_vague_unit(u) and not chosen.get((a.title, u))],
        )
        seen: set[int] = set()
        for role, written_names in ((AreaUnit.Role.LEAD, a.lead_units),
                                    (AreaUnit.Role.RESPONSIBLE, a.responsible_units)):
            for written in written_names:
                for dept in departments_of(a.title, written):
                    if dept.pk in seen:
                        continue
                    seen.add(dept.pk)
                    AreaUnit.objects.create(area=area, department=dept, role=role, written_as=written[:100])
        for j, item in enumerate(a.items, 1):
            due = max(item.deadlines) if item.deadlines else end
            task = Task.objects.create(
                area=area, order=j, text=item.text, deadlines=[d.isoformat() for d in item.deadlines],
                due_date=due, ongoing=item.ongoing,
            )
            task_seen: set[int] = set()
            for role, written_names in ((AreaUnit.Role.LEAD, item.lead_units),
                                        (AreaUnit.Role.RESPONSIBLE, item.responsible_units)):
                for written in written_names:
                    for dept in departments_of(a.title, written):
                        if dept.pk not in task_seen:
                            task_seen.add(dept.pk)
                            TaskUnit.objects.create(task=task, department=dept, role=role, written_as=written[:100])
            for t in item.targets:
                Target.objects.create(
                    task=task, text=t.text[:200], comparator=t.comparator, value=Decimal(str(t.value)),
                    unit=t.unit, deadline=due, metric=metrics.match(item.text, t.unit),
                )
        wire_sector(area)
    return plan


def wire_sector(area: Area) -> Sector | None:
    """Link the sector an area rectifies to the area; its lead unit supervises it and its
    responsible units (other than townships, which supervise by territory) co-supervise."""
    name = sector_rules.sector_name(area.title)
    if not name:
        return None
    sector, created = Sector.objects.get_or_create(
        name=name, defaults={"area": area, "high_risk": sector_rules.is_high_risk(name)}
    )
    if not created:
        sector.area = area
        sector.save()
    wanted = {}
    for au in area.area_units.select_related("department"):
        if au.department.is_township_unit:
            continue
        wanted[au.department_id] = (
            SectorSupervisor.Role.LEAD if au.role == AreaUnit.Role.LEAD else SectorSupervisor.Role.CO
        )
    for ss in list(sector.sector_supervisors.all()):
        if ss.department_id not in wanted:
            ss.delete()
    for dept_id, role in wanted.items():
        SectorSupervisor.objects.update_or_create(sector=sector, department_id=dept_id, defaults={"role": role})
    return sector


# ---------------------------------------------------------------- progress

TS = Task.Status
#: a task's lifecycle, driven by its units' progress reports (:func:`file_progress` consults it
#: with the status a report gives; the units' right to report is checked there)
TASK = Lifecycle(
    Task, noun="任务", state_field="status", conflict="该任务刚刚已被他人填报,请刷新页面后再填报。",
    transitions=[
        Transition("report", "填报进展", [TS.NOT_STARTED, TS.IN_PROGRESS, TS.DONE]),  # the status stays
        Transition("start", "开始推进", [TS.NOT_STARTED], TS.IN_PROGRESS),
        Transition("finish", "完成", [TS.NOT_STARTED, TS.IN_PROGRESS], TS.DONE),
        # a unit may reopen a task it reported done (the report says why)
        Transition("reopen", "重新推进", [TS.DONE], TS.IN_PROGRESS),
    ])


def units_of_user_for_task(user, task: Task) -> list[Department]:
    """The task's units (lead or responsible) that ``user`` acts for."""
    scope = scope_of(user)
    if scope.read_only:
        return []
    own = set(user.memberships.filter(active=True).values_list("department_id", flat=True))
    if task.task_units.exists():  # the plan gave this task its own units
        units = Department.objects.filter(task_units__task_id=task.pk, id__in=scope.unit_ids)
    else:
        units = Department.objects.filter(area_units__area_id=task.area_id, id__in=scope.unit_ids)
    # the user's own unit first (a township officer of the government files as the government)
    return sorted(units, key=lambda d: (d.pk not in own, d.order, d.pk))


@transaction.atomic
def file_progress(task: Task, user, *, status: str, percent: int, text: str, unit: Department | None = None,
                  attachments=()) -> ProgressReport:
    require_writer(user)
    units = units_of_user_for_task(user, task)
    if not units:
        raise NotAllowed("只有该任务的牵头单位和责任单位可以填报进展。")
    if unit is None:
        unit = units[0]
    elif unit not in units:
        raise NotAllowed(f"您不能代表“{unit}”填报该任务。")
    if not text or not text.strip():
        raise ServiceError("请填写进展情况。", field="text")
    if status not in Task.Status.values:
        raise ServiceError("状态不正确。", field="status")
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ServiceError("完成百分比必须是0到100的整数。", field="percent") from None
    if not 0 <= percent <= 100:
        raise ServiceError("完成百分比必须是0到100的整数。", field="percent")
    if status == Task.Status.DONE and percent != 100:
        raise ServiceError("状态为“已完成”时完成百分比应为100。", field="percent")
    if status == Task.Status.NOT_STARTED and percent != 0:
        raise ServiceError("状态为“未开始”时完成百分比应为0。", field="percent")
    attachments = [clean_attachment(f) for f in attachments]
    locked = TASK.lock(task)
    step = TASK.transition_to(locked, status)
    report = create_as(ProgressReport, user, task=locked, unit=unit, author=user, status=status, percent=percent,
                       text=text.strip())
    for f in attachments:
        create_as(ProgressAttachment, user, report=report, file=f, name=f.name[:200], size=f.size,
                  content_type=getattr(f, "content_type", "") or "")
    locked.status = step.target or locked.status
    locked.percent = percent
    TASK.save(locked, user, f"{unit}填报进展")
    task.status, task.percent = locked.status, locked.percent
    return report


@transaction.atomic
def press_task(task: Task, user, *, note: str, respond_by: datetime.date) -> Press:
    """督办: only the county office, only a late task."""
    if not scope_of(user).is_county_office or scope_of(user).read_only:
        raise NotAllowed("只有县安委办可以督办任务。")
    locked = Task.objects.select_for_update().get(pk=task.pk)
    if not locked.is_late():
        raise ServiceError("只能督办已逾期未完成的任务。")
    if not note or not note.strip():
        raise ServiceError("请填写督办意见。", field="note")
    if respond_by < timezone.localdate():
        raise ServiceError("反馈期限不能早于今天。", field="respond_by")
    press = create_as(Press, user, task=locked, by=user, note=note.strip(), respond_by=respond_by)
    units = [u.department for u in locked.units()]
    notify(units, f"【督办】任务{locked.code}已逾期", f"{press.note}\n请于{respond_by:%Y年%m月%d日}前反馈。",
           url=locked.get_absolute_url())
    return press


@transaction.atomic
def record_target_value(target: Target, user, *, value, note: str = "") -> Target:
    """Record the current value of a target that no live metric computes."""
    require_writer(user)
    scope = scope_of(user)
    leads = set(target.task.area.area_units.filter(role=AreaUnit.Role.LEAD).values_list("department_id", flat=True))
    if not (scope.is_county_office or leads & scope.unit_ids):
        raise NotAllowed("只有县安委办或牵头单位可以填报目标数据。")
    if target.metric and target.metric in metrics.REGISTRY:
        raise ServiceError("该目标由系统数据实时计算,无需人工填报。")
    try:
        value = Decimal(str(value).strip())
    except Exception:
        raise ServiceError("请输入数字。", field="value") from None
    if not value.is_finite() or value < 0:
        raise ServiceError("请输入不小于0的数字。", field="value")
    if target.unit == "%" and value > 100:
        raise ServiceError("百分比不能超过100。", field="value")
    locked = Target.objects.select_for_update().get(pk=target.pk)
    locked.current_value = value
    locked.current_note = (note or "").strip()[:200]
    locked.measured_at = timezone.now()
    save_as(locked, user, "填报目标数据")
    return locked


# ---------------------------------------------------------------- reading


@dataclass
class TargetState:
    value: Decimal | None
    note: str
    live: bool
    met: bool | None
    overdue: bool


def county_warning(source_text: str, county: Division | None) -> str:
    """A warning when the document names another county than the one it is filed under."""
    from worksafe.standards.plan_text import named_county, same_county

    named = named_county(source_text)
    if county is None or same_county(named, county.name):
        return ""
    return f"文件中写的是“{named}”,但将导入到“{county.name}”。请确认所属县是否正确;单位只在“{county.name}”的单位中匹配。"


def plans_in_force(user, today: datetime.date | None = None) -> list[Plan]:
    """The plans the user's desk and menu show: those of the user's county running today
    (start ≤ today ≤ end), the earliest first; when none runs, the newest one. A county runs
    several at once (the three-year action and a 治本攻坚 plan, sub-plans of departments), each
    with its own tasks and targets; a prefecture's system holds several counties' plans, and a
    county's officer sees their own county's on the desk (all of them stay on the plan list)."""
    today = today or timezone.localdate()
    visible = Plan.objects.visible_to(user).select_related("county")
    scope = scope_of(user)
    if not scope.everything and scope.unit_ids:  # a unit's county: its own division or its township's
        counties = Division.objects.filter(
            Q(departments__in=scope.unit_ids) | Q(children__departments__in=scope.unit_ids))
        visible = visible.filter(county__in=counties.values("pk"))
    running = list(visible.filter(start__lte=today, end__gte=today).order_by("start", "id"))
    if running:
        return running
    newest = visible.first()
    return [newest] if newest else []


def target_state(target: Target, today: datetime.date | None = None) -> TargetState:
    today = today or timezone.localdate()
    live = False
    value, note = target.current_value, target.current_note
    if target.metric:
        computed = metrics.compute(target.metric)
        if computed is not None:
            value, note = computed
            live = True
        else:
            value, note = None, "暂无数据"
    met = None
    if value is not None:
        v, goal = Decimal(value), target.value
        met = {">=": v >= goal, "<=": v <= goal, "=": v == goal, ">": v > goal, "<": v < goal}[target.comparator]
    return TargetState(value=value, note=note, live=live, met=met, overdue=bool(not met and target.deadline < today))


def can_press(user, task: Task) -> bool:
    s = scope_of(user)
    return s.is_county_office and not s.read_only and task.is_late()


def role_labels(user) -> list[str]:
    return [Role.LABELS[r] for r in sorted(scope_of(user).roles)]


@transaction.atomic
def set_sector_supervisors(sector: Sector, user, *, lead, co) -> None:
    """The county office re-wires who supervises a sector."""
    s = scope_of(user)
    if not s.is_county_office or s.read_only:
        raise NotAllowed("只有县安委办可以调整行业监管单位。")
    wanted = {d.pk: SectorSupervisor.Role.LEAD for d in lead}
    wanted.update({d.pk: SectorSupervisor.Role.CO for d in co if d.pk not in wanted})
    for ss in list(sector.sector_supervisors.all()):
        if ss.department_id not in wanted:
            ss.delete()
    for dept_id, role in wanted.items():
        SectorSupervisor.objects.update_or_create(sector=sector, department_id=dept_id, defaults={"role": role})
