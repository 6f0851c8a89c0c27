"""Training services: the session's lifecycle (SESSION), attendance, certificates, materials, and
coverage (the share of each audience trained in a year).

Who may act (the regulated never grade themselves):
- a session: an officer of its organising unit, or the county office, registers it, takes its
  steps (held → recorded, or cancelled with a reason), records and confirms attendance;
- an official's attendance is recorded by the organiser (or the county office), never by the
  official; an enterprise user may *propose* its own people's attendance at a session it sees —
  the row counts (coverage) only once the organiser confirms it;
- a certificate: an enterprise user may register its people's certificates (unconfirmed); the
  departments supervising the enterprise, its township or the county office confirm it. Officers
  registering a certificate confirm it at once.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Notice, Transition
from worksafe.core.scoping import Role, is_officer, require_write, scope_of
from worksafe.core.services import NotAllowed, ServiceError, clean_attachment, save_as
from worksafe.enterprises.models import Enterprise, SafetyManager
from worksafe.org.models import Department, Division, Membership, Sector, SectorSupervisor

from .forms import CancelForm, NoteForm
from .models import AUDIENCE_FIELD, Attendance, Audience, Certificate, TrainingMaterial, TrainingSession

S = TrainingSession.State

#: the roles whose active members are the "officials" audience of a unit
OFFICIAL_ROLES = (Role.DEPARTMENT, Role.TOWNSHIP, Role.INSPECTOR, Role.COUNTY_OFFICE)


# ---------------------------------------------------------------- who


def organises(user, session: TrainingSession) -> bool:
    s = scope_of(user)
    return not s.read_only and (s.is_county_office or session.organiser_id in s.unit_ids)


def _may_organise(act: Act) -> None:
    if not organises(act.user, act.obj):
        raise NotAllowed("只有组织单位或县安委办可以办理该培训班次。")


def organiser_units(user):
    """The units ``user`` may organise sessions for."""
    s = scope_of(user)
    if s.read_only or not s.is_staff_scope:
        return Department.objects.none()
    if s.is_county_office:
        return Department.objects.filter(active=True)
    return Department.objects.filter(pk__in=s.unit_ids, active=True)


# ---------------------------------------------------------------- the session's lifecycle


def _apply_hold(act: Act) -> None:
    if act.obj.starts_on > timezone.localdate():
        raise ServiceError("培训尚未开始,不能标记为已举办。")


def _apply_record(act: Act) -> None:
    pending = act.obj.attendances.filter(confirmed=False).count()
    if pending:
        raise ServiceError(f"还有{pending}条企业申报的参训记录未确认,请先确认或删除。")


def _apply_cancel(act: Act) -> None:
    reason = (act.data.get("reason") or "").strip()
    if not reason:
        raise ServiceError("请填写取消原因。", field="reason")
    act.obj.cancel_reason = reason
    act.reason = f"取消培训:{reason}"


SESSION = Lifecycle(
    TrainingSession, noun="培训班次", denied="您无权办理该培训班次。",
    transitions=[
        Transition("hold", "标记为已举办", [S.PLANNED], S.HELD, who=_may_organise, officer=True, apply=_apply_hold,
                   message="已标记为已举办,请登记参训人员。"),
        Transition("record", "参训登记完毕(归档)", [S.HELD], S.RECORDED, who=_may_organise, officer=True,
                   form=NoteForm, apply=_apply_record, message="参训登记已归档。",
                   help="归档后不再登记参训人员;只有已确认的参训记录计入覆盖率。"),
        Transition("cancel", "取消培训", [S.PLANNED], S.CANCELLED, who=_may_organise, officer=True, form=CancelForm,
                   apply=_apply_cancel, danger=True, message="已取消该培训。",
                   notify=lambda act: Notice([act.obj.organiser], f"培训已取消:{act.obj.topic}",
                                             act.obj.cancel_reason, email=False)),
    ])


@transaction.atomic
def create_session(user, **data) -> TrainingSession:
    organiser = data.get("organiser")
    if organiser is None or not organiser_units(user).filter(pk=organiser.pk).exists():
        raise NotAllowed("只能为本单位组织培训(县安委办可为各单位登记)。")
    topic = (data.get("topic") or "").strip()
    if not topic:
        raise ServiceError("请填写培训主题。", field="topic")
    if not any(data.get(f) for f in AUDIENCE_FIELD.values()):
        raise ServiceError("请至少选择一类培训对象。", field="for_officials")
    if data.get("ends_on") and data.get("starts_on") and data["ends_on"] < data["starts_on"]:
        raise ServiceError("结束日期不能早于开始日期。", field="ends_on")
    hours = data.get("hours")
    if hours is not None and not (Decimal(0) < hours <= Decimal(999)):
        raise ServiceError("学时应在0到999之间。", field="hours")
    session = TrainingSession(created_by=user, **{**data, "topic": topic})
    return save_as(session, user, "登记培训班次")


@transaction.atomic
def add_material(user, session: TrainingSession, f) -> TrainingMaterial:
    if not organises(user, session):
        raise NotAllowed("只有组织单位可以上传培训资料。")
    f = clean_attachment(f)
    return TrainingMaterial.objects.create(session=session, file=f, name=f.name[:200],
                                           content_type=getattr(f, "content_type", "") or "", uploaded_by=user)


# ---------------------------------------------------------------- attendance


def _check_open(session: TrainingSession) -> None:
    if session.state in (S.RECORDED, S.CANCELLED):
        raise ServiceError(f"该培训{session.get_state_display()},不能再登记参训人员。")


def _official_unit(person):
    m = (Membership.objects.filter(user=person, active=True, role__in=OFFICIAL_ROLES, department__isnull=False)
         .select_related("department").order_by("id").first())
    return m.department if m else None


@transaction.atomic
def record_attendance(user, session: TrainingSession, *, kind: str, person=None, enterprise=None, name: str = "",
                      attended: bool = True, hours=None, passed=None, score=None) -> Attendance:
    """The organiser records one attendee (confirmed); an enterprise user proposes one of its own
    people (unconfirmed). Officials are recorded only by the organiser."""
    require_write(user, session, "您无权为该培训登记参训人员。")
    _check_open(session)
    if kind not in Audience.values:
        raise ServiceError("请选择人员类别。", field="kind")
    if not getattr(session, AUDIENCE_FIELD[kind]):
        raise ServiceError(f"该培训不面向{Audience(kind).label}。", field="kind")
    organiser = organises(user, session)
    s = scope_of(user)
    if not organiser and not (s.has_role(Role.ENTERPRISE) and enterprise is not None
                              and enterprise.pk in s.enterprise_ids and kind != Audience.OFFICIALS):
        raise NotAllowed("只有组织单位可以登记参训人员;企业只能申报本企业人员,由组织单位确认。")
    if score is not None and not (Decimal(0) <= Decimal(score) <= Decimal(100)):
        raise ServiceError("考试成绩应在0到100之间。", field="score")
    if hours is not None and not (Decimal(0) <= Decimal(hours) <= Decimal(999)):
        raise ServiceError("学时应在0到999之间。", field="hours")
    row = Attendance(session=session, kind=kind, attended=attended, hours=hours if hours is not None else session.hours,
                     passed=passed, score=score, recorded_by=user, confirmed=organiser,
                     confirmed_by=user if organiser else None)
    if kind == Audience.OFFICIALS:
        if person is None:
            raise ServiceError("请选择参训干部。", field="user")
        unit = _official_unit(person)
        if unit is None:
            raise ServiceError("该用户没有有效的单位任职。", field="user")
        if session.attendances.filter(user=person).exists():
            raise ServiceError("该干部已登记。", field="user")
        row.user, row.unit, row.name = person, unit, str(person)[:50]
    else:
        name = (name or "").strip()
        if enterprise is None:
            raise ServiceError("请选择企业。", field="enterprise")
        if not Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists():
            raise NotAllowed("您无权为该企业登记参训人员。")
        if not name:
            raise ServiceError("请填写姓名。", field="name")
        if session.attendances.filter(enterprise=enterprise, name=name, kind=kind).exists():
            raise ServiceError("该人员已登记。", field="name")
        row.enterprise, row.name = enterprise, name[:50]
        if kind == Audience.SAFETY_MANAGERS:
            row.safety_manager = SafetyManager.objects.filter(enterprise=enterprise, name=name).first()
    return save_as(row, user, "登记参训" if organiser else "企业申报参训")


@transaction.atomic
def confirm_attendance(user, row: Attendance) -> Attendance:
    row = Attendance.objects.select_for_update().select_related("session").get(pk=row.pk)
    if not organises(user, row.session):
        raise NotAllowed("只有组织单位可以确认参训记录。")
    _check_open(row.session)
    if row.confirmed:
        raise ServiceError("该参训记录已确认。")
    row.confirmed, row.confirmed_by = True, user
    return save_as(row, user, "确认参训")


# ---------------------------------------------------------------- certificates


@transaction.atomic
def add_certificate(user, *, enterprise, kind: str, holder: str, number: str, valid_until, issuer: str = "",
                    issued_on=None, safety_manager=None) -> Certificate:
    if enterprise is None or not Enterprise.objects.visible_to(user).filter(pk=enterprise.pk).exists():
        raise NotAllowed("您无权为该企业登记证书。")
    require_write(user, enterprise, "您无权为该企业登记证书。")
    holder, number = (holder or "").strip(), (number or "").strip()
    if kind not in Certificate.Kind.values:
        raise ServiceError("请选择证书类别。", field="kind")
    if safety_manager is not None and safety_manager.enterprise_id != enterprise.pk:
        raise ServiceError("该安全管理人员不属于所选企业。", field="safety_manager")
    if safety_manager is not None and not holder:
        holder = safety_manager.name
    if not holder:
        raise ServiceError("请填写持证人。", field="holder")
    if not number:
        raise ServiceError("请填写证书编号。", field="number")
    if Certificate.objects.filter(kind=kind, number=number).exists():
        raise ServiceError("该证书编号已登记。", field="number")
    if not valid_until:
        raise ServiceError("请填写有效期。", field="valid_until")
    if issued_on and valid_until < issued_on:
        raise ServiceError("有效期不能早于发证日期。", field="valid_until")
    if kind == Certificate.Kind.SAFETY_MANAGER and safety_manager is None:
        safety_manager = SafetyManager.objects.filter(enterprise=enterprise, name=holder).first()
    officer = is_officer(user)
    cert = save_as(Certificate(enterprise=enterprise, kind=kind, holder=holder[:50], number=number[:60],
                               issuer=(issuer or "")[:100], issued_on=issued_on, valid_until=valid_until,
                               safety_manager=safety_manager, confirmed=officer, recorded_by=user),
                   user, "登记考核合格证" if officer else "企业申报考核合格证")
    if safety_manager is not None and not safety_manager.certificate:
        safety_manager.certificate = number[:50]
        save_as(safety_manager, user, "登记考核合格证编号")
    return cert


@transaction.atomic
def confirm_certificate(user, cert: Certificate) -> Certificate:
    cert = Certificate.objects.select_for_update().get(pk=cert.pk)
    if not is_officer(user):
        raise NotAllowed("只有监管部门、乡镇或县安委办可以核实证书。")
    require_write(user, cert, "您无权核实该证书。")
    if cert.confirmed:
        raise ServiceError("该证书已核实。")
    cert.confirmed = True
    return save_as(cert, user, "核实考核合格证")


# ---------------------------------------------------------------- coverage


def _trained(year: int, as_of: datetime.date):
    """Confirmed, attended rows of sessions held in ``year`` up to ``as_of``."""
    return Attendance.objects.filter(confirmed=True, attended=True, session__state__in=[S.HELD, S.RECORDED],
                                     session__starts_on__year=year, session__starts_on__lte=as_of)


def _pct(done: int, total: int):
    return (Decimal(done * 100) / Decimal(total)).quantize(Decimal("0.1")) if total else None


def audiences(year: int | None = None, as_of: datetime.date | None = None, user=None,
              enterprise_people: bool = True) -> dict:
    """Every member of each audience with whether they were trained in ``year`` (up to ``as_of``).

    Returns ``{"officials": [...], "principals": [...], "safety_managers": [...]}``; each person is a
    dict with ``name``, ``trained`` (bool) and where they belong: officials ``unit_id`` and
    ``township_id`` (of a township unit, else None); enterprise people ``enterprise_id``,
    ``township_id`` and ``sector_ids``. ``user`` narrows to what that user sees. Without
    ``enterprise_people`` only the officials are listed (the other two lists are empty)."""
    as_of = as_of or timezone.localdate()
    year = year or as_of.year
    trained = _trained(year, as_of)
    # officials: active members (by role) of each unit
    members = Membership.objects.filter(active=True, role__in=OFFICIAL_ROLES, department__isnull=False,
                                        user__is_active=True)
    if user is not None:
        s = scope_of(user)
        if not s.everything:
            members = members.filter(department_id__in=s.unit_ids)
    officials_trained = set(trained.filter(kind=Audience.OFFICIALS).values_list("user_id", flat=True))
    seen, officials = set(), []
    unit_names = dict(Department.objects.values_list("pk", "name"))
    township_of = dict(Department.objects.filter(kind__in=[Department.Kind.TOWNSHIP_PARTY,
                                                           Department.Kind.TOWNSHIP_GOVERNMENT])
                       .values_list("pk", "division_id"))
    for m in members.select_related("user").order_by("department_id", "user_id"):
        if (m.user_id, m.department_id) in seen:
            continue
        seen.add((m.user_id, m.department_id))
        officials.append({"user_id": m.user_id, "name": str(m.user),
                          "unit_id": m.department_id, "unit": unit_names.get(m.department_id, ""), "township_id": township_of.get(m.department_id),
                          "trained": m.user_id in officials_trained})
    if not enterprise_people:
        return {"officials": officials, "principals": [], "safety_managers": []}
    # enterprise people: every operating enterprise's principal and its safety managers
    ents = Enterprise.objects.visible_to(user) if user is not None else Enterprise.objects.all()
    ents = ents.filter(status=Enterprise.Status.OPERATING)
    principal_done = set(trained.filter(kind=Audience.PRINCIPALS).values_list("enterprise_id", flat=True))
    sm_rows = trained.filter(kind=Audience.SAFETY_MANAGERS)
    sm_done = set(sm_rows.exclude(safety_manager=None).values_list("safety_manager_id", flat=True))
    sm_named = set(sm_rows.values_list("enterprise_id", "name"))
    principals, managers = [], []
    # plain values, not model instances: a county holds thousands of enterprises (docs/scale.md)
    managers_of: dict = {}
    for sm_id, e_id, sm_name in (SafetyManager.objects.filter(enterprise__in=ents.values("pk")).order_by("id")
                                 .values_list("id", "enterprise_id", "name")):
        managers_of.setdefault(e_id, []).append((sm_id, sm_name))
    sectors_of: dict = {}
    for e_id, s_id in (Enterprise.sectors.through.objects.filter(enterprise__in=ents.values("pk"))
                       .order_by("sector_id").values_list("enterprise_id", "sector_id")):
        sectors_of.setdefault(e_id, []).append(s_id)
    for e_id, e_name, e_town, e_principal in ents.values_list("pk", "name", "township_id", "principal"):
        where = {"enterprise_id": e_id, "enterprise": e_name, "township_id": e_town,
                 "sector_ids": sectors_of.get(e_id, [])}
        principals.append({**where, "name": e_principal or "(未登记主要负责人)", "trained": e_id in principal_done})
        for sm_id, sm_name in managers_of.get(e_id, []):
            managers.append({**where, "name": sm_name, "safety_manager_id": sm_id,
                             "trained": sm_id in sm_done or (e_id, sm_name) in sm_named})
    return {"officials": officials, "principals": principals, "safety_managers": managers}


AUDIENCE_KEYS = ("officials", "principals", "safety_managers")


def _groups(by: str, user=None):
    """(key, label, belongs(person, audience) -> bool) for each township / department / sector."""
    if by == "township":
        towns = Division.objects.filter(level=Division.Level.TOWNSHIP).order_by("code")
        return [(t.pk, t.name, lambda p, a, k=t.pk: p.get("township_id") == k) for t in towns]
    if by == "department":
        supervised: dict = {}
        for d_id, s_id in SectorSupervisor.objects.values_list("department_id", "sector_id"):
            supervised.setdefault(d_id, set()).add(s_id)
        depts = Department.objects.filter(active=True).exclude(
            kind__in=[Department.Kind.TOWNSHIP_PARTY, Department.Kind.TOWNSHIP_GOVERNMENT])

        def belongs(p, a, k, sectors):
            if a == "officials":
                return p["unit_id"] == k
            return bool(sectors.intersection(p["sector_ids"]))

        def member_of(d):
            ss = supervised.get(d.pk, set())
            return lambda p, a: belongs(p, a, d.pk, ss)

        return [(d.pk, d.name, member_of(d)) for d in depts]
    if by == "sector":
        return [(s.pk, s.name, lambda p, a, k=s.pk: a != "officials" and k in p["sector_ids"])
                for s in Sector.objects.order_by("name")]
    raise ValueError(f"unknown grouping: {by!r} (township, department or sector)")


def _group_keys(by: str):
    """``keys(person, audience)``: the keys of the groups of :func:`_groups` a person belongs to."""
    if by == "township":
        return lambda p, a: (p.get("township_id"),)
    if by == "sector":
        return lambda p, a: () if a == "officials" else p["sector_ids"]
    if by == "department":
        supervisors: dict = {}
        for d_id, s_id in SectorSupervisor.objects.values_list("department_id", "sector_id"):
            supervisors.setdefault(s_id, set()).add(d_id)

        def keys(p, a):
            if a == "officials":
                return (p["unit_id"],)
            return set().union(*(supervisors.get(s, ()) for s in p["sector_ids"]))

        return keys
    raise ValueError(f"unknown grouping: {by!r} (township, department or sector)")


def coverage_table(year: int | None = None, by: str = "township", as_of: datetime.date | None = None,
                   user=None) -> list[dict]:
    """One row per township / department / sector (``by``) with, for each audience, how many
    people it holds, how many were trained in ``year`` (up to ``as_of``) and the share in percent
    (``None`` when the audience is empty). Shape (docs/training.md)::

        {"key": 12, "label": "大武镇",
         "officials": {"total": 8, "trained": 6, "pct": Decimal("75.0")},
         "principals": {...}, "safety_managers": {...}}

    For sectors the officials' cell is empty (officials belong to units, not sectors); for a
    department the enterprise audiences are those of the sectors it supervises."""
    # the officials (a few hundred) one by one, each counted once into the groups it belongs to
    # (the rule of _groups); the enterprise people (a principal and its safety managers per
    # enterprise: 100,000 at province scale) counted by the database, grouped the same way
    people = audiences(year, as_of, user, enterprise_people=False)
    keys_of = _group_keys(by)
    tally = {a: {} for a in AUDIENCE_KEYS}
    for p in people["officials"]:
        for k in keys_of(p, "officials"):
            t = tally["officials"].setdefault(k, [0, 0])
            t[0] += 1
            t[1] += bool(p["trained"])
    tally.update(_enterprise_tally(by, year, as_of, user))
    rows = []
    for key, label, _belongs in _groups(by, user):
        row = {"key": key, "label": label}
        for a in AUDIENCE_KEYS:
            total, done = tally[a].get(key, (0, 0))
            row[a] = {"total": total, "trained": done, "pct": _pct(done, total)}
        if any(row[a]["total"] for a in AUDIENCE_KEYS):
            rows.append(row)
    return rows


#: per grouping, the path from an enterprise to its group's key (an enterprise of two sectors that
#: one department supervises is one of that department's enterprises: counted distinct)
_ENTERPRISE_GROUP = {"township": ("township_id", False), "sector": ("sectors", False),
                     "department": ("sectors__sector_supervisors__department_id", True)}


def _enterprise_tally(by: str, year, as_of, user) -> dict:
    """``{"principals": {key: [total, trained]}, "safety_managers": {...}}`` by aggregate queries,
    with the rule of :func:`audiences` (operating enterprises the user sees; a safety manager is
    trained when an attendance names it, or its enterprise and name)."""
    as_of = as_of or timezone.localdate()
    trained = _trained(year or as_of.year, as_of)
    path, distinct = _ENTERPRISE_GROUP[by]
    ents = Enterprise.objects.visible_to(user) if user is not None else Enterprise.objects.all()
    ents = ents.filter(status=Enterprise.Status.OPERATING)
    principal_done = Q(pk__in=trained.filter(kind=Audience.PRINCIPALS).values("enterprise_id"))
    sm_rows = trained.filter(kind=Audience.SAFETY_MANAGERS)
    sm_done = (Q(pk__in=sm_rows.exclude(safety_manager=None).values("safety_manager_id"))
               | Exists(sm_rows.filter(enterprise_id=OuterRef("enterprise_id"), name=OuterRef("name"))))
    managers = SafetyManager.objects.filter(enterprise__in=ents.values("pk"))
    out = {}
    for audience, qs, prefix, done in (("principals", ents, "", principal_done),
                                       ("safety_managers", managers, "enterprise__", sm_done)):
        rows = (qs.exclude(**{f"{prefix}{path}": None}).values(key=F(f"{prefix}{path}"))
                .annotate(total=Count("id", distinct=distinct), trained=Count("id", distinct=distinct, filter=done))
                .order_by())
        out[audience] = {r["key"]: [r["total"], r["trained"]] for r in rows}
    return out


def people_by_group(year: int | None = None, by: str = "township", as_of: datetime.date | None = None) -> dict:
    """Every person of each township / department / sector (``by``) across the three audiences,
    keyed by the group's key (the rows behind :func:`coverage_table`): each person is the dict of
    :func:`audiences` with its ``audience`` added (reporting's assessment drill-down)."""
    people = audiences(year, as_of)
    out: dict = {}
    for key, _label, belongs in _groups(by):
        out[key] = [{**p, "audience": a} for a in AUDIENCE_KEYS for p in people[a] if belongs(p, a)]
    return out


def missing(year=None, by="township", key=None, audience="officials", as_of=None, user=None) -> list[dict]:
    """The people of one cell of :func:`coverage_table` not yet trained (the drill-down)."""
    if audience not in AUDIENCE_KEYS:
        raise ServiceError("未知的培训对象。", field="audience")
    people = audiences(year, as_of, user)[audience]
    for k, _label, belongs in _groups(by, user):
        if k == key:
            return [p for p in people if belongs(p, audience) and not p["trained"]]
    return []


def coverage_counts(user=None, year=None, as_of=None) -> dict:
    """{audience: (percent, "trained/total人") or None} over the whole county (or ``user``'s scope):
    the people of :func:`audiences` counted by the database (a fixed number of count queries)
    instead of built one by one in Python."""
    as_of = as_of or timezone.localdate()
    trained = _trained(year or as_of.year, as_of)
    members = Membership.objects.filter(active=True, role__in=OFFICIAL_ROLES, department__isnull=False,
                                        user__is_active=True)
    if user is not None:
        s = scope_of(user)
        if not s.everything:
            members = members.filter(department_id__in=s.unit_ids)
    members = members.values("user_id", "department_id").distinct()
    ents = Enterprise.objects.visible_to(user) if user is not None else Enterprise.objects.all()
    ents = ents.filter(status=Enterprise.Status.OPERATING)
    managers = SafetyManager.objects.filter(enterprise__in=ents)
    sm_rows = trained.filter(kind=Audience.SAFETY_MANAGERS)
    counts = {
        "officials": (members.filter(user_id__in=trained.filter(kind=Audience.OFFICIALS).values("user_id")).count(),
                      members.count()),
        "principals": (ents.filter(pk__in=trained.filter(kind=Audience.PRINCIPALS).values("enterprise_id")).count(),
                       ents.count()),
        "safety_managers": (managers.filter(
            Q(pk__in=sm_rows.exclude(safety_manager=None).values("safety_manager_id"))
            | Exists(sm_rows.filter(enterprise_id=OuterRef("enterprise_id"), name=OuterRef("name")))).count(),
            managers.count()),
    }
    out = {}
    for key, (done, total) in counts.items():
        pct = _pct(done, total)
        out[key] = None if pct is None else (pct, f"{done}/{total}人")
    return out


def coverage_pct(audience: str, user=None, year=None, as_of=None):
    """(percent, "trained/total人") of one audience over the whole county (or ``user``'s scope)."""
    return coverage_counts(user, year, as_of)[audience]


# ---------------------------------------------------------------- certificate expiry


def expiring_certificates(on: datetime.date | None = None):
    on = on or timezone.localdate()
    return Certificate.objects.filter(valid_until__lte=on + datetime.timedelta(days=Certificate.warn_days()))


def enterprise_people_training(user, enterprise, year=None):
    """The enterprise file's section: this year's attendance and the certificates, as ``user`` sees them."""
    year = year or timezone.localdate().year
    return {"attendances": Attendance.objects.visible_to(user).filter(enterprise=enterprise,
                                                                       session__starts_on__year=year)
            .select_related("session").order_by("-session__starts_on"),
            "certificates": Certificate.objects.visible_to(user).filter(enterprise=enterprise)
            .filter(Q(kind__in=Certificate.Kind.values))}
