"""Assessment (考核) services: create a scheme with the default indicators, edit its indicators
while it is a draft, compute scores and rankings (standards/assessment.py), the lifecycle
ASSESSMENT (draft → published, which freezes the results and their checksum) and proposing an
accountability action (约谈 …) in the credit app for a poor result.

Who: the county office (工作专班) creates, edits, publishes and proposes; leaders read; a township
or department sees published schemes and only its own row (:func:`own_refs`).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Transition
from worksafe.core.scoping import scope_of
from worksafe.core.services import NotAllowed, ServiceError, save_as
from worksafe.standards import assessment as A
from worksafe.standards.gbt9704 import document_date

from ..asof import Window
from ..reports.figures import canonical, checksum
from . import measures as M
from .models import Indicator, Scheme

S = Scheme.State
RESULTS_VERSION = 1
GROUPS = (M.TOWNSHIPS, M.DEPARTMENTS)
APPLIES = {M.TOWNSHIPS: (Indicator.AppliesTo.BOTH, Indicator.AppliesTo.TOWNSHIPS),
           M.DEPARTMENTS: (Indicator.AppliesTo.BOTH, Indicator.AppliesTo.DEPARTMENTS)}

__all__ = ["canonical", "checksum"]


def may_edit(user) -> bool:
    s = scope_of(user)
    return s.is_county_office and not s.read_only


def _require_county_office(user, what: str = "编制和发布考核方案") -> None:
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not may_edit(user):
        raise NotAllowed(f"只有县安委办(工作专班)可以{what}。")


def _require_draft(scheme: Scheme) -> None:
    if scheme.state != S.DRAFT:
        raise ServiceError("考核方案已发布,指标和分值不能再修改。")


def _decimal(v, field: str, label: str, *, lo=0, hi=100) -> Decimal:
    try:
        d = Decimal(str(v)).quantize(Decimal("0.1"))
    except (InvalidOperation, ValueError, TypeError):
        raise ServiceError(f"{label}应为数字。", field=field) from None
    if not Decimal(lo) <= d <= Decimal(hi):
        raise ServiceError(f"{label}应在{lo}至{hi}之间。", field=field)
    return d


# ---------------------------------------------------------------- schemes and indicators


@transaction.atomic
def create_scheme(user, plan, name: str, period_start: datetime.date, period_end: datetime.date, *,
                  pass_mark=60, excellent_mark=90) -> Scheme:
    """A draft scheme prefilled with the default indicators (their weights total 100)."""
    _require_county_office(user)
    name = (name or "").strip()
    if not name:
        raise ServiceError("请填写考核方案名称。", field="name")
    if not period_start or not period_end:
        raise ServiceError("请填写考核期。", field="period_start")
    if period_start > period_end:
        raise ServiceError("考核期起不能晚于考核期止。", field="period_end")
    pm = _decimal(pass_mark, "pass_mark", "合格分")
    em = _decimal(excellent_mark, "excellent_mark", "优秀分")
    if pm >= em:
        raise ServiceError("优秀分应高于合格分。", field="excellent_mark")
    scheme = save_as(Scheme(plan=plan, name=name[:200], period_start=period_start, period_end=period_end,
                            pass_mark=pm, excellent_mark=em, created_by=user), user, "编制考核方案")
    for i, m in enumerate(M.defaults(), start=1):
        save_as(Indicator(scheme=scheme, measure=m.code, label=m.label, kind=m.kind, weight=m.weight,
                          per_item=m.per_item, veto_at=m.veto_at, order=i * 10), user, "默认指标")
    return scheme


EDITABLE = ("label", "weight", "per_item", "veto_at", "applies_to", "order")


def _clean_indicator(ind: Indicator, data: dict) -> None:
    for k in data:
        if k not in EDITABLE:
            raise ServiceError(f"不能修改字段{k}。", field=k)
    if "label" in data:
        label = (data["label"] or "").strip()
        if not label:
            raise ServiceError("请填写指标名称。", field="label")
        ind.label = label[:100]
    if "weight" in data:
        ind.weight = _decimal(data["weight"], "weight", "分值")
    if "per_item" in data:
        ind.per_item = _decimal(data["per_item"] or 0, "per_item", "每次扣分")
    if "veto_at" in data:
        v = data["veto_at"]
        if v in (None, ""):
            ind.veto_at = None
        else:
            try:
                v = int(v)
            except (TypeError, ValueError):
                raise ServiceError("一票否决次数应为整数。", field="veto_at") from None
            if v < 1:
                raise ServiceError("一票否决次数至少为1。", field="veto_at")
            ind.veto_at = v
    if "applies_to" in data:
        if data["applies_to"] not in Indicator.AppliesTo.values:
            raise ServiceError("考核对象不正确。", field="applies_to")
        ind.applies_to = data["applies_to"]
    if "order" in data:
        try:
            ind.order = max(0, min(32767, int(data["order"])))
        except (TypeError, ValueError):
            raise ServiceError("排序应为整数。", field="order") from None
    if ind.kind == Indicator.Kind.RATE and ind.veto_at is not None:
        raise ServiceError("按比例计分的指标不能设一票否决。", field="veto_at")
    if ind.kind == Indicator.Kind.RATE and ind.per_item:
        raise ServiceError("按比例计分的指标没有每次扣分。", field="per_item")


def _locked(scheme: Scheme) -> Scheme:
    return Scheme.objects.select_for_update().get(pk=scheme.pk)


@transaction.atomic
def add_indicator(user, scheme: Scheme, measure: str, **data) -> Indicator:
    _require_county_office(user, "修改考核指标")
    scheme = _locked(scheme)
    _require_draft(scheme)
    m = M.REGISTRY.get(measure)
    if m is None:
        raise ServiceError("未知的计算口径。", field="measure")
    if scheme.indicators.filter(measure=measure).exists():
        raise ServiceError(f"方案中已有“{m.label}”指标。", field="measure")
    last = scheme.indicators.order_by("-order").values_list("order", flat=True).first() or 0
    ind = Indicator(scheme=scheme, measure=m.code, label=m.label, kind=m.kind, weight=m.weight,
                    per_item=m.per_item, veto_at=m.veto_at, order=last + 10)
    _clean_indicator(ind, data)
    return save_as(ind, user, "增加考核指标")


@transaction.atomic
def update_indicator(user, indicator: Indicator, **data) -> Indicator:
    _require_county_office(user, "修改考核指标")
    _require_draft(_locked(indicator.scheme))
    ind = Indicator.objects.select_for_update().get(pk=indicator.pk)
    _clean_indicator(ind, data)
    return save_as(ind, user, "修改考核指标")


@transaction.atomic
def remove_indicator(user, indicator: Indicator) -> None:
    """A draft's indicator may be taken out (its history keeps it); a published scheme's never."""
    _require_county_office(user, "修改考核指标")
    _require_draft(_locked(indicator.scheme))
    indicator._change_reason = "删除考核指标"
    indicator.delete()


def weight_totals(scheme: Scheme) -> dict[str, Decimal]:
    inds = list(scheme.indicators.all())
    return {g: sum((i.weight for i in inds if i.applies_to in APPLIES[g]), Decimal(0)) for g in GROUPS}


def weight_problems(scheme: Scheme) -> list[str]:
    """Why the weights cannot be published: each group with indicators must total 100 points."""
    inds = list(scheme.indicators.all())
    out = []
    if not inds:
        return ["考核方案还没有指标。"]
    for g in GROUPS:
        mine = [i for i in inds if i.applies_to in APPLIES[g]]
        total = sum((i.weight for i in mine), Decimal(0))
        if mine and total != 100:
            out.append(f"适用于{M.GROUP_LABELS[g]}的指标分值合计{num(total)}分,应为100分。")
    return out


# ---------------------------------------------------------------- computing


def num(d) -> str:
    """90.0 → "90", 12.5 → "12.5" (weights and marks as people write them)."""
    return format(Decimal(d).normalize(), "f")


def _s(d: Decimal) -> str:
    return str(Decimal(d).quantize(A.TWO))


def _indicator_json(i: Indicator) -> dict:
    return {"id": i.pk, "measure": i.measure, "label": i.label, "kind": i.kind, "weight": str(i.weight),
            "per_item": str(i.per_item), "veto_at": i.veto_at, "applies_to": i.applies_to}


def window_of(scheme: Scheme) -> Window:
    return Window(scheme.period_start, scheme.period_end)


def measure_unit(scheme: Scheme, unit: M.Unit, measure: str, ctx: M.Context | None = None) -> M.Measured:
    m = M.REGISTRY.get(measure)
    if m is None:
        raise ServiceError("未知的计算口径。", field="measure")
    return m.fn(ctx or M.Context(scheme.plan, window_of(scheme)), unit)


def compute(scheme: Scheme) -> dict:
    """Per group (townships, departments), per unit: each indicator's numerator, denominator and
    points, the total, the veto, the grade and the rank; plus the drill-down rows. JSON-ready
    (points as strings, so the canonical JSON and its checksum never depend on float printing)."""
    inds = list(scheme.indicators.order_by("order", "pk"))
    ctx = M.Context(scheme.plan, window_of(scheme))
    groups: dict = {}
    rows: dict = {}
    for g in GROUPS:
        mine = [i for i in inds if i.applies_to in APPLIES[g]]
        if not mine:
            groups[g] = []
            continue
        out = []
        for unit in M.units_of(scheme.plan, g):
            cells, total, vetoed = {}, Decimal(0), False
            rows[unit.ref] = {}
            for i in mine:
                r = measure_unit(scheme, unit, i.measure, ctx)
                sc = A.score_indicator(i.kind, i.weight, numerator=r.numerator, denominator=r.denominator,
                                       per_item=i.per_item, veto_at=i.veto_at)
                cells[i.measure] = {"numerator": r.numerator, "denominator": r.denominator,
                                    "points": _s(sc.points), "applicable": sc.applicable, "vetoed": sc.vetoed}
                rows[unit.ref][i.measure] = [row.as_list() for row in r.rows]
                total += sc.points
                vetoed = vetoed or sc.vetoed
            out.append({"ref": unit.ref, "key": unit.key, "unit_id": unit.department.pk, "name": unit.name,
                        "cells": cells, "total": _s(total), "vetoed": vetoed,
                        "grade": A.grade(total, vetoed=vetoed, pass_mark=scheme.pass_mark,
                                         excellent_mark=scheme.excellent_mark)})
        ranks = A.rank({u["ref"]: u["total"] for u in out})
        for u in out:
            u["rank"] = ranks[u["ref"]]
        out.sort(key=lambda u: (u["rank"], u["name"]))
        groups[g] = out
    return {"version": RESULTS_VERSION, "as_of": scheme.period_end.isoformat(),
            "period": [scheme.period_start.isoformat(), scheme.period_end.isoformat()],
            "pass_mark": str(scheme.pass_mark), "excellent_mark": str(scheme.excellent_mark),
            "indicators": [_indicator_json(i) for i in inds], "groups": groups, "rows": rows}


def results(scheme: Scheme) -> dict:
    """The published results as frozen, or a draft's computed now (once per scheme object, i.e. per
    request)."""
    if scheme.state == S.PUBLISHED:
        return scheme.results
    cached = getattr(scheme, "_live_results", None)
    if cached is None:
        cached = scheme._live_results = compute(scheme)
    return cached


def own_refs(user) -> set[str] | None:
    """The result rows ``user`` may see: ``None`` for all (county office, leaders), else its own
    township's or department's."""
    s = scope_of(user)
    if s.everything:
        return None
    return {f"t{t}" for t in s.township_ids} | {f"d{d}" for d in s.department_ids}


def visible_groups(user, res: dict) -> dict:
    """``res["groups"]`` narrowed to the rows ``user`` may see (each row keeps its rank and the
    group's size)."""
    refs = own_refs(user)
    out = {}
    for g in GROUPS:
        rows = res.get("groups", {}).get(g, [])
        out[g] = [{**u, "of": len(rows)} for u in rows if refs is None or u["ref"] in refs]
    return out


def find_unit(res: dict, ref: str) -> tuple[str, dict] | None:
    for g in GROUPS:
        for u in res.get("groups", {}).get(g, []):
            if u["ref"] == ref:
                return g, u
    return None


def drilldown(user, scheme: Scheme, ref: str, measure: str) -> dict:
    """The rows behind one indicator of one unit, as ``user`` may see them (its own row only for a
    unit's user). Raises ServiceError (400) for an unknown unit or measure, NotAllowed for another
    unit's row."""
    refs = own_refs(user)
    if refs is not None and ref not in refs:
        raise NotAllowed("只能查看本单位的考核明细。")
    res = results(scheme)
    found = find_unit(res, ref)
    if found is None:
        raise ServiceError("考核对象不存在或不参加本方案的考核。", field="unit")
    group, unit = found
    ind = next((i for i in res["indicators"] if i["measure"] == measure), None)
    if ind is None or measure not in unit["cells"]:
        raise ServiceError("该指标不存在或不适用于该考核对象。", field="measure")
    rows = res["rows"].get(ref, {}).get(measure, [])
    return {"group": group, "unit": unit, "indicator": ind, "cell": unit["cells"][measure],
            "rows": [M.Row.from_list(r) for r in rows]}


# ---------------------------------------------------------------- lifecycle


def _may_publish(act: Act) -> None:
    _require_county_office(act.user)


def _apply_publish(act: Act) -> None:
    scheme = act.obj
    today = timezone.localdate()
    if scheme.period_end >= today:
        raise ServiceError(f"考核期至{document_date(scheme.period_end)}止,期满后才能发布考核结果。")
    problems = weight_problems(scheme)
    if problems:
        raise ServiceError("不能发布:" + "".join(problems))
    res = compute(scheme)
    scheme.results = res
    scheme.checksum = checksum(res)
    scheme.published_at = timezone.now()


ASSESSMENT = Lifecycle(
    Scheme, noun="考核方案", denied="您无权办理该考核方案。",
    conflict="该考核方案刚刚已被他人处理,请刷新页面查看最新状态后再操作。",
    transitions=[
        Transition("publish", "发布考核结果", [S.DRAFT], S.PUBLISHED, who=_may_publish, officer=True,
                   apply=_apply_publish,
                   message="考核结果已发布:得分、排名和明细不再变化,各乡镇、各部门可查看本单位结果。",
                   help="发布后指标、分值、得分、排名和明细冻结并计算校验值,以后数据变化不影响已发布的结果。"),
    ])


# ---------------------------------------------------------------- accountability


@transaction.atomic
def propose_accountability(user, scheme: Scheme, ref: str, *, kind: str = "interview", note: str = ""):
    """Propose an accountability action (约谈 by default) in the credit app against a unit of a
    published scheme, its reason citing the scheme, the score, the grade and the rank. Idempotent
    per scheme, unit and kind: returns ``(accountability, created)``."""
    from worksafe.credit import services as credit
    from worksafe.credit.models import Accountability
    from worksafe.org.models import Department

    _require_county_office(user, "提出考核问责建议")
    if scheme.state != S.PUBLISHED:
        raise ServiceError("考核结果发布后才能提出问责建议。")
    if kind not in Accountability.Kind.values:
        raise ServiceError("问责方式不正确。", field="kind")
    found = find_unit(scheme.results, ref)
    if found is None:
        raise ServiceError("考核对象不存在或不参加本方案的考核。", field="unit")
    group, u = found
    target = Department.objects.get(pk=u["unit_id"])
    inds = {i["measure"]: i for i in scheme.results["indicators"]}
    lost = sorted(((Decimal(inds[m]["weight"]) - Decimal(c["points"]), m) for m, c in u["cells"].items()),
                  key=lambda x: -x[0])
    weak = "、".join(f"{inds[m]['label']}得{u['cells'][m]['points']}分(满分{inds[m]['weight']}分)"
                     for d, m in lost[:3] if d > 0)
    n = len(scheme.results["groups"][group])
    reason = (f"《{scheme.name}》({document_date(scheme.period_start)}至{document_date(scheme.period_end)}):"
              f"{u['name']}得分{u['total']}分,评定为{u['grade']}"
              f"{'(一票否决)' if u['vetoed'] else ''},在{n}个{M.GROUP_LABELS[group]}中排名第{u['rank']}。"
              + (f"失分较多的指标:{weak}。" if weak else "")
              + (f"{note.strip()}" if note and note.strip() else ""))
    return credit.propose_accountability(
        target=target, kind=kind, reason=reason, source_label=f"{scheme.name}:{u['name']}{u['total']}分",
        source_url=scheme.get_absolute_url(), source_key=f"assessment:{scheme.pk}:{ref}", user=user)
