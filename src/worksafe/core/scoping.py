"""Who sees what: the one place that turns a user's memberships into a scope.

Every scoped model's queryset has ``visible_to(user)`` (DESIGN.md §3.2); each
of those builds its filter from the :class:`Scope` computed here, so the rules
for a role live in one function and the per-model filters only say how a row
reaches a department, a township or an enterprise.

- county office and leaders: everything (leaders read-only);
- department officers and inspectors: the sectors their department supervises
  and the plan tasks their department leads or shares;
- township officers: everything located in their township, and the plan tasks
  given to the township's party committee or government;
- enterprise users: their own enterprise only;
- anyone else (anonymous, a user with no active membership): nothing scoped.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class Role:
    """Role codes (DESIGN.md §1). The labels are what users read."""

    COUNTY_OFFICE = "county_office"
    LEADER = "leader"
    DEPARTMENT = "department"
    TOWNSHIP = "township"
    INSPECTOR = "inspector"
    ENTERPRISE = "enterprise"
    # 三员分立 (GB/T 22239-2019 安全管理中心): three administrators, each only its own work
    SYSADMIN = "sysadmin"  # accounts and roles
    SECURITY = "security"  # lockouts, second factors, security settings
    AUDITOR = "auditor"  # reads the audit log, nothing else

    ADMINISTRATORS = (SYSADMIN, SECURITY, AUDITOR)

    CHOICES = [
        (COUNTY_OFFICE, "县安委办(工作专班)"),
        (LEADER, "县领导"),
        (DEPARTMENT, "部门工作人员"),
        (TOWNSHIP, "乡镇工作人员"),
        (INSPECTOR, "执法人员"),
        (ENTERPRISE, "企业用户"),
        (SYSADMIN, "系统管理员"),
        (SECURITY, "安全管理员"),
        (AUDITOR, "审计管理员"),
    ]
    LABELS = dict(CHOICES)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    read_only: bool = True
    roles: frozenset[str] = field(default_factory=frozenset)
    # departments the user acts for as department officer or inspector
    department_ids: frozenset[int] = field(default_factory=frozenset)
    # townships (Division ids) the user acts for as township officer
    township_ids: frozenset[int] = field(default_factory=frozenset)
    # every unit (Department id) whose plan tasks the user shares:
    # its departments plus all units of its townships (党委 and 政府)
    unit_ids: frozenset[int] = field(default_factory=frozenset)
    enterprise_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_staff_scope(self) -> bool:
        """A government user (anyone but an enterprise user or nobody)."""
        return self.everything or bool(self.department_ids or self.township_ids)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_county_office(self) -> bool:
        return Role.COUNTY_OFFICE in self.roles


NOBODY = Scope()


#: How a user's scope is computed from the people and units it belongs to. ``org`` (which owns
#: memberships) sets it in its ``AppConfig.ready()``; core knows no app below it.
SCOPE_RESOLVER = None


def scope_of(user) -> Scope:
    """The scope of ``user``, computed once per user object (i.e. per request)."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return NOBODY
    cached = getattr(user, "_worksafe_scope", None)
    if cached is not None:
        return cached
    if SCOPE_RESOLVER is None:  # pragma: no cover - org is always installed
        raise RuntimeError("no scope resolver registered (org app missing from INSTALLED_APPS)")
    scope = SCOPE_RESOLVER(user)
    user._worksafe_scope = scope
    return scope


# ---------------------------------------------------------------- who may write


def is_officer(user) -> bool:
    """A writer on the supervising side: the county office, a department officer or inspector, a
    township officer (not a leader, who only reads, and not an enterprise user)."""
    s = scope_of(user)
    return not s.read_only and s.is_staff_scope


def may_write(user, obj, *, officer: bool = False, known_visible: bool = False) -> bool:
    """The one write check: ``user`` may write ``obj`` when the user is not read-only, the row is
    in ``visible_to(user)`` (so the scope that shows a row is the scope that lets it be written),
    and, with ``officer=True``, the user acts for the supervising side. ``known_visible`` skips the
    query when the row was just read through ``visible_to``."""
    s = scope_of(user)
    if s.read_only or (officer and not s.is_staff_scope):
        return False
    if known_visible or s.everything:
        return True
    return type(obj)._default_manager.visible_to(user).filter(pk=obj.pk).exists()


def require_write(user, obj, message: str = "您无权修改该记录。", *, officer: bool = False,
                  known_visible: bool = False) -> None:
    """Refuse (``NotAllowed``, 403) unless :func:`may_write`; read-only users hear that they only read."""
    from .services import NotAllowed

    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not may_write(user, obj, officer=officer, known_visible=known_visible):
        raise NotAllowed(message)
