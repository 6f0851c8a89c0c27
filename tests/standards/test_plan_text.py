"""Tests of worksafe.standards.plan_text (pure Python: no Django needed)."""

import datetime
import json
import pathlib
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

try:
    from worksafe.standards import plan_text
except ImportError:  # run without the package installed: import from src/
    sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[2] / "src"))
    from worksafe.standards import plan_text

from worksafe.standards.plan_text import (
    Target,
    parse_deadlines,
    parse_plan,
    parse_targets,
    read_document,
    split_units,
)

DATA = pathlib.Path(__file__).parent / "data"
SEED = pathlib.Path("/work/shared/seed/000_7f2d803137a45e92.txt")
CN = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
      "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八"]
D = datetime.date


def _area(plan, number):
    return next(a for a in plan.areas if a.number == number)


def _targets(target_list):
    return [(t.comparator, t.value, t.unit) for t in target_list]


# --------------------------------------------------------------------------- the seed plan


@pytest.fixture(scope="module")
def seed():
    if not SEED.exists():
        pytest.skip("seed document not available")
    return parse_plan(read_document(SEED))


def test_seed_title_areas_phases(seed):
    assert seed.title == "玛沁县安全生产专项整治三年行动方案"
    assert [a.number for a in seed.areas] == CN
    assert seed.areas[0].title == "提高政治站位,认真学习文件精神"
    assert seed.areas[-1].title == "加强危险废物安全整治"
    assert [(p.name, p.start, p.end) for p in seed.phases] == [
        ("动员部署", "2020-07", "2020-09"),
        ("方案制定", "2020-07", "2020-09"),
        ("查漏补缺", "2020-07", "2020-09"),
        ("排查整治", "2020-08", "2020-12"),
        ("集中攻坚", "2021-01", "2021-12"),
        ("巩固提升", "2022-01", "2022-12"),
    ]


def test_seed_area_one(seed):
    area = _area(seed, "一")
    assert area.lead_units == ["县应急管理局"]
    assert area.responsible_units == ["县委组织部", "县委宣传部", "县委编办", "县发展和改革局", "各乡镇党委、政府"]
    assert len(area.items) == 6
    assert area.items[0].text.startswith("组织安排各乡镇")
    sixth = area.items[5]
    assert sixth.text.startswith("加强执法大队队伍建设")
    assert sixth.deadlines == [D(2022, 12, 31)]
    assert _targets(sixth.targets) == [(">=", 70, "%")]
    assert sixth.targets[0].text == "不低于在职人员的70%"


def test_seed_item_counts(seed):
    counts = [len(a.items) for a in seed.areas]
    assert counts == [6, 6, 4, 4, 1, 6, 5, 5, 5, 6, 3, 3, 4, 7, 3, 6, 1, 2]
    for area in seed.areas:
        for item in area.items:
            assert item.text and not item.text.startswith(("一是", "二是"))
            assert "牵头单位" not in item.text and "责任单位" not in item.text


def test_seed_numeric_targets(seed):
    four = _area(seed, "四").items[3]
    assert four.deadlines == [D(2022, 12, 31)]
    assert _targets(four.targets) == [(">=", 100, "%")]
    assert four.targets[0].text == "达到100%"
    fourteen = _area(seed, "十四").items[0]
    assert _targets(fourteen.targets) == [(">=", 80, "%")]
    assert fourteen.targets[0].text == "80%以上"
    all_targets = [t for a in seed.areas for i in a.items for t in i.targets]
    assert len(all_targets) == 3


def test_seed_deadlines(seed):
    assert _area(seed, "二").items[0].deadlines == [D(2021, 12, 31)]
    # 《玛沁县安委会办公室2020年度工作要点》 is no deadline
    assert _area(seed, "八").items[0].deadlines == []
    every = {d for a in seed.areas for i in a.items for d in i.deadlines}
    assert every == {D(2021, 12, 31), D(2022, 12, 31)}


def test_seed_responsibility_variants(seed):
    five = _area(seed, "五")
    assert len(five.items) == 1
    assert five.items[0].text.startswith("严格工贸企业")
    assert five.items[0].text.endswith("专项整治。")
    six = _area(seed, "六")
    assert six.lead_units == ["县消防救援大队"]
    assert six.responsible_units[-2:] == ["县民宗局", "各乡镇党委、政府"]
    nine = _area(seed, "九")
    assert nine.lead_units == ["县住房和城乡建设局"]
    twelve = _area(seed, "十二")
    assert twelve.lead_units == ["县市场监督管理局"]
    assert twelve.responsible_units[0] == "县应急管理局"
    assert len(twelve.responsible_units) == 6
    thirteen = _area(seed, "十三")
    assert thirteen.lead_units == ["果洛机场"]
    fourteen = _area(seed, "十四")
    assert fourteen.lead_units == ["国网果洛供电公司玛沁分公司"]
    assert fourteen.responsible_units[-1] == "各乡镇党委、政府"
    assert fourteen.items[-1].text.endswith("隐患排查整治。")
    assert _area(seed, "十六").lead_units == ["玛沁县邮政局"]
    for area in seed.areas:
        assert area.lead_units and area.responsible_units
        for unit in area.lead_units + area.responsible_units:
            assert not any(ch in unit for ch in "。;；:：()（）")


def test_seed_unplaced(seed):
    assert seed.unplaced[0] == "各乡(镇)人民政府、县政府各部门并省州驻县各单位:"
    assert "2020年9月7日" in seed.unplaced
    assert "一、总体要求" in seed.unplaced
    assert "四、保障措施" in seed.unplaced
    assert any(u.startswith("以上实施方案由牵头部门具体制定") for u in seed.unplaced)
    assert any(u.startswith("从2020年7月至2022年12月底结束") for u in seed.unplaced)
    # area 一's lead-in sentence before 一是 is neither title nor item
    assert "深入学习贯彻习近平总书记关于安全生产的重要论述和指示批示精神。" in seed.unplaced
    # nothing structural leaks into unplaced
    assert seed.title not in seed.unplaced
    assert not any(u in ("。", ")", "）") or "牵头单位" in u[:8] for u in seed.unplaced)
    assert not any(u.startswith("(一)动员部署") for u in seed.unplaced)


def test_seed_to_dict_shape(seed):
    data = json.loads(json.dumps(seed.to_dict(), ensure_ascii=False))
    assert set(data) == {"title", "phases", "areas", "unplaced"}
    assert set(data["phases"][0]) == {"name", "start", "end"}
    area = data["areas"][0]
    assert set(area) == {"number", "title", "lead_units", "responsible_units", "items"}
    item = area["items"][5]
    assert set(item) == {"text", "deadlines", "targets"}
    assert item["deadlines"] == ["2022-12-31"]
    assert item["targets"] == [
        {"text": "不低于在职人员的70%", "comparator": ">=", "value": 70, "unit": "%"}]
    assert isinstance(item["targets"][0]["value"], int)


# --------------------------------------------------------------------------- other layouts


def test_own_line_headings_and_responsibility_lines():
    plan = parse_plan(read_document(DATA / "plan_own_line_headings.txt"))
    assert plan.title == "湖滨县安全生产专项整治三年行动实施方案"
    assert [(a.number, a.title) for a in plan.areas] == [
        ("1", "危险化学品安全整治"), ("2", "道路运输安全整治"), ("3", "消防安全整治")]
    one, two, three = plan.areas
    assert one.lead_units == ["县应急局"]
    assert one.responsible_units == ["县公安局", "县交通局"]
    assert [i.deadlines for i in one.items] == [[D(2021, 6, 30)], [D(2022, 6, 30)]]
    assert two.responsible_units == ["县公安局", "各乡（镇）党委、政府"]
    assert _targets(two.items[0].targets) == [(">=", 95, "%")]
    assert three.responsible_units == ["县住建局", "各乡镇党委政府"]
    assert [i.text for i in three.items] == [
        "开展高层建筑消防安全排查，2021年3月15日前建立隐患清单。", "改造老旧小区消防设施不少于3个。"]
    assert three.items[0].deadlines == [D(2021, 3, 15)]
    assert _targets(three.items[1].targets) == [(">=", 3, "个")]
    assert [(p.name, p.start, p.end) for p in plan.phases] == [
        ("动员部署阶段", "2020-06", "2020-07"),
        ("排查整治阶段", "2020-08", "2020-12"),
        ("集中攻坚", "2021-01", "2021-12"),
        ("巩固提升阶段", "2022-01", "2022-12"),
    ]
    assert "一、指导思想" in plan.unplaced and "四、工作要求" in plan.unplaced


def test_stray_paragraph_in_task_section_is_unplaced():
    plan = parse_plan(read_document(DATA / "plan_own_line_headings.txt"))
    stray = "这一段是夹在任务之间的说明文字，不属于任何整治领域。"
    assert stray in plan.unplaced
    assert all(stray not in i.text for a in plan.areas for i in a.items)
    plan = parse_plan(read_document(DATA / "plan_responsible_only.txt"))
    assert "各牵头单位要制定本领域实施方案。" in plan.unplaced
    # intro text of the task section, before the first area
    plan = parse_plan("某县专项整治三年行动方案\n一、主要任务\n全县上下要统一思想。\n"
                      "（一）加强危化品整治。开展排查。（牵头单位：县应急局）\n")
    assert plan.unplaced == ["全县上下要统一思想。"]
    assert [i.text for i in plan.areas[0].items] == ["开展排查。"]


def test_only_responsible_units():
    plan = parse_plan(read_document(DATA / "plan_responsible_only.txt"))
    assert plan.title == "河源县安全生产专项整治三年行动计划"
    one, two, three = plan.areas
    assert one.lead_units == []
    assert one.responsible_units == ["县应急管理局", "县市场监管局"]
    assert [i.text for i in one.items] == ["全面排查危险化学品企业，年内完成风险评估", "2021年6月底前建成监测预警系统。"]
    assert one.items[0].deadlines == []  # 年内 with no year in the item: no deadline invented
    assert one.items[1].deadlines == [D(2021, 6, 30)]
    # 主要责任单位 is lead-like, 协办单位 responsible-like; trailing 。 after the note is dropped
    assert two.lead_units == ["县教育局"]
    assert two.responsible_units == ["县公安局", "县卫生健康局"]
    assert [i.text for i in two.items] == ["开展校园及周边安全隐患排查，2021年底前实现校园视频监控覆盖率100%。"]
    assert two.items[0].targets == []  # 覆盖率100% carries no comparator
    assert three.lead_units == []
    assert three.responsible_units == ["县住房和城乡建设局", "各乡（镇）党委、政府"]
    assert len(plan.phases) == 3


def test_numbered_items():
    plan = parse_plan(read_document(DATA / "plan_numbered_items.txt"))
    one, two, three = plan.areas
    assert [a.number for a in plan.areas] == ["一", "二", "三"]
    assert one.title == "推动企业落实主体责任"
    assert [i.text for i in one.items] == [
        "建立全员安全生产责任制，2021年底前覆盖全部企业。",
        "开展安全生产标准化建设，规上企业达标率不低于90%。",
        "企业主要负责人安全培训合格率达到100%。",
    ]
    assert one.lead_units == ["县应急管理局"]
    assert one.responsible_units == ["县工信局", "县市场监管局"]  # 配合单位
    assert _targets(one.items[1].targets) == [(">=", 90, "%")]
    assert two.title == "强化建筑施工安全"
    assert [i.text for i in two.items] == ["深基坑、高支模等危险性较大工程专项整治。", "2022年12月底前完成施工现场视频监控建设。"]
    assert two.items[1].deadlines == [D(2022, 12, 31)]
    assert two.lead_units == ["县住建局"] and two.responsible_units == ["县应急管理局"]
    assert len(three.items) == 1 and _targets(three.items[0].targets) == [(">=", 98, "%")]
    assert three.responsible_units == ["各乡镇党委、政府"]
    assert plan.unplaced[-2:] == ["四、保障措施", "（一）加强组织领导。各单位要高度重视。"]


def test_items_split_on_separate_lines_and_circled_numbers():
    plan = parse_plan(
        "某县安全生产专项整治三年行动方案\n二、主要任务\n"
        "（一）加强矿山整治\n一是严格准入。\n二是排查隐患，2021年9月底前完成。\n"
        "（二）加强校园安全。①排查隐患；②完善制度。\n"
        "牵头单位：县教育局\n"
    )
    one, two = plan.areas
    assert [i.text for i in one.items] == ["严格准入。", "排查隐患，2021年9月底前完成。"]
    assert one.items[1].deadlines == [D(2021, 9, 30)]
    assert [i.text for i in two.items] == ["排查隐患", "完善制度。"]
    assert two.lead_units == ["县教育局"]


def test_one_note_per_item_is_merged_into_the_area():
    plan = parse_plan(
        "某县专项整治方案\n一、重点任务\n（一）道路运输。一是整治客运（牵头单位：县交通局；责任单位：县公安局）。"
        "二是整治货运（牵头单位：县交通局；责任单位：县市场监管局）。\n"
    )
    area = plan.areas[0]
    assert [i.text for i in area.items] == ["整治客运。", "整治货运。"]
    assert area.lead_units == ["县交通局"]
    assert area.responsible_units == ["县公安局", "县市场监管局"]
    assert plan.unplaced == []


def test_area_level_follows_official_numbering_hierarchy():
    # a "1." line before the first （一） does not make "1." the area level
    plan = parse_plan(
        "某县安全生产专项整治三年行动方案\n二、主要任务\n1. 总的要求是压实责任。\n"
        "（一）危险化学品\n1. 排查风险。\n2. 建立清单，2021年底前完成。\n（牵头单位：县应急局）\n"
        "（二）消防\n1. 打通生命通道。\n2. 改造设施。\n（责任单位：县消防救援大队）\n"
    )
    assert [(a.number, a.title, len(a.items)) for a in plan.areas] == [("一", "危险化学品", 2), ("二", "消防", 2)]
    assert plan.areas[0].items[1].deadlines == [D(2021, 12, 31)]
    assert plan.unplaced == ["1. 总的要求是压实责任。"]


def test_phase_range_variants():
    plan = parse_plan(
        "某县安全生产专项整治三年行动方案\n三、时间安排和工作步骤\n"
        "1.动员部署（2020年7月～9月底）\n"
        "2.排查整治：2020年10月至3月\n"
        "第三阶段：集中攻坚（2021年上半年）\n"
        "（4）巩固提升阶段（2021年7月-2022年）。总结经验。\n"
        "全县按四个阶段推进。\n"
    )
    assert [(p.name, p.start, p.end) for p in plan.phases] == [
        ("动员部署", "2020-07", "2020-09"),
        ("排查整治", "2020-10", "2021-03"),
        ("集中攻坚", "2021-01", "2021-06"),
        ("巩固提升阶段", "2021-07", "2022-12"),
    ]
    assert plan.unplaced == ["全县按四个阶段推进。"]
    assert plan.areas == []


_STRUCTURE_ALPHABET = ("一二三四五六七八九十、.．（）()12345是年月底前牵头单位责任：:；;，,。\n"
                       "任务进度方案各乡镇党委政府%以上不低于")


@given(st.text(alphabet=_STRUCTURE_ALPHABET, max_size=200))
def test_parse_plan_never_fails(text):
    data = parse_plan(text).to_dict()
    json.dumps(data, ensure_ascii=False)
    for area in data["areas"]:
        for unit in area["lead_units"] + area["responsible_units"]:
            assert unit.strip() == unit and unit


# --------------------------------------------------------------------------- documents


def _write_docx(path, lines, table_line):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    for line in lines:
        if line == table_line:
            table = document.add_table(rows=1, cols=1)
            table.cell(0, 0).text = line
        else:
            document.add_paragraph(line)
    document.save(path)
    return path


@pytest.mark.parametrize("name", ["plan_own_line_headings.txt", "plan_numbered_items.txt"])
def test_docx_parses_like_txt(tmp_path, name):
    text = read_document(DATA / name)
    lines = text.splitlines()
    table_line = next(line for line in lines if line.startswith(("（2）", "（1）", "牵头单位")))
    path = _write_docx(tmp_path / "plan.docx", lines, table_line)
    docx_text = read_document(path)
    assert [line for line in docx_text.splitlines() if line] == [line for line in lines if line]
    assert parse_plan(docx_text).to_dict() == parse_plan(text).to_dict()


def test_docx_table_cells_in_order_merged_cells_once(tmp_path):
    docx = pytest.importorskip("docx")
    document = docx.Document()
    document.add_paragraph("前")
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "甲"
    table.cell(0, 1).text = "乙"
    merged = table.cell(1, 0).merge(table.cell(1, 1))
    merged.text = "丙"
    document.add_paragraph("后")
    document.save(tmp_path / "t.docx")
    assert read_document(tmp_path / "t.docx").split("\n") == ["前", "甲", "乙", "丙", "后"]


def test_read_document_encodings_and_errors(tmp_path):
    text = "某县安全生产专项整治三年行动方案\n二、主要任务\n（一）加强整治。开展排查。（责任单位：县应急局）"
    (tmp_path / "gbk.txt").write_bytes(text.encode("gb18030"))
    (tmp_path / "bom.txt").write_bytes(text.encode("utf-8-sig"))
    (tmp_path / "utf16.txt").write_bytes(text.encode("utf-16"))
    for name in ("gbk.txt", "bom.txt", "utf16.txt"):
        assert read_document(tmp_path / name) == text
        assert parse_plan(read_document(str(tmp_path / name))).title == "某县安全生产专项整治三年行动方案"
    (tmp_path / "plan.pdf").write_bytes(b"%PDF")
    with pytest.raises(ValueError, match="不支持"):
        read_document(tmp_path / "plan.pdf")
    with pytest.raises(ValueError, match="不支持"):
        read_document(tmp_path / "plan.doc")


def test_module_has_no_django_import():
    source = pathlib.Path(plan_text.__file__).read_text(encoding="utf-8")
    assert "django" not in source.lower()
    assert "import docx" not in source.split("def _docx_paragraphs", 1)[0]


# --------------------------------------------------------------------------- deadlines


@pytest.mark.parametrize(
    ("sentence", "context_year", "expected"),
    [
        ("2021年底前完成", None, [D(2021, 12, 31)]),
        ("2021年年底前完成", None, [D(2021, 12, 31)]),
        ("2022年12月底完成", None, [D(2022, 12, 31)]),
        ("2022年12月底前完成", None, [D(2022, 12, 31)]),
        ("2021年6月底前", None, [D(2021, 6, 30)]),
        ("2021年2月底前", None, [D(2021, 2, 28)]),
        ("2024年2月底前", None, [D(2024, 2, 29)]),
        ("2100年2月底前", None, [D(2100, 2, 28)]),
        ("2000年2月底前", None, [D(2000, 2, 29)]),
        ("2021年3月15日前", None, [D(2021, 3, 15)]),
        ("2021年开展，6月底前完成", None, [D(2021, 6, 30)]),
        ("6月底前完成", 2022, [D(2022, 6, 30)]),
        ("6月底前完成", None, []),
        ("年内完成", 2021, [D(2021, 12, 31)]),
        ("年底前完成", 2021, [D(2021, 12, 31)]),
        ("2021年内完成", None, [D(2021, 12, 31)]),
        ("2022年年中", None, [D(2022, 6, 30)]),
        ("2022年上半年完成", None, [D(2022, 6, 30)]),
        ("上半年完成", 2021, [D(2021, 6, 30)]),
        ("2021年下半年", None, [D(2021, 12, 31)]),
        ("2021年第三季度前", None, [D(2021, 9, 30)]),
        ("2021年9月中旬前", None, [D(2021, 9, 20)]),
        ("到2022年，基本建成", None, [D(2022, 12, 31)]),
        ("2021年底前建成，2022年6月底前验收，2021年底前总结", None, [D(2021, 12, 31), D(2022, 6, 30)]),
        # not deadlines
        ("按照《2020年度工作要点》", None, []),
        ("2020年9月7日", None, [D(2020, 9, 7)]),
        ("从2020年7月至2022年12月底结束", None, [D(2022, 12, 31)]),
        ("自2021年3月起施行", None, []),
        ("于每年12月5日报送", 2021, []),
        ("三年内完成", 2021, []),
        ("2021年2月30日前", None, []),
        ("2021年13月底前", None, []),
        ("全部建立安全生产管理团队", 2021, []),
    ],
)
def test_parse_deadlines(sentence, context_year, expected):
    assert parse_deadlines(sentence, context_year) == expected


@given(year=st.integers(1000, 9999), month=st.integers(1, 12),
       before=st.text(alphabet="加强完成建设的，。", max_size=8),
       after=st.sampled_from(["", "前", "以前", "之前", "前完成", "完成"]))
def test_month_end_property(year, month, before, after):
    result = parse_deadlines(f"{before}{year}年{month}月底{after}")
    if (year, month) == (9999, 12):
        expected = D(9999, 12, 31)
    else:  # the day before the first of the next month
        expected = D(year + month // 12, month % 12 + 1, 1) - datetime.timedelta(days=1)
    assert result == [expected]


@given(st.text(alphabet="0123456789年月日号底前末内中上下半旬初季度第一二三四每自从至起—到，。 ", max_size=40),
       st.one_of(st.none(), st.integers(-5, 12000)))
def test_parse_deadlines_never_fails(sentence, context_year):
    result = parse_deadlines(sentence, context_year)
    assert all(isinstance(d, datetime.date) for d in result)
    assert len(result) == len(set(result))


@given(st.text(max_size=60))
def test_parse_deadlines_and_targets_accept_any_text(sentence):
    assert all(isinstance(d, datetime.date) for d in parse_deadlines(sentence))
    for target in parse_targets(sentence):
        assert target.comparator in (">=", "<=", "=", ">", "<")
        assert target.text in sentence


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("执法人员不低于在职人员的70%的目标", [("不低于在职人员的70%", ">=", 70, "%")]),
        ("安装达到100%。", [("达到100%", ">=", 100, "%")]),
        ("覆盖面达到80%以上", [("80%以上", ">=", 80, "%")]),
        ("培育不少于5家标杆企业", [("不少于5家", ">=", 5, "家")]),
        ("建成10个以上示范点", [("10个以上", ">=", 10, "个")]),
        ("事故起数不超过3起", [("不超过3起", "<=", 3, "起")]),
        ("死亡率控制在1.5%以内", [("1.5%以内", "<=", 1.5, "%")]),
        ("隐患整改率不高于5%以下", [("5%以下", "<=", 5, "%")]),
        ("超过20人的场所", [("超过20人", ">", 20, "人")]),
        ("发生率低于2％", [("低于2％", "<", 2, "%")]),
        ("下降2个百分点以上", [("2个百分点以上", ">=", 2, "个百分点")]),
        ("创建不少于三家示范企业", [("不少于三家", ">=", 3, "家")]),
        ("每年至少两次演练", [("至少两次", ">=", 2, "次")]),
        # not numeric targets
        ("全部建立安全生产技术和管理团队", []),
        ("做到实名收寄信息化全覆盖", []),
        ("达到一个新水平", []),
        ("2022年底前完成", []),
        ("覆盖率100%", []),
        ("制定2个专题实施方案", []),
    ],
)
def test_parse_targets(sentence, expected):
    targets = parse_targets(sentence)
    assert [(t.text, t.comparator, t.value, t.unit) for t in targets] == expected
    for target, (_, _, value, _) in zip(targets, expected, strict=True):
        assert isinstance(target, Target)
        assert type(target.value) is type(value)


# --------------------------------------------------------------------------- units


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("县委组织部、县委宣传部、县委编办、县发展和改革局,各乡镇党委、政府",
         ["县委组织部", "县委宣传部", "县委编办", "县发展和改革局", "各乡镇党委、政府"]),
        ("县民宗局;各乡镇党委、政府", ["县民宗局", "各乡镇党委、政府"]),
        ("县公安局，各乡（镇）党委、政府", ["县公安局", "各乡（镇）党委、政府"]),
        ("县公安局；各乡(镇)党委、政府。", ["县公安局", "各乡(镇)党委、政府"]),
        ("县住建局；各乡镇党委政府", ["县住建局", "各乡镇党委政府"]),
        ("果洛机场、国网果洛供电公司玛沁分公司、玛沁县邮政局",
         ["果洛机场", "国网果洛供电公司玛沁分公司", "玛沁县邮政局"]),
        ("县委、县政府", ["县委", "县政府"]),
        ("县公安局、县公安局", ["县公安局"]),
        ("", []),
    ],
)
def test_split_units(text, expected):
    assert split_units(text) == expected


_UNIT_NAMES = ["县应急管理局", "县公安局", "县住房和城乡建设局", "果洛机场", "县委编办", "县消防救援大队"]
_PARTY_GOV = ["各乡镇党委、政府", "各乡(镇)党委、政府", "各乡（镇）党委、政府", "各乡镇党委，政府"]


@given(names=st.lists(st.sampled_from(_UNIT_NAMES), unique=True, max_size=6),
       party=st.sampled_from(_PARTY_GOV), position=st.integers(0, 6),
       separators=st.lists(st.sampled_from(list("、,，;；")), min_size=7, max_size=7))
def test_split_units_keeps_party_government_whole(names, party, position, separators):
    units = list(names)
    units.insert(min(position, len(units)), party)
    text = units[0] + "".join(sep + unit for sep, unit in zip(separators, units[1:], strict=False))
    assert split_units(text) == units
