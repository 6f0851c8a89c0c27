"""The county report's services: generate (figures as of a day, checksum, .docx, .xlsx), check a
stored report by regenerating its figures, and the report's lifecycle (REPORT: draft → published).

Who: only the county office (工作专班) generates, checks and publishes; leaders read. A published
report is never regenerated in place: its figures, checksum and files stay as they were sent;
a check only records whether a regeneration today gives the same figures (ReportCheck).
"""

from __future__ import annotations

import datetime

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from worksafe.core.lifecycle import Act, Lifecycle, Transition
from worksafe.core.scoping import scope_of
from worksafe.core.services import NotAllowed, ServiceError, save_as
from worksafe.standards.summaries import summary_schedule

from . import document, figures
from .models import Report, ReportCheck

S = Report.State


def may_generate(user) -> bool:
    s = scope_of(user)
    return s.is_county_office and not s.read_only


def _require_county_office(user) -> None:
    if scope_of(user).read_only:
        raise NotAllowed("您的角色只能查看,不能修改。")
    if not may_generate(user):
        raise NotAllowed("只有县安委办(工作专班)可以生成和定稿县级报告。")


def default_as_of(plan, kind: str, year: int) -> datetime.date:
    """The plan's own date: the yearly summaries' day of ``year`` (12月5日 in 玛沁县's plan), or the
    final evaluation's date; else 31 December / the plan's end."""
    sched = summary_schedule(plan.source_text)
    if kind == Report.Kind.FINAL:
        return sched.final_on or plan.end
    return sched.due_in(year) or datetime.date(year, 12, 31)


def _files(report: Report, figs: dict) -> None:
    stem = f"{report.year}-{report.kind}-{report.as_of:%Y%m%d}"
    report.docx.save(f"{stem}.docx", ContentFile(document.build_docx(report, figs)), save=False)
    report.xlsx.save(f"{stem}.xlsx", ContentFile(document.build_xlsx(report, figs)), save=False)


@transaction.atomic
def generate(user, *, plan, kind: str = Report.Kind.YEARLY, year: int | None = None,
             as_of: datetime.date | None = None, remarks: str = "") -> Report:
    _require_county_office(user)
    if kind not in Report.Kind.values:
        raise ServiceError("报告类别不正确。", field="kind")
    today = timezone.localdate()
    year = year or (as_of.year if as_of else today.year)
    if not 2000 <= year <= 2100:
        raise ServiceError("年度不正确。", field="year")
    as_of = as_of or default_as_of(plan, kind, year)
    if as_of > today:
        raise ServiceError(f"数据截至日期{as_of:%Y年%m月%d日}尚未到来,不能生成报告。", field="as_of")
    if kind == Report.Kind.YEARLY and as_of.year != year:
        raise ServiceError("年度报告的数据截至日期应在该年度内。", field="as_of")
    if as_of < plan.start:
        raise ServiceError("数据截至日期早于方案开始日期。", field="as_of")
    figs = figures.compute(plan, kind, as_of)
    report = Report(plan=plan, kind=kind, year=year, as_of=as_of, figures=figs, checksum=figures.checksum(figs),
                    remarks=(remarks or "").strip(), generated_by=user)
    report.title = document.title_of(figs, year)
    _files(report, figs)
    return save_as(report, user, f"生成报告(数据截至{as_of:%Y-%m-%d})")


@transaction.atomic
def check(user, report: Report) -> ReportCheck:
    """Regenerate the figures of ``report`` as of its date and compare them with the stored ones."""
    _require_county_office(user)
    fresh = figures.compute(report.plan, report.kind, report.as_of)
    digest = figures.checksum(fresh)
    diffs = [] if digest == report.checksum else figures.differences(report.figures, fresh)
    return ReportCheck.objects.create(report=report, checksum=digest, same=digest == report.checksum,
                                      differences=diffs[:200], checked_by=user)


def _may_publish(act: Act) -> None:
    _require_county_office(act.user)


REPORT = Lifecycle(
    Report, noun="县级报告", denied="您无权办理该报告。",
    conflict="该报告刚刚已被他人处理,请刷新页面查看最新状态后再操作。",
    transitions=[
        Transition("publish", "定稿", [S.DRAFT], S.PUBLISHED, who=_may_publish, officer=True,
                   message="报告已定稿:数据和文件不再变化,可随时重算核对。",
                   help="定稿后报告的数据、校验值和文件不再改变;如需更正,请重新生成一份报告。"),
    ])
