"""The register import reads sheets as people keep them (issue 13): short sector and
township names, 合计/小计 and notes rows, empty rows between blocks; unchanged rows write no
history; unknown or ambiguous names are refused with the valid names."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from worksafe.enterprises import excel
from worksafe.enterprises.models import Enterprise
from worksafe.org.models import Sector
from worksafe.standards import gb32100

pytestmark = pytest.mark.django_db


def code(n: int) -> str:
    return gb32100.complete(f"91632621MB{n:07d}")


HEADER = ["序号", "企业名称", "统一社会信用代码", "所在乡镇", "行业", "从业人数"]


def sheet(rows) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.append(["某县企业安全生产台账"])
    ws.append(HEADER)
    for row in rows:
        ws.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


ROWS = [
    [1, "甲工贸公司", code(1), "大武镇", "工贸", 10],  # row 3
    [2, "乙快递公司", code(2), "拉加", "邮政快递", 5],  # row 4: 拉加 → 拉加镇
    [3, "丙化工公司", code(3), "拉加镇", "危化品、工贸行业", 30],  # row 5
    [None, None, None, None, None, None],  # row 6: empty between blocks
    [4, "丁公司", code(4), "雪山乡", "城镇", 3],  # row 7: ambiguous
    [5, "戊公司", code(5), "雪山乡", "航天", 3],  # row 8: unknown
    ["小计", None, None, None, None, 48],  # row 9
    [6, "己运输公司", code(6), "拉加镇", "道路运输业", 8],  # row 10
    ["合计", None, None, None, None, 56],  # row 11
    ["填表说明：行业按全县行业领域填写。"],  # row 12
    ["注：从业人数为年末人数。"],  # row 13
    [None, "备注：以上数据截至年底。"],  # row 14
]


@pytest.fixture
def sectors(world):
    for name in ("工贸行业", "邮政快递业", "城镇燃气", "城镇建设"):
        Sector.objects.get_or_create(name=name)


def test_messy_register_sheet(world, sectors):
    result = excel.import_register(io.BytesIO(sheet(ROWS)), world.users["county"])
    errors = dict(result.errors)
    assert sorted(errors) == [7, 8]
    assert "不明确" in errors[7] and "城镇燃气" in errors[7] and "城镇建设" in errors[7]
    assert (
        "不存在" in errors[8] and "可填" in errors[8] and "工贸行业" in errors[8] and "道路运输" in errors[8]
    )
    assert result.skipped == [
        (6, "空行"),
        (9, "小计行"),
        (11, "合计行"),
        (12, "说明或备注行"),
        (13, "说明或备注行"),
        (14, "说明或备注行"),
    ]
    assert result.created == 4
    got = {
        e.name: (e.township.name, sorted(s.name for s in e.sectors.all()))
        for e in Enterprise.objects.filter(credit_code__in=[code(i) for i in range(1, 7)])
    }
    assert got == {
        "甲工贸公司": ("大武镇", ["工贸行业"]),
        "乙快递公司": ("拉加镇", ["邮政快递业"]),
        "丙化工公司": ("拉加镇", ["危险化学品", "工贸行业"]),
        "己运输公司": ("拉加镇", ["道路运输"]),
    }


def test_reimporting_unchanged_rows_writes_no_history(world, sectors):
    data = sheet(ROWS)
    excel.import_register(io.BytesIO(data), world.users["county"])
    ent = Enterprise.objects.get(credit_code=code(1))
    before = ent.history.count()
    again = excel.import_register(io.BytesIO(data), world.users["county"])
    assert (again.created, again.updated, again.unchanged) == (0, 4, 4)
    assert ent.history.count() == before
    rows = [r[:] for r in ROWS]
    rows[0][5] = 12  # one changed cell
    third = excel.import_register(io.BytesIO(sheet(rows)), world.users["county"])
    assert (third.updated, third.unchanged) == (4, 3)
    assert ent.history.count() == before + 1


@pytest.mark.parametrize(
    "written, expected",
    [
        ("工贸", "工贸行业"),
        ("工贸行业", "工贸行业"),
        ("工 贸", "工贸行业"),
        ("邮政快递", "邮政快递业"),
        ("快递", "邮政快递业"),
        ("危化品", "危险化学品"),
        ("道路运输业", "道路运输"),
        ("道路运输行业", "道路运输"),
    ],
)
def test_sector_names(world, sectors, written, expected):
    assert excel._Lookups(world.county).sector(written).name == expected


def test_township_names(world):
    lookups = excel._Lookups(world.county)
    assert lookups.township("拉加").name == "拉加镇"
    assert lookups.township("大武镇人民政府").name == "大武镇"
    assert lookups.township("雪山").name == "雪山乡"
    with pytest.raises(ValueError, match="不明确.*大武镇、大武乡"):
        lookups.township("大武")  # 大武镇 and 大武乡 both exist
    with pytest.raises(ValueError, match="可填"):
        lookups.township("火星镇")


def test_the_import_page_lists_the_skipped_rows(world, client_for, sectors):
    c = client_for(world.users["county"])
    url = reverse("enterprises:register_import")
    resp = c.post(url, {"file": SimpleUploadedFile("台账.xlsx", sheet(ROWS))})
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "跳过的行" in page and "合计行" in page and "第11行" in page
