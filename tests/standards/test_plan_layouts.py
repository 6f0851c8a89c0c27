"""The layouts real county plans of 2020 use (issue 13): responsibility in brackets, in a unit
list, on its own line; vague units; area and item numbering; task tables in .docx and .xlsx;
text PDF. Every test document is built here; nothing is one county's text."""

import datetime
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worksafe.standards import plan_tables
from worksafe.standards.plan_tables import Deadline, parse_deadline, parse_task_table, pdf_lines, read_plan
from worksafe.standards.plan_text import is_vague_unit, parse_plan, parse_prose_note

D = datetime.date

TEXT = """某县安全生产专项整治三年行动方案
二、主要任务
（一）危险化学品安全整治〔县应急管理局牵头,县公安局、各乡镇人民政府配合〕
一是开展风险排查，2021年6月底前完成。二是重大危险源企业在线监测率达到100%以上。
（二）城镇燃气安全整治（县住建局牵头，县自然资源局、县城管局参与）。（1）排查燃气管道；（2）整治老旧管网，2022年底前完成。
（三）道路运输安全整治。开展客货运整治(由县交通运输局牵头,各有关部门按职责分工负责)。
（四）消防安全整治
责任分工:县消防救援大队牵头,县住建局、县公安局按职责分工负责
1.打通生命通道。
2.改造老旧小区消防设施不少于3个。
（五）建筑施工安全整治
牵头部门:县住建局 配合部门:县应急管理局
①排查深基坑。②整治高支模。
（六）特种设备安全整治。开展电梯隐患排查。
责任单位:县市场监管局(牵头)、县应急管理局、有关单位按职责分工负责
（七）校园安全整治
三、进度安排
（一）动员部署（2020年7月—9月）
（二）集中攻坚（2021年1月—12月）
"""


def _units(area):
    return area.lead_units, area.responsible_units


def test_responsibility_written_every_way():
    plan = parse_plan(TEXT)
    assert [a.title for a in plan.areas] == [
        "危险化学品安全整治",
        "城镇燃气安全整治",
        "道路运输安全整治",
        "消防安全整治",
        "建筑施工安全整治",
        "特种设备安全整治",
        "校园安全整治",
    ]
    one, two, three, four, five, six, seven = plan.areas
    assert _units(one) == (["县应急管理局"], ["县公安局", "各乡镇人民政府"])
    assert _units(two) == (["县住建局"], ["县自然资源局", "县城管局"])
    assert _units(three) == (["县交通运输局"], ["各有关部门"])
    assert _units(four) == (["县消防救援大队"], ["县住建局", "县公安局"])
    assert _units(five) == (["县住建局"], ["县应急管理局"])
    # the unit marked （牵头） leads and is not repeated among the responsible units
    assert _units(six) == (["县市场监管局"], ["县应急管理局", "有关单位按职责分工负责"])
    assert seven.items == [] and _units(seven) == ([], [])
    # the notes are no part of the items; deadlines and targets are read
    assert [i.text for i in one.items] == [
        "开展风险排查，2021年6月底前完成。",
        "重大危险源企业在线监测率达到100%以上。",
    ]
    assert one.items[0].deadlines == [D(2021, 6, 30)]
    assert [(t.comparator, t.value, t.unit) for t in one.items[1].targets] == [(">=", 100, "%")]
    assert [i.text for i in two.items] == ["排查燃气管道", "整治老旧管网，2022年底前完成。"]
    assert two.items[1].deadlines == [D(2022, 12, 31)]
    assert [i.text for i in three.items] == ["开展客货运整治。"]
    assert [(t.comparator, t.value, t.unit) for t in four.items[1].targets] == [(">=", 3, "个")]
    assert [i.text for i in five.items] == ["排查深基坑。", "整治高支模。"]
    assert [(p.name, p.start, p.end) for p in plan.phases] == [
        ("动员部署", "2020-07", "2020-09"),
        ("集中攻坚", "2021-01", "2021-12"),
    ]
    assert plan.unplaced == []


def test_vague_units_are_kept_and_flagged():
    plan = parse_plan(TEXT)
    assert plan.vague_units == [
        {"area": "道路运输安全整治", "text": "各有关部门"},
        {"area": "特种设备安全整治", "text": "有关单位按职责分工负责"},
    ]
    assert plan.to_dict()["vague_units"] == plan.vague_units
    assert (
        "vague_units"
        not in parse_plan("某县方案\n二、主要任务\n（一）危化品。排查。（牵头单位：县应急局）\n").to_dict()
    )


@pytest.mark.parametrize(
    "unit, vague",
    [
        ("各有关部门", True),
        ("各成员单位", True),
        ("有关单位按职责分工负责", True),
        ("相关部门", True),
        ("其他成员单位", True),
        ("各有关单位", True),
        ("县公安局", False),
        ("各乡镇人民政府", False),
        ("各乡镇党委、政府", False),
        ("有关乡镇", False),
    ],
)
def test_is_vague_unit(unit, vague):
    assert is_vague_unit(unit) is vague


@pytest.mark.parametrize(
    "note, expected",
    [
        ("县应急管理局牵头,县公安局、各乡镇人民政府配合", (["县应急管理局"], ["县公安局", "各乡镇人民政府"])),
        ("由县交通运输局牵头,各有关部门按职责分工负责", (["县交通运输局"], ["各有关部门"])),
        ("县住建局牵头，县自然资源局、县城管局参与", (["县住建局"], ["县自然资源局", "县城管局"])),
        ("县教育局、县公安局牵头", (["县教育局", "县公安局"], [])),
        ("生物油", None),
        ("含县公安局配合", None),
        ("2021年底前完成", None),
        ("", None),
    ],
)
def test_parse_prose_note(note, expected):
    assert parse_prose_note(note) == expected


def test_ordinary_brackets_stay_in_the_item():
    plan = parse_plan(
        "某县方案\n二、主要任务\n（一）新型生物油整治。排查工业乙醇（生物油）存放。（牵头单位：县教育局）\n"
    )
    assert plan.areas[0].items[0].text == "排查工业乙醇（生物油）存放。"


def test_area_headings_in_parts_and_di_xiang():
    plan = parse_plan(
        "某县方案\n第一部分 总体要求\n坚持安全发展。\n第二部分 主要任务\n"
        "一、危险化学品安全整治\n（县应急管理局牵头，县公安局配合）\n（1）开展排查。（2）建立清单。\n"
        "二、道路运输安全整治\n第三部分 实施步骤\n（一）动员部署（2020年7月—9月）\n"
    )
    assert [(a.number, a.title) for a in plan.areas] == [
        ("一", "危险化学品安全整治"),
        ("二", "道路运输安全整治"),
    ]
    assert _units(plan.areas[0]) == (["县应急管理局"], ["县公安局"])
    assert [i.text for i in plan.areas[0].items] == ["开展排查。", "建立清单。"]
    assert plan.areas[1].items == []
    assert [p.name for p in plan.phases] == ["动员部署"]
    plan = parse_plan(
        "某县方案\n二、重点任务\n第一项 危化品整治。一是排查。二是整改。（县应急局牵头）\n"
        "第二项 道路运输\n1、整治客运；\n2、整治货运。\n"
    )
    assert [(a.number, a.title, len(a.items)) for a in plan.areas] == [
        ("一", "危化品整治", 2),
        ("二", "道路运输", 2),
    ]
    assert plan.areas[0].lead_units == ["县应急局"]


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2021年12月底前", Deadline(D(2021, 12, 31))),
        ("2022年6月", Deadline(D(2022, 6, 30))),
        ("2022年2月底", Deadline(D(2022, 2, 28))),
        ("2021年底前", Deadline(D(2021, 12, 31))),
        ("2021年3月15日前", Deadline(D(2021, 3, 15))),
        ("2021年6月底前完成排查，2022年底前完成整治", Deadline(D(2022, 12, 31))),
        ("长期坚持", Deadline(None, ongoing=True)),
        ("持续推进", Deadline(None, ongoing=True)),
        ("", Deadline(None)),
        ("尽快", Deadline(None)),
        ("2021年13月", Deadline(None)),
    ],
)
def test_parse_deadline(text, expected):
    assert parse_deadline(text) == expected


TABLE = [
    ["重点任务分工表"],
    ["序号", "专项", "重点任务", "具体措施", "牵头单位", "责任单位", "完成时限", "备注"],
    [
        "1",
        "（一）危险化学品安全整治",
        "开展风险排查",
        "重大危险源在线监测率达到100%以上",
        "县应急管理局",
        "县公安局、县市场监管局",
        "2021年12月底前",
        "",
    ],
    [
        "2",
        "（一）危险化学品安全整治",
        "整治化工园区",
        "",
        "县发展改革局",
        "县应急管理局、各有关部门",
        "2022年6月",
        "",
    ],
    [
        "3",
        "（二）道路运输安全整治",
        "整治客运车辆",
        "",
        "",
        "县交通运输局（牵头）、县公安局",
        "长期坚持",
        "x",
    ],
    ["4", "", "整治货运车辆", "", "县交通运输局", "县公安局\n县应急管理局", "2021年底前", ""],
    ["序号", "专项", "重点任务", "具体措施", "牵头单位", "责任单位", "完成时限", "备注"],
    ["", "", "", "", "", "", "", ""],
]


def test_task_table():
    areas = parse_task_table(TABLE)
    assert [(a.number, a.title) for a in areas] == [("一", "危险化学品安全整治"), ("二", "道路运输安全整治")]
    chem, road = areas
    assert [i.text for i in chem.items] == ["开展风险排查：重大危险源在线监测率达到100%以上", "整治化工园区"]
    one, two = chem.items
    assert (one.lead_units, one.responsible_units) == (["县应急管理局"], ["县公安局", "县市场监管局"])
    assert (one.deadlines, one.deadline_text, one.ongoing) == ([D(2021, 12, 31)], "2021年12月底前", False)
    assert [(t.comparator, t.value, t.unit) for t in one.targets] == [(">=", 100, "%")]
    assert (two.lead_units, two.responsible_units, two.deadlines) == (
        ["县发展改革局"],
        ["县应急管理局", "各有关部门"],
        [D(2022, 6, 30)],
    )
    # the area's units are the union over its tasks, in order of first appearance
    assert chem.lead_units == ["县应急管理局", "县发展改革局"]
    assert chem.responsible_units == ["县公安局", "县市场监管局", "县应急管理局", "各有关部门"]
    a, b = road.items
    assert (a.lead_units, a.responsible_units, a.deadlines, a.ongoing) == (
        ["县交通运输局"],
        ["县公安局"],
        [],
        True,
    )
    assert (b.responsible_units, b.deadlines) == (["县公安局", "县应急管理局"], [D(2021, 12, 31)])
    assert a.to_dict() == {
        "text": "整治客运车辆",
        "deadlines": [],
        "targets": [],
        "lead_units": ["县交通运输局"],
        "responsible_units": ["县公安局"],
        "deadline_text": "长期坚持",
        "ongoing": True,
    }


def test_task_table_columns_in_any_order_and_other_names():
    rows = [
        ["完成时间", "配合单位", "工作任务", "领域", "牵头部门"],
        ["2021年6月", "县公安局", "排查隐患", "消防", "县消防救援大队"],
        ["长期", "", "宣传教育", "消防", "县消防救援大队"],
    ]
    (area,) = parse_task_table(rows)
    assert (area.number, area.title, [i.text for i in area.items]) == ("一", "消防", ["排查隐患", "宣传教育"])
    assert area.items[0].deadlines == [D(2021, 6, 30)] and area.items[1].ongoing
    assert parse_task_table([["序号", "企业名称"], ["1", "x"]]) is None
    assert parse_task_table([]) is None


def _docx_with_table(path, rows, paragraphs=(), merge_area=True):
    docx = pytest.importorskip("docx")
    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    doc.add_paragraph("附件：重点任务分工表")
    table = doc.add_table(rows=len(rows), cols=len(rows[0]))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.cell(r, c).text = text
    if merge_area:  # the area cell merged over its rows, as offices lay the annex out
        a = table.cell(1, 1).merge(table.cell(2, 1))
        a.text = rows[1][1]
    doc.save(path)


DOC_ROWS = [
    ["序号", "专项", "重点任务", "牵头单位", "责任单位", "完成时限"],
    ["1", "危险化学品安全整治", "开展风险排查", "县应急管理局", "县公安局", "2021年12月底前"],
    ["2", "", "整治化工园区", "县发展改革局", "县应急管理局（牵头）、县自然资源局", "2022年6月"],
    ["3", "消防安全整治", "打通生命通道", "县消防救援大队", "各乡镇人民政府", "长期坚持"],
]


def test_docx_with_merged_cell_task_table(tmp_path):
    path = tmp_path / "plan.docx"
    _docx_with_table(
        path,
        DOC_ROWS,
        paragraphs=[
            "某县安全生产专项整治三年行动方案",
            "二、主要任务",
            "（一）加强危险化学品安全整治。一是排查风险。（牵头单位：县应急管理局）",
            "（二）加强校园安全整治。开展校园排查。（县教育局牵头，县公安局配合）",
            "三、进度安排",
            "（一）动员部署（2020年7月—9月）",
        ],
    )
    read = read_plan(path)
    plan = read.parsed
    assert plan.title == "某县安全生产专项整治三年行动方案"
    assert [(a.number, a.title) for a in plan.areas] == [
        ("一", "危险化学品安全整治"),
        ("二", "加强校园安全整治"),
        ("三", "消防安全整治"),
    ]
    chem, school, fire = plan.areas
    assert [i.text for i in chem.items] == ["开展风险排查", "整治化工园区"]
    assert chem.items[1].lead_units == ["县发展改革局", "县应急管理局"]
    assert chem.items[1].responsible_units == ["县自然资源局"]
    assert chem.items[1].deadlines == [D(2022, 6, 30)]
    assert chem.lead_units == ["县应急管理局", "县发展改革局"]
    assert school.lead_units == ["县教育局"] and school.items[0].lead_units == []
    assert fire.items[0].ongoing and fire.responsible_units == ["各乡镇人民政府"]
    assert [p.name for p in plan.phases] == ["动员部署"]
    assert "开展风险排查" not in read.text and "打通生命通道" not in read.text  # the table is read as a table


def _xlsx(path, rows, merges=()):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "分工表"
    for row in rows:
        ws.append(row)
    for rng in merges:
        ws.merge_cells(rng)
    wb.save(path)


def test_xlsx_task_table(tmp_path):
    path = tmp_path / "分工表.xlsx"
    rows = [
        ["某县安全生产专项整治三年行动重点任务分工表", "", "", "", "", "", ""],
        ["序号", "领域", "工作任务", "具体措施", "牵头单位", "配合单位", "完成时限"],
        [1, "危险化学品", "开展风险排查", "覆盖率不低于95%", "县应急管理局", "县公安局", "2021年12月底前"],
        [2, None, "整治化工园区", None, "县发展改革局", "各成员单位", "2022年6月"],
        [3, "道路运输", "整治客运车辆", None, "县交通运输局", "县公安局、县应急管理局", "长期坚持"],
    ]
    _xlsx(path, rows, merges=["A1:G1", "B3:B4"])
    read = read_plan(path)
    plan = read.parsed
    assert [(a.number, a.title) for a in plan.areas] == [("一", "危险化学品"), ("二", "道路运输")]
    chem, road = plan.areas
    assert [i.text for i in chem.items] == ["开展风险排查：覆盖率不低于95%", "整治化工园区"]
    assert [(t.comparator, t.value, t.unit) for t in chem.items[0].targets] == [(">=", 95, "%")]
    assert chem.items[1].responsible_units == ["各成员单位"]
    assert plan.vague_units == [{"area": "危险化学品", "text": "各成员单位"}]
    assert road.items[0].ongoing and road.items[0].deadlines == []
    assert road.responsible_units == ["县公安局", "县应急管理局"]
    assert plan.title == "分工表"
    assert "开展风险排查" in read.text


def test_other_file_types_are_refused(tmp_path):
    for name in ("plan.doc", "plan.xls", "plan", "plan.wps"):
        (tmp_path / name).write_bytes(b"x")
        with pytest.raises(ValueError, match="只支持 .txt、.docx、.xlsx 和 .pdf"):
            read_plan(tmp_path / name)
    for name in ("broken.docx", "broken.xlsx", "broken.pdf"):
        (tmp_path / name).write_bytes(b"PK\x03\x04 not really")
        with pytest.raises(ValueError, match="不是有效的"):
            read_plan(tmp_path / name)


# --------------------------------------------------------------------------- PDF


def test_pdf_lines_drop_running_headers_footers_and_page_numbers_and_join_wrapped_lines():
    pages = [
        [
            "某县人民政府办公室文件",
            "某县安全生产专项整治三年行动方案",
            "二、主要任务",
            "（一）危险化学品安全整治。一是开展风险排查，覆盖全部危险化",
            "学品企业。二是建立清单。",
            "- 1 -",
        ],
        [
            "某县人民政府办公室文件",
            "（牵头单位：县应急管理局）",
            "（二）消防安全整治。开展排查。",
            "第 2 页 共 3 页",
        ],
        ["某县人民政府办公室文件", "三、进度安排", "（一）动员部署（2020年7月—9月）", "3"],
    ]
    lines = pdf_lines(pages)
    assert lines == [
        "某县安全生产专项整治三年行动方案",
        "二、主要任务",
        "（一）危险化学品安全整治。一是开展风险排查，覆盖全部危险化学品企业。二是建立清单。",
        "（牵头单位：县应急管理局）",
        "（二）消防安全整治。开展排查。",
        "三、进度安排",
        "（一）动员部署（2020年7月—9月）",
    ]
    plan = parse_plan("\n".join(lines))
    assert plan.areas[0].lead_units == ["县应急管理局"]
    assert [i.text for i in plan.areas[0].items] == ["开展风险排查，覆盖全部危险化学品企业。", "建立清单。"]


def _cjk_font():
    """A CJK font on this machine (Debian: fonts-wqy-zenhei or fonts-noto-cjk), or None."""
    if not shutil.which("fc-list"):
        return None
    out = subprocess.run(["fc-list", ":lang=zh", "file"], capture_output=True, text=True).stdout
    files = sorted({line.split(":")[0].strip() for line in out.splitlines() if line.strip()})
    return next((f for f in files if f.endswith((".ttf", ".otf"))), None) or next(
        (f for f in files if f.endswith(".ttc")), None
    )


PDF_PARAGRAPHS = [
    "某县安全生产专项整治三年行动方案",
    "二、主要任务",
    "（一）危险化学品安全整治〔县应急管理局牵头，县公安局、各乡镇人民政府配合〕",
    "一是开展危险化学品企业安全风险排查，2021年6月底前完成重大危险源企业在线监测，"
    "重大危险源在线监测率达到100%以上，建立健全安全风险分级管控和隐患排查治理双重预防机制。",
    "二是整治化工园区，2022年底前完成。",
    "（二）道路运输安全整治（由县交通运输局牵头，各有关部门按职责分工负责）",
    "一是整治客运车辆。二是整治货运车辆，重点车辆动态监控入网率不低于95%。",
    "三、进度安排",
    "（一）动员部署（2020年7月—9月）",
    "（二）集中攻坚（2021年1月—12月）",
]


def _text_pdf(path, paragraphs, font):
    fpdf = pytest.importorskip("fpdf")

    class Doc(fpdf.FPDF):
        def header(self):
            self.set_font("cjk", size=9)
            self.cell(0, 8, "某县人民政府办公室文件", align="C", new_x="LMARGIN", new_y="NEXT")
            self.set_font("cjk", size=14)

        def footer(self):
            self.set_y(-15)
            self.set_font("cjk", size=9)
            self.cell(0, 8, f"- {self.page_no()} -", align="C")

    pdf = Doc(format="A4")
    pdf.set_auto_page_break(True, margin=20)
    pdf.add_font("cjk", "", font)
    pdf.add_page()
    pdf.set_font("cjk", size=14)
    for i, p in enumerate(paragraphs):
        if i == 7:
            pdf.add_page()  # the schedule on a second page
        pdf.multi_cell(0, 8, p, new_x="LMARGIN", new_y="NEXT", wrapmode=fpdf.enums.WrapMode.CHAR)
    pdf.output(str(path))


def test_text_pdf_reads_like_text(tmp_path):
    font = _cjk_font()
    if font is None:
        pytest.skip("no CJK font on this machine (apt-get install fonts-wqy-zenhei or fonts-noto-cjk)")
    path = tmp_path / "plan.pdf"
    _text_pdf(path, PDF_PARAGRAPHS, font)
    read = read_plan(path)
    plan = read.parsed
    assert plan.title == "某县安全生产专项整治三年行动方案"
    chem, road = plan.areas
    assert _units(chem) == (["县应急管理局"], ["县公安局", "各乡镇人民政府"])
    assert _units(road) == (["县交通运输局"], ["各有关部门"])
    assert [i.text for i in chem.items] == [PDF_PARAGRAPHS[3][2:], "整治化工园区，2022年底前完成。"]
    assert chem.items[0].deadlines == [D(2021, 6, 30)]
    assert [(t.comparator, t.value) for t in chem.items[0].targets] == [(">=", 100)]
    assert [(t.comparator, t.value) for t in road.items[1].targets] == [(">=", 95)]
    assert [(p.name, p.start, p.end) for p in plan.phases] == [
        ("动员部署", "2020-07", "2020-09"),
        ("集中攻坚", "2021-01", "2021-12"),
    ]
    assert "某县人民政府办公室文件" not in read.text and "- 1 -" not in read.text
    assert plan.vague_units == [{"area": "道路运输安全整治", "text": "各有关部门"}]


def test_scanned_pdf_gets_a_clear_message(tmp_path):
    fpdf = pytest.importorskip("fpdf")
    pdf = fpdf.FPDF()
    pdf.add_page()
    pdf.rect(20, 20, 100, 50, style="F")  # a page with no text layer, like a scan
    path = tmp_path / "scan.pdf"
    pdf.output(str(path))
    with pytest.raises(plan_tables.NoTextLayer, match="没有文字层"):
        read_plan(path)


# --------------------------------------------------------------------------- hostile input


_CELL = st.text(
    alphabet=st.sampled_from(
        list("序号专项重点任务牵头单位责任完成时限县局、（）()牵头2021年12月底前长期坚持\n ")
    ),
    max_size=20,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=0, max_size=8), max_size=8))
def test_parse_task_table_never_fails(rows):
    areas = parse_task_table(rows)
    assert areas is None or all(a.title for a in areas)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.text(max_size=40), max_size=6), max_size=5))
def test_pdf_lines_never_fail(pages):
    assert all(isinstance(line, str) and line for line in pdf_lines(pages))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=80))
def test_prose_notes_and_deadlines_accept_any_text(text):
    parse_prose_note(text)
    is_vague_unit(text)
    parse_deadline(text)
