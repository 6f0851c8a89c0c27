"""The scope a user's memberships give (see :mod:`worksafe.core.scoping` for the rules).

Core decides what a scope lets a user see and write; org, which owns people, units and
memberships, says what a user's scope is. ``OrgConfig.ready()`` registers :func:`compute_scope`.
"""

from django.db.models import Q

from worksafe.core.scoping import Role, Scope

from .models import Department, Membership, SectorSupervisor


def compute_scope(user) -> Scope:
    roles: set[str] = set()
    departments: set[int] = set()
    townships: set[int] = set()
    enterprises: set[int] = set()
    for m in Membership.objects.filter(user=user, active=True).select_related("department"):
        roles.add(m.role)
        if m.role in (Role.DEPARTMENT, Role.INSPECTOR) and m.department_id:
            departments.add(m.department_id)
        elif m.role == Role.TOWNSHIP and m.department_id and m.department.division_id:
            townships.add(m.department.division_id)
        elif m.role == Role.ENTERPRISE and m.enterprise_id:
            enterprises.add(m.enterprise_id)
    everything = bool(roles & {Role.COUNTY_OFFICE, Role.LEADER}) or user.is_superuser
    read_only = roles <= {Role.LEADER}  # leaders, and users with no role, only read
    units = set(departments)
    if townships:
        units |= set(Department.objects.filter(division_id__in=townships).values_list("id", flat=True))
    return Scope(
        everything=everything,
        read_only=read_only and not user.is_superuser,
        roles=frozenset(roles | ({Role.COUNTY_OFFICE} if user.is_superuser else set())),
        department_ids=frozenset(departments),
        township_ids=frozenset(townships),
        unit_ids=frozenset(units),
        enterprise_ids=frozenset(enterprises),
    )


def enterprise_scope_q(scope, prefix: str = "") -> Q:
    """The one rule for rows that reach a scope through an enterprise (``prefix`` is the path to it):
    its own enterprise, its township's, or one in a sector its department supervises.

    The supervised enterprises are an uncorrelated ``IN (subquery)``, not a correlated EXISTS: the
    database computes the set once (a semi-join, or a hashed subplan beside the other terms) instead
    of probing the sector links for every row of a 500,000-row table (docs/scale.md). Only the
    terms the scope has are written, so a department's filter is the subquery alone, with no join."""
    p = prefix
    terms = []
    if scope.enterprise_ids:
        terms.append(Q(**{f"{p}pk__in": scope.enterprise_ids}))
    if scope.township_ids:  # only this term joins the enterprise table
        terms.append(Q(**{f"{p}township_id__in": scope.township_ids}))
    if scope.department_ids:
        supervised = SectorSupervisor.objects.filter(
            department_id__in=scope.department_ids, sector__enterprises__isnull=False
        ).values("sector__enterprises")
        terms.append(Q(**{f"{p}pk__in": supervised}))
    if not terms:
        return Q(pk__in=[])  # no membership that reaches an enterprise: nothing
    q = terms[0]
    for t in terms[1:]:
        q |= t
    return q
