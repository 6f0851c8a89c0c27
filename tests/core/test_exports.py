"""Every list that declares a table exports print-ready .xlsx, found by walking the URL conf
(a list added later is checked too): the page setup, the header repeated on every page, the
title on page 1, and dates, times and numbers as typed cells, never text that looks like one."""

import re

import pytest
from django.urls import reverse

from tests.core.test_scoping import walk
from tests.xlsx import assert_print_ready, sheet_of
from worksafe.core.views import ScopedListView

DATE_TEXT = re.compile(r"^\d{4}-\d{2}-\d{2}( \d{2}:\d{2}(:\d{2})?)?$")
NUMBER_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


def table_lists():
    out = []
    for name, _route, p in walk():
        cls = getattr(p.callback, "view_class", None)
        if cls and issubclass(cls, ScopedListView) and cls.table_class and not p.pattern.regex.groupindex:
            out.append((name, cls))
    return out


LISTS = table_lists()


def test_the_walk_finds_the_lists():
    names = {n for n, _ in LISTS}
    assert {"plans:task_list", "enterprises:enterprise_list", "risks:table", "monitoring:alarm_list",
            "hazards:problem_list", "hazards:dual_list", "org:user_list"} <= names
    assert len(LISTS) >= 25


@pytest.mark.parametrize("name,cls", LISTS, ids=[n for n, _ in LISTS])
def test_every_table_export_is_print_ready_and_typed(world, client_for, name, cls):
    # the table itself: ?export=xlsx, or ?export=table where xlsx is a prescribed county layout
    export = "table" if cls.table_class.exports.get("xlsx") != "export_table" else "xlsx"
    if cls.export_name:  # a route that is a named export (the register's import layout)
        return
    c = client_for(world.users["county"])
    ws = sheet_of(c.get(reverse(name), {"export": export}))
    assert_print_ready(ws)
    headers = [cell.value for cell in ws[2]]
    assert headers == [col.export_header for col in cls.table_class(_request(c, name)).export_columns]
    for row in ws.iter_rows(min_row=3, values_only=True):
        for h, v in zip(headers, row, strict=True):
            if isinstance(v, str):
                assert not DATE_TEXT.match(v), f"{name} {h}: a date as text {v!r}"
                assert not NUMBER_TEXT.match(v) or h in ("编号", "代码", "统一社会信用代码", "区划代码", "手机"), \
                    f"{name} {h}: a number as text {v!r}"


def _request(client, name):
    from django.test import RequestFactory

    r = RequestFactory().get(reverse(name))
    r.user = client.get(reverse(name)).wsgi_request.user
    return r


def test_a_wide_export_prints_landscape_in_libreoffice(world, client_for, tmp_path):
    """LibreOffice (when installed with Calc) prints the alarm export on landscape A4."""
    import shutil
    import subprocess

    soffice = shutil.which("soffice")
    if not soffice:
        pytest.skip("LibreOffice is not installed")
    src = tmp_path / "alarms.xlsx"
    src.write_bytes(client_for(world.users["county"]).get(reverse("monitoring:alarm_list"), {"export": "xlsx"}).content)
    r = subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path}/lo", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(src)], capture_output=True, timeout=180, text=True)
    pdf = tmp_path / "alarms.pdf"
    if not pdf.exists() and "could not be loaded" in r.stderr + r.stdout:
        pytest.skip("LibreOffice has no Calc to read .xlsx")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf.read_bytes())
    assert boxes and all(float(w) > float(h) for w, h in boxes)
