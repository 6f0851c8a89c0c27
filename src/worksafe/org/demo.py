"""The demo's organisation: 玛沁县's divisions and units (data/maqin.json), one demo login per
role and the enforcement team. Loaded by ``worksafe demo`` (registered in ``org/hooks.py``);
running it again keeps existing data."""

from worksafe.core.scoping import Role

from .models import Department, Membership, User
from .services import DATA_DIR, load_org_file

DEMO_PASSWORD = "Worksafe-2026"

# username, display name, role, unit (department name); the enterprise user's enterprise is
# chosen by the register demo (see :func:`enterprise_user`)
DEMO_USERS = [
    ("county", "县安委办·王明", Role.COUNTY_OFFICE, "县应急管理局"),
    ("leader", "县领导·李华", Role.LEADER, "县应急管理局"),
    ("dept", "应急局·赵强", Role.DEPARTMENT, "县应急管理局"),
    ("transport", "交通局·孙丽", Role.DEPARTMENT, "县交通运输局"),
    ("township", "大武镇·周平", Role.TOWNSHIP, "大武镇人民政府"),
    ("inspector", "执法大队·吴刚", Role.INSPECTOR, "县应急管理局"),
    ("enterprise", "企业安全员·郑洁", Role.ENTERPRISE, None),
    ("sysadmin", "系统管理员·钱进", Role.SYSADMIN, "县应急管理局"),
    ("security", "安全管理员·冯云", Role.SECURITY, "县应急管理局"),
    ("auditor", "审计管理员·陈静", Role.AUDITOR, "县应急管理局"),
]
#: the demo's authenticator key (base32) for the accounts that must log in with two factors: add
#: it to any TOTP app (or compute the code) to log in as county, sysadmin, security or auditor
DEMO_OTP_KEY = "WORKSAFEDEMOKEY2"


def _user(username: str, display: str, password: bool = True) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
    if created:
        if password:
            user.set_password(DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
    return user


def load(out) -> None:
    """Divisions and units, the staff logins and the enforcement team (10 officers, 7 qualified)."""
    counts = load_org_file(DATA_DIR / "maqin.json")
    out(f"组织机构:新增区划{counts['divisions']}个,单位{counts['departments']}个")
    for username, display, role, unit in DEMO_USERS:
        if role == Role.ENTERPRISE:
            continue
        Membership.objects.get_or_create(
            user=_user(username, display), role=role, department=Department.objects.get(name=unit),
            enterprise=None, defaults={"qualified": role == Role.INSPECTOR})
    _demo_second_factors()
    dept = Department.objects.get(name="县应急管理局")
    for i in range(1, 10):  # the enforcement team has no logins
        user, created = User.objects.get_or_create(username=f"zf{i:02d}", defaults={"display_name": f"执法队员{i:02d}"})
        if created:
            user.set_unusable_password()
            user.save()
            Membership.objects.create(user=user, role=Role.INSPECTOR, department=dept, qualified=i <= 6)


def _demo_second_factors() -> None:
    import base64

    from django.conf import settings
    from django_otp.plugins.otp_totp.models import TOTPDevice

    key = base64.b32decode(DEMO_OTP_KEY).hex()
    for username, _display, role, _unit in DEMO_USERS:
        if role in settings.WORKSAFE_OTP_REQUIRED_ROLES:
            user = User.objects.get(username=username)
            TOTPDevice.objects.get_or_create(user=user, confirmed=True, defaults={"name": "演示认证器", "key": key})


def enterprise_user(enterprise) -> User:
    """The demo's enterprise login, a safety officer of ``enterprise``."""
    username, display, role, _ = next(u for u in DEMO_USERS if u[2] == Role.ENTERPRISE)
    user = _user(username, display)
    Membership.objects.get_or_create(user=user, role=role, department=None, enterprise=enterprise)
    return user


def staff_user(dept: Department) -> User:
    """A user who acts for ``dept``: its demo login, or a staff account made for it."""
    m = Membership.objects.filter(department=dept, role=Role.DEPARTMENT, active=True).first()
    if m:
        return m.user
    user = _user(f"staff{dept.pk}", f"{dept.short_name or dept.name}工作人员", password=False)
    Membership.objects.get_or_create(user=user, role=Role.DEPARTMENT, department=dept)
    return user


def print_logins(out) -> None:
    out(f"\n演示账号(密码均为 {DEMO_PASSWORD}):")
    for username, display, role, _unit in DEMO_USERS:
        out(f"  {username:<11} {Role.LABELS[role]:<12} {display}")
    out(f"县安委办和三员账号须双因素认证:认证器密钥 {DEMO_OTP_KEY}(TOTP,30秒,6位;仅供演示)")
    out("打开 http://127.0.0.1:8000/ 登录。")
