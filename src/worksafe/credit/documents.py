"""The clue transfer's documents: a .docx letter (问题线索移交函: the unit, the summary, each
evidence item with its history and pressing, the accountability actions taken) and an .xlsx of the
evidence items (one row per history line), built like the enforcement documents
(inspections/documents.py: A4, 仿宋 body, 宋体 headings)."""

from __future__ import annotations

import io

from django.utils import timezone

from worksafe.core.export import table_workbook
from worksafe.core.official_docx import set_font as _font

from .models import ClueTransfer


def clue_docx(clue: ClueTransfer) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Cm(21), Cm(29.7)
    sec.top_margin, sec.bottom_margin, sec.left_margin, sec.right_margin = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
    _font(doc.styles["Normal"], "仿宋", 14)
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("问题线索移交函"), "宋体", 22, True)
    doc.add_paragraph(f"{clue.recipient}:")
    doc.add_paragraph(
        f"现将{clue.unit}在安全生产工作中的问题线索移交你单位,请依规依纪依法处理,并将处理结果函告。"
    )
    doc.add_paragraph(f"问题线索摘要:{clue.summary}")
    doc.add_paragraph("一、逾期未完成事项及办理经过")
    for n, item in enumerate(clue.items or [], 1):
        doc.add_paragraph(
            f"{n}. [{item.get('kind', '')}] {item.get('label', '')}(时限{item.get('due', '')},"
            f"状态:{item.get('status', '')})"
        )
        for line in [*item.get("history", []), *item.get("presses", [])]:
            doc.add_paragraph(f"    {line}")
    doc.add_paragraph("二、已采取的约谈、通报、警示、曝光")
    acts = list(clue.accountabilities.all())
    for a in acts:
        doc.add_paragraph(
            f"{a.on or ''} {a.get_kind_display()}:{a.reason};整改要求:{a.requirements};"
            f"落实情况:{a.follow_up or '未落实'}"
        )
    if not acts:
        doc.add_paragraph("无。")
    doc.add_paragraph("附件:问题线索证据清单(.xlsx)")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    day = clue.sent_on or timezone.localdate()
    p.add_run(f"县安全生产委员会办公室\n{day:%Y年%m月%d日}")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def clue_xlsx(clue: ClueTransfer) -> bytes:
    rows = []
    for n, item in enumerate(clue.items or [], 1):
        lines = [*item.get("history", []), *item.get("presses", [])] or [""]
        for line in lines:
            rows.append(
                [
                    n,
                    item.get("kind", ""),
                    item.get("label", ""),
                    item.get("due", ""),
                    item.get("status", ""),
                    line,
                ]
            )
    for a in clue.accountabilities.all():
        rows.append(["", a.get_kind_display(), a.reason, a.fix_by, a.get_state_display(), a.follow_up])
    return table_workbook(
        f"{clue.unit}问题线索证据清单",
        ["序号", "类别", "事项", "时限", "状态", "办理经过"],
        rows,
        widths=[6, 10, 40, 12, 12, 50],
    )
