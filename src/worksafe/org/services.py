"""Organisation services: load a county's divisions and units from a data file."""

import json
from pathlib import Path

from django.db import transaction

from .models import Department, Division, UnitGroup

DATA_DIR = Path(__file__).parent / "data"


@transaction.atomic
def load_org_data(data: dict) -> dict[str, int]:
    """Create or update divisions, departments and unit groups; never deletes.

    Existing rows keep the edits made in the UI for fields the file does not set;
    aliases from the file are added to those already there.
    """
    counts = {"divisions": 0, "departments": 0, "groups": 0}
    for d in data.get("divisions", []):
        parent = Division.objects.get(code=d["parent"]) if d.get("parent") else None
        obj, created = Division.objects.get_or_create(
            code=d["code"], defaults={"name": d["name"], "level": d["level"], "parent": parent,
                                      "latitude": d.get("latitude"), "longitude": d.get("longitude")})
        if not created and d.get("latitude") is not None and d.get("longitude") is not None \
                and obj.latitude is None and obj.longitude is None:
            # coordinates added to the file later fill an existing row that has none (never overwrite)
            obj.latitude, obj.longitude = d["latitude"], d["longitude"]
            obj.save(update_fields=["latitude", "longitude"])
        counts["divisions"] += created
    for d in data.get("departments", []):
        division = Division.objects.get(code=d["division"])
        obj, created = Department.objects.get_or_create(
            name=d["name"], defaults={"short_name": d.get("short_name", ""), "kind": d.get("kind", "county"),
                                      "division": division, "order": d.get("order", 100),
                                      "aliases": "\n".join(d.get("aliases", []))})
        if not created:
            missing = [a for a in d.get("aliases", []) if a not in obj.alias_list]
            if missing:
                obj.aliases = "\n".join([*obj.alias_list, *missing])
                obj.save()
        counts["departments"] += created
    for g in data.get("groups", []):
        obj, created = UnitGroup.objects.get_or_create(name=g["name"],
                                                       defaults={"aliases": "\n".join(g.get("aliases", []))})
        members = Department.objects.filter(kind__in=g.get("departments_kind", []))
        obj.departments.add(*members)
        counts["groups"] += created
    return counts


def load_org_file(path) -> dict[str, int]:
    return load_org_data(json.loads(Path(path).read_text(encoding="utf-8")))


def may_manage_accounts(user) -> bool:
    """The county office, or the system administrator (系统管理员), manages accounts and roles."""
    from worksafe.core.scoping import Role, scope_of

    s = scope_of(user)
    return (s.is_county_office and not s.read_only) or s.has_role(Role.SYSADMIN)


def _require_admin(user):
    from worksafe.core.services import NotAllowed

    if not may_manage_accounts(user):
        raise NotAllowed("只有县安委办或系统管理员可以管理用户和角色。")


def _audit_account(by, what: str, target):
    from worksafe.core import audit
    from worksafe.core.models import AuditEvent

    audit.record(AuditEvent.Kind.ACCOUNT, user=by, target=target, action=what)


@transaction.atomic
def create_user(by, *, username: str, display_name: str, password: str, phone: str = "", email: str = ""):
    """The county office creates an account; the password must pass Django's validators."""
    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from worksafe.core.services import ServiceError, save_as

    from .models import User

    _require_admin(by)
    username = (username or "").strip()
    if not username:
        raise ServiceError("请填写用户名。", field="username")
    if User.objects.filter(username=username).exists():
        raise ServiceError(f"用户名“{username}”已被使用。", field="username")
    user = User(username=username, display_name=display_name.strip(), phone=phone.strip(), email=email.strip())
    try:
        validate_password(password, user)
    except ValidationError as e:
        raise ServiceError(" ".join(e.messages), field="password") from None
    user.set_password(password)
    user.must_change_password = True  # set by someone else: changed at the first login
    save_as(user, by, "新建账号")
    _audit_account(by, "新建账号", user)
    return user


@transaction.atomic
def add_membership(by, user, *, role: str, department=None, enterprise=None, title: str = "",
                   qualified: bool = False):
    from django.core.exceptions import ValidationError

    from worksafe.core.services import ServiceError, save_as

    from .models import Membership

    _require_admin(by)
    m = Membership(user=user, role=role, department=department, enterprise=enterprise, title=title,
                   qualified=qualified)
    try:
        m.full_clean()
    except ValidationError as e:
        raise ServiceError(" ".join(e.messages)) from None
    if Membership.objects.filter(user=user, role=role, department=department, enterprise=enterprise,
                                 active=True).exists():
        raise ServiceError("该用户已有相同的角色。")
    save_as(m, by, "分配角色")
    _audit_account(by, f"分配角色:{m}", user)
    return m


@transaction.atomic
def end_membership(by, membership):
    """Memberships are ended, not deleted, so the history keeps who held which role."""
    from worksafe.core.services import ServiceError, save_as

    _require_admin(by)
    if not membership.active:
        raise ServiceError("该角色已失效。")
    membership.active = False
    save_as(membership, by, "停用角色")
    _audit_account(by, f"停用角色:{membership}", membership.user)
    return membership
