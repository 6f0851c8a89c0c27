"""Risk points at province scale for ``worksafe bench pages`` (``core.registry.SCALE_FILLERS``): each
enterprise that is not closed gets up to four risk points, each with one LEC assessment under the rules
in force, in all four colours; one in fifty a graded major hazard source (一级…四级); then every
enterprise's stored colour (``risk_level``, ``risk_reason``) is what ``services.colour_of`` would give
from these rows (the raisers of later apps adjust it in their own fillers).

Reads ``world["enterprises"]``; adds ``world["levels"]`` (enterprise pk → level or None).
"""

from __future__ import annotations

import itertools
import random
from collections import defaultdict
from decimal import Decimal

from django.utils import timezone

from worksafe.core.bench import bulk_insert
from worksafe.core.registry import scale_filler
from worksafe.standards import lec
from worksafe.standards.levels import Level

POINTS = [("配电室", "触电、火灾"), ("消防设施及疏散通道", "火灾"), ("有限空间", "中毒和窒息"),
          ("机械加工设备", "机械伤害"), ("储罐区", "火灾、爆炸"), ("高处作业", "高处坠落"),
          ("厨房燃气", "火灾、爆炸"), ("营运车辆", "车辆伤害")]
CONTROL = {Level.RED: "company", Level.ORANGE: "company", Level.YELLOW: "workshop", Level.BLUE: "team"}
GRADE_LEVEL = {1: Level.RED, 2: Level.ORANGE, 3: Level.YELLOW, 4: Level.BLUE}


def _lec_combos(rules) -> dict[Level, list]:
    out: dict[Level, list] = {lv: [] for lv in Level}
    for lc, ec, cc in itertools.product(lec.L_TABLE, lec.E_TABLE, lec.C_TABLE):
        r = lec.assess(lc.value, ec.value, cc.value, rules)
        out[r.level].append((lc.value, ec.value, cc.value, r.d, r.rules_version))
    return out


def _sql_in_chunks(pks, n=900):
    pks = list(pks)
    for i in range(0, len(pks), n):
        yield pks[i:i + n]


@scale_filler("risks", order=20)
def fill(world: dict, size) -> None:
    from worksafe.enterprises.models import Enterprise

    from .models import MajorHazardSource, RiskAssessment, RiskPoint
    from .services import lec_rules

    rng = random.Random(2027)
    user = world["county_user"]
    combos = _lec_combos(lec_rules())
    points, meta = [], []
    first = iter([Level.RED, Level.ORANGE, Level.YELLOW, Level.BLUE])  # the first four: every colour
    for pk, _town, _sectors, status in world["enterprises"]:
        if status == "closed":
            continue
        fixed = next(first, None)
        count = 1 if status == "suspended" or fixed else rng.choice([0, 1, 2, 2, 3, 4])
        for name, accidents in rng.sample(POINTS, count):
            level = fixed or rng.choices([Level.BLUE, Level.YELLOW, Level.ORANGE, Level.RED], [50, 32, 14, 4])[0]
            points.append(RiskPoint(enterprise_id=pk, name=name, location=name, hazards=f"{name}危险有害因素",
                                    possible_accidents=accidents, control_measures="落实管控措施,定期检查",
                                    control_level=CONTROL[level], responsible_person="才让多杰", level=int(level)))
            meta.append(rng.choice(combos[level] or combos[Level.BLUE]))
    bulk_insert(RiskPoint, points)
    point_ids = [p.pk for p in points]  # set by bulk_insert
    now = timezone.now()
    assessments = [RiskAssessment(risk_point_id=pid, method="lec", l_value=Decimal(str(lv)), e_value=Decimal(str(ev)),
                                  c_value=Decimal(str(cv)), score=Decimal(str(d)), level=p.level, rules_version=version,
                                  assessed_by=user, note="基准数据")
                   for pid, p, (lv, ev, cv, d, version) in zip(point_ids, points, meta, strict=True)]
    bulk_insert(RiskAssessment, assessments)

    # the colour: the highest active point or major source
    best: dict[int, tuple[int, str]] = {}
    for p in points:
        cand = (p.level, f"风险点“{p.name}”为{Level(p.level).label}")
        if p.enterprise_id not in best or cand[0] > best[p.enterprise_id][0]:
            best[p.enterprise_id] = cand
    sources = []
    for pk, _town, _sectors, status in world["enterprises"]:
        if status != "closed" and rng.random() < 0.02:
            grade = rng.choices([1, 2, 3, 4], [1, 2, 3, 4])[0]
            level = GRADE_LEVEL[grade]
            sources.append(MajorHazardSource(
                enterprise_id=pk, name="储存单元", unit_kind="storage", people_within_500m=rng.randint(0, 300),
                s_value=Decimal("1.5"), is_major=True, alpha=Decimal("1.0"), r_value=Decimal(str(10 * (5 - grade))),
                grade=grade, level=int(level), rules_version="GB 18218-2018", assessed_at=now,
                record_no=f"青果危备〔2025〕{pk:05d}号"))
            cand = (int(level), f"{dict(MajorHazardSource.GRADE_CHOICES)[grade]}重大危险源“储存单元”")
            if pk not in best or cand[0] > best[pk][0]:
                best[pk] = cand
    bulk_insert(MajorHazardSource, sources)
    groups: dict[tuple[int, str], list[int]] = defaultdict(list)
    for pk, cand in best.items():
        groups[cand].append(pk)
    for (level, reason), pks in groups.items():
        for chunk in _sql_in_chunks(pks):
            Enterprise.objects.filter(pk__in=chunk).update(risk_level=level, risk_reason=reason)
    world["levels"] = {pk: cand[0] for pk, cand in best.items()}
    colours = defaultdict(int)
    for level, _ in best.values():
        colours[Level(level).colour_name] += 1
    world.setdefault("counts", {})["risks"] = {"risk points": len(points), "assessments": len(assessments),
                                               "major sources": len(sources),
                                               **{f"{c}": n for c, n in sorted(colours.items())}}
