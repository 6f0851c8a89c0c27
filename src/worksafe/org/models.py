"""Organisation: administrative divisions, departments (units), people, roles.

Divisions follow GB/T 2260 (6-digit county and above) and the statistical
division codes (9-digit townships); see shared/reference §4. Departments are
data, editable in the UI: the units a plan names, with short names and aliases
so that a plan's wording ("县应急管理局", "应急管理局", "县应急局") resolves.
"""

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import PublicToMembersQuerySet, ScopedQuerySet
from worksafe.core.scoping import Role, scope_of


class Division(models.Model):
    class Level(models.IntegerChoices):
        PROVINCE = 1, "省"
        PREFECTURE = 2, "州(市)"
        COUNTY = 3, "县"
        TOWNSHIP = 4, "乡镇"

    code = models.CharField("区划代码", max_length=12, unique=True)
    name = models.CharField("名称", max_length=100)
    level = models.PositiveSmallIntegerField("级别", choices=Level.choices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name="上级"
    )
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"
        verbose_name_plural = "行政区划"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:division_detail", args=[self.pk])


class Department(models.Model):
    """A unit: a county department, a unit of the province or prefecture stationed in
    the county, or a township's party committee or government."""

    class Kind(models.TextChoices):
        COUNTY = "county", "县直部门"
        STATIONED = "stationed", "省州驻县单位"
        TOWNSHIP_PARTY = "township_party", "乡镇党委"
        TOWNSHIP_GOVERNMENT = "township_government", "乡镇政府"
        OTHER = "other", "其他单位"

    name = models.CharField("名称", max_length=100, unique=True)
    short_name = models.CharField("简称", max_length=50, blank=True)
    aliases = models.TextField("别名", blank=True, help_text="每行一个;导入方案时用于匹配单位名称")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices, default=Kind.COUNTY)
    division = models.ForeignKey(
        Division, on_delete=models.PROTECT, related_name="departments", verbose_name="所在区划",
        help_text="县直部门填县;乡镇党委、政府填所在乡镇",
    )
    order = models.PositiveIntegerField("排序", default=100)
    active = models.BooleanField("在用", default=True)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = "单位"
        verbose_name_plural = "单位"

    def notice_recipients(self, roles=None):
        """Who a notice to this unit reaches (core.services.notify): its active members — only
        those holding one of ``roles`` here when given (``core.services.members``)."""
        qs = User.objects.filter(memberships__department=self, memberships__active=True, is_active=True)
        if roles:
            qs = qs.filter(memberships__role__in=list(roles))
        return qs.distinct()

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("org:department_detail", args=[self.pk])

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]

    @property
    def is_township_unit(self) -> bool:
        return self.kind in (self.Kind.TOWNSHIP_PARTY, self.Kind.TOWNSHIP_GOVERNMENT)

    def clean(self):
        if self.is_township_unit and self.division_id and self.division.level != Division.Level.TOWNSHIP:
            raise ValidationError({"division": "乡镇党委、政府的所在区划必须是乡镇。"})


class Sector(models.Model):
    """A sector (行业领域). Governed by a plan area; supervised by that area's lead unit
    (co-supervised by its responsible units) unless the county office edits it."""

    name = models.CharField("行业领域", max_length=50, unique=True)
    area = models.ForeignKey("plans.Area", null=True, blank=True, on_delete=models.SET_NULL, related_name="sectors",
                             verbose_name="对应专项")
    supervisors = models.ManyToManyField(Department, through="SectorSupervisor", related_name="sectors",
                                         verbose_name="监管单位")
    high_risk = models.BooleanField("高危行业", default=False, help_text="高危行业须投保安全生产责任保险")
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "name"]
        verbose_name = "行业领域"
        verbose_name_plural = "行业领域"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("plans:sector_detail", args=[self.pk])


class SectorSupervisor(models.Model):
    class Role(models.TextChoices):
        LEAD = "lead", "行业主管"
        CO = "co", "协同监管"

    sector = models.ForeignKey(Sector, on_delete=models.CASCADE, related_name="sector_supervisors")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="supervised_sectors")
    role = models.CharField("职责", max_length=10, choices=Role.choices)
    history = HistoricalRecords()
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["sector", "department"], name="sector_supervisor_once")]
        verbose_name = "行业监管单位"
        verbose_name_plural = "行业监管单位"

    def __str__(self):
        return f"{self.sector} · {self.department}"


class UnitGroup(models.Model):
    """A collective name a plan uses for many units at once, e.g. 各乡镇党委、政府."""

    name = models.CharField("名称", max_length=100, unique=True)
    aliases = models.TextField("别名", blank=True, help_text="每行一个")
    departments = models.ManyToManyField(Department, related_name="groups", verbose_name="包含单位")
    history = HistoricalRecords(m2m_fields=[departments])
    objects = PublicToMembersQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "单位组"
        verbose_name_plural = "单位组"

    def __str__(self):
        return self.name

    @property
    def alias_list(self) -> list[str]:
        return [a.strip() for a in self.aliases.splitlines() if a.strip()]


class OwnRowsMixin:
    """A user always sees their own account and memberships."""

    own_field = "pk"

    def visible_to(self, user):
        qs = super().visible_to(user)
        if not getattr(user, "is_authenticated", False) or scope_of(user).everything:
            return qs
        return self.filter(models.Q(pk__in=qs.values("pk")) | models.Q(**{self.own_field: user.pk}))


class UserQuerySet(OwnRowsMixin, ScopedQuerySet):
    def scoped(self, scope):
        if scope.has_role(Role.SYSADMIN, Role.SECURITY):
            return self.all()  # they manage the accounts (and see no business data)
        # Colleagues (users sharing one of the viewer's units or enterprises), and for
        # officers the accounts of the enterprises they supervise.
        q = models.Q(memberships__department_id__in=scope.unit_ids) | models.Q(
            memberships__enterprise_id__in=scope.enterprise_ids)
        if scope.is_staff_scope:
            from .scoping import enterprise_scope_q

            Enterprise = Membership.enterprise.field.related_model  # noqa: N806 (no import of a higher layer)
            supervised = Enterprise.objects.filter(enterprise_scope_q(scope)).values("pk")
            q |= models.Q(memberships__enterprise_id__in=supervised)
        return self.filter(pk__in=User.objects.filter(q).values("pk"))


class UserManager(DjangoUserManager.from_queryset(UserQuerySet)):
    pass


class User(AbstractUser):
    display_name = models.CharField("姓名", max_length=50, blank=True)
    phone = models.CharField("手机号", max_length=20, blank=True)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)
    must_change_password = models.BooleanField("须修改密码", default=False,
                                               help_text="管理员设置的初始密码,用户首次登录须修改")
    history = HistoricalRecords(excluded_fields=["password", "last_login", "password_changed_at"])
    objects = UserManager()

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"

    def __str__(self):
        return self.display_name or self.username

    def get_absolute_url(self):
        return reverse("org:user_detail", args=[self.pk])

    def set_password(self, raw_password):
        """Every new password restarts its age; one the user set themselves needs no change."""
        super().set_password(raw_password)
        from django.utils import timezone

        self.password_changed_at = timezone.now()
        self.must_change_password = False


class MembershipQuerySet(OwnRowsMixin, ScopedQuerySet):
    own_field = "user_id"

    def scoped(self, scope):
        if scope.has_role(Role.SYSADMIN, Role.SECURITY):
            return self.all()
        return self.filter(
            models.Q(department_id__in=scope.unit_ids) | models.Q(enterprise_id__in=scope.enterprise_ids)
        )


class Membership(models.Model):
    """One role a user holds for one unit (or enterprise). A user may hold several."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships", verbose_name="用户")
    role = models.CharField("角色", max_length=20, choices=Role.CHOICES)
    department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="memberships", verbose_name="单位"
    )
    enterprise = models.ForeignKey(
        "enterprises.Enterprise", null=True, blank=True, on_delete=models.PROTECT,
        related_name="memberships", verbose_name="企业",
    )
    title = models.CharField("职务", max_length=50, blank=True)
    qualified = models.BooleanField(
        "具有安全生产相关专业学历和实践经验", default=False,
        help_text="执法人员适用:计入“专业执法人员不低于70%”目标",
    )
    active = models.BooleanField("有效", default=True)
    history = HistoricalRecords()
    objects = MembershipQuerySet.as_manager()

    class Meta:
        ordering = ["user", "role"]
        verbose_name = "角色任职"
        verbose_name_plural = "角色任职"

    def __str__(self):
        where = self.enterprise or self.department or ""
        return f"{self.user} · {Role.LABELS.get(self.role, self.role)} · {where}"

    def clean(self):
        if self.role == Role.ENTERPRISE:
            if not self.enterprise_id:
                raise ValidationError({"enterprise": "企业用户必须指定企业。"})
        elif self.role == Role.TOWNSHIP:
            if not self.department_id or not self.department.is_township_unit:
                raise ValidationError({"department": "乡镇工作人员必须属于乡镇党委或政府。"})
        elif self.role in (Role.DEPARTMENT, Role.INSPECTOR, Role.COUNTY_OFFICE) and not self.department_id:
            raise ValidationError({"department": "请指定所在单位。"})
        others = Membership.objects.filter(user_id=self.user_id, active=True).exclude(pk=self.pk)
        if self.role == Role.AUDITOR and others.exists():
            raise ValidationError("审计管理员不能兼任其他角色(三员分立)。")
        if self.role != Role.AUDITOR and others.filter(role=Role.AUDITOR).exists():
            raise ValidationError("该用户是审计管理员,不能兼任其他角色(三员分立)。")
        if self.role in Role.ADMINISTRATORS and others.filter(role__in=Role.ADMINISTRATORS).exclude(
                role=self.role).exists():
            raise ValidationError("系统管理员、安全管理员、审计管理员须由不同的人担任(三员分立)。")
