"""The register at province scale for ``worksafe bench pages`` (``core.registry.SCALE_FILLERS``):
``size.enterprises`` enterprises spread over the demo county's townships (more in the towns) and the
plan's sectors, placed around their township's seat, each with a safety manager, most with a licence
and one to three facilities; the demo's enterprise login at the first one (a 大武镇 hazardous-chemicals
enterprise with a tank). Everything by ``core.bench.bulk_insert``: no history, no validation (generated data).

Adds to ``world``: ``county``, ``townships``, ``sectors``, ``county_user``, ``enterprises``
(``[(pk, township_id, sector_ids, status)]``) and ``facilities`` (``[(pk, enterprise_id, kind)]``).
"""

from __future__ import annotations

import datetime
import math
import random
from decimal import Decimal

from worksafe.core.bench import bulk_insert
from worksafe.core.registry import scale_filler
from worksafe.standards import gb32100

CODE_MARK = "BM"  # characters 9–10 of a generated credit code: "bench"
WORDS = ["雪域", "格桑", "吉祥", "玛域", "高原", "昆仑", "德吉", "扎西", "祥云", "瑞丰", "鑫源", "宏达", "恒通",
         "金诺", "顺达", "安康", "康宁", "福源", "兴隆", "兴旺", "腾达", "华瑞", "宏泰", "昌盛", "通达", "远航"]
KINDS = ["有限公司", "加油站", "砂石料场", "建筑工程有限公司", "运输有限公司", "宾馆", "商贸城", "农机专业合作社",
         "水电站", "旅游开发有限公司", "快递服务部", "物业服务有限公司", "食品有限公司"]
PEOPLE = ["才让多杰", "扎西卓玛", "王建国", "李海燕", "索南加措", "张文华", "拉毛措", "刘志强", "旦增尼玛", "陈秀英"]
FACILITY_KINDS = [("tank", "储罐", 3), ("special_equipment", "特种设备", 3), ("warehouse", "仓库", 2),
                  ("substation", "变电站", 1), ("tailings_pond", "尾矿库", 0.3), ("reservoir", "水库大坝", 0.2),
                  ("scenic_spot", "旅游景区", 0.3), ("other", "设施", 1)]


def _code(prefix: str, i: int) -> str:
    digits = []
    for _ in range(7):
        i, r = divmod(i, len(gb32100.CHARSET))
        digits.append(gb32100.CHARSET[r])
    return gb32100.complete(prefix + "".join(reversed(digits)))


def _around(rng: random.Random, lat: float, lon: float, max_m: float) -> tuple[Decimal, Decimal]:
    r, b = max_m * math.sqrt(rng.random()), math.radians(rng.uniform(0, 360))
    dlat = r * math.cos(b) / 111_195.0
    dlon = r * math.sin(b) / (111_195.0 * math.cos(math.radians(lat)))
    return Decimal(f"{lat + dlat:.6f}"), Decimal(f"{lon + dlon:.6f}")


@scale_filler("enterprises", order=10)
def fill(world: dict, size) -> None:
    from worksafe.org.demo import enterprise_user
    from worksafe.org.models import Division, Sector, User

    from .models import Enterprise, Facility, Licence, SafetyManager

    rng = random.Random(2026)
    today = datetime.date.today()
    # the demo's county (玛沁县): the county whose townships the organisation data loaded
    county = (Division.objects.filter(level=Division.Level.COUNTY, children__level=Division.Level.TOWNSHIP)
              .order_by("code").first())
    if county is None:
        raise ValueError("填充企业需要先加载组织机构数据(县和乡镇)。")
    towns = list(Division.objects.filter(parent=county, level=Division.Level.TOWNSHIP).order_by("code"))
    sectors = list(Sector.objects.order_by("pk"))
    if not towns or not sectors:
        raise ValueError("填充企业需要先加载组织机构和方案(乡镇、行业领域)。")
    seat_town = next((t for t in towns if t.name == "大武镇"), towns[0])
    fallback = (float(county.latitude or 34.4773), float(county.longitude or 100.239))
    seats = {t.pk: (float(t.latitude), float(t.longitude)) if t.latitude is not None and t.longitude is not None
             else fallback for t in towns}
    # the county seat has the most enterprises, towns (镇) more than townships (乡)
    town_weights = [8 if t.pk == seat_town.pk else 3 if t.name.endswith("镇") else 1 for t in towns]
    hazchem = next((s for s in sectors if "危险化学品" in s.name), sectors[0])
    prefix = "91" + county.code[:6] + CODE_MARK

    rows = []
    for i in range(size.enterprises):
        town = seat_town if i == 0 else rng.choices(towns, town_weights)[0]
        lat, lon = _around(rng, *seats[town.pk], 2500 if town.pk == seat_town.pk else 6000)
        employees = rng.choice([3, 8, 15, 30, 60, 120, 400])
        r = rng.random()
        status = "operating" if i == 0 or r < 0.88 else "suspended" if r < 0.96 else "closed"
        insured = rng.random() < 0.6
        rows.append(Enterprise(
            name=f"玛沁县{rng.choice(WORDS)}{rng.choice(WORDS)}{KINDS[i % len(KINDS)]}{i:06d}",
            credit_code=_code(prefix, i), township=town, address=f"{town.name}{rng.randint(1, 300)}号",
            latitude=lat, longitude=lon, legal_representative=rng.choice(PEOPLE), principal=rng.choice(PEOPLE),
            principal_phone=f"1390000{rng.randrange(10000):04d}", employees=employees,
            scale="micro" if employees < 10 else "small" if employees < 100 else "medium",
            status=status, standard_grade=rng.choice(["", "", "3", "small", "2"]),
            has_safety_team=rng.random() < 0.5, insured=insured,
            insurer="中国人民财产保险股份有限公司果洛州分公司" if insured else "",
            insurance_expiry=today + datetime.timedelta(days=rng.randint(-90, 700)) if insured else None))
    bulk_insert(Enterprise, rows)

    through = Enterprise.sectors.through
    links, enterprises = [], []
    for i, e in enumerate(rows):
        pk = e.pk  # set by bulk_insert
        chosen = [hazchem] if i == 0 else rng.sample(sectors, 1 if rng.random() < 0.8 else 2)
        links += [through(enterprise_id=pk, sector_id=s.pk) for s in chosen]
        enterprises.append((pk, e.township_id, [s.pk for s in chosen], e.status))
    bulk_insert(through, links)

    managers, licences, facilities = [], [], []
    kinds, kind_weights = [k[:2] for k in FACILITY_KINDS], [k[2] for k in FACILITY_KINDS]
    for (pk, _town, _sectors, _status), e in zip(enterprises, rows, strict=True):
        managers.append(SafetyManager(enterprise_id=pk, name=rng.choice(PEOPLE), phone=e.principal_phone,
                                      full_time=rng.random() < 0.5))
        if rng.random() < 0.6:
            valid_to = today + datetime.timedelta(days=rng.randint(-200, 1000))
            licences.append(Licence(enterprise_id=pk, kind="安全生产许可证", number=f"青安许{pk:08d}",
                                    issued_by="青海省应急管理厅", valid_from=valid_to - datetime.timedelta(days=1095),
                                    valid_to=valid_to))
        count = 1 if pk == enterprises[0][0] else rng.choice([0, 1, 1, 2, 3])
        for j in range(count):
            kind, label = ("tank", "储罐") if pk == enterprises[0][0] else rng.choices(kinds, kind_weights)[0]
            flat, flon = _around(rng, float(e.latitude), float(e.longitude), 300)
            facilities.append(Facility(
                enterprise_id=pk, kind=kind, name=f"{j + 1}#{label}", latitude=flat, longitude=flon,
                equipment_kind="boiler" if kind == "special_equipment" else "",
                next_inspection=today + datetime.timedelta(days=rng.randint(-60, 360))
                if kind == "special_equipment" else None))
    bulk_insert(SafetyManager, managers)
    bulk_insert(Licence, licences)
    bulk_insert(Facility, facilities)
    first = enterprises[0][0]
    facility_rows = [(f.pk, f.enterprise_id, f.kind) for f in facilities]

    enterprise_user(Enterprise.objects.get(pk=first))
    world.update(county=county, townships=towns, sectors=sectors, county_user=User.objects.get(username="county"),
                 enterprises=enterprises, facilities=facility_rows)
    world.setdefault("counts", {})["enterprises"] = {
        "enterprises": len(rows), "sector links": len(links), "safety managers": len(managers),
        "licences": len(licences), "facilities": len(facility_rows)}
