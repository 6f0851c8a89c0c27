"""Tip-off rewards (举报奖励): how much a verified report earns.

Source: 《安全生产领域举报奖励办法》(国家安全监管总局、财政部，安监总财〔2018〕19号, 2018-01-04),
made under 《安全生产法》第七十六条 ("县级以上各级人民政府及其有关部门对报告重大事故隐患或者举报
安全生产违法行为的有功人员，给予奖励"). 第四条: "合法举报、适当奖励、属地管理、分级负责" and
"谁受理、谁奖励" (read verbatim).

The amounts below were NOT read in the national text itself: its amount article is known only
from the 人民日报 report of 2018-02-01 and from local rules that copy it word for word
(长春 2019, 宁夏, 河南, 成都 2019) — treat them as reported [R]:

- 重大事故隐患 and 安全生产违法行为 (违法生产经营建设): "奖励金额按照行政处罚金额的15%计算，最低奖励
  3000元，最高不超过30万元" [R];
- 瞒报、谎报事故: "按照最终确认的事故等级和查实举报的瞒报谎报死亡人数给予奖励。其中：一般事故按每
  查实瞒报谎报1人奖励3万元计算；较大事故…4万元…；重大事故…5万元…；特别重大事故…6万元…。最高奖励
  不超过30万元" [R].

Open points [U], decided here and documented (docs/tipoffs.md): whether a concealed-accident
reward has a minimum (none applied); whether the 15% base is the fine on the unit only or also on
the persons fined (the caller passes the total fine it counts); what a verified report earns when
no fine was imposed (here: the tier's minimum — the floor reads as applying to every rewarded
case; a derived reading [D]). Amounts are rounded to whole yuan, half up [D].

Every number is data (``data/tipoff_rewards.json``): ``national`` and local variants (山东 2022:
50%, 5000–500000, 一般事故隐患 500–5000; 河南: minimum 1000; 龙岩: employees reporting their own
unit +20%) — a county picks one or gives its own rules of the same shape.

Pure Python: no Django, no project code.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

_DATA = json.loads((Path(__file__).parent / "data" / "tipoff_rewards.json").read_text(encoding="utf-8"))

#: the accident grades of 《生产安全事故报告和调查处理条例》第三条, by the keys used in the rules
GRADES = {
    "general": "一般事故",
    "larger": "较大事故",
    "major": "重大事故",
    "especially_major": "特别重大事故",
}
#: what a fine-based tier may be about
FINE_CATEGORIES = {
    "major_hazard": "重大事故隐患",
    "illegal": "安全生产违法行为",
    "general_hazard": "一般事故隐患",
}


class RewardError(ValueError):
    """Input the rules cannot price (an unknown grade, a negative fine …); the message is Chinese."""


@dataclass(frozen=True)
class Tier:
    rate: Decimal
    minimum: Decimal
    maximum: Decimal


@dataclass(frozen=True)
class Rules:
    key: str
    label: str
    tiers: dict[str, Tier]
    per_death: dict[str, Decimal]
    concealment_maximum: Decimal
    employee_uplift: Decimal = Decimal("0")
    extra: dict = field(default_factory=dict)


def _dec(v, what: str) -> Decimal:
    try:
        d = Decimal(str(v))
    except Exception:
        raise RewardError(f"奖励规则中的{what}不是数字:{v!r}") from None
    if not d.is_finite() or d < 0:
        raise RewardError(f"奖励规则中的{what}不正确:{v!r}")
    return d


def rules_from(data: dict, key: str = "custom") -> Rules:
    """Rules from a dict of the JSON shape (a county's own variant)."""
    if not isinstance(data, dict):
        raise RewardError("奖励规则应为JSON对象。")
    tiers = {}
    for name, t in (data.get("tiers") or {}).items():
        if name not in FINE_CATEGORIES:
            raise RewardError(f"未知的奖励类别:{name}")
        tier = Tier(
            _dec(t.get("rate", 0), "比例"),
            _dec(t.get("minimum", 0), "最低奖励"),
            _dec(t.get("maximum", 0), "最高奖励"),
        )
        if tier.maximum < tier.minimum:
            raise RewardError(f"{FINE_CATEGORIES[name]}的最高奖励低于最低奖励。")
        tiers[name] = tier
    per_death = {g: _dec(v, "每人奖励") for g, v in (data.get("per_death") or {}).items()}
    unknown = set(per_death) - set(GRADES)
    if unknown:
        raise RewardError(f"未知的事故等级:{'、'.join(sorted(unknown))}")
    return Rules(
        key=key,
        label=str(data.get("label") or key),
        tiers=tiers,
        per_death=per_death,
        concealment_maximum=_dec(data.get("concealment_maximum", 0), "最高奖励"),
        employee_uplift=_dec(data.get("employee_uplift", 0), "上浮比例"),
    )


def rules(key_or_data: str | dict | None = "national") -> Rules:
    """The named rules (``national`` by default) or a county's own (a dict)."""
    if isinstance(key_or_data, dict):
        return rules_from(key_or_data)
    key = key_or_data or "national"
    if key not in _DATA or key.startswith("_"):
        raise RewardError(f"未知的奖励规则:{key}")
    return rules_from(_DATA[key], key)


def variants() -> dict[str, str]:
    """The bundled rule sets: key → label."""
    return {k: v["label"] for k, v in _DATA.items() if not k.startswith("_")}


def _pct(d: Decimal) -> str:
    return format((d * 100).normalize(), "f")


def _yuan(d: Decimal) -> Decimal:
    return d.quantize(Decimal("1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Reward:
    amount: Decimal
    basis: str  # the rule and the arithmetic, in Chinese, for the record


def for_fine(
    fine, category: str = "major_hazard", *, r: Rules | None = None, employee: bool = False
) -> Reward:
    """The reward for a verified 重大事故隐患 / 违法行为 (or a local tier, e.g. 一般事故隐患): the tier's
    rate of the fine imposed, at least its minimum, at most its maximum; an employee reporting
    their own unit gets the rules' uplift (0 nationally) on top, still within the maximum."""
    r = r or rules()
    tier = r.tiers.get(category)
    if tier is None:
        raise RewardError(f"“{r.label}”对{FINE_CATEGORIES.get(category, category)}不设奖励。")
    try:
        fine = Decimal(str(fine if fine is not None else 0))
    except Exception:
        raise RewardError("罚款金额不是数字。") from None
    if not fine.is_finite() or fine < 0:
        raise RewardError("罚款金额不正确。")
    raw = fine * tier.rate
    amount = min(max(raw, tier.minimum), tier.maximum)
    text = (
        f"{r.label}:{FINE_CATEGORIES[category]},罚款{_yuan(fine)}元×{_pct(tier.rate)}%={_yuan(raw)}元,"
        f"最低{tier.minimum:g}元、最高{tier.maximum:g}元"
    )
    if employee and r.employee_uplift:
        amount = min(amount * (1 + r.employee_uplift), tier.maximum)
        text += f",从业人员举报上浮{_pct(r.employee_uplift)}%"
    amount = _yuan(amount)
    return Reward(amount, f"{text},奖励{amount}元")


def for_concealment(grade: str, concealed_deaths: int, *, r: Rules | None = None) -> Reward:
    """The reward for a verified 瞒报、谎报事故: per concealed death by the finally confirmed
    accident grade, at most the rules' maximum."""
    r = r or rules()
    if grade not in GRADES:
        raise RewardError("请选择最终确认的事故等级。")
    if isinstance(concealed_deaths, bool) or not isinstance(concealed_deaths, int) or concealed_deaths < 1:
        raise RewardError("查实瞒报谎报死亡人数应为正整数。")
    if concealed_deaths > 100_000:
        raise RewardError("查实瞒报谎报死亡人数不正确。")
    per = r.per_death.get(grade)
    if per is None:
        raise RewardError(f"“{r.label}”未规定{GRADES[grade]}的奖励标准。")
    raw = per * concealed_deaths
    amount = _yuan(min(raw, r.concealment_maximum))
    return Reward(
        amount,
        f"{r.label}:{GRADES[grade]}瞒报谎报{concealed_deaths}人×{per:g}元={raw:g}元,"
        f"最高{r.concealment_maximum:g}元,奖励{amount}元",
    )
