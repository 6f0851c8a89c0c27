"""Who handles a tip-off: category × township × sector → the responsible department and the
township's unit (属地管理、分级负责, 办法第四条; 安全生产法第七十三条).

- 重大事故隐患, 非法违法生产经营建设, 其他: the sector's supervisor (its lead, 管行业必须管安全;
  ``org.SectorSupervisor``); the sector is the one the reporter or officer named, else the
  reported enterprise's first sector; without a sector, the county's default unit;
- 瞒报谎报事故: always the county's default unit — "涉及人员死亡的举报事项，应当由县级以上人民政府
  组织核查处理" (安全生产法第七十三条);
- the township: the one named, else the enterprise's; its unit is the township government
  (``Department`` of kind 乡镇政府 in that division).

The default unit is the setting ``WORKSAFE_TIPOFF_DEFAULT_UNIT`` (a unit's name; default
县应急管理局, the seat of the 县安委办). The county office sees every case and may reassign (转办).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Case, IntegerField, Value, When

from worksafe.org.models import Department, Division, Sector, SectorSupervisor


@dataclass(frozen=True)
class Route:
    department: Department | None
    township: Division | None
    township_unit: Department | None
    sector: Sector | None


def default_unit() -> Department | None:
    name = getattr(settings, "WORKSAFE_TIPOFF_DEFAULT_UNIT", "县应急管理局")
    return (
        Department.objects.filter(name=name).first()
        or Department.objects.filter(kind=Department.Kind.COUNTY, active=True).order_by("order", "pk").first()
    )


def sector_supervisor(sector: Sector | None) -> Department | None:
    if sector is None:
        return None
    lead_first = Case(
        When(role=SectorSupervisor.Role.LEAD, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    ss = (
        SectorSupervisor.objects.filter(sector=sector)
        .select_related("department")
        .order_by(lead_first, "id")
        .first()
    )
    return ss.department if ss else None


def township_unit(township: Division | None) -> Department | None:
    if township is None:
        return None
    units = Department.objects.filter(division=township, active=True)
    return (
        units.filter(kind=Department.Kind.TOWNSHIP_GOVERNMENT).order_by("order", "pk").first()
        or units.order_by("order", "pk").first()
    )


def route(
    category: str, township: Division | None = None, sector: Sector | None = None, enterprise=None
) -> Route:
    if enterprise is not None:
        township = township or enterprise.township
        sector = sector or enterprise.sectors.order_by("pk").first()
    if category == "concealed_accident":
        department = default_unit()
    else:
        department = sector_supervisor(sector) or default_unit()
    return Route(department, township, township_unit(township), sector)
