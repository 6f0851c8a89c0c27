"""Enforcement documents (执法文书) as .docx, filled from the record and numbered per department and
year: ``〔2026〕<department short name><kind code>〔001〕号``. A4, 仿宋 body and 宋体 headings (set for
East Asian text through ``w:eastAsia``)."""

from __future__ import annotations

import io

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from worksafe.core.official_docx import set_font as _font
from worksafe.core.services import save_as

from .models import DocumentCounter, EnforcementAction, Inspection, InspectionDocument


def next_number(department, year: int, kind: str) -> tuple[int, str]:
    """The next sequence number of ``kind`` for ``department`` in ``year`` (locked counter row; the
    document table's unique constraint backs it)."""
    counter, _ = DocumentCounter.objects.select_for_update().get_or_create(department=department, year=year,
                                                                          kind=kind)
    counter.last += 1
    counter.save(update_fields=["last"])
    short = (department.short_name or department.name).removeprefix("县")[:4]
    return counter.last, f"〔{year}〕{short}{InspectionDocument.CODES[kind]}〔{counter.last:03d}〕号"


def _lines(insp: Inspection, kind: str, action: EnforcementAction | None) -> tuple[str, list[tuple[str, str]], list[str]]:
    ent = insp.enterprise
    team = "、".join(str(u) for u in insp.team.all())
    head = [("被检查单位", ent.name), ("地址", getattr(ent, "address", "") or ent.township.name),
            ("统一社会信用代码", ent.credit_code), ("检查部门", str(insp.department)),
            ("检查方式", insp.get_kind_display()), ("执法人员", team)]
    body: list[str] = []
    if kind == "record":
        when = insp.on_site_at or insp.recorded_at
        head.append(("检查时间", f"{timezone.localtime(when):%Y年%m月%d日 %H:%M}" if when else ""))
        for f in insp.findings.all():
            body.append(f"{f.order}. {f.text}——{f.get_result_display()}{('。' + f.note) if f.note else ''}")
        body.append(f"检查结果:{insp.summary}")
        return "现场检查记录", head, body
    assert action is not None
    if kind == "order":
        body += [f"经查,你单位存在下列问题:{action.description}",
                 f"依据{action.basis}的规定,现责令你单位于{action.deadline:%Y年%m月%d日}前整改完毕,"
                 "达到有关法律法规和国家标准或者行业标准规定的安全生产条件。",
                 "整改期间,你单位应当采取措施,确保安全生产。对安全生产违法行为,将依法予以处理。"]
        return "责令限期整改指令书", head, body
    if kind == "review":
        body += [f"本部门于{action.issued_at:%Y年%m月%d日}责令你单位限期整改:{action.description}",
                 f"经复查:{action.reinspection_note}", "复查意见:整改到位。"]
        return "整改复查意见书", head, body
    amount = f",罚款人民币{action.amount}元" if action.amount else ""
    body += [f"违法事实:{action.description}", f"法律依据:{action.basis}",
             f"法制审核意见:{action.review_note}",
             f"本部门决定对你单位作出{action.get_kind_display()}{amount}的行政处罚。",
             "如不服本决定,可以依法申请行政复议或者提起行政诉讼。",
             f"决定日期:{action.decided_on:%Y年%m月%d日}" if action.decided_on else ""]
    return "行政处罚决定书", head, body


def render(insp: Inspection, kind: str, number: str, action: EnforcementAction | None = None) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    title, head, body = _lines(insp, kind, action)
    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    _font(doc.styles["Normal"], "仿宋", 14)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(str(insp.department)), "宋体", 16, True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run(title), "宋体", 22, True)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _font(p.add_run(number), "仿宋", 14)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in head:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value or ""
    for line in body:
        if line:
            doc.add_paragraph(line)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run(f"{insp.department}\n{timezone.localdate():%Y年%m月%d日}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


@transaction.atomic
def issue(insp: Inspection, kind: str, user, *, action: EnforcementAction | None = None) -> InspectionDocument:
    year = timezone.localdate().year
    seq, number = next_number(insp.department, year, kind)
    data = render(insp, kind, number, action)
    doc = InspectionDocument(inspection=insp, action=action, kind=kind, department=insp.department, year=year,
                             seq=seq, number=number, created_by=user, title=f"{dict(InspectionDocument.Kind.choices)[kind]}"
                             f" {insp.enterprise.name}")
    doc.file.save(f"{kind}-{year}-{seq:03d}.docx", ContentFile(data), save=False)
    return save_as(doc, user)
