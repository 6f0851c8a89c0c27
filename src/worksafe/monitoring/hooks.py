"""What the monitoring app adds to shared mechanisms: tick steps and live plan metrics."""

from decimal import ROUND_HALF_UP, Decimal

from worksafe.core import tick
from worksafe.plans.metrics import register


def _offline(now=None):
    from .ingest import detect_offline

    return detect_offline(now)


def _escalate(now=None):
    from .alarms import escalate_unacknowledged

    return escalate_unacknowledged(now)


def _pct(kind: str, what: str):
    from .services import coverage

    total, covered = coverage(kind)
    if not total:
        return None
    pct = (Decimal(covered) * 100 / total).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return pct, f"在用{what}{total}个,其中在线监测正常上报{covered}个"


@register("tailings_online_monitoring_pct", "尾矿库在线监测系统安装并正常上报的比例",
          keywords=("尾矿库", "在线监测"))
def tailings_online_monitoring_pct():
    return _pct("tailings_pond", "尾矿库")


@register("power_remote_monitoring_pct", "电力设施远程监控覆盖率", keywords=("电", "远程监控"))
def power_remote_monitoring_pct():
    return _pct("substation", "电力设施")


tick.STEPS["sensor_offline"] = _offline
tick.STEPS["alarm_escalations"] = _escalate
