"""The measures an assessment indicator is computed by (``Indicator.measure``), each a function of a
unit and the period answering ``(numerator, denominator, rows)``.

``rows`` are the drill-down: every row the indicator looked at, each saying whether it counted and
why. The numerator is exactly the number of counted rows and, for a 按比例 indicator, the
denominator the number of rows listed (tests/reporting/test_assessment.py holds every measure to
it), so a figure on the ranking can always be traced to the records behind it.

Every row set comes from :mod:`worksafe.reporting.asof` narrowed by ``asof.unit_scope(unit)`` — the
purview the unit's own officers have — and is taken as of the end of the period, so a draft computed
later for the same period gives the same figures (except the training rosters, see docs).

Units: a township (its 党委 and 政府 together: the division's township units) and a department
(a county department or a stationed unit the plan or a sector names).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone

from .. import asof
from ..asof import Window

TOWNSHIPS = "townships"
DEPARTMENTS = "departments"
GROUP_LABELS = {TOWNSHIPS: "乡镇", DEPARTMENTS: "部门"}


@dataclass(frozen=True)
class Unit:
    """One assessed unit: ``group`` townships/departments, ``key`` the Division id of a township or
    the Department id of a department, ``department`` the unit standing for it (a township's
    government, else its party committee)."""

    group: str
    key: int
    name: str
    department: object = field(compare=False, hash=False, repr=False)

    @property
    def ref(self) -> str:
        return f"{'t' if self.group == TOWNSHIPS else 'd'}{self.key}"

    @property
    def scope(self):
        return asof.unit_scope(self.department)


URLS = {"plans.Task": "plans:task_detail", "hazards.Hazard": "hazards:hazard_detail",
        "accidents.Accident": "accidents:accident_detail", "enterprises.Enterprise": "enterprises:enterprise_detail",
        "tipoffs.TipOff": "tipoffs:tipoff_detail"}


@dataclass(frozen=True)
class Row:
    """One drill-down row: the record (model label and id), what it reads as, whether it counted
    (in a 按比例 indicator's numerator; as an occurrence of a 扣分 one) and why. Stored in the
    published results as a list (``as_list``), the link derived from the model."""

    model: str  # "hazards.Hazard"
    pk: int
    label: str
    counted: bool
    why: str

    @property
    def url(self) -> str:
        from django.urls import reverse

        name = URLS.get(self.model)
        return reverse(name, args=[self.pk]) if name else ""

    def as_list(self) -> list:
        return [self.model, self.pk, self.label, self.counted, self.why]

    @classmethod
    def from_list(cls, v: list) -> Row:
        return cls(*v)


@dataclass
class Measured:
    numerator: int
    denominator: int
    rows: list[Row]


@dataclass
class Context:
    """What every measure of one computation shares: the plan, the period and a cache (the training
    rosters are read once for all units)."""

    plan: object
    window: Window
    cache: dict = field(default_factory=dict)

    def once(self, key, fn):
        if key not in self.cache:
            self.cache[key] = fn()
        return self.cache[key]


@dataclass(frozen=True)
class Measure:
    code: str
    label: str
    kind: str  # rate / deduction
    weight: int
    per_item: int
    fn: Callable[[Context, Unit], Measured]
    help: str
    veto_at: int | None = None
    default: bool = True


REGISTRY: dict[str, Measure] = {}


def measure(code, label, kind, weight, per_item=0, *, help, veto_at=None, default=True):
    def deco(fn):
        REGISTRY[code] = Measure(code, label, kind, weight, per_item, fn, help, veto_at, default)
        return fn
    return deco


def _d(v) -> str:
    if isinstance(v, datetime.datetime):
        v = timezone.localtime(v).date()
    return f"{v:%Y-%m-%d}" if v else "—"


def _rate(rows: list[Row]) -> Measured:
    return Measured(sum(r.counted for r in rows), len(rows), rows)


def _deduction(rows: list[Row]) -> Measured:
    return Measured(sum(r.counted for r in rows), 0, rows)


# ---------------------------------------------------------------- shared row sets
#
# The row sets as of the period's end are computed once for the whole county (their history
# look-ups are the expensive part) and each unit takes the rows its scope reaches (the models' own
# ``scoped`` rule, ``asof.rows``): the same rows as ``asof.<set>(window, unit.scope)``.


def _mine(ctx: Context, unit: Unit, model) -> set[int]:
    return ctx.once((model._meta.label, unit.ref),
                    lambda: set(asof.rows(model, unit.scope).values_list("pk", flat=True)))


def _county(ctx: Context, name: str, fn) -> list:
    return ctx.once(("county", name), lambda: list(fn()))


def _hazards_due(ctx):
    qs = asof.hazards_due(ctx.window).select_related("enterprise").order_by("deadline_then", "pk")
    on_time = set(asof.rectified_on_time(qs).values_list("pk", flat=True))
    return [(h, h.pk in on_time) for h in qs]


def _majors_overdue(ctx):
    return asof.hazards_overdue(ctx.window.end).filter(level_then="major").select_related("enterprise").order_by(
        "deadline_then", "pk")


def _tipoffs_due(ctx):
    qs = asof.tipoffs_due(ctx.window).order_by("complete_due_then", "pk")
    on_time = set(asof.closed_by_due(qs).values_list("pk", flat=True))
    return [(t, t.pk in on_time) for t in qs]


def _hazard_label(h) -> str:
    return f"{h.code} {h.enterprise} {h.description[:40]}"


# ---------------------------------------------------------------- the measures


@measure("tasks_on_time", "专项任务按期完成率", "rate", 20,
         help="本单位(牵头或责任)完成时限在考核期内的方案任务中,在时限前报送“已完成”的比例")
def tasks_on_time(ctx: Context, unit: Unit) -> Measured:
    w = ctx.window
    tasks = asof.task_status(asof.tasks_of(ctx.plan, unit.scope).filter(due_date__gte=w.start, due_date__lte=w.end)
                             .select_related("area").order_by("area__order", "order", "pk"), w.end)
    out = []
    for t in tasks:
        ok = t.status_then == "done" and asof.done_on_time(t)
        if ok:
            why = f"按期完成:{_d(t.done_at)}报送已完成,时限{_d(t.due_date)}"
        elif t.status_then == "done":
            why = f"逾期完成:{_d(t.done_at)}报送已完成,时限{_d(t.due_date)}"
        else:
            why = f"未按期完成:截至{_d(w.end)}未报送已完成,时限{_d(t.due_date)}"
        out.append(Row("plans.Task", t.pk, f"{t.area.number}.{t.order} {t.text[:60]}", ok, why))
    return _rate(out)


def _by_due(ok: bool, closed_at, due, end, window_end, done: str, closed: str) -> str:
    """Why a row counts as closed by its due day or not (按期整改 / 逾期整改 / 未按期整改)."""
    if ok:
        return f"按期{done}:{_d(closed_at)}{closed},期限{_d(due)}"
    if closed_at and closed_at < end:
        return f"逾期{done}:{_d(closed_at)}{closed},期限{_d(due)}"
    return f"未按期{done}:截至{_d(window_end)}未{closed},期限{_d(due)}"


@measure("hazards_on_time", "隐患按期整改率", "rate", 15,
         help="本单位辖区(乡镇)或监管行业(部门)内整改期限在考核期内的隐患中,期限内整改销号的比例")
def hazards_on_time(ctx: Context, unit: Unit) -> Measured:
    from worksafe.hazards.models import Hazard

    mine = _mine(ctx, unit, Hazard)
    end = asof.end_of(ctx.window.end)
    out = []
    for h, ok in _county(ctx, "hazards_due", lambda: _hazards_due(ctx)):
        if h.pk not in mine:
            continue
        why = _by_due(ok, h.closed_at, h.deadline_then, end, ctx.window.end, "整改", "销号")
        out.append(Row("hazards.Hazard", h.pk, _hazard_label(h), ok, why))
    return _rate(out)


@measure("major_overdue", "重大事故隐患超期未整改", "deduction", 10, 5,
         help="考核期末本单位辖区或监管行业内超过整改期限仍未销号的重大事故隐患,每项扣分")
def major_overdue(ctx: Context, unit: Unit) -> Measured:
    from worksafe.hazards.models import Hazard

    mine = _mine(ctx, unit, Hazard)
    return _deduction([Row("hazards.Hazard", h.pk, _hazard_label(h), True,
                           f"重大事故隐患:期限{_d(h.deadline_then)},截至{_d(ctx.window.end)}未销号")
                       for h in _county(ctx, "majors_overdue", lambda: _majors_overdue(ctx)) if h.pk in mine])


def _accident_rows(ctx: Context, unit: Unit, *, fatal: bool) -> list[Row]:
    from worksafe.accidents.models import Accident

    mine = _mine(ctx, unit, Accident)
    rows = _county(ctx, "accidents", lambda: asof.accidents(ctx.window).select_related("enterprise").order_by(
        "occurred_at", "pk"))
    return [Row("accidents.Accident", a.pk, f"{a.code} {a.party_name or ''} {a.place}", True,
                f"{_d(a.occurred_at)}发生,死亡{a.deaths_then}人")
            for a in rows if a.pk in mine and (a.deaths_then or not fatal)]


@measure("accidents", "生产安全事故", "deduction", 15, 5,
         help="考核期内本单位辖区或监管行业内发生并登记的生产安全事故(不含已撤销),每起扣分")
def accidents(ctx: Context, unit: Unit) -> Measured:
    return _deduction(_accident_rows(ctx, unit, fatal=False))


@measure("accident_deaths", "发生亡人事故(一票否决)", "deduction", 0, 0, veto_at=1, default=False,
         help="考核期内本单位辖区或监管行业内发生的造成人员死亡的事故,按起计;可设一票否决")
def accident_deaths(ctx: Context, unit: Unit) -> Measured:
    return _deduction(_accident_rows(ctx, unit, fatal=True))


def _operating(ctx: Context, unit: Unit) -> list:
    from worksafe.enterprises.models import Enterprise

    mine = _mine(ctx, unit, Enterprise)
    ents = _county(ctx, "operating", lambda: Enterprise.objects.filter(status=Enterprise.Status.OPERATING).order_by(
        "name", "pk"))
    return [e for e in ents if e.pk in mine]


@measure("inspection_coverage", "监督检查覆盖率", "rate", 10,
         help="本单位辖区(乡镇)或监管行业(部门)内在营企业中,考核期内完成现场检查记录的比例(部门计本部门的检查)")
def inspection_coverage(ctx: Context, unit: Unit) -> Measured:
    done: dict = {}
    for ent_id, at in asof.inspections_done(ctx.window, unit.scope).values_list("enterprise_id", "recorded_at"):
        done.setdefault(ent_id, []).append(at)
    out = []
    for e in _operating(ctx, unit):
        dates = sorted(done.get(e.pk, []))
        why = (f"已检查{len(dates)}次(首次{_d(dates[0])})" if dates else "考核期内未检查")
        out.append(Row("enterprises.Enterprise", e.pk, e.name, bool(dates), why))
    return _rate(out)


@measure("tipoffs_on_time", "举报按期办结率", "rate", 10,
         help="本单位受理(部门)或辖区内(乡镇)办结期限在考核期内的举报中,期限内办结的比例")
def tipoffs_on_time(ctx: Context, unit: Unit) -> Measured:
    from worksafe.tipoffs.models import TipOff

    mine = _mine(ctx, unit, TipOff)
    end = asof.end_of(ctx.window.end)
    out = []
    for t, ok in _county(ctx, "tipoffs_due", lambda: _tipoffs_due(ctx)):
        if t.pk not in mine:
            continue
        why = _by_due(ok, t.closed_at, t.complete_due_then, end, ctx.window.end, "办结", "办结")
        out.append(Row("tipoffs.TipOff", t.pk, f"{t.number} {t.get_category_display()}", ok, why))
    return _rate(out)


def months_in(window: Window) -> list[tuple[int, int]]:
    """The calendar months lying wholly in the window (a month's dual report is due once it ended)."""
    out = []
    y, m = window.start.year, window.start.month
    while True:
        first = datetime.date(y, m, 1)
        nxt = datetime.date(y + (m == 12), m % 12 + 1, 1)
        if first > window.end:
            break
        if first >= window.start and nxt - datetime.timedelta(days=1) <= window.end:
            out.append((y, m))
        y, m = nxt.year, nxt.month
    return out


def _filed_duals(ctx: Context) -> dict:
    from worksafe.hazards.models import DualReport

    months = set(months_in(ctx.window))
    out: dict = {}
    for e, y, m in DualReport.objects.filter(year__in={y for y, _ in months},
                                             submitted_at__lt=asof.end_of(ctx.window.end)).values_list(
            "enterprise_id", "year", "month"):
        if (y, m) in months:
            out.setdefault(e, set()).add((y, m))
    return out


@measure("dual_reports", "双报告按月报送率", "rate", 10,
         help="本单位辖区或监管行业内在营企业中,考核期内每个整月的双报告都在考核期末前报送了的企业所占比例")
def dual_reports(ctx: Context, unit: Unit) -> Measured:
    months = months_in(ctx.window)
    filed = ctx.once(("county", "duals"), lambda: _filed_duals(ctx))
    out = []
    for e in _operating(ctx, unit) if months else []:
        have = filed.get(e.pk, set())
        gaps = [f"{y}年{m}月" if len({yy for yy, _ in months}) > 1 else f"{m}月"
                for y, m in months if (y, m) not in have]
        why = f"应报{len(months)}个月,已报{len(months) - len(gaps)}个月" + (
            f",缺{'、'.join(gaps[:6])}{'等' if len(gaps) > 6 else ''}" if gaps else "")
        out.append(Row("enterprises.Enterprise", e.pk, e.name, not gaps, why))
    return _rate(out)


AUDIENCE = {"officials": "安全监管干部", "principals": "企业主要负责人", "safety_managers": "安全管理人员"}


@measure("training_coverage", "安全培训覆盖率", "rate", 10,
         help="本单位干部和辖区(监管行业)内企业主要负责人、安全管理人员中,考核期所在年度截至期末参加培训的比例")
def training_coverage(ctx: Context, unit: Unit) -> Measured:
    from worksafe.training import services as training

    by = "township" if unit.group == TOWNSHIPS else "department"
    end = ctx.window.end
    people = ctx.once(("training", by), lambda: training.people_by_group(end.year, by, as_of=end))
    out = []
    for p in people.get(unit.key, []):
        a = p["audience"]
        if a == "officials":
            row = ("org.User", p["user_id"], f"{p['name']}({p['unit']})")
        else:
            row = ("enterprises.Enterprise", p["enterprise_id"], f"{p['name']}({p['enterprise']})")
        out.append(Row(*row, bool(p["trained"]), f"{AUDIENCE[a]}:{'已参训' if p['trained'] else '未参训'}"))
    return _rate(out)


def choices() -> list[tuple[str, str]]:
    return [(m.code, m.label) for m in REGISTRY.values()]


def defaults() -> list[Measure]:
    return [m for m in REGISTRY.values() if m.default]


# ---------------------------------------------------------------- units


def townships() -> list[Unit]:
    from worksafe.org.models import Department, Division

    units: dict = {}
    for d in (Department.objects.filter(active=True, kind__in=[Department.Kind.TOWNSHIP_GOVERNMENT,
                                                               Department.Kind.TOWNSHIP_PARTY])
              .select_related("division").order_by("division__code", "kind", "pk")):
        # the government stands for the township (its party committee when it has none)
        if d.division_id not in units or d.kind == Department.Kind.TOWNSHIP_GOVERNMENT:
            units[d.division_id] = d
    towns = Division.objects.filter(pk__in=units, level=Division.Level.TOWNSHIP).order_by("code")
    return [Unit(TOWNSHIPS, t.pk, t.name, units[t.pk]) for t in towns]


def departments(plan) -> list[Unit]:
    """County departments and stationed units the plan names (its areas' and tasks' units) or that
    supervise a sector."""
    from django.db.models import Q

    from worksafe.org.models import Department

    qs = Department.objects.filter(active=True, kind__in=[Department.Kind.COUNTY, Department.Kind.STATIONED]).filter(
        Q(area_units__area__plan=plan) | Q(task_units__task__area__plan=plan) | Q(supervised_sectors__isnull=False)
    ).distinct().order_by("order", "pk")
    return [Unit(DEPARTMENTS, d.pk, d.name, d) for d in qs]


def units_of(plan, group: str) -> list[Unit]:
    return townships() if group == TOWNSHIPS else departments(plan)
