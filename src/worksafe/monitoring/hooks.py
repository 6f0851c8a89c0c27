"""What the monitoring app adds to shared mechanisms: tick steps, live plan metrics and its benches."""

from decimal import ROUND_HALF_UP, Decimal

from worksafe.core import tick
from worksafe.core.metrics import register
from worksafe.core.registry import (
    SERVE_HOOKS,
    ServeHook,
    dashboard_panel,
    demo_loader,
    map_overlay,
    nav_menu,
    page_section,
)

from . import bench  # noqa: F401  (worksafe bench ingest, worksafe bench mqtt-burst)


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


@dashboard_panel("monitoring", "monitoring/_panel.html", order=30)
def monitoring_panel(request, scope):
    from django.db.models import Count, Q

    from .models import Alarm

    return {"alarm_counts": Alarm.objects.visible_to(request.user).filter(open=True).aggregate(
        open=Count("id"),
        red=Count("id", filter=Q(kind="level", level=4, active=True)),
        orange=Count("id", filter=Q(kind="level", level=3, active=True)),
        unacknowledged=Count("id", filter=Q(state="raised")),
        offline=Count("id", filter=Q(kind="offline", active=True)),
    )}


@demo_loader("monitoring", order=60)
def _demo_monitoring(out):
    from worksafe.org.models import User

    from . import demo

    counts = demo.generate(User.objects.get(username="county"))
    out("在线监测:新增网关{gateways}个,监测点{sensors}个,读数{readings}条,预警{alarms}条".format(**counts))


def _serve_arguments(parser):
    parser.add_argument("--mqtt", action="store_true", help="同时运行 MQTT 读数接入(worksafe ingest-mqtt)")
    parser.add_argument("--simulate", action="store_true",
                        help="同时运行演示传感器模拟(worksafe simulate-sensors,需 --mqtt)")


def _serve_start(options, stop, out, err):
    """With --mqtt (or --simulate) and a broker that answers: the MQTT consumer, and with
    --simulate the demo sensor simulator, in threads of the demo server."""
    import socket
    import threading

    from django.core.management import call_command

    from . import mqtt

    if not (options.get("mqtt") or options.get("simulate")):
        return
    broker = mqtt.parse_url()
    try:
        socket.create_connection((broker.host, broker.port), timeout=1).close()
    except OSError:
        out(f"MQTT 服务器 {broker} 不可达:不接入 MQTT 读数、不运行模拟"
            "(网关仍可通过 HTTP 接口 /api/monitoring/readings/ 上报)。")
        return
    consumer = mqtt.Consumer(on_status=out)
    threading.Thread(target=mqtt.run_consumer, args=(consumer, stop), name="worksafe-mqtt", daemon=True).start()
    if options.get("simulate"):
        def simulator():
            from django.db import connection

            try:
                call_command("simulate_sensors", excursion_prob=0.005)
            except Exception as e:  # e.g. no tokens file: the server keeps serving
                err(f"传感器模拟未运行:{e}")
            finally:
                connection.close()

        threading.Thread(target=simulator, name="worksafe-simulator", daemon=True).start()


SERVE_HOOKS["monitoring"] = ServeHook("monitoring", _serve_arguments, _serve_start)


@page_section("enterprises.Enterprise", "monitoring", "monitoring/_enterprise_monitoring.html", order=30)
def enterprise_monitoring(request, enterprise, scope):
    from .models import Alarm, Sensor

    user = request.user
    return {
        "monitored": Sensor.objects.visible_to(user).filter(enterprise=enterprise).select_related("facility", "state"),
        "open_alarms": Alarm.objects.visible_to(user).filter(enterprise=enterprise, open=True)
        .select_related("sensor", "facility")[:20],
    }


@map_overlay("alarms")
def open_alarms_by_enterprise(user, enterprise_ids) -> dict[int, dict]:
    """Per enterprise: its open monitoring alarms and the most severe active level, for the risk
    map's markers (one query; alarms reach the user through visible_to like everything else)."""
    from django.db.models import Count, Max, Q

    from worksafe.risks.views_map import level_info

    from .models import Alarm

    out = {}
    rows = (Alarm.objects.visible_to(user).filter(open=True, enterprise_id__in=enterprise_ids)
            .values("enterprise_id").annotate(n=Count("id"), worst=Max("level", filter=Q(active=True, kind="level"))))
    for r in rows:
        lv = level_info(r["worst"]) if r["worst"] else None
        out[r["enterprise_id"]] = {"open": r["n"], "worst": r["worst"], "hex": lv["hex"] if lv else None,
                                   "label": f"{lv['colour_name']}色预警" if lv else ""}
    return out

nav_menu("monitoring", "monitoring/_nav.html", order=70)
