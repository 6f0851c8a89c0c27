"""The register's Excel import and export: bad rows are reported by row number and
reason, good rows are imported, a corrected sheet updates rather than duplicates, and
an exported sheet imports back cleanly."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from worksafe.core.services import NotAllowed
from worksafe.enterprises import excel
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Division
from worksafe.standards import gb32100

pytestmark = pytest.mark.django_db


def code(n: int) -> str:
    return gb32100.complete(f"91632621MA{n:07d}")


def bad_check_digit(n: int) -> str:
    good = code(n)
    return good[:17] + ("1" if good[17] != "1" else "2")


HEADER = ["序号", "单位名称", "统一社会信用代码", "乡(镇)", "行业类别", "主要负责人", "联系电话", "从业人数",
          "经度", "纬度", "是否投保安责险"]


def messy_rows():
    """Row number (as Excel shows it) → values, laid out as a county office keeps its sheet."""
    return {
        4: [1, "新企业甲", code(101), "大武镇", "危险化学品", "张三", "13900001111", 20, 100.24, 34.47, "是"],
        5: [2, "长度不对公司", code(102)[:17], "大武镇", "危险化学品", "李四", "", 5, None, None, "否"],
        # row 6 is blank
        7: [3, "校验位不对公司", bad_check_digit(103), "拉加镇", "道路运输", "", "", None, None, None, ""],
        8: [4, "乡镇不对公司", code(105), "不存在乡", "危险化学品", "", "", None, None, None, ""],
        9: [5, "重复公司", code(101), "大武镇", "危险化学品", "", "", None, None, None, ""],
        10: [6, "新企业乙", code(104), "拉加镇", "危险化学品、道路运输", "王五", "0975-8381234", 120, None, None,
             "否"],
    }


def workbook(rows: dict, header=HEADER, header_row=3, extra=None) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "2024年台账"
    if header_row > 1:
        ws.cell(row=1, column=1, value="玛沁县工贸及危化企业安全生产基本情况登记表")
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
    for c, h in enumerate(header, start=1):
        ws.cell(row=header_row, column=c, value=h)
    for r, values in rows.items():
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    if extra:
        extra(ws)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def run(user, data: bytes, **kw):
    return excel.import_register(io.BytesIO(data), user, **kw)


def errors_by_row(result):
    return dict(result.errors)


# ------------------------------------------------------------------ import


def test_messy_sheet_reports_exactly_the_bad_rows_and_imports_the_good(world):
    before = Enterprise.objects.count()
    result = run(world.users["county"], workbook(messy_rows()))

    errs = errors_by_row(result)
    assert sorted(errs) == [5, 7, 8, 9]
    assert "18位" in errs[5]
    assert "校验位" in errs[7] and "校验码异常说明" in errs[7]
    assert "乡镇" in errs[8] and "不存在乡" in errs[8]
    assert "重复" in errs[9] and "第4行" in errs[9] and "第9行" in errs[9]
    assert (result.created, result.updated, result.rows_read) == (2, 0, 6)
    assert (result.header_row, result.sheet) == (3, "2024年台账")

    assert Enterprise.objects.count() == before + 2
    a = Enterprise.objects.get(credit_code=code(101))
    assert (a.name, a.township.name, a.principal, a.principal_phone, a.employees, a.insured) == \
        ("新企业甲", "大武镇", "张三", "13900001111", 20, True)
    assert (a.longitude, a.latitude) == (Decimal("100.240000"), Decimal("34.470000"))
    assert [s.name for s in a.sectors.all()] == ["危险化学品"]
    b = Enterprise.objects.get(credit_code=code(104))
    assert sorted(s.name for s in b.sectors.all()) == ["危险化学品", "道路运输"]
    assert b.principal_phone == "0975-8381234" and not b.insured
    assert not Enterprise.objects.filter(name__in=["长度不对公司", "校验位不对公司", "乡镇不对公司", "重复公司"]).exists()
    # the import is in each row's history, attributed to the importer
    assert a.history.first().history_user == world.users["county"]


def test_corrected_sheet_updates_rather_than_duplicates(world):
    county = world.users["county"]
    run(county, workbook(messy_rows()))
    count = Enterprise.objects.count()

    fixed = messy_rows()
    fixed[4][5] = "张三丰"           # a changed principal
    fixed[4][7] = 25
    fixed[5][2] = code(102)         # the code written in full
    fixed[7][2] = code(103)         # the right check digit
    fixed[8][3] = "雪山乡"           # a township that exists
    del fixed[9]                    # the duplicate row removed
    result = run(county, workbook(fixed))

    assert result.errors == []
    assert (result.created, result.updated) == (3, 2)
    assert Enterprise.objects.count() == count + 3
    a = Enterprise.objects.get(credit_code=code(101))
    assert (a.principal, a.employees) == ("张三丰", 25)

    again = run(county, workbook(fixed))
    assert (again.created, again.updated, again.errors) == (0, 5, [])
    assert Enterprise.objects.count() == count + 3


def test_every_kind_of_bad_cell_is_named(world):
    header = ["企业名称", "统一社会信用代码", "所在乡镇", "行业领域", "从业人员", "经度", "纬度", "安责险到期日",
              "状态", "安全生产标准化等级", "是否投保安责险"]
    rows = {
        2: ["", code(201), "大武镇", "危险化学品", 1, None, None, None, "在营", "三级", "是"],
        3: ["甲", code(202), "大武镇", "不存在的行业", 1, None, None, None, "在营", "", ""],
        4: ["乙", code(203), "大武镇", "危险化学品", "二十", None, None, None, "", "", ""],
        5: ["丙", code(204), "大武镇", "危险化学品", -3, 100.2, 200, None, "", "", ""],
        6: ["丁", code(205), "大武镇", "危险化学品", 3, None, None, "明年", "", "", ""],
        7: ["戊", code(206), "大武镇", "危险化学品", 3, None, None, None, "倒闭", "五级", "也许"],
        8: ["己", "", "大武镇", "危险化学品", 3, None, None, None, "", "", ""],
        9: ["庚", code(207), "大武镇", "", 3, None, None, None, "", "", ""],
        10: ["辛", code(208), "大武镇", "危险化学品", 3, 100.2, None, None, "", "", ""],
        11: ["好企业", code(209), "大武镇", "危险化学品;道路运输", "1,200", "100.5", "34.5", "2026/06/30",
             "停产停业", "三级", "是"],
    }
    result = run(world.users["county"], workbook(rows, header=header, header_row=1))
    errs = errors_by_row(result)
    assert sorted(errs) == [2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "企业名称" in errs[2]
    assert "行业领域" in errs[3] and "不存在的行业" in errs[3]
    assert "从业人员" in errs[4] and "整数" in errs[4]  # the column as the sheet names it
    assert "负数" in errs[5] and "纬度" in errs[5] and "范围" in errs[5]
    assert "日期" in errs[6]
    assert "状态" in errs[7] and "标准化等级" in errs[7] and "是否投保安责险" in errs[7]
    assert "缺少统一社会信用代码" in errs[8]
    assert "缺少行业领域" in errs[9]
    assert "经度和纬度应同时填写" in errs[10]
    assert result.created == 1
    good = Enterprise.objects.get(credit_code=code(209))
    assert (good.employees, good.status, good.standard_grade, good.insured) == (1200, "suspended", "3", True)
    assert good.insurance_expiry == datetime.date(2026, 6, 30)
    assert sorted(s.name for s in good.sectors.all()) == ["危险化学品", "道路运输"]


def test_check_digit_override_needs_a_reason_and_an_authorised_importer(world):
    header = ["企业名称", "统一社会信用代码", "所在乡镇", "行业领域", "校验码异常说明"]
    rows = {3: ["核实过的企业", bad_check_digit(301), "大武镇", "危险化学品", "经核实营业执照代码如此"],
            4: ["没说明的企业", bad_check_digit(302), "大武镇", "危险化学品", ""]}
    data = workbook(rows, header=header, header_row=2)

    by_township = run(world.users["township"], data)  # a township may not override
    assert sorted(errors_by_row(by_township)) == [3, 4]
    assert "县安委办或行业部门" in errors_by_row(by_township)[3]

    result = run(world.users["county"], data)
    assert sorted(errors_by_row(result)) == [4] and result.created == 1
    e = Enterprise.objects.get(credit_code=bad_check_digit(301))
    assert e.credit_code_override == "经核实营业执照代码如此"


def test_township_officer_rows_of_another_township_are_bad_rows(world):
    rows = {4: [1, "本镇企业", code(401), "大武镇", "危险化学品", "", "", None, None, None, ""],
            5: [2, "外乡企业", code(402), "拉加镇", "道路运输", "", "", None, None, None, ""]}
    result = run(world.users["township"], workbook(rows))
    assert list(errors_by_row(result)) == [5] and "不属于本乡镇" in errors_by_row(result)[5]
    assert result.created == 1 and not Enterprise.objects.filter(credit_code=code(402)).exists()


def test_department_cannot_update_an_enterprise_outside_its_scope(world):
    qent02 = world.enterprises[1]  # 道路运输: not supervised by 县应急管理局
    rows = {4: [1, "改名的运输公司", qent02.credit_code, "拉加镇", "道路运输", "", "", None, None, None, ""]}
    result = run(world.users["dept"], workbook(rows))
    assert list(errors_by_row(result)) == [4] and "管理范围" in errors_by_row(result)[4]
    assert "QENT02" not in errors_by_row(result)[4]  # the name outside the scope is not told
    qent02.refresh_from_db()
    assert qent02.name == "QENT02运输"


def test_readers_cannot_import(world):
    data = workbook(messy_rows())
    for role in ("leader", "enterprise"):
        with pytest.raises(NotAllowed):
            run(world.users[role], data)
    assert not Enterprise.objects.filter(credit_code=code(101)).exists()


def test_unreadable_files_and_missing_headers_are_clear_errors(world):
    with pytest.raises(excel.ExcelError, match="无法读取"):
        run(world.users["county"], b"not a workbook")
    no_code = workbook({2: ["甲", "大武镇"]}, header=["企业名称", "所在乡镇"], header_row=1)
    with pytest.raises(excel.ExcelError, match="统一社会信用代码"):
        run(world.users["county"], no_code)


def test_header_synonyms_and_cells_merged_down_the_rows(world):
    header = ["企业（单位）名称", "信用代码", "所属乡镇", "行业领域", "地址"]

    def merge_township(ws):
        ws.merge_cells("C3:C4")  # one township cell for two enterprises

    rows = {3: ["甲", code(501), "雪山乡", "危险化学品", "雪山乡1号"], 4: ["乙", code(502), None, "危险化学品", ""]}
    result = run(world.users["county"], workbook(rows, header=header, header_row=2, extra=merge_township))
    assert result.errors == [] and result.created == 2
    assert Enterprise.objects.get(credit_code=code(502)).township.name == "雪山乡"
    assert Enterprise.objects.get(credit_code=code(501)).address == "雪山乡1号"


def test_dry_run_checks_everything_and_writes_nothing(world):
    before = Enterprise.objects.count()
    result = run(world.users["county"], workbook(messy_rows()), dry_run=True)
    assert result.dry_run and result.created == 2 and sorted(errors_by_row(result)) == [5, 7, 8, 9]
    assert Enterprise.objects.count() == before


# ------------------------------------------------------------------ export


def test_export_imports_back_cleanly(world):
    e = world.enterprises[0]
    e.address, e.latitude, e.longitude = "大武镇格萨尔路1号", Decimal("34.471234"), Decimal("100.245678")
    e.legal_representative, e.principal, e.principal_phone = "法人甲", "负责人甲", "13800001234"
    e.employees, e.scale, e.status, e.standard_grade = 35, "small", "suspended", "3"
    e.has_safety_team, e.insured, e.insurer = True, True, "某保险公司"
    e.insurance_expiry, e.protection_distance_m = datetime.date(2026, 12, 31), 300
    e.save()
    e.sectors.add(world.enterprises[1].sectors.first())
    fields = [f.name for f in Enterprise._meta.fields if f.name not in ("id", "risk_level", "risk_reason")]
    before = {x.pk: ([getattr(x, f) for f in fields], sorted(s.pk for s in x.sectors.all()))
              for x in Enterprise.objects.all()}

    data = excel.export_register(Enterprise.objects.all())
    ws = load_workbook(io.BytesIO(data)).active
    assert ws["A1"].value == "企业名册" and "A1" in {r.coord.split(":")[0] for r in ws.merged_cells.ranges}
    assert [c.value for c in ws[2]] == excel.HEADERS
    assert ws.max_row == 2 + len(before)

    result = run(world.users["county"], data)
    assert (result.created, result.updated, result.errors) == (0, len(before), [])
    after = {x.pk: ([getattr(x, f) for f in fields], sorted(s.pk for s in x.sectors.all()))
             for x in Enterprise.objects.all()}
    assert after == before


def test_the_register_export_streams_and_imports_back(world, client_for, monkeypatch):
    """The register route streams its file like every list export, in the import layout."""
    from worksafe.core import export

    e = world.enterprises[0]
    e.principal_phone, e.insurance_expiry, e.scale = "01234567", datetime.date(2027, 5, 1), "small"
    e.save()
    e.sectors.add(*[x.sectors.first() for x in world.enterprises[1:]])
    monkeypatch.setattr(export, "SPOOL_BYTES", 1)  # the file leaves memory: streamed from disk
    resp = client_for(world.users["county"]).get(reverse("enterprises:register_export"))
    assert resp.streaming
    data = b"".join(resp.streaming_content)
    ws = load_workbook(io.BytesIO(data)).active
    assert ws.title == "企业名册" and ws["A1"].value == "企业名册" and ws.freeze_panes == "C3"
    assert [c.value for c in ws[2]] == excel.HEADERS and ws.print_title_rows.replace("$", "") == "2:2"
    row = next(r for r in ws.iter_rows(min_row=3) if r[1].value == e.name)
    cells = dict(zip(excel.HEADER_MAP, row, strict=True))
    assert cells["principal_phone"].value == "01234567" and cells["principal_phone"].number_format == "@"
    assert cells["credit_code"].number_format == "@" and cells["scale"].value == "小型"
    assert cells["sectors"].value == "、".join(s.name for s in e.sectors.all())
    assert cells["insurance_expiry"].value.date() == datetime.date(2027, 5, 1)
    result = run(world.users["county"], data)
    assert (result.created, result.errors, result.unchanged) == (0, [], Enterprise.objects.count())


# ------------------------------------------------------------------ pages


def upload(client, data, **extra):
    return client.post(reverse("enterprises:register_import"),
                       {"file": SimpleUploadedFile("名册.xlsx", data), **extra})


def test_import_page_for_the_county_office_shows_the_report(world, client_for):
    client = client_for(world.users["county"])
    assert client.get(reverse("enterprises:register_import")).status_code == 200
    resp = upload(client, workbook(messy_rows()))
    assert resp.status_code == 200
    text = resp.content.decode()
    for n in (5, 7, 8, 9):
        assert f"第{n}行" in text
    assert "第4行</td>" not in text and "第10行" not in text
    assert resp.context["result"].created == 2
    assert Enterprise.objects.filter(credit_code=code(104)).exists()


def test_import_page_refuses_a_file_it_cannot_read(world, client_for):
    client = client_for(world.users["county"])
    resp = upload(client, b"garbage")
    assert resp.status_code == 200 and "无法读取" in resp.content.decode()
    resp = client.post(reverse("enterprises:register_import"),
                       {"file": SimpleUploadedFile("名册.xls", b"old")})
    assert ".xlsx" in resp.content.decode() and "result" not in resp.context


@pytest.mark.parametrize("role", ["leader", "enterprise"])
def test_import_page_is_forbidden_to_readers(world, client_for, role):
    client = client_for(world.users[role])
    assert client.get(reverse("enterprises:register_import")).status_code == 403
    assert upload(client, workbook(messy_rows())).status_code == 403
    assert not Enterprise.objects.filter(credit_code=code(101)).exists()


def exported_names(resp):
    assert resp.status_code == 200 and "spreadsheetml" in resp["Content-Type"]
    ws = load_workbook(io.BytesIO(resp.content)).active
    return {row[1] for row in ws.iter_rows(min_row=3, values_only=True)}


def test_export_holds_only_what_the_user_sees(world, client_for):
    url = reverse("enterprises:register_export")
    assert exported_names(client_for(world.users["dept"]).get(url)) == {"QENT01化工", "QENT03加油站"}
    assert exported_names(client_for(world.users["enterprise"]).get(url)) == {"QENT01化工"}
    assert exported_names(client_for(world.users["county"]).get(url)) == {"QENT01化工", "QENT02运输", "QENT03加油站"}
    # the list page's filters apply
    lajia = Division.objects.get(level=Division.Level.TOWNSHIP, name="拉加镇")
    assert exported_names(client_for(world.users["county"]).get(url, {"township": lajia.pk})) == {"QENT02运输"}
    assert exported_names(client_for(world.users["dept"]).get(url, {"township": lajia.pk})) == set()


def test_export_masks_phones_for_readers(world, client_for):
    e = world.enterprises[0]
    e.principal_phone = "13912345678"
    e.save()
    url = reverse("enterprises:register_export")
    col = excel.HEADERS.index("联系电话")

    def phone(role):
        ws = load_workbook(io.BytesIO(client_for(world.users[role]).get(url).content)).active
        return {r[1]: r[col] for r in ws.iter_rows(min_row=3, values_only=True)}["QENT01化工"]

    assert phone("county") == "13912345678"
    assert phone("leader") == "139****5678"
    # a masked number imported back keeps the number on file
    data = client_for(world.users["leader"]).get(url).content
    result = run(world.users["county"], data)
    assert result.errors == []
    e.refresh_from_db()
    assert e.principal_phone == "13912345678"


# ------------------------------------------------------------------ command


def test_command_prints_the_bad_rows(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook(messy_rows()))
    out = io.StringIO()
    with pytest.raises(CommandError) as exc:
        call_command("import-enterprises", str(path), "--user", "county", "--dry-run", stdout=out)
    assert exc.value.returncode == 2
    lines = out.getvalue().splitlines()
    assert [ln.split(":")[0] for ln in lines[:-1]] == ["第5行", "第7行", "第8行", "第9行"]
    assert "新增2家" in lines[-1] and "有问题4行" in lines[-1]
    assert not Enterprise.objects.filter(credit_code=code(101)).exists()  # dry run

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import-enterprises", str(path), "--user", "county", stdout=out)
    assert Enterprise.objects.filter(credit_code__in=[code(101), code(104)]).count() == 2

    fixed = messy_rows()
    for r in (5, 7, 8, 9):
        del fixed[r]
    path.write_bytes(workbook(fixed))
    out = io.StringIO()
    call_command("import-enterprises", str(path), "--user", "county", stdout=out)
    assert out.getvalue().strip().endswith("(导入人:county)") and "更新2家" in out.getvalue()


def test_command_refuses_a_reader(world, tmp_path):
    path = tmp_path / "名册.xlsx"
    path.write_bytes(workbook(messy_rows()))
    with pytest.raises(CommandError, match="不能导入"):
        call_command("import-enterprises", str(path), "--user", "leader", stdout=io.StringIO())
