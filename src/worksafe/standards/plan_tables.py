"""Read a plan document as county offices publish it: .txt, .docx (paragraphs and task tables),
.xlsx (task tables) and text PDF, into a :class:`~worksafe.standards.plan_text.ParsedPlan`.

County plans of 2020 (after 安委〔2020〕3号) often carry the responsibility matrix as an annex,
a 重点任务分工表: one row per task with its own lead and responsible units and deadline.

Rules
-----
Task tables (:func:`parse_task_table`)
    A table is a task table when one of its first rows has a task column (重点任务, 工作任务,
    主要任务, 任务, 具体任务, 整治任务, 工作内容) and a lead or responsible column. Columns are found
    by their header names in any order; other columns are ignored:
    序号; area 专项 / 领域 / 整治领域 / 专项名称 / 类别 / 项目; 具体措施 / 工作措施 / 主要措施;
    牵头单位 / 牵头部门; 责任单位 / 配合单位 / 责任部门 / 配合部门 / 参与单位 / 协办单位;
    完成时限 / 完成时间 / 时间节点 / 时限 / 完成期限. Header text is compared without spaces,
    line breaks and brackets' width.
    Rows: an area cell merged over its rows (or left empty below) belongs to every row under it;
    a row repeating the header, or with no task text, is skipped. Each row is an
    :class:`~worksafe.standards.plan_text.Item` with its own units (split as in notes; a unit
    marked （牵头） in the responsible cell leads), its 完成时限 parsed by :func:`parse_deadline`,
    and its targets. Item text is the task, followed by "：" and the measures when there is a
    measures column. An area's units are the union over its tasks, in order of first appearance.
    Areas are numbered by their numbering when the cell has one (（一）危险化学品 → "一"), else
    一, 二, 三 … in order.
Deadlines of a table (:func:`parse_deadline`)
    2021年12月底前 / 2022年6月 / 2022年6月底 → end of that month; 2021年底(前) → 12-31;
    2021年3月15日前 → that day; 长期坚持 / 持续推进 / 常态化 / 长期 → no date, ongoing;
    several dates (2021年6月底前完成排查，2022年底前完成整治) → the latest.
Combining text and tables (:func:`read_plan`)
    Paragraphs outside task tables are parsed by :func:`~worksafe.standards.plan_text.parse_plan`.
    A table area whose name matches a text area (one contains the other, after dropping
    专项整治/安全整治/整治/专项/安全/行动) takes that area's place; other table areas are added.
    Text areas with no table area stay as the text gave them.
PDF (:func:`pdf_lines`)
    Text per page in reading order (pdfplumber), pages in order. Running headers and footers
    (the same first or last line on at least half of the pages, digits ignored) and page
    numbers (3, - 3 -, 第3页, 第 3 页 共 10 页, 3/10) are dropped. A line wrapped by the page
    width is joined to the next: a line at least 90 % of the page's longest line that does not
    end a sentence (。！？：；) is continued by the next line unless that one opens a numbered
    heading or item. A PDF without a text layer (a scan) raises :class:`NoTextLayer`.

Pure Python: python-docx, openpyxl and pdfplumber are imported lazily; no Django, no project code.
"""

from __future__ import annotations

import datetime
import pathlib
import re
from dataclasses import dataclass, field

from . import plan_text
from .plan_text import Area, Item, ParsedPlan

__all__ = [
    "SUPPORTED_SUFFIXES",
    "NoTextLayer",
    "Deadline",
    "parse_deadline",
    "parse_task_table",
    "merge_tables",
    "pdf_lines",
    "read_plan",
]

SUPPORTED_SUFFIXES = (".txt", ".docx", ".xlsx", ".pdf")

HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "编号"),
    "area": (
        "专项",
        "领域",
        "整治领域",
        "专项名称",
        "专项领域",
        "行业领域",
        "类别",
        "项目",
        "重点领域",
        "整治专项",
    ),
    "task": (
        "重点任务",
        "工作任务",
        "主要任务",
        "任务",
        "具体任务",
        "整治任务",
        "工作内容",
        "任务内容",
        "重点工作",
    ),
    "measures": ("具体措施", "工作措施", "主要措施", "措施", "工作举措", "具体工作"),
    "lead": ("牵头单位", "牵头部门", "牵头责任单位", "主责单位", "责任领导单位"),
    "responsible": (
        "责任单位",
        "配合单位",
        "责任部门",
        "配合部门",
        "参与单位",
        "协办单位",
        "协助单位",
        "成员单位",
    ),
    "deadline": ("完成时限", "完成时间", "时间节点", "时限", "完成期限", "时限要求", "完成时限要求"),
}
_HEADER_LOOKUP = {name: key for key, names in HEADER_NAMES.items() for name in names}


class NoTextLayer(ValueError):
    """A PDF whose pages carry no text (a scan)."""


# --------------------------------------------------------------------------- deadlines


@dataclass
class Deadline:
    date: datetime.date | None
    ongoing: bool = False


_ONGOING_RE = re.compile(r"长期坚持|持续推进|长期推进|常态化|长期|持续开展|持续|经常性|每年")


def parse_deadline(text: str) -> Deadline:
    """A task table's 完成时限 cell: the latest date written, or ongoing (see module docstring)."""
    s = re.sub(r"\s+", "", str(text or ""))
    dates = plan_text.parse_deadlines(s)
    if dates:
        return Deadline(max(dates))
    return Deadline(None, ongoing=bool(_ONGOING_RE.search(s)))


# --------------------------------------------------------------------------- task tables


def _norm(value) -> str:
    s = str(value or "")
    s = s.translate(str.maketrans({"（": "(", "）": ")", "\u3000": "", "\xa0": ""}))
    return re.sub(r"\s+", "", s)


def _header_columns(row: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for c, value in enumerate(row):
        text = _norm(value)
        key = _HEADER_LOOKUP.get(text) or _HEADER_LOOKUP.get(re.sub(r"\(.*?\)", "", text))
        if key and key not in columns:
            columns[key] = c
    return columns


def _find_header(rows: list[list[str]]) -> tuple[int, dict[str, int]] | None:
    for r, row in enumerate(rows[:10]):
        columns = _header_columns(row)
        if "task" in columns and ("lead" in columns or "responsible" in columns):
            return r, columns
    return None


_AREA_NUMBER_RE = re.compile(
    rf"^(?:[（(]\s*(?P<a>[{plan_text._CN}]+|\d+)\s*[）)]|(?P<b>[{plan_text._CN}]+|\d+)\s*[、.．])\s*"
)


def _split_area_name(name: str) -> tuple[str | None, str]:
    m = _AREA_NUMBER_RE.match(name)
    if not m:
        return None, name
    return m["a"] or m["b"], name[m.end() :].strip()


def _units(cell: str) -> tuple[list[str], list[str]]:
    """(marked leads, units) of a cell: 县应急管理局（牵头）、县公安局."""
    leads, units = [], []
    for unit in plan_text.split_units(cell.replace("\n", "、")):
        marked = plan_text._MARKED_LEAD_RE.search(unit)
        if marked:
            unit = unit[: marked.start()].strip()
            if unit:
                leads.append(unit)
        elif unit:
            units.append(unit)
    return leads, units


def parse_task_table(rows: list[list[str]]) -> list[Area] | None:
    """The areas of a 重点任务分工表 (rows of cell texts, merged cells already repeated), or None
    when the rows are no task table (see module docstring)."""
    rows = [[str(c if c is not None else "").strip() for c in row] for row in rows]
    found = _find_header(rows)
    if found is None:
        return None
    header_row, columns = found

    def cell(row, key):
        c = columns.get(key)
        return row[c].strip() if c is not None and c < len(row) else ""

    areas: list[Area] = []
    by_name: dict[str, Area] = {}
    current = ""
    for row in rows[header_row + 1 :]:
        if _header_columns(row).keys() >= {"task"}:
            continue  # the header repeated (a table continued over pages)
        area_name = re.sub(r"\s+", "", cell(row, "area")) if "area" in columns else ""
        if area_name:
            current = area_name
        task = cell(row, "task")
        measures = cell(row, "measures")
        if not task and not measures:
            continue
        text = f"{task}：{measures}" if task and measures and measures != task else (task or measures)
        text = re.sub(r"\s*\n\s*", "", text)
        lead_marked, leads = _units(cell(row, "lead"))
        resp_marked, responsible = _units(cell(row, "responsible"))
        leads = list(dict.fromkeys(lead_marked + leads + resp_marked))
        responsible = [u for u in dict.fromkeys(responsible) if u not in leads]
        deadline_text = cell(row, "deadline").replace("\n", "")
        deadline = parse_deadline(deadline_text)
        deadlines = [deadline.date] if deadline.date else plan_text.parse_deadlines(text)
        item = Item(
            text,
            deadlines,
            plan_text.parse_targets(text),
            lead_units=leads,
            responsible_units=responsible,
            deadline_text=deadline_text,
            ongoing=deadline.ongoing,
        )
        key = current or "重点任务"
        area = by_name.get(key)
        if area is None:
            number, title = _split_area_name(key)
            area = Area(number or plan_text._int_to_cn(len(areas) + 1), title or key)
            by_name[key] = area
            areas.append(area)
        area.items.append(item)
        area.lead_units += [u for u in leads if u not in area.lead_units]
        area.responsible_units += [u for u in responsible if u not in area.responsible_units]
    return areas or None


_TITLE_NOISE_RE = re.compile(r"专项整治|安全整治|整治|专项|安全|行动|持续|加强|深化|开展|推进|工作")


def _title_key(title: str) -> str:
    return _TITLE_NOISE_RE.sub("", re.sub(r"[\s（）()。，,、]", "", title))


def merge_tables(plan: ParsedPlan, table_areas: list[Area]) -> ParsedPlan:
    """The text's plan with the task tables' areas in place (see module docstring)."""
    for t in table_areas:
        key = _title_key(t.title)
        match = None
        for i, a in enumerate(plan.areas):
            other = _title_key(a.title)
            if key and other and (key in other or other in key):
                match = i
                break
        if match is None:
            if any(a.number == t.number for a in plan.areas):
                t.number = plan_text._int_to_cn(len(plan.areas) + 1)
            plan.areas.append(t)
        else:
            t.number = plan.areas[match].number
            plan.areas[match] = t
    return plan


# --------------------------------------------------------------------------- documents


def _docx(path: pathlib.Path) -> tuple[list[str], list[list[list[str]]]]:
    """(paragraphs outside task tables, with other tables' cells; task tables as rows)."""
    import docx
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    texts: list[str] = []
    tables: list[list[list[str]]] = []

    def table_rows(table) -> list[list[str]]:
        rows = []
        for row in table.rows:
            rows.append([c.text for c in row.cells])  # a merged cell repeats its text on each row
        return rows

    def walk(element, parent) -> None:
        for child in element.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                texts.append(Paragraph(child, parent).text)
            elif tag == "tbl":
                table = Table(child, parent)
                rows = table_rows(table)
                if parse_task_table(rows) is not None:
                    tables.append(rows)
                    continue
                seen: list = []
                for row in table.rows:
                    for c in row.cells:
                        if not any(c._tc is tc for tc in seen):
                            seen.append(c._tc)
                            walk(c._tc, c)
            elif tag in ("sdt", "sdtContent", "customXml", "ins", "smartTag"):
                walk(child, parent)

    document = docx.Document(str(path))
    walk(document.element.body, document)
    return texts, tables


def _xlsx(path: pathlib.Path) -> tuple[list[str], list[list[list[str]]]]:
    """(text lines of every sheet, the task tables found) — merged cells filled from their top cell."""
    from openpyxl import load_workbook

    wb = load_workbook(str(path), data_only=True)
    lines: list[str] = []
    tables: list[list[list[str]]] = []
    for ws in wb.worksheets:
        fill: dict[tuple[int, int], object] = {}
        for rng in ws.merged_cells.ranges:
            value = ws.cell(row=rng.min_row, column=rng.min_col).value
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    fill[(r, c)] = value
        rows = []
        for r, row in enumerate(ws.iter_rows(values_only=True), start=1):
            cells = [fill.get((r, c), v) for c, v in enumerate(row, start=1)]
            texts = ["" if v is None else str(v) for v in cells]
            rows.append(texts)
            line = "\t".join(t for t in texts if t.strip())
            if line.strip():
                lines.append(line)
        if parse_task_table(rows) is not None:
            tables.append(rows)
    return lines, tables


_PAGE_NUMBER_RE = re.compile(
    r"^(?:[-—–－\s]*\d{1,4}[-—–－\s]*|第\s*\d{1,4}\s*页(?:\s*[,，/]?\s*共\s*\d{1,4}\s*页)?|\d{1,4}\s*/\s*\d{1,4}"
    r"|[Pp]age\s*\d+(?:\s*of\s*\d+)?)$"
)
_OPENS_RE = re.compile(
    rf"^(?:[（(]\s*(?:[{plan_text._CN}]+|\d+)\s*[）)]|(?:[{plan_text._CN}]+|\d+)\s*[、.．]|[\u2460-\u2473]|第[{plan_text._CN}]+"
    r"(?:部分|项|阶段)|[一二三四五六七八九十]+是|附件|牵头单位|责任单位|责任分工|牵头部门|配合部门)"
)


def _running_key(line: str) -> str:
    return re.sub(r"\d+", "#", re.sub(r"\s+", "", line))


def pdf_lines(pages: list[list[str]]) -> list[str]:
    """Paragraph lines of a PDF from its pages' text lines (see module docstring)."""
    pages = [[ln.strip() for ln in page if ln.strip()] for page in pages]
    if len(pages) >= 2:
        for pick in (0, -1):
            counts: dict[str, int] = {}
            for page in pages:
                if page:
                    counts[_running_key(page[pick])] = counts.get(_running_key(page[pick]), 0) + 1
            running = {k for k, n in counts.items() if n >= max(2, (len(pages) + 1) // 2)}
            for page in pages:
                if page and _running_key(page[pick]) in running:
                    page.pop(pick)
    out: list[str] = []
    joining = False
    for page in pages:
        lines = [ln for ln in page if not _PAGE_NUMBER_RE.match(ln)]
        width = max((len(ln) for ln in lines), default=0)
        for line in lines:
            if joining and out and not _OPENS_RE.match(line):
                out[-1] += line
            else:
                out.append(line)
            joining = len(line) >= 0.9 * width and width >= 15 and line[-1] not in "。！!？?：:；;"
    return out


def _pdf(path: pathlib.Path) -> list[str]:
    import pdfplumber

    try:
        with pdfplumber.open(str(path)) as pdf:
            pages = [(page.extract_text() or "").split("\n") for page in pdf.pages]
    except Exception as e:  # pdfminer raises many kinds on a broken file
        raise ValueError(f"不是有效的PDF文件({type(e).__name__}),只支持可复制文字的PDF") from None
    if not any(ln.strip() for page in pages for ln in page):
        raise NoTextLayer(
            "该PDF没有文字层(可能是扫描件或图片),无法读取文字:请上传可复制文字的PDF,"
            "或Word(.docx)、文本(.txt)格式的方案"
        )
    return pdf_lines(pages)


@dataclass
class ReadPlan:
    text: str
    parsed: ParsedPlan
    tables: list[list[list[str]]] = field(default_factory=list)


def read_plan(path: str | pathlib.Path) -> ReadPlan:
    """Read and parse a plan file (.txt, .docx, .xlsx, .pdf): its text and the parsed plan.

    Raises ValueError (with a Chinese message) for another file type, a broken file or a PDF
    without text layer (:class:`NoTextLayer`)."""
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    tables: list[list[list[str]]] = []
    if suffix == ".txt":
        text = plan_text.read_document(path)
    elif suffix == ".docx":
        try:
            lines, tables = _docx(path)
        except Exception as e:
            raise ValueError(f"不是有效的Word(.docx)文件({type(e).__name__})") from None
        text = "\n".join(lines)
    elif suffix == ".xlsx":
        try:
            lines, tables = _xlsx(path)
        except Exception as e:
            raise ValueError(f"不是有效的Excel(.xlsx)文件({type(e).__name__})") from None
        text = "\n".join(lines) if not tables else ""
    elif suffix == ".pdf":
        text = "\n".join(_pdf(path))
    else:
        raise ValueError(
            f"不支持的文件类型“{path.suffix or path.name}”:只支持 .txt、.docx、.xlsx 和 .pdf 格式的方案文件"
        )
    parsed = plan_text.parse_plan(text)
    table_areas = [a for rows in tables for a in (parse_task_table(rows) or [])]
    if table_areas:
        merge_tables(parsed, table_areas)
    if suffix == ".xlsx" and tables:
        text = "\n".join(
            "\t".join(c for c in row if c.strip())
            for rows in tables
            for row in rows
            if any(c.strip() for c in row)
        )
        if not parsed.title:
            parsed.title = path.stem
    return ReadPlan(text, parsed, tables)
