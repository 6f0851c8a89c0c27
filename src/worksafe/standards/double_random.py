"""The draw of 双随机、一公开 (random object, random inspector, results published).

国办发〔2015〕58号《国务院办公厅关于推广随机抽查规范事中事后监管的通知》 asks supervising
departments to keep a list of inspection items (随机抽查事项清单), a pool of the objects they
supervise and a pool of enforcement officers, to draw the objects to inspect and the officers who
inspect them at random, and to publish the results (docs/inspections.md). The document does not fix
an algorithm; everything below that is not in it is **our** choice, marked "ours".

Input (all plain data, so a recorded draw can be re-run from its record alone):

- ``pool``: the enterprises that may be drawn, each with its risk level (1 blue … 4 red, 0 unrated),
  its township, the departments that supervise its sectors ("the enterprise's departments": the
  supervisors of every sector of the enterprise — ours), and weight factors (e.g. open major or
  overdue hazards, verified tip-offs, a credit listing);
- ``shares``: per level, the share of that stratum to draw (``{"4": 1.0, "3": 0.5, …}``) or, with
  ``counts``, how many;
- ``seed``: a string revealed only at the draw (its SHA-256 was published before it: the commitment);
- ``inspectors``: id, department, township and the enterprises the inspector declared a conflict with;
- ``team_size``: at least 2 — 行政处罚法 第四十二条: enforcement is carried out by at least two officers;
- ``cross_region``: 异地交叉检查 — no inspector from the enterprise's township or departments.

Algorithm ``DR-1`` (ours):

1. Canonical order: the pool sorted by enterprise id, inspectors by id, so database order never matters.
2. One ``random.Random(seed)`` (CPython's Mersenne Twister; a ``str`` seed is hashed with SHA-512, the
   same on every platform) drives everything, consumed in this fixed order.
3. Strata are the levels, from red (4) down to unrated (0). In each stratum the number drawn is
   ``ceil(share × size)`` (ours: a level with any share gets at least one), capped at its size.
4. Within a stratum: weighted sampling without replacement by Efraimidis–Spirakis keys — each
   enterprise (in id order) gets ``u ** (1 / w)`` with ``u = rng.random()`` and weight
   ``w = 1 + sum(factors)`` (ours); the largest keys are drawn (ties broken by id).
5. The selected list is red first, then by descending key.
6. Teams, in the selected order: the valid inspectors (no declared conflict with the enterprise; in a
   cross-region batch neither the enterprise's township nor one of its departments) are shuffled with
   the same RNG, then stably sorted by how many teams each already has (ours: spreads the work), and the
   first ``team_size`` make the team. Fewer valid inspectors than ``team_size``: :class:`DrawError`.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

__all__ = ["ALGORITHM", "DrawError", "DrawResult", "Candidate", "Inspector", "commitment", "draw",
           "draw_from_record", "MIN_TEAM"]

ALGORITHM = "DR-1"
MIN_TEAM = 2  # 行政处罚法 第四十二条
LEVELS = (4, 3, 2, 1, 0)
LEVEL_NAMES = {4: "红色", 3: "橙色", 2: "黄色", 1: "蓝色", 0: "未定级"}


class DrawError(ValueError):
    """A draw that cannot be made; the message is what the user reads (Chinese)."""


@dataclass(frozen=True)
class Candidate:
    id: int
    level: int = 0
    township: int | None = None
    departments: tuple[int, ...] = ()
    factors: Mapping[str, float] = field(default_factory=dict)

    @property
    def weight(self) -> float:
        return 1.0 + sum(max(0.0, float(v)) for v in self.factors.values())


@dataclass(frozen=True)
class Inspector:
    id: int
    department: int | None = None
    township: int | None = None
    conflicts: frozenset[int] = frozenset()


@dataclass(frozen=True)
class DrawResult:
    selected: list[int]
    teams: dict[int, list[int]]
    algorithm: str = ALGORITHM

    def to_dict(self) -> dict:
        return {"selected": list(self.selected), "teams": {str(k): list(v) for k, v in self.teams.items()},
                "algorithm": self.algorithm}


def commitment(seed: str) -> str:
    """The SHA-256 (hex) of the seed, published before the draw."""
    return hashlib.sha256(seed.encode("utf-8")).hexdigest()


def _eligible(ins: Inspector, ent: Candidate, cross_region: bool) -> bool:
    if ent.id in ins.conflicts:
        return False
    if cross_region:
        if ins.township is not None and ins.township == ent.township:
            return False
        if ins.department is not None and ins.department in ent.departments:
            return False
    return True


def draw(pool: Iterable[Candidate], shares: Mapping, seed: str, inspectors: Iterable[Inspector], *,
         team_size: int = MIN_TEAM, cross_region: bool = False, counts: bool = False) -> DrawResult:
    """Draw enterprises and a team for each (algorithm ``DR-1``, see the module docstring)."""
    if team_size < MIN_TEAM:
        raise DrawError(f"检查组至少由{MIN_TEAM}名执法人员组成(行政处罚法第四十二条)。")
    if not seed:
        raise DrawError("缺少随机种子。")
    pool = sorted(pool, key=lambda c: c.id)
    inspectors = sorted(inspectors, key=lambda i: i.id)
    if len({c.id for c in pool}) != len(pool):
        raise DrawError("抽查对象名录中有重复的企业。")
    rng = random.Random(seed)
    chosen: list[tuple[int, float, int]] = []  # (level, key, id)
    for level in LEVELS:
        stratum = [c for c in pool if (c.level or 0) == level]
        raw = shares.get(str(level), shares.get(level, 0)) or 0
        if counts:
            k = int(raw)
        else:
            share = float(raw)
            if share < 0 or share > 1:
                raise DrawError(f"{LEVEL_NAMES[level]}企业的抽查比例应在0至100%之间。")
            k = math.ceil(share * len(stratum) - 1e-9) if share > 0 else 0
        k = max(0, min(k, len(stratum)))
        keyed = []
        for c in stratum:  # one rng.random() per enterprise, in id order, drawn even when k == 0
            u = rng.random()
            keyed.append((u ** (1.0 / c.weight) if u > 0 else 0.0, c.id))
        keyed.sort(key=lambda t: (-t[0], t[1]))
        chosen.extend((level, key, cid) for key, cid in keyed[:k])
    by_id = {c.id: c for c in pool}
    selected = [cid for _level, _key, cid in chosen]
    load = {i.id: 0 for i in inspectors}
    teams: dict[int, list[int]] = {}
    for cid in selected:
        ent = by_id[cid]
        valid = [i for i in inspectors if _eligible(i, ent, cross_region)]
        rng.shuffle(valid)
        valid.sort(key=lambda i: load[i.id])
        if len(valid) < team_size:
            why = "(异地交叉检查须排除本乡镇和本行业监管部门的执法人员)" if cross_region else ""
            raise DrawError(f"企业(编号{cid})可选的执法人员只有{len(valid)}名,不足{team_size}名,"
                            f"无法组成检查组{why}。请补充执法人员或调整批次。")
        team = sorted(i.id for i in valid[:team_size])
        for i in team:
            load[i] += 1
        teams[cid] = team
    return DrawResult(selected, teams)


# ---------------------------------------------------------------- records


def record_inputs(pool: Iterable[Candidate], shares: Mapping, inspectors: Iterable[Inspector], *,
                  team_size: int, cross_region: bool, counts: bool = False) -> dict:
    """The inputs of a draw as JSON-able data (the seed is stored beside it, revealed at the draw)."""
    return {
        "algorithm": ALGORITHM,
        "pool": [{"id": c.id, "level": c.level or 0, "township": c.township, "departments": sorted(c.departments),
                  "factors": {k: float(v) for k, v in sorted(c.factors.items())}}
                 for c in sorted(pool, key=lambda c: c.id)],
        "shares": {str(k): v for k, v in sorted(shares.items(), key=lambda kv: str(kv[0]))},
        "counts": bool(counts),
        "inspectors": [{"id": i.id, "department": i.department, "township": i.township,
                        "conflicts": sorted(i.conflicts)} for i in sorted(inspectors, key=lambda i: i.id)],
        "team_size": team_size,
        "cross_region": bool(cross_region),
    }


def draw_from_record(inputs: Mapping, seed: str) -> DrawResult:
    """Re-run a recorded draw from its record alone."""
    if inputs.get("algorithm") != ALGORITHM:
        raise DrawError(f"不支持的抽取算法版本“{inputs.get('algorithm')}”。")
    pool = [Candidate(p["id"], p.get("level") or 0, p.get("township"), tuple(p.get("departments") or ()),
                      dict(p.get("factors") or {})) for p in inputs["pool"]]
    inspectors = [Inspector(i["id"], i.get("department"), i.get("township"), frozenset(i.get("conflicts") or ()))
                  for i in inputs["inspectors"]]
    return draw(pool, inputs["shares"], seed, inspectors, team_size=int(inputs["team_size"]),
                cross_region=bool(inputs["cross_region"]), counts=bool(inputs.get("counts")))


def result_matches(inputs: Mapping, seed: str, result: Mapping) -> bool:
    """Whether re-running the record gives the recorded result (same selected order, same teams)."""
    again = draw_from_record(inputs, seed).to_dict()
    canon = json.loads(json.dumps(result, sort_keys=True))
    return json.loads(json.dumps(again, sort_keys=True)) == canon
