"""A .docx in the official document layout of GB/T 9704-2012 (the figures and their clauses are in
:mod:`worksafe.standards.gbt9704`): A4, margins 37/35/28/26 mm, the title in 2号小标宋 centred,
body in 3号仿宋 with a two-character first-line indent and a fixed line pitch that gives 22 lines,
heading levels 一、(黑体) （一）(楷体) 1.(仿宋), page numbers "— n —" in 4号宋体 at the foot, odd
pages right and even pages left, one character in; the signature and date without a seal
(7.3.5.2). Any app's report or notice uses :class:`OfficialDocument`.

Chinese font names are set for East Asian text (``w:eastAsia``); a machine without the fonts
substitutes its own, which LibreOffice and Word both do silently.
"""

from __future__ import annotations

import datetime
import io

from worksafe.standards import gbt9704 as G


def set_font(target, name: str, size_pt: float | None = None, bold: bool | None = None):
    """Set a run's or a style's font, for East Asian text too (``w:eastAsia``: python-docx's
    ``font.name`` alone leaves Chinese text in the theme font)."""
    from docx.oxml.ns import qn
    from docx.shared import Pt

    font = target.font
    font.name = name
    if size_pt:
        font.size = Pt(size_pt)
    if bold is not None:
        font.bold = bold
    rpr = target.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia"):
        rfonts.set(qn(attr), name)


def _set_font(target, role: str, bold: bool | None = None):
    set_font(target, *G.FONTS[role], bold=bold)


def _page_field(paragraph):
    """— PAGE — with a live page-number field."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run(text=None):
        r = paragraph.add_run(text or "")
        _set_font(r, "page_number")
        return r

    run("— ")
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        r = run()
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = text
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        r._r.append(el)
    run(" —")


def _width(text: str) -> float:
    """Width in characters: a half-width (ASCII) character is half a 字."""
    return sum(0.5 if ord(c) < 128 else 1 for c in text)


class OfficialDocument:
    def __init__(self, title: str, addressee: str = ""):
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
        from docx.shared import Mm, Pt

        self.doc = doc = Document()
        sec = doc.sections[0]
        sec.page_width, sec.page_height = Mm(G.PAGE_MM[0]), Mm(G.PAGE_MM[1])
        m = G.MARGINS_MM
        sec.top_margin, sec.bottom_margin = Mm(m["top"]), Mm(m["bottom"])
        sec.left_margin, sec.right_margin = Mm(m["left"]), Mm(m["right"])
        sec.footer_distance = Mm(G.FOOTER_DISTANCE_MM)
        normal = doc.styles["Normal"]
        _set_font(normal, "body")
        pf = normal.paragraph_format
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = Pt(G.LINE_PITCH_PT)
        pf.space_before = pf.space_after = Pt(0)
        # 7.5: odd pages right, even pages left, one character in from the edge of the type area
        doc.settings.odd_and_even_pages_header_footer = True
        body_pt = G.FONTS["body"][1]
        for footer, align in ((sec.footer, WD_ALIGN_PARAGRAPH.RIGHT), (sec.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            p = footer.paragraphs[0]
            p.alignment = align
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                p.paragraph_format.right_indent = Pt(body_pt)
            else:
                p.paragraph_format.left_indent = Pt(body_pt)
            _page_field(p)
        t = doc.add_paragraph()
        t.alignment = WD_ALIGN_PARAGRAPH.CENTER
        t.paragraph_format.first_line_indent = Pt(0)
        _set_font(t.add_run(title), "title")
        doc.add_paragraph()  # 7.3.2: the addressee one line below the title
        if addressee:
            a = doc.add_paragraph()
            a.paragraph_format.first_line_indent = Pt(0)
            _set_font(a.add_run(f"{addressee}："), "body")
        self._numbers = [0, 0, 0, 0]

    def heading(self, level: int, text: str):
        """A numbered heading: 一、 / （一） / 1. / （1） (7.3.3); numbering restarts below a higher level."""
        from docx.shared import Pt

        self._numbers[level - 1] += 1
        for i in range(level, 4):
            self._numbers[i] = 0
        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(G.FONTS["body"][1] * G.FIRST_LINE_INDENT_CHARS)
        role = {1: "h1", 2: "h2"}.get(level, "h3")
        _set_font(p.add_run(G.heading_number(level, self._numbers[level - 1]) + text), role)
        return p

    def para(self, text: str):
        from docx.shared import Pt

        p = self.doc.add_paragraph()
        p.paragraph_format.first_line_indent = Pt(G.FONTS["body"][1] * G.FIRST_LINE_INDENT_CHARS)
        _set_font(p.add_run(text), "body")
        return p

    def table(self, headers: list[str], rows: list[list]):
        """A plain grid table in 4号仿宋 (tables are 特定情况 of 5.2.2; a size smaller than the body's
        keeps them inside the 156 mm type area)."""
        from docx.shared import Pt

        tbl = self.doc.add_table(rows=1, cols=len(headers))
        tbl.style = "Table Grid"
        for cell, h in zip(tbl.rows[0].cells, headers, strict=True):
            cell.text = ""
            r = cell.paragraphs[0].add_run(str(h))
            _set_font(r, "h1")
            r.font.size = Pt(G.SIZE_PT["4号"])
        for row in rows:
            cells = tbl.add_row().cells
            for cell, v in zip(cells, row, strict=True):
                r = cell.paragraphs[0].add_run("" if v is None else str(v))
                _set_font(r, "body")
                r.font.size = Pt(G.SIZE_PT["4号"])
        for row in tbl.rows:
            for cell in row.cells:
                cell.paragraphs[0].paragraph_format.first_line_indent = Pt(0)
        return tbl

    def signature(self, issuer: str, on: datetime.date):
        """7.3.5.2 (no seal): one blank line, the issuer right-aligned two characters in, the date
        below it, its first character two characters right of the issuer's."""
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.shared import Pt

        body_pt = G.FONTS["body"][1]
        self.doc.add_paragraph()
        date_text = G.document_date(on)
        li, ld = _width(issuer), _width(date_text)
        issuer_right, date_right = 2.0, li - ld  # the date starts two characters right of the issuer
        if date_right < 2:  # a date longer than the issuer: the date two in, the issuer moved left
            date_right, issuer_right = 2.0, ld - li + 4
        for text, right in ((issuer, issuer_right), (date_text, date_right)):
            p = self.doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            p.paragraph_format.first_line_indent = Pt(0)
            p.paragraph_format.right_indent = Pt(body_pt * right)
            _set_font(p.add_run(text), "body")

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
