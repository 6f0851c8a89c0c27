"""Hazards at province scale for ``worksafe bench pages`` (``core.registry.SCALE_FILLERS``):
``size.hazards_per_enterprise`` hazards per enterprise, found over the last three years, in every state
of the closed loop (reported, confirmed, rectifying, awaiting acceptance, closed — some fixed on the
spot —, dismissed), general and major (with a criterion where the sector has one), overdue ones, and
listed supervision (挂牌督办) of open major ones; each with the record of its last step. The fields a
state implies are filled as the services would (five measures and deadline from confirmation on,
closing time and the people of a closed one). Then the colour raiser "overdue major hazard" is applied
to the stored colours (``risks`` filler's), and the sectors get their seeded checklists. Last, the
statistics' summary is built, as the tick would (``lists.figures``).
"""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.utils import timezone

from worksafe.core.bench import bulk_insert
from worksafe.core.registry import scale_filler

CHUNK = 20_000  # hazards built and written at a time (memory)
FINDINGS = [("配电室", "配电箱未设置漏电保护装置"), ("仓库", "消防器材过期未更换"), ("储罐区", "可燃气体报警器未定期检定"),
            ("厨房", "燃气管道未安装泄漏报警装置"), ("车间", "转动部件防护罩缺失"), ("疏散通道", "安全出口被杂物堵塞"),
            ("有限空间", "未设置安全警示标志"), ("作业现场", "特种作业人员未持证上岗")]
SOURCES = ["self_inspection", "department_inspection", "township_inspection", "covert_inspection", "tip_off"]
STATES = ["reported", "confirmed", "rectifying", "awaiting_acceptance", "closed", "dismissed"]
STATE_WEIGHTS = [8, 10, 15, 8, 55, 4]
LAST_ACTION = {"reported": "report", "confirmed": "confirm", "rectifying": "start",
               "awaiting_acceptance": "submit", "closed": "accept", "dismissed": "dismiss"}
RAISE_REASON = "存在逾期未整改的重大事故隐患"  # hooks.overdue_major_hazard


@scale_filler("hazards", order=30)
def fill(world: dict, size) -> None:
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from worksafe.enterprises.models import Enterprise
    from worksafe.org.models import Department, SectorSupervisor, User

    from .models import Hazard, HazardAction, MajorCriterion
    from .selfcheck.services import seed_checklists

    seed_checklists()
    rng = random.Random(2028)
    now = timezone.now()
    today = timezone.localdate()
    county = world["county_user"]
    finders = {"department_inspection": User.objects.filter(username="dept").first() or county,
               "township_inspection": User.objects.filter(username="township").first() or county}
    lead = {}
    for ss in SectorSupervisor.objects.order_by("role", "pk"):  # "co" < "lead": the lead wins
        lead[ss.sector_id] = ss.department_id
    county_units = list(Department.objects.filter(kind=Department.Kind.COUNTY).values_list("pk", flat=True)[:20])
    sector_names = {s.pk: s.name for s in world["sectors"]}
    criteria: dict[str, list[int]] = defaultdict(list)
    for c in MajorCriterion.objects.filter(active=True):
        criteria[c.sector_keyword].append(c.pk)

    def criterion_for(sector_id):
        name = sector_names.get(sector_id, "")
        for keyword, ids in criteria.items():
            if keyword and keyword in name:
                return rng.choice(ids)
        return None

    per_day: dict[str, int] = defaultdict(int)
    counts = defaultdict(int)
    raise_ids: set[int] = set()
    built: list[Hazard] = []

    def flush():
        bulk_insert(Hazard, built)
        bulk_insert(HazardAction, [
            HazardAction(hazard_id=h.pk, action=LAST_ACTION[h.state],
                          from_state="" if h.state == "reported" else "reported", to_state=h.state,
                          note="基准数据", by=h.accepted_by or h.found_by) for h in built])
        counts["written"] += len(built)
        built.clear()

    for pk, _town, sector_ids, _status in world["enterprises"]:
        for _ in range(size.hazards_per_enterprise):
            days = int(rng.triangular(0, 1095, 30))
            found = now - datetime.timedelta(days=days, minutes=rng.randint(0, 1440))
            day = f"YH{timezone.localtime(found):%Y%m%d}"
            per_day[day] += 1
            sector = rng.choice(sector_ids)
            source = rng.choice(SOURCES)
            n = len(built) + counts["written"]
            # the first hazards cover every state, then a listed overdue major one; the rest at random
            state = STATES[n] if n < len(STATES) else "confirmed" if n == len(STATES) else \
                rng.choices(STATES, STATE_WEIGHTS)[0]
            location, text = rng.choice(FINDINGS)
            h = Hazard(code=f"{day}-{per_day[day]:04d}", enterprise_id=pk, sector_id=sector, location=location,
                       description=f"{location}{text}", source=source, found_by=finders.get(source, county),
                       found_at=found, standard_item="", state=state, supervising_unit_id=lead.get(sector))
            if rng.random() < 0.04 or n == len(STATES):
                h.level = "major"
                h.criterion_id = criterion_for(sector)
                h.current_state_cause = "现场检查发现"
                h.harm_analysis = "可能导致群死群伤"
            if state not in ("reported", "dismissed"):
                h.responsible_person = "才让多杰"
                h.requirement = "立即整改"
                h.measures = "制定整改方案并落实"
                h.funds = 2
                h.contingency_plan = "落实临时管控措施"
                if state in ("confirmed", "rectifying"):
                    # about a third of the open ones past their deadline
                    h.deadline = today + datetime.timedelta(days=-30 if n == len(STATES) else rng.randint(-120, 60))
                else:
                    h.deadline = (found + datetime.timedelta(days=30)).date()
            if state == "awaiting_acceptance":
                h.rectified_by, h.rectification_note = county, "已整改完毕"
            if state == "closed":
                if h.level == "general" and rng.random() < 0.15:
                    h.fixed_on_spot = True
                    h.closed_at = found
                    h.deadline = found.date()
                else:
                    h.closed_at = min(now, found + datetime.timedelta(days=rng.randint(3, 60)))
                h.rectified_by, h.accepted_by, h.rectification_note = county, county, "已整改完毕"
            if state == "dismissed":
                h.dismissed_reason = "经核查不构成隐患"
            if h.level == "major" and state not in ("closed", "dismissed") and (rng.random() < 0.5 or n == len(STATES)):
                h.listed = True
                h.listed_unit_id = h.supervising_unit_id or rng.choice(county_units)
                h.listed_on = (found + datetime.timedelta(days=3)).date()
                h.listed_note = "限期整改"
            overdue = state in Hazard.DEADLINE_STATES and h.deadline < today
            if overdue and h.level == "major":
                raise_ids.add(pk)
            counts[state] += 1
            counts["major"] += h.level == "major"
            counts["listed"] += h.listed
            counts["overdue"] += overdue
            built.append(h)
            if len(built) >= CHUNK:
                flush()
    flush()

    # the colour raiser "overdue major hazard": one level up for an enterprise with a colour
    ids = [pk for pk in raise_ids if world.get("levels", {}).get(pk)]
    for i in range(0, len(ids), 900):
        Enterprise.objects.filter(pk__in=ids[i:i + 900], risk_level__lt=4).update(
            risk_level=F("risk_level") + 1, risk_reason=Concat(F("risk_reason"), Value(f";因{RAISE_REASON}上调一级")))
    for pk in ids:
        world["levels"][pk] = min(4, world["levels"][pk] + 1)
    counts.pop("written")
    # the statistics' summary, as the tick keeps it in service (lists/figures.py)
    from .lists.figures import rebuild

    counts["summary rows"] = rebuild()
    world.setdefault("counts", {})["hazards"] = {"hazards": sum(counts[s] for s in STATES), **counts,
                                                 "colours raised": len(ids)}
