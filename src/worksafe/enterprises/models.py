"""The enterprise register (一企一档): identity, people, licences, insurance,
standardisation, safety team, facilities, and the changes an enterprise asks for.

The whole file of an enterprise is its page: facilities, risk points and major
hazard sources (risks), hazards and inspections (later apps), history, attachments.
"""

import datetime

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.org.models import Division, Sector
from worksafe.org.scoping import enterprise_scope_q
from worksafe.standards.levels import Level

LEVEL_CHOICES = Level.choices()


class EnterpriseQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope))


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", "在营"
        SUSPENDED = "suspended", "停产停业"
        CLOSED = "closed", "关闭"

    class Scale(models.TextChoices):
        LARGE = "large", "大型"
        MEDIUM = "medium", "中型"
        SMALL = "small", "小型"
        MICRO = "micro", "微型"

    class StandardGrade(models.TextChoices):
        NONE = "", "未达标"
        ONE = "1", "一级"
        TWO = "2", "二级"
        THREE = "3", "三级"
        SMALL = "small", "小微企业达标"

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    credit_code_override = models.CharField(
        "校验码异常说明", max_length=200, blank=True,
        help_text="代码校验位不符但经核实为登记在册的代码时,由授权人员填写原因")
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="enterprises",
                                 verbose_name="所在乡镇")
    sectors = models.ManyToManyField(Sector, related_name="enterprises", verbose_name="行业领域")
    address = models.CharField("地址", max_length=200, blank=True)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=50, blank=True)
    principal = models.CharField("主要负责人", max_length=50, blank=True)
    principal_phone = models.CharField("主要负责人电话", max_length=20, blank=True)
    employees = models.PositiveIntegerField("从业人员数", null=True, blank=True)
    scale = models.CharField("规模", max_length=10, choices=Scale.choices, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPERATING)
    standard_grade = models.CharField("安全生产标准化等级", max_length=10, choices=StandardGrade.choices,
                                      blank=True)
    has_safety_team = models.BooleanField("已建立安全生产技术和管理团队", default=False)
    insured = models.BooleanField("已投保安全生产责任保险", default=False)
    insurer = models.CharField("承保机构", max_length=100, blank=True)
    insurance_expiry = models.DateField("安责险到期日", null=True, blank=True)
    protection_distance_m = models.PositiveIntegerField(
        "外部安全防护距离(米)", null=True, blank=True, help_text="危险化学品企业按评价报告填写")
    # the enterprise's colour, kept up to date by risks.services.refresh_enterprise_level
    risk_level = models.PositiveSmallIntegerField("风险等级", choices=LEVEL_CHOICES, null=True, blank=True,
                                                  db_index=True)
    risk_reason = models.CharField("定级依据", max_length=300, blank=True)
    history = HistoricalRecords(m2m_fields=[sectors])
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"
        indexes = [
            # the risk map's view: latitude and longitude between the box's; with the level, the
            # clusters are counted from the index alone (docs/map.md)
            models.Index(fields=["latitude", "longitude", "risk_level"], name="enterprise_lat_lon"),
            # and 一张表's default order (risk_level DESC NULLS LAST, name, id) has its index in
            # migration 0007, written per database: SQLite refuses NULLS LAST in CREATE INDEX
            # the desk's risk charts (risks.views_map.risk_chart_data): level x township counted from
            # the index alone; level by id for the join with the sector links
            models.Index(fields=["township", "risk_level"], name="enterprise_town_level"),
            models.Index(fields=["id", "risk_level"], name="enterprise_id_level"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:enterprise_detail", args=[self.pk])

    @property
    def level(self) -> Level | None:
        return Level(self.risk_level) if self.risk_level else None

    @property
    def high_risk(self) -> bool:
        return any(s.high_risk for s in self.sectors.all())

    @property
    def insurance_missing(self) -> bool:
        """High-risk sectors must carry 安责险 (plan 四(二))."""
        today = timezone.localdate()
        return self.high_risk and not (self.insured and (self.insurance_expiry is None or
                                                         self.insurance_expiry >= today))


class EnterpriseChildQuerySet(ScopedQuerySet):
    """Rows that belong to one enterprise follow its scope."""

    def scoped(self, scope):
        return self.filter(enterprise_scope_q(scope, "enterprise__"))


class SafetyManager(models.Model):
    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="safety_managers",
                                   verbose_name="企业")
    name = models.CharField("姓名", max_length=50)
    phone = models.CharField("电话", max_length=20)
    certificate = models.CharField("安全管理人员证书", max_length=50, blank=True)
    full_time = models.BooleanField("专职", default=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        verbose_name = "安全管理人员"
        verbose_name_plural = "安全管理人员"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.enterprise.get_absolute_url() + "#people"


class Licence(models.Model):
    """A licence or permit with its expiry (flagged 60 days ahead)."""

    WARN_DAYS = 60

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="licences",
                                   verbose_name="企业")
    kind = models.CharField("证照类型", max_length=100, help_text="如 安全生产许可证、危险化学品经营许可证")
    number = models.CharField("证号", max_length=100)
    issued_by = models.CharField("发证机关", max_length=100, blank=True)
    valid_from = models.DateField("有效期起", null=True, blank=True)
    valid_to = models.DateField("有效期至")
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["valid_to"]
        verbose_name = "证照"
        verbose_name_plural = "证照"

    def __str__(self):
        return f"{self.kind} {self.number}"

    def get_absolute_url(self):
        return self.enterprise.get_absolute_url() + "#licences"

    def state(self, today: datetime.date | None = None) -> str:
        today = today or timezone.localdate()
        if self.valid_to < today:
            return "expired"
        if self.valid_to <= today + datetime.timedelta(days=self.WARN_DAYS):
            return "expiring"
        return "valid"

    @property
    def state_label(self) -> str:
        return {"expired": "已过期", "expiring": "即将到期", "valid": "有效"}[self.state()]


class Facility(models.Model):
    """A facility of the register: tank, tailings pond, reservoir/dam, special equipment,
    substation, scenic spot… The kind-specific fields are used where the kind has them."""

    class Kind(models.TextChoices):
        TANK = "tank", "储罐"
        TAILINGS_POND = "tailings_pond", "尾矿库"
        RESERVOIR = "reservoir", "水库大坝"
        SPECIAL_EQUIPMENT = "special_equipment", "特种设备"
        SUBSTATION = "substation", "变电站/电力设施"
        SCENIC_SPOT = "scenic_spot", "旅游景区"
        WAREHOUSE = "warehouse", "仓库"
        OTHER = "other", "其他"

    class Equipment(models.TextChoices):
        NONE = "", "—"
        BOILER = "boiler", "锅炉"
        PRESSURE_VESSEL = "pressure_vessel", "压力容器"
        PRESSURE_PIPE = "pressure_pipe", "压力管道"
        GAS_CYLINDER = "gas_cylinder", "气瓶"
        LIFT = "lift", "电梯"
        CRANE = "crane", "起重机械"
        VEHICLE = "vehicle", "场(厂)内专用机动车辆"
        RIDE = "ride", "大型游乐设施/客运索道"

    class PondGrade(models.TextChoices):
        NONE = "", "—"
        G1 = "1", "一等"
        G2 = "2", "二等"
        G3 = "3", "三等"
        G4 = "4", "四等"
        G5 = "5", "五等"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="facilities",
                                   verbose_name="企业")
    kind = models.CharField("类型", max_length=30, choices=Kind.choices)
    name = models.CharField("名称", max_length=100)
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6, null=True, blank=True)
    capacity = models.CharField("规模/容量", max_length=100, blank=True)
    chemical = models.CharField("储存物质", max_length=100, blank=True)
    pond_grade = models.CharField("尾矿库等别", max_length=2, choices=PondGrade.choices, blank=True)
    equipment_kind = models.CharField("设备类别", max_length=30, choices=Equipment.choices, blank=True)
    registration_no = models.CharField("使用登记证号", max_length=50, blank=True)
    next_inspection = models.DateField("下次检验日期", null=True, blank=True)
    admin_responsible = models.CharField("行政责任人", max_length=50, blank=True)
    authority_responsible = models.CharField("主管部门责任人", max_length=50, blank=True)
    operator_responsible = models.CharField("管理单位责任人", max_length=50, blank=True)
    flood_limit_level_m = models.DecimalField("汛限水位(米)", max_digits=8, decimal_places=2, null=True, blank=True)
    in_service = models.BooleanField("在用", default=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["enterprise", "kind", "name"]
        verbose_name = "设施"
        verbose_name_plural = "设施"

    def __str__(self):
        return f"{self.name}({self.get_kind_display()})"

    def get_absolute_url(self):
        return self.enterprise.get_absolute_url() + f"#facility-{self.pk}"

    def inspection_state(self, today=None) -> str:
        if not self.next_inspection:
            return ""
        today = today or timezone.localdate()
        if self.next_inspection < today:
            return "overdue"
        if self.next_inspection <= today + datetime.timedelta(days=30):
            return "due"
        return "ok"


class Document(models.Model):
    """A file of the enterprise's record (licence scans, evaluation reports, plans…)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="documents",
                                   verbose_name="企业")
    title = models.CharField("名称", max_length=200)
    file = models.FileField("文件", upload_to="enterprises/%Y/%m/")
    size = models.PositiveIntegerField("大小")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name="上传人")
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)
    history = HistoricalRecords()
    objects = EnterpriseChildQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        verbose_name = "档案附件"
        verbose_name_plural = "档案附件"

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("enterprises:document_download", args=[self.pk])


class GatheringPlaceQuerySet(ScopedQuerySet):
    public_to_members = True  # schools, hospitals, markets: public places every officer may see

    def scoped(self, scope):
        return self.none()


class GatheringPlace(models.Model):
    """A place where many people gather (school, hospital, market…), for the external
    safety distance check of hazardous-chemical enterprises."""

    class Kind(models.TextChoices):
        SCHOOL = "school", "学校"
        HOSPITAL = "hospital", "医院"
        MARKET = "market", "集贸市场/商场"
        RESIDENTIAL = "residential", "居民区"
        TEMPLE = "temple", "宗教活动场所"
        OTHER = "other", "其他人员密集场所"

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=Kind.choices)
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="gathering_places",
                                 verbose_name="所在乡镇")
    latitude = models.DecimalField("纬度", max_digits=9, decimal_places=6)
    longitude = models.DecimalField("经度", max_digits=9, decimal_places=6)
    people = models.PositiveIntegerField("人数", null=True, blank=True)
    history = HistoricalRecords()
    objects = GatheringPlaceQuerySet.as_manager()

    class Meta:
        ordering = ["township", "name"]
        indexes = [models.Index(fields=["latitude", "longitude"], name="gatheringplace_lat_lon")]
        verbose_name = "人员密集场所"
        verbose_name_plural = "人员密集场所"

    def __str__(self):
        return self.name


#: fields an enterprise may ask to change in its own record (reviewed before they apply)
SELF_EDITABLE = ["address", "latitude", "longitude", "legal_representative", "principal", "principal_phone",
                 "employees", "scale", "standard_grade", "has_safety_team", "insured", "insurer",
                 "insurance_expiry", "protection_distance_m"]


class ChangeRequestQuerySet(EnterpriseChildQuerySet):
    pass


class ChangeRequest(models.Model):
    """An enterprise user's change to its own file, reviewed by a supervising department
    or the township before it is applied."""

    class State(models.TextChoices):
        PENDING = "pending", "待审核"
        APPROVED = "approved", "已通过"
        REJECTED = "rejected", "已退回"
        WITHDRAWN = "withdrawn", "已撤回"

    enterprise = models.ForeignKey(Enterprise, on_delete=models.PROTECT, related_name="change_requests",
                                   verbose_name="企业")
    changes = models.JSONField("变更内容", help_text="字段 → [原值, 新值]")
    note = models.CharField("说明", max_length=300, blank=True)
    state = models.CharField("状态", max_length=20, choices=State.choices, default=State.PENDING)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     verbose_name="提交人")
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+", verbose_name="审核人")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True)
    review_note = models.CharField("审核意见", max_length=300, blank=True)
    version = models.PositiveIntegerField("版本", default=0)
    history = HistoricalRecords(excluded_fields=["version"])
    objects = ChangeRequestQuerySet.as_manager()

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = "信息变更申请"
        verbose_name_plural = "信息变更申请"

    def __str__(self):
        return f"{self.enterprise} 变更申请 {self.submitted_at:%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("enterprises:change_detail", args=[self.pk])
