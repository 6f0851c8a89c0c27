"""Print-ready .xlsx: the one page setup every export uses (DESIGN.md §4).

A sheet is a title on row 1 (merged across the table), optional lines under it, one header
row and the data rows. Printed, it fits the page width (as many pages down as it needs),
turns landscape when wide, repeats the header row on every page and wraps long text.
Dates, datetimes and numbers are typed cells; datetimes are written as naive Asia/Shanghai
local time, since Excel has no time zones.
"""

from __future__ import annotations

import datetime
import decimal
import io
from urllib.parse import quote

from django.http import HttpResponse
from django.utils import timezone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: more columns than this print landscape
PORTRAIT_MAX_COLUMNS = 6
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"


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
    ws.freeze_panes = freeze or ws.cell(row=header_row + 1, column=1).coordinate
    ws.print_title_rows = f"{header_row}:{header_row}"
    ws.page_setup.orientation = "landscape" if n_cols > PORTRAIT_MAX_COLUMNS else "portrait"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    ws.oddFooter.center.text = "第 &P 页,共 &N 页"
    ws.oddFooter.right.text = f"导出时间:{timezone.localtime():%Y-%m-%d %H:%M}"


def table_workbook(title: str, headers: list[str], rows, *, widths=None, sheet: str | None = None,
                   lines: list[str] = ()) -> bytes:
    """A print-ready workbook: the title on row 1, ``lines`` under it, the header, the rows."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = (sheet or title)[:31]
    n = max(1, len(headers))
    ws.append([title])
    for line in lines:
        ws.append([line])
        ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=n)
    ws.append(list(headers))
    header_row = ws.max_row
    rows = [[cell_value(v) for v in r] for r in rows]
    for r in rows:
        ws.append(r)
    widths = list(widths or [])
    sample = rows[:200]
    for c in range(1, n + 1):
        if len(widths) < c:
            widths.append(None)
        if not widths[c - 1]:
            widths[c - 1] = _width(headers[c - 1], [r[c - 1] for r in sample if len(r) >= c])
        ws.column_dimensions[get_column_letter(c)].width = widths[c - 1]
    print_ready(ws, header_row=header_row, n_cols=n, widths=widths)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def xlsx_download(filename: str, content: bytes) -> HttpResponse:
    """An .xlsx attachment with a Chinese file name."""
    resp = HttpResponse(content, content_type=XLSX_TYPE)
    resp["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return resp
