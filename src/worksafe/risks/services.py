"""Risk services: assess risk points, identify and grade major hazard sources, score
the hazardous-chemical diagnosis, keep each enterprise's colour, check projects.

An enterprise's colour (DESIGN.md §2, plan 三(一)) is the highest of its active risk
points, its major hazard sources (一级 → red … 四级 → blue) and its latest diagnosis,
raised one level while any registered raiser applies (an overdue major hazard, a
blacklisting — those apps register in ``core.registry.LEVEL_RAISERS``). The reason is stored with it.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from worksafe.core.registry import LEVEL_RAISERS
from worksafe.core.scoping import require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, create_as, require_writer, save_as
from worksafe.enterprises.models import Enterprise, GatheringPlace
from worksafe.standards import gb18218, geo, hazchem_diagnosis, lec, risk_matrix
from worksafe.standards.levels import Level

from .models import (
    Diagnosis,
    HazardSubstance,
    MajorHazardSource,
    Project,
    RiskAssessment,
    RiskPoint,
    VetoRule,
)


def lec_rules() -> lec.LecRules:
    """The LEC band rules in force: ``WORKSAFE_LEC_RULES`` (dict of LecRules fields) or the default."""
    custom = getattr(settings, "WORKSAFE_LEC_RULES", None)
    if not custom:
        return lec.DEFAULT
    bands = tuple(lec.Band(Decimal(str(b["edge"])), Level.parse(b["level"]), b.get("danger", ""))
                  for b in custom["bands"])
    return lec.LecRules(version=custom["version"], bands=bands,
                        lower_inclusive=custom.get("lower_inclusive", lec.DEFAULT.lower_inclusive))


def matrix_rules() -> risk_matrix.MatrixRules:
    custom = getattr(settings, "WORKSAFE_MATRIX_RULES", None)
    if not custom:
        return risk_matrix.DEFAULT
    bands = tuple(risk_matrix.Band(int(b["edge"]), Level.parse(b["level"]), b.get("action", ""))
                  for b in custom["bands"])
    return risk_matrix.MatrixRules(version=custom["version"], bands=bands,
                                   lower_inclusive=custom.get("lower_inclusive", risk_matrix.DEFAULT.lower_inclusive))


def _may_assess(user, enterprise: Enterprise) -> None:
    require_write(user, enterprise, "您不能评价该企业的风险。")


@transaction.atomic
def assess_risk_point(point: RiskPoint, user, *, method: str, l, c, e=None, note: str = "") -> RiskAssessment:  # noqa: E741
    """Assess a risk point by LEC (L, E, C) or the 5×5 matrix (L, S given as ``c``)."""
    _may_assess(user, point.enterprise)
    try:
        if method == RiskAssessment.Method.LEC:
            if e is None or e == "":
                raise ServiceError("LEC法需要填写E(暴露于危险环境的频繁程度)。", field="e_value")
            r = lec.assess(l, e, c, lec_rules())
            score, level, version = r.d, r.level, r.rules_version
        elif method == RiskAssessment.Method.MATRIX:
            r = risk_matrix.assess(l, c, matrix_rules())
            score, level, version, e = Decimal(r.r), r.level, r.rules_version, None
        else:
            raise ServiceError("请选择评价方法。", field="method")
    except ValueError as err:
        raise ServiceError(str(err)) from None
    a = create_as(RiskAssessment, user, risk_point=point, method=method, l_value=Decimal(str(l)),
                  e_value=None if e is None else Decimal(str(e)), c_value=Decimal(str(c)), score=score,
                  level=int(level), rules_version=version, assessed_by=user, note=note[:200])
    point = RiskPoint.objects.select_for_update().get(pk=point.pk)
    point.level = int(level)
    save_as(point, user, f"风险评价:{a.get_method_display()} {score}")
    refresh_enterprise_level(point.enterprise)
    return a


@transaction.atomic
def grade_source(source: MajorHazardSource, user) -> gb18218.UnitResult:
    """Identify and grade a unit from its substances (GB 18218-2018 §4)."""
    _may_assess(user, source.enterprise)
    substances = list(source.substances.all())
    if not substances:
        raise ServiceError("请先填写该单元的危险化学品及其设计最大量。")
    holdings = [gb18218.Holding(substance=s.name or None, quantity_t=s.quantity_t, hazard_classes=s.class_list,
                                beta=s.beta, label=s.name) for s in substances]
    try:
        result = gb18218.assess_unit(holdings, source.people_within_500m)
    except ValueError as err:
        raise ServiceError(str(err)) from None
    for s, item in zip(substances, result.items, strict=True):
        s.critical_t, s.critical_basis = item.q, item.q_basis[:200]
        save_as(s, user)
    source = MajorHazardSource.objects.select_for_update().get(pk=source.pk)
    source.s_value, source.is_major = result.s, result.is_major
    source.alpha, source.r_value = result.alpha, result.r
    source.grade = int(result.grade) if result.grade else None
    source.level = int(result.level) if result.level else None
    source.rules_version = result.standard
    source.assessed_at = timezone.now()
    save_as(source, user, "按GB 18218-2018辨识分级")
    refresh_enterprise_level(source.enterprise)
    return result


@transaction.atomic
def diagnose(enterprise: Enterprise, user, *, deductions: dict, bonuses=(), direct_red=()) -> Diagnosis:
    _may_assess(user, enterprise)
    try:
        r = hazchem_diagnosis.score(deductions, bonuses, direct_red)
    except ValueError as err:
        raise ServiceError(str(err)) from None
    d = create_as(Diagnosis, user, enterprise=enterprise, deductions={k: str(v) for k, v in r.deductions.items()},
                  bonuses=list(bonuses), direct_red=list(r.direct_red), score=r.score, level=int(r.level),
                  reasons=list(r.reasons), rules_version=r.rules_version, assessed_by=user)
    refresh_enterprise_level(enterprise)
    return d


def colour_of(enterprise: Enterprise) -> tuple[Level | None, str]:
    """(level, reason): the highest contributor, then the raisers."""
    candidates: list[tuple[Level, str]] = []
    for p in enterprise.risk_points.filter(active=True, level__isnull=False):
        candidates.append((Level(p.level), f"风险点“{p.name}”为{Level(p.level).label}"))
    for s in enterprise.major_hazard_sources.filter(is_major=True, level__isnull=False):
        candidates.append((Level(s.level), f"{s.get_grade_display()}重大危险源“{s.name}”"))
    latest = enterprise.diagnoses.order_by("-assessed_at", "-id").first()
    if latest:
        candidates.append((Level(latest.level), f"安全风险评估诊断{latest.score}分"))
    if not candidates:
        return None, ""
    level, reason = max(candidates, key=lambda c: c[0])
    for raiser in LEVEL_RAISERS.values():
        why = raiser(enterprise)
        if why:
            raised = level.raise_one()
            if raised != level:
                reason = f"{reason};因{why}上调一级"
            level = raised
    return level, reason


def refresh_enterprise_level(enterprise: Enterprise) -> Enterprise:
    level, reason = colour_of(enterprise)
    new = int(level) if level else None
    if enterprise.risk_level != new or enterprise.risk_reason != reason[:300]:
        Enterprise.objects.filter(pk=enterprise.pk).update(risk_level=new, risk_reason=reason[:300])
        enterprise.risk_level, enterprise.risk_reason = new, reason[:300]
    return enterprise


def gathering_places_within(enterprise: Enterprise) -> list[tuple[GatheringPlace, float]]:
    """Gathering places inside the enterprise's external safety distance, nearest first."""
    if not (enterprise.protection_distance_m and enterprise.latitude and enterprise.longitude):
        return []
    lat, lon, radius = float(enterprise.latitude), float(enterprise.longitude), enterprise.protection_distance_m
    min_lat, max_lat, min_lon, max_lon = geo.bounding_box(lat, lon, radius)
    near = GatheringPlace.objects.filter(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
    found = [(p, geo.distance_m(lat, lon, p.latitude, p.longitude)) for p in near]
    return sorted([(p, d) for p, d in found if d <= radius], key=lambda x: x[1])


@transaction.atomic
def check_project(user, *, name: str, township, processes: list[str], enterprise=None) -> Project:
    """Project admission with one-vote veto: the first matching rule refuses the project."""
    require_writer(user)
    s = scope_of(user)
    if not s.is_staff_scope:
        raise NotAllowed("只有政府部门工作人员可以进行项目准入审查。")
    if enterprise is not None:
        require_write(user, enterprise, "您不能审查该企业的项目。")
    processes = [p.strip() for p in processes if p and p.strip()]
    if not name.strip() or not processes:
        raise ServiceError("请填写项目名称和工艺/产品。")
    text = "\n".join([name, *processes])
    rule = next((r for r in VetoRule.objects.filter(active=True)
                 if any(k in text for k in r.keyword_list)), None)
    state = Project.State.VETOED if rule else Project.State.ADMITTED
    reason = f"触及一票否决规则“{rule.name}”({rule.basis})" if rule else ""
    return create_as(Project, user, name=name.strip(), enterprise=enterprise, township=township,
                     processes="\n".join(processes), state=state, veto_rule=rule, veto_reason=reason[:300],
                     checked_by=user)


DEFAULT_VETO_RULES = [
    {"code": "V1", "name": "光气及光气化工艺", "keywords": ["光气", "碳酰氯", "光气化"],
     "basis": "三年行动方案 危险化学品专项:禁止引入光气及光气化工艺建设项目"},
]


def load_veto_rules(rules=DEFAULT_VETO_RULES) -> int:
    n = 0
    for r in rules:
        _, created = VetoRule.objects.get_or_create(code=r["code"], defaults={
            "name": r["name"], "keywords": "\n".join(r["keywords"]), "basis": r["basis"]})
        n += created
    return n


def add_substance(source: MajorHazardSource, user, **fields) -> HazardSubstance:
    _may_assess(user, source.enterprise)
    return create_as(HazardSubstance, user, source=source, **fields)
