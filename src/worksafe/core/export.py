"""Print-ready .xlsx: the one page setup every export uses (DESIGN.md §4).

A sheet is a title on row 1 (merged across the table), optional lines under it, one header
row and the data rows. Printed, it fits the page width (as many pages down as it needs),
turns landscape when wide, repeats the header row on every page and wraps long text.
Dates, datetimes and numbers are typed cells; datetimes are written as naive Asia/Shanghai
local time, since Excel has no time zones.

Lists are exported with :func:`stream_workbook`: a write-only openpyxl workbook (rows are
written one by one and never held as cells) saved into a ``SpooledTemporaryFile`` (in memory up
to :data:`SPOOL_BYTES`, then on disk) and answered by :func:`xlsx_response` (a streaming
``FileResponse`` once the file left memory). Write-only sheets take their column widths, frozen
panes, print titles and page setup only before the first row, so the page setup is done first
and the widths come from the first :data:`WIDTH_SAMPLE` rows, read ahead. A list's export
(``core.views.ScopedListView``) is refused above the Django setting ``WORKSAFE_EXPORT_MAX_ROWS``
(default :data:`DEFAULT_MAX_ROWS`) with :func:`too_many_rows`'s message.
"""

from __future__ import annotations

import copy
import datetime
import decimal
import itertools
import math
import re
import tempfile
from urllib.parse import quote

from django.conf import settings
from django.http import FileResponse, HttpResponse
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: more columns than this print landscape
PORTRAIT_MAX_COLUMNS = 6
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
#: a file larger than this leaves memory for a temporary file (and is streamed)
SPOOL_BYTES = 8 * 1024 * 1024
#: the rows read ahead to size the columns
WIDTH_SAMPLE = 200
#: data rows written into a sheet's XML at a time (:class:`SheetRows`)
BATCH_ROWS = 500
#: the rows one export may hold when the setting does not say
DEFAULT_MAX_ROWS = 100_000


def max_rows() -> int:
    """``WORKSAFE_EXPORT_MAX_ROWS``: the most rows one .xlsx export writes."""
    return int(getattr(settings, "WORKSAFE_EXPORT_MAX_ROWS", DEFAULT_MAX_ROWS))


def too_many_rows(qs) -> str | None:
    """The message refusing the export of ``qs`` when it holds more than :func:`max_rows` rows,
    else None; one query that stops counting past the limit."""
    limit = max_rows()
    if qs[:limit + 1].count() <= limit:
        return None
    return (f"符合条件的记录超过{limit}条,超出单次导出的上限,未导出。"
            f"请缩小筛选条件(如按乡镇、行业领域、状态或时间)后分批导出。")


def cell_value(value):
    """A Python value as an Excel cell value: typed where Excel has the type, text otherwise."""
    if value is None or isinstance(value, (str, int, float, decimal.Decimal)) and not isinstance(value, bool):
        return value
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, (list, tuple, set)):
        return "、".join(str(v) for v in value)
    return str(value)


def _width(header: str, values) -> float:
    """A column width from the header and the first rows' text (CJK characters count double)."""

    def w(v) -> int:
        if isinstance(v, datetime.datetime):
            return 16
        if isinstance(v, datetime.date):
            return 11
        s = str(v if v is not None else "")
        return sum(2 if ord(ch) > 0x2E80 else 1 for ch in s)

    longest = max([w(header), *(w(v) for v in values)]) if values else w(header)
    return float(min(max(longest + 2, 8), 40))


def print_ready(ws, *, header_row: int, n_cols: int, first_data_row: int | None = None,
                last_row: int | None = None, widths=None, title_row: int | None = 1,
                freeze: str | None = None) -> None:
    """The page setup of one sheet: fit to the page width, landscape when wide, the header row
    repeated on every page, the title (row ``title_row``) on page 1, wrapped text with borders,
    frozen header, column widths."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    last_row = last_row or ws.max_row
    first_data_row = first_data_row or header_row + 1
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    if title_row:
        ws.merge_cells(start_row=title_row, start_column=1, end_row=title_row, end_column=max(1, n_cols))
        cell = ws.cell(row=title_row, column=1)
        cell.font = Font(bold=True, size=16)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        ws.row_dimensions[title_row].height = 32
    fill = PatternFill("solid", fgColor="D9D9D9")
    for c in range(1, n_cols + 1):
        cell = ws.cell(row=header_row, column=c)
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        cell.fill = fill
        cell.border = border
        if widths and c <= len(widths) and widths[c - 1]:
            ws.column_dimensions[get_column_letter(c)].width = widths[c - 1]
    body = Alignment(vertical="top", wrap_text=True)
    for row in ws.iter_rows(min_row=first_data_row, max_row=last_row, max_col=n_cols):
        for cell in row:
            cell.border = border
            cell.alignment = body
            if isinstance(cell.value, datetime.datetime):
                cell.number_format = DATETIME_FORMAT
            elif isinstance(cell.value, datetime.date):
                cell.number_format = DATE_FORMAT
    page_setup(ws, header_row=header_row, n_cols=n_cols, freeze=freeze)


def page_setup(ws, *, header_row: int, n_cols: int, freeze: str | None = None) -> None:
    """How a sheet prints (the styling aside): A4, fit to the page width and as many pages down
    as needed, landscape when wider than :data:`PORTRAIT_MAX_COLUMNS`, the header row repeated
    on every page, page numbers and the export time in the footer, the header frozen on screen."""
    ws.freeze_panes = freeze or f"A{header_row + 1}"
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if n_cols > PORTRAIT_MAX_COLUMNS else "portrait"
    ws.page_setup.paperSize = "9"  # A4 (Worksheet.PAPERSIZE_A4; write-only sheets lack the name)
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.oddFooter.right.text = f"导出时间:{timezone.localtime():%Y-%m-%d %H:%M}"


def styled_cells(ws):
    """``cell(value, font=, alignment=, fill=, border=)``: a write-only cell with those styles and
    the number format its type asks for. Assigning a style to a cell hashes it into the workbook
    each time — most of an export's time at 100,000 rows — so each combination is looked up once
    and later cells copy its style ids."""
    from copy import copy

    from openpyxl.cell import WriteOnlyCell

    known: dict = {}

    def cell(value, font=None, alignment=None, fill=None, border=None):
        cl = WriteOnlyCell(ws, value)
        fmt = (DATETIME_FORMAT if isinstance(value, datetime.datetime)
               else DATE_FORMAT if isinstance(value, datetime.date) else None)
        key = (id(font), id(alignment), id(fill), id(border), fmt)
        style = known.get(key)
        if style is None:
            for name, v in (("font", font), ("alignment", alignment), ("fill", fill), ("border", border),
                            ("number_format", fmt)):
                if v is not None:
                    setattr(cl, name, v)
            known[key] = (copy(cl._style), font, alignment, fill, border)  # keep the objects: ids stay theirs
        else:
            cl._style = copy(style[0])
        return cl

    return cell


class SheetRows:
    """The rows of one write-only sheet, appended in order: :meth:`append` takes an openpyxl row
    (values or styled cells, e.g. a title or a header) and :meth:`write` a data row of plain
    values, written straight into the sheet's XML with the body style of its column and the
    number format its type asks for.

    A data row costs no openpyxl cell: at 50,000 rows openpyxl's cell objects, their style
    hashing and its per-cell XML writer were most of an export's time. :data:`BATCH_ROWS` rows
    at a time are written as XML text, parsed once by lxml and streamed into the sheet. The
    cells are those openpyxl writes (inline strings, typed numbers, dates as serial numbers with
    a date format); strings lose the control characters a sheet cannot hold (openpyxl refuses
    them) and are never read as formulas. ``style_id(number_format)`` gives the id of the body
    style with that number format (:func:`style_ids`); ``formats`` forces a column's number
    format (``"@"``: text) whatever the value's type. Uses openpyxl's write-only internals
    (``_get_writer``, ``_rows``), pinned to openpyxl 3.1."""

    def __init__(self, ws, n_cols: int, style_id, *, formats=None):
        from openpyxl import LXML
        from openpyxl.utils import get_column_letter

        self.ws = ws
        self.n = n_cols
        self.letters = [get_column_letter(c) for c in range(1, n_cols + 1)]
        self.epoch = ws.parent.epoch
        formats = list(formats or [])
        formats += [None] * (n_cols - len(formats))
        # per column: the style ids of a text/number, a date and a datetime cell
        self.styles = [(str(style_id(f)), str(style_id(f or DATE_FORMAT)), str(style_id(f or DATETIME_FORMAT)))
                       for f in formats]
        self.fast = LXML  # the rows are parsed by lxml; without it, openpyxl's own cells
        self._dates: dict = {}
        self._batch: list = []
        ws._get_writer()
        # the sheet's own row stream is this one: saving the workbook closes it (ends sheetData)
        self._rows = ws._rows = self._stream()
        next(self._rows)

    def _stream(self):
        """openpyxl's ``WriteOnlyWorksheet._write_rows`` with a second kind of row: a batch of
        data rows, written as XML text parsed once (libxml2) and streamed element by element."""
        from lxml.etree import fromstring

        ws = self.ws
        xf = ws._writer.xf.send(True)
        with xf.element("sheetData"):
            idx = 1
            try:
                while True:
                    fast, row = yield
                    if fast:
                        xml = "".join([self._xml(idx + k, values) for k, values in enumerate(row)])
                        for el in fromstring(f"<x>{xml}</x>"):
                            xf.write(el)
                        idx += len(row)
                    else:
                        ws._writer.write_row(xf, ws._values_to_row(row, idx), idx)
                        idx += 1
            except GeneratorExit:
                pass
        ws._writer.xf.send(None)

    def _flush(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self._rows.send((True, batch))

    def append(self, row) -> None:
        self._flush()
        self._rows.send((False, row))

    def write(self, values) -> None:
        if not isinstance(values, (list, tuple)):
            values = list(values)
        if len(values) > self.n:
            self._widen(len(values))
        if self.fast:
            self._batch.append(values)
            if len(self._batch) >= BATCH_ROWS:
                self._flush()
        else:  # no lxml: openpyxl's own cells, same styles
            self.append(self._cells(values))

    def close(self) -> None:
        """End the sheet's rows (before the workbook is saved)."""
        self._flush()
        self._rows.close()

    def _cells(self, values):
        from openpyxl.cell import WriteOnlyCell

        out = []
        for i, v in enumerate(values):
            v = cell_value(v)
            if isinstance(v, str):
                v = _clean(v)
            cl = WriteOnlyCell(self.ws, v)
            if isinstance(v, str) and v:
                cl.data_type = "s"  # text, never a formula (as the fast rows)
            st = self.styles[i]
            sid = st[2] if isinstance(v, datetime.datetime) else st[1] if isinstance(v, datetime.date) else st[0]
            cl._style = copy.copy(self.ws.parent._cell_styles[int(sid)])
            out.append(cl)
        return out

    def _widen(self, n: int) -> None:
        from openpyxl.utils import get_column_letter

        self.letters += [get_column_letter(c) for c in range(self.n + 1, n + 1)]
        self.styles += [self.styles[-1]] * (n - self.n)
        self.n = n

    def _xml(self, idx: int, values) -> str:
        """One data row as the sheet's XML (the cells openpyxl would write for these values)."""
        r = str(idx)
        out = [f'<row r="{r}">']
        add = out.append
        letters, styles, dates = self.letters, self.styles, self._dates
        for i, v in enumerate(values):
            st = styles[i]
            t = type(v)
            if t is not str and t is not int and t is not float and v is not None:
                v = cell_value(v)  # a subclass, date, bool, list …: as every export types it
                t = (str if isinstance(v, str) else int if isinstance(v, int)
                     else float if isinstance(v, (float, decimal.Decimal)) else type(v))
            if v is None or v == "":
                add(f'<c r="{letters[i]}{r}" s="{st[0]}"/>')
            elif t is str:
                v = _clean(v)
                space = ' xml:space="preserve"' if v != v.strip() else ""
                text = v.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\r", "&#13;")
                add(f'<c r="{letters[i]}{r}" s="{st[0]}" t="inlineStr"><is><t{space}>{text}</t></is></c>')
            elif t is int or t is float:
                add(f'<c r="{letters[i]}{r}" s="{st[0]}" t="n"><v>{_number(v)}</v></c>')
            else:  # a date or a naive datetime (cell_value made it so)
                serial = dates.get(v)
                if serial is None:
                    serial = dates[v] = _number(to_excel(v, self.epoch))
                    if len(dates) > 100_000:
                        dates.clear()
                sid = st[2] if t is datetime.datetime else st[1]
                add(f'<c r="{letters[i]}{r}" s="{sid}" t="n"><v>{serial}</v></c>')
        add("</row>")
        return "".join(out)


#: the characters a sheet cannot hold (openpyxl.cell.cell.ILLEGAL_CHARACTERS_RE)
ILLEGAL_CHARACTERS = re.compile(r"[\000-\010]|[\013-\014]|[\016-\037]")


def _number(v) -> str:
    """A number as openpyxl writes it (``openpyxl.compat.safe_string``)."""
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return ""
    if isinstance(v, decimal.Decimal) and not v.is_finite():
        return ""
    return format(float(v), ".16g")


def to_excel(value, epoch):
    from openpyxl.utils.datetime import to_excel as convert

    return convert(value, epoch)


def _clean(s: str) -> str:
    """Text a cell can hold: at most 32,767 characters, no control characters."""
    if len(s) > 32767:
        s = s[:32767]
    return ILLEGAL_CHARACTERS.sub("", s) if ILLEGAL_CHARACTERS.search(s) else s


def style_ids(ws, cell, **styles):
    """``style_id(number_format)``: the id in ``ws``'s workbook of ``styles`` (font, alignment,
    fill, border, as :func:`styled_cells` takes them) with that number format, each found once."""
    known: dict = {}

    def style_id(fmt):
        if fmt not in known:
            cl = cell(None, **styles)
            if fmt:
                cl.number_format = fmt
            known[fmt] = cl.style_id
        return known[fmt]

    return style_id


def stream_workbook(title: str, headers: list[str], rows, *, widths=None, sheet: str | None = None,
                    lines: list[str] = (), tail=None, freeze: str | None = None, formats=None,
                    row_height: float | None = None):
    """A print-ready workbook written row by row: the title on row 1, ``lines`` under it, the
    header, the rows (any iterable of value lists, consumed once), then ``tail()``'s rows (called
    after the rows, e.g. a total counted on the way). ``freeze`` is the frozen cell (default: the
    first data row), ``formats`` a number format per column (e.g. ``"@"``: text, so a code keeps
    its digits). Returns the file, positioned at its start."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    n = max(1, len(headers))
    rows = iter(rows)
    sample = [list(r) for r in itertools.islice(rows, WIDTH_SAMPLE)]
    widths = list(widths or [])
    for c in range(1, n + 1):
        if len(widths) < c:
            widths.append(None)
        if not widths[c - 1]:
            widths[c - 1] = _width(headers[c - 1] if c <= len(headers) else "",
                                   [cell_value(r[c - 1]) for r in sample if len(r) >= c])
    wb = Workbook(write_only=True)
    ws = wb.create_sheet((sheet or title)[:31])
    header_row = 2 + len(lines)
    for c in range(1, n + 1):  # everything about the sheet before its first row
        ws.column_dimensions[get_column_letter(c)].width = widths[c - 1]
    page_setup(ws, header_row=header_row, n_cols=n, freeze=freeze)
    ws.row_dimensions[1].height = row_height or 32
    ws.merged_cells.add(f"A1:{get_column_letter(n)}1")
    for i in range(len(lines)):
        ws.merged_cells.add(f"A{2 + i}:{get_column_letter(n)}{2 + i}")

    cell = styled_cells(ws)
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    out_rows = SheetRows(ws, n, style_ids(ws, cell, alignment=Alignment(vertical="top", wrap_text=True),
                                          border=border), formats=formats)

    out_rows.append([cell(title, Font(bold=True, size=16), Alignment(horizontal="center", vertical="center"))])
    for line in lines:
        out_rows.append([line])
    head = (Font(bold=True), Alignment(horizontal="center", vertical="center", wrap_text=True),
            PatternFill("solid", fgColor="D9D9D9"), border)
    out_rows.append([cell(h, *head) for h in list(headers) + [""] * (n - len(headers))])

    write = out_rows.write
    for r in sample:
        write(r)
    for r in rows:
        write(r)
    for r in (tail() if tail else []):
        write(r)
    out_rows.close()
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)
    wb.save(out)
    out.seek(0)
    return out


def table_workbook(title: str, headers: list[str], rows, *, widths=None, sheet: str | None = None,
                   lines: list[str] = ()) -> bytes:
    """A print-ready workbook as bytes (small documents; lists use :func:`stream_workbook`)."""
    f = stream_workbook(title, headers, rows, widths=widths, sheet=sheet, lines=lines)
    with f:
        return f.read()


def xlsx_response(filename: str, f):
    """The .xlsx in ``f`` (a file from :func:`stream_workbook`) as an attachment: a small file in
    one response, one that left memory streamed from its temporary file."""
    if not getattr(f, "_rolled", True):  # still in memory: the bytes are there anyway
        with f:
            return xlsx_download(filename, f.read())
    resp = FileResponse(f, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp


def xlsx_download(filename: str, content: bytes) -> HttpResponse:
    """An .xlsx attachment with a Chinese file name."""
    resp = HttpResponse(content, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
