"""Helpers for the tests of exports: open an .xlsx response, check it is print-ready."""

import io

from openpyxl import load_workbook


def workbook_of(resp):
    assert resp.status_code == 200, resp.status_code
    assert "spreadsheetml" in resp["Content-Type"]
    return load_workbook(io.BytesIO(resp.content))


def sheet_of(resp):
    return workbook_of(resp).active


def assert_print_ready(ws, header_row: int = 2):
    """Fit to the page width, landscape when wide, the header repeated, the title on row 1."""
    n = ws.max_column
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == ("landscape" if n > 6 else "portrait")
    assert ws.print_title_rows.replace("$", "") == f"{header_row}:{header_row}"
    assert ws.cell(row=1, column=1).value  # the title, on page 1
    assert ws.cell(row=header_row, column=1).font.b
    if ws.max_row > header_row:
        assert ws.cell(row=header_row + 1, column=1).alignment.wrap_text


def header(ws, header_row: int = 2) -> list:
    return [c.value for c in ws[header_row]]


def data_rows(ws, header_row: int = 2) -> list[tuple]:
    return list(ws.iter_rows(min_row=header_row + 1, values_only=True))


def column(ws, name: str, header_row: int = 2) -> list:
    i = header(ws, header_row).index(name)
    return [r[i] for r in data_rows(ws, header_row)]
