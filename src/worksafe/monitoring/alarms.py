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

from worksafe.core.services import (
    Conflict,
    NotAllowed,
    ServiceError,
    Step,
    find_step,
    notify,
    require_writer,
    save_as,
)

from .models import Alarm

S = Alarm.State


# --- alarms handled by people ------------------------------------------------------------------

TRANSITIONS: dict[str, list[Step]] = {
    S.RAISED: [Step("acknowledge", "确认收到", S.ACKNOWLEDGED), Step("to_hazard", "转为隐患", S.HAZARD)],
    S.ACKNOWLEDGED: [Step("handle", "处置完毕", S.HANDLED), Step("to_hazard", "转为隐患", S.HAZARD)],
    S.HANDLED: [],
    S.HAZARD: [],
}
STATE_LABELS = dict(S.choices)


def _step(alarm: Alarm, name: str) -> Step:
    return find_step(TRANSITIONS, alarm.state, name, STATE_LABELS, "预警")


def _check(user, alarm: Alarm, known_visible: bool = False) -> None:
    require_writer(user)
    if not known_visible and not Alarm.objects.visible_to(user).filter(pk=alarm.pk).exists():
        raise NotAllowed("您无权处置该预警。")


def may(user, alarm: Alarm, step_name: str, known_visible: bool = False) -> bool:
    """Whether ``user`` may take ``step_name`` now (``known_visible``: the row came from
    ``visible_to(user)``, so lists need no query per row)."""
    try:
        _step(alarm, step_name)
        _check(user, alarm, known_visible)
    except ServiceError:
        return False
    return True


def _lock(alarm: Alarm, version) -> Alarm:
    locked = Alarm.objects.select_for_update().select_related("sensor", "enterprise").get(pk=alarm.pk)
    if version not in (None, "") and int(version) != locked.version:
        raise Conflict("该预警刚刚已被他人处理或状态已变化,请刷新页面后再操作。")
    return locked


def _after_human(alarm: Alarm) -> None:
    alarm.open = alarm.active or alarm.state in (S.RAISED, S.ACKNOWLEDGED)
    alarm.version += 1


@transaction.atomic
def acknowledge(alarm: Alarm, user, *, version=None) -> Alarm:
    locked = _lock(alarm, version)
    step = _step(locked, "acknowledge")
    _check(user, locked)
    locked.state = step.to
    locked.acknowledged_by = user
    locked.acknowledged_at = timezone.now()
    _after_human(locked)
    return save_as(locked, user, "确认收到预警")


@transaction.atomic
def handle(alarm: Alarm, user, *, note: str, version=None) -> Alarm:
    locked = _lock(alarm, version)
    step = _step(locked, "handle")
    _check(user, locked)
    note = (note or "").strip()
    if not note:
        raise ServiceError("请填写处置情况。", field="note")
    locked.state = step.to
    locked.handled_by = user
    locked.handled_at = timezone.now()
    locked.handled_note = note
    _after_human(locked)
    return save_as(locked, user, "处置完毕")


@transaction.atomic
def to_hazard(alarm: Alarm, user, *, description: str = "", location: str = "", level: str = "general",
              version=None) -> Alarm:
    """Turn the alarm into a hazard in one step (source: monitoring alarm); acknowledges it too."""
    from worksafe.hazards.loop import services as hazard_services
    from worksafe.hazards.models import Hazard

    locked = _lock(alarm, version)
    step = _step(locked, "to_hazard")
    _check(user, locked)
    sensor = locked.sensor
    hazard = hazard_services.report_hazard(
        user, locked.enterprise, location=(location or "").strip() or f"{sensor.facility.name} {sensor.name}",
        description=(description or "").strip() or f"监测预警 {locked.code}:{locked.description}",
        source=Hazard.Source.ALARM, level=level, found_at=locked.raised_at)
    now = timezone.now()
    if locked.acknowledged_by_id is None:
        locked.acknowledged_by, locked.acknowledged_at = user, now
    locked.state = step.to
    locked.handled_by, locked.handled_at = user, now
    locked.handled_note = f"已转为隐患 {hazard.code}"
    locked.hazard = hazard
    _after_human(locked)
    return save_as(locked, user, f"转为隐患 {hazard.code}")


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
