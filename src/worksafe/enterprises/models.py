"""The enterprise register (一企一档). This first slice holds what scoping and the
enterprise role need: identity, township, sectors and status. The full file
(licences, facilities, people, insurance…) is built on it by the register issue.
"""

from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from simple_history.models import HistoricalRecords

from worksafe.core.models import ScopedQuerySet
from worksafe.org.models import Division
from worksafe.plans.models import Sector, SectorSupervisor


class EnterpriseQuerySet(ScopedQuerySet):
    def scoped(self, scope):
        supervised = Exists(
            SectorSupervisor.objects.filter(
                department_id__in=scope.department_ids,
                sector__enterprises=OuterRef("pk"),
            )
        )
        return self.filter(
            Q(pk__in=scope.enterprise_ids) | Q(township_id__in=scope.township_ids) | supervised
        )


class Enterprise(models.Model):
    class Status(models.TextChoices):
        OPERATING = "operating", "在营"
        SUSPENDED = "suspended", "停产停业"
        CLOSED = "closed", "关闭"

    name = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18, unique=True)
    township = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="enterprises",
                                 verbose_name="所在乡镇")
    sectors = models.ManyToManyField(Sector, related_name="enterprises", verbose_name="行业领域")
    address = models.CharField("地址", max_length=200, blank=True)
    status = models.CharField("状态", max_length=20, choices=Status.choices, default=Status.OPERATING)
    history = HistoricalRecords(m2m_fields=[sectors])
    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = "企业"
        verbose_name_plural = "企业"

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("enterprises:enterprise_detail", args=[self.pk])
