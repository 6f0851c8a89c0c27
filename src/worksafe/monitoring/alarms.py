"""The alarm lifecycle as people take it (TRANSITIONS), and the escalation of unacknowledged
alarms (tick). ``state`` is what people did, ``active`` whether the condition still holds:

=============  ======================================  ============================
state          people may                              the system may (:mod:`.ingest`)
=============  ======================================  ============================
raised         acknowledge, to_hazard                  escalate, de-escalate, clear, re-raise
acknowledged   handle (with a note), to_hazard         escalate (to a new peak: back to raised)…
handled        —                                       … same
hazard         —                                       … same
=============  ======================================  ============================
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Transition
from worksafe.core.services import ServiceError, notify

from .forms import AlarmHazardForm, HandleForm
from .models import Alarm

S = Alarm.State


# --- alarms handled by people ------------------------------------------------------------------


def _acknowledge(act: Act) -> None:
    act.obj.acknowledged_by = act.user
    act.obj.acknowledged_at = timezone.now()


def _handle(act: Act) -> None:
    note = (act.data.get("note") or "").strip()
    if not note:
        raise ServiceError("请填写处置情况。", field="note")
    a = act.obj
    a.handled_by, a.handled_at, a.handled_note = act.user, timezone.now(), note


def _to_hazard(act: Act) -> None:
    """Turn the alarm into a hazard in one step (source: monitoring alarm); acknowledges it too."""
    from worksafe.hazards.loop import services as hazard_services
    from worksafe.hazards.models import Hazard

    a, d, user = act.obj, act.data, act.user
    sensor = a.sensor
    hazard = hazard_services.report_hazard(
        user, a.enterprise, location=(d.get("location") or "").strip() or f"{sensor.facility.name} {sensor.name}",
        description=(d.get("description") or "").strip() or f"监测预警 {a.code}:{a.description}",
        source=Hazard.Source.ALARM, level=d.get("level") or Hazard.Level.GENERAL, found_at=a.raised_at)
    now = timezone.now()
    if a.acknowledged_by_id is None:
        a.acknowledged_by, a.acknowledged_at = user, now
    a.handled_by, a.handled_at = user, now
    a.handled_note = f"已转为隐患 {hazard.code}"
    a.hazard = hazard
    act.reason = f"转为隐患 {hazard.code}"
    act.message = f"已转为隐患 {hazard.code}。"


def _hazard_initial(a: Alarm) -> dict:
    return {"location": f"{a.facility.name} {a.sensor.name}", "description": f"监测预警 {a.code}:{a.description}",
            "level": "major" if a.peak_level >= 4 and a.kind == Alarm.Kind.LEVEL else "general"}


def _still_open(act: Act) -> None:
    a = act.obj
    a.open = a.active or a.state in (S.RAISED, S.ACKNOWLEDGED)


ALARM = Lifecycle(
    Alarm, noun="预警", conflict="该预警刚刚已被他人处理或状态已变化,请刷新页面后再操作。", denied="您无权处置该预警。",
    before_save=_still_open, lock_related=("sensor", "enterprise"),
    transitions=[
        Transition("acknowledge", "确认收到", [S.RAISED], S.ACKNOWLEDGED, apply=_acknowledge, reason="确认收到预警",
                   help="确认已收到预警并开始核实处置;未确认的预警将按时限逐级通知监管部门、乡镇和县安委办。",
                   message="已确认收到该预警。"),
        Transition("handle", "处置完毕", [S.ACKNOWLEDGED], S.HANDLED, form=HandleForm, apply=_handle,
                   message="已登记处置完毕。"),
        Transition("to_hazard", "转为隐患", [S.RAISED, S.ACKNOWLEDGED], S.HAZARD, form=AlarmHazardForm,
                   initial=_hazard_initial, apply=_to_hazard, danger=True,
                   help="登记为隐患(发现方式:监测预警),进入隐患排查治理闭环;本预警随之关闭处置。"),
    ])
TRANSITIONS = ALARM.transitions


def may(user, alarm: Alarm, step_name: str, known_visible: bool = False) -> bool:
    """Whether ``user`` may take ``step_name`` now (``known_visible``: the row came from
    ``visible_to(user)``, so lists need no query per row)."""
    return ALARM.may(user, alarm, step_name, known_visible=known_visible)


def acknowledge(alarm: Alarm, user, *, version=None) -> Alarm:
    return ALARM.take(alarm, user, "acknowledge", version=version).obj


def handle(alarm: Alarm, user, *, note: str, version=None) -> Alarm:
    return ALARM.take(alarm, user, "handle", version=version, data={"note": note}).obj


def to_hazard(alarm: Alarm, user, *, description: str = "", location: str = "", level: str = "general",
              version=None) -> Alarm:
    """Turn the alarm into a hazard in one step (source: monitoring alarm); acknowledges it too."""
    data = {"description": description, "location": location, "level": level}
    return ALARM.take(alarm, user, "to_hazard", version=version, data=data).obj


# --- escalation of unacknowledged alarms (tick) ------------------------------------------------

def escalate_unacknowledged(now=None) -> int:
    """Notify in widening circles while nobody acknowledges: the enterprise at once, its supervising
    department and township after ``WORKSAFE_ALARM_ACK_MINUTES``, the county office after twice
    that. Each circle is told once (``escalation_step``)."""
    from worksafe.hazards.loop.services import escalation_recipients

    now = now or timezone.now()
    wait = datetime.timedelta(minutes=settings.WORKSAFE_ALARM_ACK_MINUTES)
    sent = 0
    for alarm in Alarm.objects.filter(state=S.RAISED, open=True, escalation_step__lt=3).select_related(
            "enterprise", "sensor", "facility"):
        # counted from the alarm's creation, or from a new peak that sent it back to 待确认
        age = now - max(alarm.created_at, alarm.peak_at)
        due = 1 + (age >= wait) + (age >= 2 * wait)
        if alarm.escalation_step >= due:
            continue
        with transaction.atomic():
            if Alarm.objects.filter(pk=alarm.pk, escalation_step=alarm.escalation_step, state=S.RAISED).update(
                    escalation_step=due) != 1:
                continue
            ent = alarm.enterprise
            recipients = [r for step in range(alarm.escalation_step, due)
                          for r in escalation_recipients(ent, step)]
            late = "" if due == 1 else f"(已{int(age.total_seconds() // 60)}分钟未确认)"
            notify(recipients, f"【{alarm.level_label}】{ent.name}{late}",
                   f"{alarm.facility.name}:{alarm.description}", url=alarm.get_absolute_url())
            sent += 1
    return sent
