"""Self-inspection against sector checklists, and the enterprises' periodic statistics and
monthly dual reports (双报告).

- Checklists are data: one a sector, seeded from the plan's own wording
  (``data/checklists.json``) and edited by the county office only.
- A self-inspection records the answer to every item of the checklist AND records each
  failed item as a hazard (source ``self_inspection``) in one transaction: all or nothing.
- 安全生产事故隐患排查治理暂行规定 (16号令) 第十四条: an enterprise analyses its hazard work
  every quarter and every year and files the statistics by the 15th of the first month of
  the next quarter (Q4: 15 January) and by 31 January of the next year, signed by its
  principal (主要负责人签字). A report filed after its due date is flagged late.
- Plan 二(二)六是: the enterprise's monthly dual report (双报告) of its risk control and
  hazard work (企业风险管控和隐患排查治理情况).

The figures of both reports are computed here from the Hazard and RiskPoint rows, never
typed in; the enterprise adds its analysis and the principal's name.
"""

from __future__ import annotations

import calendar
import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone

from worksafe.core.registry import REPORT_FIGURES
from worksafe.core.scoping import scope_of
from worksafe.core.services import NotAllowed, ServiceError, require_writer, save_as
from worksafe.enterprises.models import Enterprise
from worksafe.hazards.loop.models import Hazard

from .models import Checklist, ChecklistItem, DualReport, PeriodicReport, SelfInspection

DATA = Path(__file__).resolve().parent.parent / "data" / "checklists.json"
PLAN_REF = "三年行动方案"

# ---------------------------------------------------------------- checklists: seeding


def checklist_data() -> dict:
    return json.loads(DATA.read_text(encoding="utf-8"))


def _entry_for(sector_name: str, data: dict) -> dict | None:
    for entry in data["checklists"]:
        if any(k in sector_name for k in entry["keywords"]):
            return entry
    return None


def _basis(area_number: str, clause: str, default_area: str) -> str:
    """``三年行动方案(三)三是``; the clause only when the area is numbered as in the seed plan
    (another county's plan numbers its areas differently, so only the area is certain)."""
    ref = f"{PLAN_REF}({area_number})"
    return ref + clause if clause and area_number == default_area else ref


def seed_with(Sector, Checklist, ChecklistItem, sectors=None) -> int:  # noqa: N803 (model classes)
    """Create the seeded checklist of each sector that matches a keyword and has none of that
    title yet; existing checklists (and the county office's edits) are left alone. Takes the
    model classes so that a data migration can pass its historical models. Returns the
    number of checklists created."""
    data = checklist_data()
    created = 0
    for sector in sectors if sectors is not None else Sector.objects.all():
        entry = _entry_for(sector.name, data)
        if entry is None or Checklist.objects.filter(sector=sector, title=entry["title"]).exists():
            continue
        area = getattr(sector, "area", None)
        checklist = Checklist.objects.create(sector=sector, title=entry["title"])
        number = area.number if area is not None else entry["area"]
        rows = [(i["text"], _basis(number, i["clause"], entry["area"])) for i in entry["items"]]
        common = data["common"]
        rows += [(i["text"], _basis(common["area"], i["clause"], common["area"])) for i in common["items"]]
        ChecklistItem.objects.bulk_create([
            ChecklistItem(checklist=checklist, order=n, text=text, basis=basis[:300])
            for n, (text, basis) in enumerate(rows, 1)
        ])
        created += 1
    return created


def seed_checklists(sectors=None) -> int:
    """Idempotent: give every existing sector (or those given) its seeded checklist."""
    from worksafe.org.models import Sector

    if sectors is None:
        sectors = Sector.objects.select_related("area")
    return seed_with(Sector, Checklist, ChecklistItem, sectors)


def seed_for_new_sector(sender, instance, created, raw=False, **kwargs):
    """A ``post_save`` receiver for ``plans.Sector``: a sector created by a plan import (or by
    hand) gets its checklist at once. Connect it in hazards/hooks.py."""
    if created and not raw:
        seed_checklists([instance])


# ---------------------------------------------------------------- checklists: editing


def _require_county_office(user) -> None:
    require_writer(user)
    if not scope_of(user).is_county_office:
        raise NotAllowed("只有县安委办可以编辑检查表。")


def may_edit_checklists(user) -> bool:
    s = scope_of(user)
    return s.is_county_office and not s.read_only


def seed_checklists_as(user) -> int:
    """The county office's button: seed the checklists of sectors that have none yet."""
    _require_county_office(user)
    return seed_checklists()


def create_checklist(user, *, sector, title: str) -> Checklist:
    _require_county_office(user)
    title = (title or "").strip()
    if not title:
        raise ServiceError("请填写检查表名称。", field="title")
    if Checklist.objects.filter(sector=sector, title=title).exists():
        raise ServiceError(f"“{sector}”已有名为“{title}”的检查表。", field="title")
    return save_as(Checklist(sector=sector, title=title[:200]), user, "新建检查表")


def update_checklist(user, checklist: Checklist, *, title: str | None = None, active: bool | None = None) -> Checklist:
    _require_county_office(user)
    if title is not None:
        if not title.strip():
            raise ServiceError("请填写检查表名称。", field="title")
        checklist.title = title.strip()[:200]
    if active is not None:
        checklist.active = bool(active)
    return save_as(checklist, user, "修改检查表")


def _clean_item(text: str, basis: str) -> tuple[str, str]:
    text, basis = (text or "").strip(), (basis or "").strip()
    if not text:
        raise ServiceError("请填写检查内容。", field="text")
    if len(basis) > 300:
        raise ServiceError("依据不能超过300字。", field="basis")
    return text, basis


@transaction.atomic
def add_item(user, checklist: Checklist, *, text: str, basis: str = "") -> ChecklistItem:
    """Append an item at the end of the checklist."""
    _require_county_office(user)
    text, basis = _clean_item(text, basis)
    last = checklist.items.order_by("-order").values_list("order", flat=True).first() or 0
    return save_as(ChecklistItem(checklist=checklist, order=last + 1, text=text, basis=basis), user, "添加检查项")


def edit_item(user, item: ChecklistItem, *, text: str, basis: str = "") -> ChecklistItem:
    _require_county_office(user)
    item.text, item.basis = _clean_item(text, basis)
    return save_as(item, user, "修改检查项")


@transaction.atomic
def remove_item(user, item: ChecklistItem) -> None:
    """Remove an item; past self-inspections keep their own copy of its text."""
    _require_county_office(user)
    checklist = item.checklist
    item.delete()
    _renumber(user, checklist, list(checklist.items.order_by("order", "id").values_list("pk", flat=True)))


@transaction.atomic
def reorder_items(user, checklist: Checklist, item_ids: list[int]) -> None:
    """Put the checklist's items in the order given (every item exactly once)."""
    _require_county_office(user)
    ids = [int(i) for i in item_ids]
    current = set(checklist.items.values_list("pk", flat=True))
    if len(ids) != len(set(ids)) or set(ids) != current:
        raise ServiceError("排序须包含该检查表的全部检查项,且每项一次。")
    _renumber(user, checklist, ids)


def move_item(user, item: ChecklistItem, delta: int) -> None:
    """Move an item up (-1) or down (+1) one place."""
    ids = list(item.checklist.items.order_by("order", "id").values_list("pk", flat=True))
    i = ids.index(item.pk)
    j = i + (1 if delta > 0 else -1)
    if 0 <= j < len(ids):
        ids[i], ids[j] = ids[j], ids[i]
    reorder_items(user, item.checklist, ids)


def _renumber(user, checklist, ids):
    items = {it.pk: it for it in checklist.items.all()}
    for n, pk in enumerate(ids, 1):
        it = items[pk]
        if it.order != n:
            it.order = n
            save_as(it, user, "调整顺序")


# ---------------------------------------------------------------- self-inspection


def is_own_enterprise_user(user, enterprise: Enterprise) -> bool:
    return enterprise.pk in scope_of(user).enterprise_ids


def _require_own(user, enterprise: Enterprise, what: str) -> None:
    require_writer(user)
    if not is_own_enterprise_user(user, enterprise):
        raise NotAllowed(f"只有本企业的用户可以{what}。")


def checklists_for(enterprise: Enterprise):
    """The active checklists of the enterprise's sectors."""
    return (Checklist.objects.filter(active=True, sector__in=enterprise.sectors.all())
            .select_related("sector").order_by("sector__name", "title"))


def _as_bool(v) -> bool | None:
    if isinstance(v, bool):
        return v
    if v in ("ok", "true", "1", 1, "yes"):
        return True
    if v in ("problem", "false", "0", 0, "no"):
        return False
    return None


@transaction.atomic
def run_self_inspection(user, enterprise: Enterprise, checklist: Checklist, results: dict, files=None,
                        note: str = "") -> SelfInspection:
    """Record a self-inspection and, in the same transaction, each failed item as a hazard.

    ``results`` maps every item id of the checklist to ``{"ok": bool, "note": str,
    "location": str}``; a failed item needs the problem (note) and where it is (location).
    ``files`` maps item ids to photos of that item's problem. Any error records nothing."""
    _require_own(user, enterprise, "开展企业自查")
    if not checklist.active:
        raise ServiceError("该检查表已停用,请选择其他检查表。", field="checklist")
    if not enterprise.sectors.filter(pk=checklist.sector_id).exists():
        raise ServiceError(f"检查表“{checklist}”不属于本企业的行业领域。", field="checklist")
    files = {str(k): list(v) for k, v in (files or {}).items()}
    answers = {str(k): v for k, v in (results or {}).items()}
    items = list(checklist.items.order_by("order", "id"))
    if not items:
        raise ServiceError("该检查表没有检查项。", field="checklist")
    known = {str(it.pk) for it in items}
    unknown = set(answers) - known
    if unknown:
        raise ServiceError("检查结果中有不属于该检查表的检查项,请刷新页面后重新填写。")
    rows = []
    for n, it in enumerate(items, 1):
        key = str(it.pk)
        a = answers.get(key) or {}
        ok = _as_bool(a.get("ok"))
        if ok is None:
            raise ServiceError(f"第{n}项“{it.text[:20]}”未选择检查结果(合格/有问题)。", field=f"item_{key}")
        text, where = (a.get("note") or "").strip(), (a.get("location") or "").strip()
        if not ok and not text:
            raise ServiceError(f"第{n}项发现问题,请填写问题描述。", field=f"item_{key}")
        if not ok and not where:
            raise ServiceError(f"第{n}项发现问题,请填写问题部位/场所。", field=f"item_{key}")
        if len(where) > 200:
            raise ServiceError(f"第{n}项的部位/场所不能超过200字。", field=f"item_{key}")
        if ok and files.get(key):
            raise ServiceError(f"第{n}项为合格,照片只需在发现问题时上传。", field=f"item_{key}")
        rows.append((n, it, ok, text, where))
    from worksafe.hazards.loop.services import report_hazard

    now = timezone.now()
    recorded = {}
    for n, it, ok, text, where in rows:
        entry = {"order": n, "text": it.text, "basis": it.basis, "ok": ok, "note": text, "location": where,
                 "hazard": None}
        if not ok:
            standard = f"{checklist.title}第{n}项:{it.text}"
            if it.basis:
                standard = f"{standard}({it.basis})"
            try:
                h = report_hazard(user, enterprise, location=where, description=text,
                                  source=Hazard.Source.SELF, sector=checklist.sector,
                                  standard_item=standard[:300], files=files.get(str(it.pk), ()),
                                  found_at=now)
            except ServiceError as e:
                raise ServiceError(f"第{n}项:{e.message}", field=f"item_{it.pk}") from e
            entry["hazard"] = h.pk
            entry["hazard_code"] = h.code
        recorded[str(it.pk)] = entry
    return save_as(SelfInspection(enterprise=enterprise, checklist=checklist, performed_by=user, results=recorded,
                                  note=(note or "").strip()[:300]), user, "企业自查")


def inspection_rows(inspection: SelfInspection) -> list[dict]:
    """The recorded answers in checklist order."""
    return sorted(inspection.results.values(), key=lambda r: r.get("order", 0))


def failed_count(inspection: SelfInspection) -> int:
    return sum(1 for r in (inspection.results or {}).values() if not r.get("ok"))


# ---------------------------------------------------------------- periods and due dates


def quarter_bounds(year: int, quarter: int) -> tuple[datetime.date, datetime.date]:
    first = 3 * (quarter - 1) + 1
    last = first + 2
    return datetime.date(year, first, 1), datetime.date(year, last, calendar.monthrange(year, last)[1])


def period_bounds(period: str, year: int, quarter: int | None = None) -> tuple[datetime.date, datetime.date]:
    _check_period(period, year, quarter)
    if period == PeriodicReport.Period.YEAR:
        return datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return quarter_bounds(year, quarter)


def due_date(period: str, year: int, quarter: int | None = None) -> datetime.date:
    """16号令 第十四条: a quarter's analysis by the 15th of the first month of the next quarter,
    a year's by 31 January of the next year."""
    _check_period(period, year, quarter)
    if period == PeriodicReport.Period.YEAR:
        return datetime.date(year + 1, 1, 31)
    if quarter == 4:
        return datetime.date(year + 1, 1, 15)
    return datetime.date(year, 3 * quarter + 1, 15)


def period_label(period: str, year: int, quarter: int | None = None) -> str:
    return f"{year}年度" if period == PeriodicReport.Period.YEAR else f"{year}年第{quarter}季度"


def _check_period(period, year, quarter):
    if period not in PeriodicReport.Period.values:
        raise ServiceError("请选择季度或年度。", field="period")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ServiceError("年度不正确。", field="year")
    if period == PeriodicReport.Period.QUARTER and quarter not in (1, 2, 3, 4):
        raise ServiceError("请选择第1至第4季度。", field="quarter")
    if period == PeriodicReport.Period.YEAR and quarter not in (None, "", 0):
        raise ServiceError("年度统计分析不选季度。", field="quarter")


def last_ended_period(today: datetime.date | None = None) -> tuple[int, int]:
    """(year, quarter) of the latest quarter that has ended."""
    today = today or timezone.localdate()
    q = (today.month - 1) // 3  # the current quarter is q + 1
    return (today.year - 1, 4) if q == 0 else (today.year, q)


@dataclass(frozen=True)
class DuePeriod:
    period: str
    year: int
    quarter: int | None
    due_on: datetime.date

    @property
    def label(self) -> str:
        return period_label(self.period, self.year, self.quarter)


def past_due_periods(today: datetime.date | None = None, within_days: int = 365) -> list[DuePeriod]:
    """The quarters and years whose due date has passed within the last ``within_days`` days,
    latest first."""
    today = today or timezone.localdate()
    out = []
    for year in (today.year - 2, today.year - 1, today.year):
        for q in (1, 2, 3, 4):
            out.append(DuePeriod("quarter", year, q, due_date("quarter", year, q)))
        out.append(DuePeriod("year", year, None, due_date("year", year)))
    return sorted([p for p in out if p.due_on < today and (today - p.due_on).days <= within_days],
                  key=lambda p: p.due_on, reverse=True)


# ---------------------------------------------------------------- figures


LEVEL_KEYS = [(4, "red"), (3, "orange"), (2, "yellow"), (1, "blue")]

HAZARD_LABELS = [
    ("found", "本期排查发现隐患"),
    ("major", "其中重大事故隐患"),
    ("self_found", "其中企业自查发现"),
    ("on_spot", "其中立查立改"),
    ("fixed", "本期发现已整改销号"),
    ("major_fixed", "其中重大事故隐患已整改"),
    ("open", "本期发现未整改"),
    ("fix_rate", "本期隐患整改率(%)"),
    ("carried_over", "上期结转未整改"),
    ("carried_fixed", "上期结转本期已整改"),
    ("open_total", "期末未整改隐患总数"),
    ("major_open", "期末未整改重大事故隐患"),
    ("overdue_total", "期末逾期未整改隐患"),
    ("listed", "期末挂牌督办隐患"),
]
RISK_LABELS = [
    ("risk_points", "风险点总数"),
    ("red", "重大风险(红)"),
    ("orange", "较大风险(橙)"),
    ("yellow", "一般风险(黄)"),
    ("blue", "低风险(蓝)"),
    ("unrated", "未评定"),
    ("major_sources", "构成重大危险源的单元"),
]


def hazard_figures(enterprise: Enterprise, start: datetime.date, end: datetime.date,
                   today: datetime.date | None = None) -> dict:
    """The enterprise's hazard work from ``start`` to ``end`` (or today, if earlier), as it stood
    at that cut-off: hazards found in the period and how many were closed by the cut-off,
    hazards carried over from before, and the totals still open at the cut-off. Hazards found
    not to be hazards (dismissed) are not counted."""
    today = today or timezone.localdate()
    cutoff = min(end, today)
    S = Hazard.State
    base = (Hazard.objects.filter(enterprise=enterprise, found_at__date__lte=cutoff)
            .exclude(state=S.DISMISSED))
    fixed = Q(state=S.CLOSED, closed_at__date__lte=cutoff)
    open_ = ~fixed
    in_period = Q(found_at__date__gte=start)
    before = Q(found_at__date__lt=start)
    major = Q(level=Hazard.Level.MAJOR)
    overdue = open_ & Q(deadline__lt=cutoff, state__in=[S.CONFIRMED, S.RECTIFYING, S.CLOSED])
    listed = open_ & Q(listed=True, listed_on__lte=cutoff)
    f = base.aggregate(
        found=Count("pk", filter=in_period),
        major=Count("pk", filter=in_period & major),
        self_found=Count("pk", filter=in_period & Q(source=Hazard.Source.SELF)),
        on_spot=Count("pk", filter=in_period & Q(fixed_on_spot=True)),
        fixed=Count("pk", filter=in_period & fixed),
        major_fixed=Count("pk", filter=in_period & major & fixed),
        carried_over=Count("pk", filter=before & ~Q(state=S.CLOSED, closed_at__date__lt=start)),
        carried_fixed=Count("pk", filter=before & fixed & Q(closed_at__date__gte=start)),
        open_total=Count("pk", filter=open_),
        major_open=Count("pk", filter=open_ & major),
        overdue_total=Count("pk", filter=overdue),
        listed=Count("pk", filter=listed),
    )
    f["open"] = f["found"] - f["fixed"]
    f["fix_rate"] = round(f["fixed"] * 100 / f["found"], 1) if f["found"] else None
    f["self_inspections"] = SelfInspection.objects.filter(
        enterprise=enterprise, performed_at__date__gte=start, performed_at__date__lte=cutoff).count()
    for fig in REPORT_FIGURES.values():  # other apps' lines (e.g. credit: missing commitments)
        value = fig.compute(enterprise, start, cutoff)
        if value is not None:
            f[fig.key] = value
    f["period_start"], f["period_end"], f["as_of"] = start.isoformat(), end.isoformat(), cutoff.isoformat()
    return f


def risk_figures(enterprise: Enterprise) -> dict:
    """The enterprise's risk points (in use) by level, and its major hazard sources."""
    from worksafe.risks.models import MajorHazardSource, RiskPoint

    by_level = dict(RiskPoint.objects.filter(enterprise=enterprise, active=True).order_by().values("level")
                    .annotate(n=Count("pk")).values_list("level", "n"))
    r = {name: by_level.get(value, 0) for value, name in LEVEL_KEYS}
    r["unrated"] = by_level.get(None, 0)
    r["risk_points"] = sum(by_level.values())
    r["major_sources"] = MajorHazardSource.objects.filter(enterprise=enterprise, is_major=True).count()
    r["enterprise_level"] = enterprise.risk_level
    return r


def periodic_stats(enterprise: Enterprise, period: str, year: int, quarter: int | None = None,
                   today: datetime.date | None = None) -> dict:
    """The figures of a quarterly or yearly statistical analysis (第十四条)."""
    start, end = period_bounds(period, year, quarter)
    stats = hazard_figures(enterprise, start, end, today)
    stats["risks"] = risk_figures(enterprise)
    return stats


def dual_state(enterprise: Enterprise, year: int, month: int, today: datetime.date | None = None
               ) -> tuple[dict, dict]:
    """(risk_state, hazard_state) of a month's dual report (双报告)."""
    _check_month(year, month)
    start = datetime.date(year, month, 1)
    end = datetime.date(year, month, calendar.monthrange(year, month)[1])
    return risk_figures(enterprise), hazard_figures(enterprise, start, end, today)


def figure_rows(figures: dict, labels) -> list[tuple[str, object]]:
    """The report's lines in order, then the lines other apps registered (core REPORT_FIGURES)."""
    extra = [(fig.key, fig.label) for fig in REPORT_FIGURES.values()]
    return [(label, figures.get(key)) for key, label in [*labels, *extra] if key in figures]


def _check_month(year, month):
    if not isinstance(year, int) or not 2000 <= year <= 2100 or month not in range(1, 13):
        raise ServiceError("月份不正确。", field="month")


# ---------------------------------------------------------------- filing


def _signature(principal_signature: str) -> str:
    name = (principal_signature or "").strip()
    if not name:
        raise ServiceError("统计分析表须由企业主要负责人签字,请填写主要负责人姓名。", field="principal_signature")
    if len(name) > 50:
        raise ServiceError("主要负责人姓名不能超过50字。", field="principal_signature")
    return name


@transaction.atomic
def file_periodic(user, enterprise: Enterprise, *, period: str, year: int, quarter: int | None = None,
                  analysis: str = "", principal_signature: str, today: datetime.date | None = None
                  ) -> PeriodicReport:
    """File the quarterly/yearly statistical analysis; the figures are computed, not typed.
    One per enterprise and period; filing after the due date is allowed and flagged late."""
    _require_own(user, enterprise, "报送本企业的统计分析表")
    today = today or timezone.localdate()
    if period == PeriodicReport.Period.YEAR:
        quarter = None
    _check_period(period, year, quarter)
    start, end = period_bounds(period, year, quarter)
    label = period_label(period, year, quarter)
    if end >= today:
        raise ServiceError(f"{label}尚未结束,结束后再报送统计分析表。", field="period")
    name = _signature(principal_signature)
    # a yearly report has no quarter (NULL), which the unique constraint does not cover: lock
    Enterprise.objects.select_for_update().filter(pk=enterprise.pk).first()
    existing = PeriodicReport.objects.filter(enterprise=enterprise, period=period, year=year, quarter=quarter).first()
    if existing:
        raise ServiceError(f"{enterprise}{label}的隐患排查治理统计分析表已于"
                           f"{timezone.localtime(existing.submitted_at):%Y年%m月%d日}报送,不能重复报送。")
    report = PeriodicReport(enterprise=enterprise, period=period, year=year, quarter=quarter,
                            stats=periodic_stats(enterprise, period, year, quarter, today),
                            analysis=(analysis or "").strip(), principal_signature=name,
                            due_on=due_date(period, year, quarter), submitted_by=user)
    try:
        with transaction.atomic():
            save_as(report, user, "报送统计分析表")
    except IntegrityError:
        raise ServiceError(f"{enterprise}{label}的统计分析表已报送,不能重复报送。") from None
    return report


@transaction.atomic
def file_dual(user, enterprise: Enterprise, *, year: int, month: int, note: str = "", principal_signature: str,
              today: datetime.date | None = None) -> DualReport:
    """File the month's dual report (双报告): risk control and hazard work, computed; one a month."""
    _require_own(user, enterprise, "报送本企业的双报告")
    today = today or timezone.localdate()
    _check_month(year, month)
    if (year, month) > (today.year, today.month):
        raise ServiceError(f"{year}年{month}月尚未到来,不能报送。", field="month")
    name = _signature(principal_signature)
    existing = DualReport.objects.filter(enterprise=enterprise, year=year, month=month).first()
    if existing:
        raise ServiceError(f"{enterprise}{year}年{month}月的双报告已于"
                           f"{timezone.localtime(existing.submitted_at):%Y年%m月%d日}报送,不能重复报送。")
    risk_state, hazard_state = dual_state(enterprise, year, month, today)
    report = DualReport(enterprise=enterprise, year=year, month=month, risk_state=risk_state,
                        hazard_state=hazard_state, note=(note or "").strip(), principal_signature=name,
                        submitted_by=user)
    try:
        with transaction.atomic():
            save_as(report, user, "报送双报告")
    except IntegrityError:
        raise ServiceError(f"{enterprise}{year}年{month}月的双报告已报送,不能重复报送。") from None
    return report


# ---------------------------------------------------------------- who has not reported


def operating_enterprises(user):
    return Enterprise.objects.visible_to(user).filter(status=Enterprise.Status.OPERATING)


def missing_dual_reports(user, year: int, month: int):
    """The operating enterprises visible to ``user`` without a dual report for the month."""
    _check_month(year, month)
    filed = DualReport.objects.filter(year=year, month=month).values("enterprise_id")
    return operating_enterprises(user).exclude(pk__in=filed).select_related("township").order_by(
        "township__code", "name")


def _unreported(user, p: DuePeriod):
    """The operating enterprises visible to ``user`` without a report for period ``p``."""
    filed = PeriodicReport.objects.filter(period=p.period, year=p.year, quarter=p.quarter).values("enterprise_id")
    return operating_enterprises(user).exclude(pk__in=filed)


def missing_periodic_count(user, periods: list[DuePeriod]) -> int:
    """How many (period, enterprise) pairs :func:`missing_periodic_reports` holds: one count per period."""
    return sum(_unreported(user, p).count() for p in periods)


def missing_periodic_reports(user, periods: list[DuePeriod], offset: int = 0,
                             limit: int | None = None) -> list[tuple[DuePeriod, Enterprise]]:
    """(period, enterprise) for each past-due period an operating enterprise visible to ``user``
    has not reported (逾期未报), period by period, by township and name; ``offset``/``limit`` take a
    page of them from the database (a list page shows 50, not the county's thousands)."""
    out: list[tuple[DuePeriod, Enterprise]] = []
    for p in periods:
        if limit is not None and len(out) >= limit:
            break
        qs = _unreported(user, p).select_related("township").order_by("township__code", "name")
        if offset or limit is not None:
            n = qs.count()
            if offset >= n:
                offset -= n
                continue
            end = None if limit is None else offset + limit - len(out)
            rows, offset = list(qs[offset:end]), 0
        else:
            rows = list(qs)
        out += [(p, e) for e in rows]
    return out
