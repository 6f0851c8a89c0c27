"""Parse a county 安全生产专项整治三年行动方案 (.txt / .docx) into structure.

County plans follow the 2020 national template, 国务院安委会《全国安全生产专项整治三年行动计划》
(安委〔2020〕3号), as re-issued by provinces, prefectures and counties: a cover letter, the plan's
title, a preamble, then top-level sections numbered 一、二、三、…  Among them:

* a main-tasks section (any top-level heading containing 任务, e.g. 二、主要任务) holding the
  numbered special-rectification *areas*, each with its *items* and a responsibility note
  (牵头单位…; 责任单位…);
* a schedule section (heading containing 进度/步骤/阶段/时间安排, e.g. 三、进度安排) holding the
  *phases* 动员部署、排查整治、集中攻坚、巩固提升 … with their month ranges.

Nothing here is specific to one county: numbering styles, punctuation widths and keywords are
recognised generally. Pure Python; python-docx is imported lazily by :func:`read_document` only.

Rules
-----
Lines
    The text is split into paragraphs (lines); blank lines are ignored and each line is stripped.
Title
    In the region before the first top-level heading: the first line that contains 方案 or 计划
    outside 《》/“”/<> quotes, does not end like a sentence (。，；：) and is not a
    "…的通知" cover-letter header.
Areas
    In the main-tasks section, the highest-level numbering style found at a line start — in the
    order of official documents (GB/T 9704) （一） > 1. / 1、 / 1） > （1） > ① — is the *area*
    style; every line starting with that style opens an area.
    ``number`` is the numeral as written without brackets or punctuation ("十八", "1").
    ``title`` is the heading text up to the first 。 (or up to a ：/: within the first 40
    characters when there is no 。); a heading on its own line is the title as a whole.
Items
    The rest of the area text (rest of the heading line plus following lines) is split on
    sequential markers 一是/二是…, （1）（2）…, 1. 2. …, ①② … or （一）（二）… (whichever sequence
    starts first; a marker must begin a line or follow punctuation; other sequences need at least
    two markers, 一是 counts alone). Item text is the text after the marker, stripped of
    whitespace and of a trailing separator (；;，,、：:); a final 。 is kept as written. Without
    markers each paragraph of the body is one item (the seed's single-paragraph areas thus give
    one item). Text between the title and the first marker (a lead-in sentence) goes to
    ``unplaced``.
Responsibility
    A parenthesised note anywhere in the area — (牵头单位:X;责任单位:A、B,各乡镇党委、政府),
    full- or half-width, possibly followed by 。 — or a line/sentence starting with a keyword and a
    colon (牵头单位：县应急局 / 责任单位：…). Keywords are :data:`LEAD_KEYWORDS` (→ lead_units)
    and :data:`RESPONSIBLE_KEYWORDS` (→ responsible_units). Several notes in one area (e.g. one per
    item) are merged in order, without duplicates. Once an area has body text and a note, it is
    closed: following lines that open no new area go to ``unplaced``.
Units
    :func:`split_units` splits on 、,，;； but never inside "…党委、政府" (各乡镇党委、政府,
    各乡(镇)党委、政府 …). Units are kept as written (no 县 prefix added).
Phases
    In the schedule section, lines "[numbering] NAME（RANGE）…" or "[numbering] NAME：RANGE…";
    a leading 第X阶段： is dropped from the name. RANGE: 2020年7月—9月, 2020年8月—2020年12月,
    2021年 (whole year), 2021年上半年/下半年, with dashes — – - ～ ~ 至 到; an end month without a
    year inherits the start year (or the next year when it is smaller than the start month).
    The phase's description after the range is not kept (the Phase has no field for it).
Deadlines (:func:`parse_deadlines`)
    2021年底(前)/年末/年内 → 12-31; 2022年12月底(前) or 2022年12月 → last day of the month;
    2021年3月15日前 → that day; 上旬/初 → day 10, 中旬 → 20, 下旬 → month end;
    年中/上半年 → 06-30, 下半年 → 12-31, 第N季度 → quarter end; 到/至/截至2022年 → 12-31.
    Forms without a year (6月底前, 年内, 年底前 …) use the latest year written earlier in the same
    sentence, else ``context_year``, else are skipped. Not deadlines: a bare year or 2020年度,
    a range start (自/从 …, … 起/以来/开始/至/—), recurring dates (每年12月5日), 三年内.
    Impossible dates (2月30日, 13月) are skipped. Results are in order, without duplicates.
    :func:`parse_plan` calls it per item with no context year.
Targets (:func:`parse_targets`)
    A number with a unit (%, 个百分点, 家, 个, 人, 次, 项 …) that carries a comparator: a
    prefix (不低于/不少于/至少/达到 → ">=", 超过/高于 → ">", 不超过/不高于/控制在/降至 → "<=",
    低于/少于 → "<", 等于 → "=") possibly separated from the number by a short phrase
    (不低于在职人员的70%), or a suffix (以上 → ">=", 以下/以内 → "<="), which wins when both are
    present. ``text`` is the minimal phrase: prefix…unit, or number…suffix (80%以上). Words such as
    全部/全覆盖 are not numeric targets. Chinese numerals (三家) count only for count units and with
    a strict prefix (不少于, 至少 …) or a suffix, so that 达到一个新水平 is not a target.
Unplaced
    Every non-empty line that is not the title, a recognised section heading, an area, item,
    responsibility or phase is returned in ``unplaced``, one string per paragraph as written:
    the cover letter and preamble, every other top-level section (一、总体要求, 四、保障措施 …)
    with its heading, the tasks section's intro and closing paragraphs, stray paragraphs after a
    closed area, an area's lead-in sentence, and schedule lines that are not phases.

Prose notes (:func:`parse_prose_note`)
    A bracket （）()〔〕【】 whose clauses (split on ，,；;。) are all ``[由]UNITS牵头`` (lead) or
    ``UNITS配合|参与|协助|负责|按职责分工负责…`` (responsible), with at least one lead, is a note:
    〔县应急管理局牵头,县公安局配合〕, (由县交通运输局牵头,各有关部门按职责分工负责). A line
    ``责任分工：…`` (also 职责分工/任务分工) is read the same way. In a unit list a unit marked
    （牵头） leads and is not repeated among the responsible units.
Vague units (:func:`is_vague_unit`)
    各有关部门, 各成员单位, 相关部门, 有关单位按职责分工负责 …: kept as written in the units and
    listed in :attr:`ParsedPlan.vague_units` (``to_dict`` adds ``vague_units`` only when there are).
Area numbering
    Besides the styles above, 第一项 opens an area, and so does 一、 in a plan divided into
    第一部分/第二部分 (there 一、 is below the part heading).

Limitations: numbering produced by Word's automatic list numbering is not in the paragraph text and
is therefore not seen; a schedule laid out as a table (name and range in different cells) gives no
phases; responsibility written as prose outside brackets and outside a 责任分工 line ("…，由县应急局
牵头。") is not recognised and stays in the item. Task tables, .xlsx and PDF: :mod:`plan_tables`.
"""

from __future__ import annotations

import calendar
import datetime
import pathlib
import re
from dataclasses import dataclass, field

__all__ = [
    "LEAD_KEYWORDS",
    "RESPONSIBLE_KEYWORDS",
    "TASK_HEADING_KEYWORDS",
    "SCHEDULE_HEADING_KEYWORDS",
    "Target",
    "Item",
    "Area",
    "Phase",
    "ParsedPlan",
    "parse_plan",
    "read_document",
    "parse_deadlines",
    "parse_targets",
    "split_units",
    "is_vague_unit",
    "parse_prose_note",
    "VAGUE_UNITS",
]

# Keywords of a responsibility note, "KEYWORD：units". Lead-like ones give Area.lead_units.
LEAD_KEYWORDS = (
    "牵头单位", "牵头部门", "牵头责任单位", "牵头责任部门", "牵头责任", "主要责任单位", "主要责任部门",
    "主责单位", "主责部门", "主办单位", "牵头",
)
# Responsible-like ones give Area.responsible_units.
RESPONSIBLE_KEYWORDS = (
    "责任单位", "责任部门", "配合单位", "配合部门", "协办单位", "协助单位", "参与单位", "参加单位",
    "成员单位",
)
# Keywords of a note written as prose, "责任分工：X牵头，Y、Z按职责分工负责".
PROSE_KEYWORDS = ("责任分工", "职责分工", "任务分工", "分工")
TASK_HEADING_KEYWORDS = ("任务",)
SCHEDULE_HEADING_KEYWORDS = ("进度", "步骤", "阶段", "时间安排", "实施时间", "时间节点")


# --------------------------------------------------------------------------- data


@dataclass
class Target:
    text: str
    comparator: str  # one of ">=", "<=", "=", ">", "<"
    value: float | int
    unit: str

    def to_dict(self) -> dict:
        return {"text": self.text, "comparator": self.comparator, "value": _number(self.value),
                "unit": self.unit}


@dataclass
class Item:
    text: str
    deadlines: list[datetime.date] = field(default_factory=list)
    targets: list[Target] = field(default_factory=list)
    # the task's own units, when the document gives them per task (a task table)
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    # 完成时限 as written in a task table, and whether it says 长期坚持 / 持续推进 (no date)
    deadline_text: str = ""
    ongoing: bool = False

    def to_dict(self) -> dict:
        d = {"text": self.text, "deadlines": [d.isoformat() for d in self.deadlines],
             "targets": [t.to_dict() for t in self.targets]}
        if self.lead_units or self.responsible_units:
            d["lead_units"] = list(self.lead_units)
            d["responsible_units"] = list(self.responsible_units)
        if self.deadline_text:
            d["deadline_text"] = self.deadline_text
        if self.ongoing:
            d["ongoing"] = True
        return d


@dataclass
class Area:
    number: str
    title: str
    lead_units: list[str] = field(default_factory=list)
    responsible_units: list[str] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    #: the heading's numbering as the document writes it ("1.", "一、", "第一项"); "" is the
    #: default style （一） and is left out of the JSON (the seed's shape does not change)
    mark: str = ""

    def to_dict(self) -> dict:
        d = {"number": self.number, "title": self.title, "lead_units": list(self.lead_units),
             "responsible_units": list(self.responsible_units),
             "items": [i.to_dict() for i in self.items]}
        if self.mark:
            d["mark"] = self.mark
        return d


@dataclass
class Phase:
    name: str
    start: str  # "YYYY-MM"
    end: str  # "YYYY-MM"

    def to_dict(self) -> dict:
        return {"name": self.name, "start": self.start, "end": self.end}


@dataclass
class ParsedPlan:
    title: str
    phases: list[Phase] = field(default_factory=list)
    areas: list[Area] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    @property
    def vague_units(self) -> list[dict]:
        """Units written vaguely (各有关部门, 各成员单位 …), per area, in order: kept in the area's
        units as written and listed here for the user to resolve."""
        found = []
        for a in self.areas:
            units = [*a.lead_units, *a.responsible_units]
            for i in a.items:
                units += [*i.lead_units, *i.responsible_units]
            for u in dict.fromkeys(units):
                if is_vague_unit(u):
                    found.append({"area": a.title, "text": u})
        return found

    def to_dict(self) -> dict:
        d = {"title": self.title, "phases": [p.to_dict() for p in self.phases],
             "areas": [a.to_dict() for a in self.areas], "unplaced": list(self.unplaced)}
        vague = self.vague_units
        if vague:
            d["vague_units"] = vague
        return d


def _number(value: float | int) -> float | int:
    """An int when integral, else a float."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


# --------------------------------------------------------------------------- numerals

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7,
              "八": 8, "九": 9}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}
_CN = "零〇一二两三四五六七八九十百千"


def _cn_to_int(s: str) -> int:
    total, digit = 0, 0
    for ch in s:
        if ch in _CN_DIGITS:
            digit = _CN_DIGITS[ch]
        elif ch in _CN_UNITS:
            total += (digit or 1) * _CN_UNITS[ch]
            digit = 0
        else:
            raise ValueError(s)
    return total + digit


def _int_to_cn(n: int) -> str:
    """1..99 as written in plans: 一 … 十 十一 … 二十 二十一."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else digits[tens]) + "十" + (digits[ones] if ones else "")


_NAMED_COUNTY_RE = re.compile(
    r"(?:^|(?<=[^\u4e00-\u9fff])|(?<=关于印发)|(?<=中共))"
    r"([\u4e00-\u9fff]{1,7}?(?:自治县|县|旗|市|区))(?=安全生产|人民政府|安全委员会|安委会|关于|应急管理局)")
_NOT_A_NAME = {"全县", "我县", "本县", "该县", "各县", "由县", "全市", "我市", "本市", "全区", "本区", "我区"}


def named_county(text: str, lines: int = 12) -> str:
    """The county the document names in its first lines (the title 湖滨县安全生产专项整治……, the
    issuer 湖滨县人民政府/湖滨县安全生产委员会), or "" — so an import filed under another county
    can be warned about. A unit such as 县应急管理局 names none (no name before 县)."""
    for line in _clean_lines(text)[:lines]:
        for m in _NAMED_COUNTY_RE.finditer(line):
            if m.group(1) not in _NOT_A_NAME:
                return m.group(1)
    return ""


def same_county(named: str, county_name: str) -> bool:
    """玛沁县 is 玛沁县, also written 果洛州玛沁县 or (rarely) 玛沁."""
    if not named or not county_name:
        return True
    return named == county_name or named.endswith(county_name) or county_name.endswith(named)


def cn_numeral(n: int) -> str:
    """A count as a plan writes it (四个阶段, 十八个专项): 1..99 in Chinese numerals, else digits."""
    return _int_to_cn(n) if 0 < n < 100 else str(n)


# --------------------------------------------------------------------------- lines and sections

_TOP_HEADING_RE = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|第[一二三四五六七八九十]+部分)\s*(?P<rest>.*)$")
# Numbering at the start of a line: (style, regex with the numeral as group 1).
_NUMBERING = (
    ("di_xiang", re.compile(rf"^第\s*([{_CN}]+)\s*项\s*[：:、.．]?\s*")),
    # 一、 opens an area only in a plan divided into 第X部分 (else it is a top-level heading)
    ("cn_dun", re.compile(rf"^([{_CN}]+)\s*[、.．]\s*")),
    ("paren_cn", re.compile(rf"^[（(]\s*([{_CN}]+)\s*[）)]\s*")),
    ("paren_arabic", re.compile(r"^[（(]\s*(\d{1,3})\s*[）)]\s*")),
    ("arabic", re.compile(r"^(\d{1,3})\s*[.．、)）](?!\d)\s*")),
    ("circled", re.compile(r"^([\u2460-\u2473])\s*")),
)
# Numbering styles from the highest level down, as in official documents (GB/T 9704:
# 一、 > （一） > 1. > （1）).
_LEVELS = ("di_xiang", "cn_dun", "paren_cn", "arabic", "paren_arabic", "circled")
_SENTENCE_END = "。；;，,：:！!？?"
_BOUNDARY = _SENTENCE_END + "）)」”’\n"


def _clean_lines(text: str) -> list[str]:
    text = text.replace("\ufeff", "").replace("\r\n", "\n").replace("\r", "\n")
    return [s for s in (line.strip(" \t\u3000\xa0\u200b") for line in text.split("\n")) if s]


def _numbered(line: str) -> tuple[str, str, str] | None:
    """(style, number, rest of line) when the line starts with a numbering."""
    for style, regex in _NUMBERING:
        m = regex.match(line)
        if m:
            return style, m.group(1), line[m.end():]
    return None


_MARKS = {"di_xiang": "第{}项", "cn_dun": "{}、", "arabic": "{}.", "paren_arabic": "（{}）", "circled": "{}"}


def numbering_mark(style: str, number: str) -> str:
    """The heading's numbering as written, normalised to one spelling per style ("1." for 1．/1、,
    "一、", "第一项", "（1）", "①"); "" for the default style （一）."""
    template = _MARKS.get(style)
    return template.format(number) if template else ""


def _first_clause(s: str) -> str:
    return re.split(r"[。：:]", s, maxsplit=1)[0]


@dataclass
class _Section:
    kind: str  # "preamble", "tasks", "schedule", "other"
    heading: str = ""
    lines: list[str] = field(default_factory=list)


_PART_RE = re.compile(r"^第[一二三四五六七八九十]+部分")


def _split_sections(lines: list[str]) -> list[_Section]:
    sections = [_Section("preamble")]
    # a plan divided into 第一部分、第二部分 … numbers its areas 一、二、 within the parts
    parts = any(_PART_RE.match(line) for line in lines)
    for line in lines:
        m = _TOP_HEADING_RE.match(line)
        if m and parts and not _PART_RE.match(line):
            m = None
        if m:
            heading = _first_clause(m.group("rest"))
            if any(k in heading for k in TASK_HEADING_KEYWORDS):
                kind = "tasks"
            elif any(k in heading for k in SCHEDULE_HEADING_KEYWORDS):
                kind = "schedule"
            else:
                kind = "other"
            sections.append(_Section(kind, line))
        else:
            sections[-1].lines.append(line)
    return sections


def _find_title(lines: list[str]) -> str | None:
    for line in lines:
        bare = re.sub(r"《[^》]*》|“[^”]*”|<[^>]*>|〈[^〉]*〉", "", line)
        if (("方案" in bare or "计划" in bare) and len(line) <= 60 and line[-1] not in _SENTENCE_END
                and not line.endswith("通知")):
            return line
    return None


# --------------------------------------------------------------------------- responsibility

_KW_ALT = "|".join(
    sorted((re.escape(k) for k in LEAD_KEYWORDS + RESPONSIBLE_KEYWORDS + PROSE_KEYWORDS), key=len,
           reverse=True))
_KW_RE = re.compile(rf"(?P<kw>{_KW_ALT})\s*[：:]")
_OPEN_NOTE_RE = re.compile(rf"[（(]\s*(?:{_KW_ALT})\s*[：:]")
_BARE_NOTE_RE = re.compile(rf"(?:^|(?<=[。；;]))\s*(?:{_KW_ALT})\s*[：:]")
# The separator inside "…党委、政府" is not a unit separator.
_PARTY_GOV_RE = re.compile(r"党委\s*([、，,])\s*(?:人民)?政府")
_UNIT_SEPARATORS = "、,，;；"


_OPEN_BRACKETS = "（(〔【［["
_CLOSE_BRACKETS = "）)〕】］]"


def _closing_paren(s: str, start: int) -> int:
    """Index just after the bracket matching the one at ``start`` (or len(s) when unbalanced)."""
    depth = 0
    for i in range(start, len(s)):
        if s[i] in _OPEN_BRACKETS:
            depth += 1
        elif s[i] in _CLOSE_BRACKETS:
            depth -= 1
            if depth == 0:
                return i + 1
    return len(s)


def _take_notes(line: str) -> tuple[str, list[str]]:
    """Remove responsibility notes from a line: (remaining text, note texts)."""
    notes = []
    while m := _OPEN_NOTE_RE.search(line):
        end = _closing_paren(line, m.start())
        inner = line[m.start() + 1:end]
        notes.append(inner[:-1] if inner[-1:] in "）)" else inner)
        before, after = line[:m.start()].rstrip(), line[end:]
        punct = re.match(r"[\s。；;，,.．]*", after).group()
        after = after[len(punct):]
        # "…整治。(牵头…)。" loses the second 。; "…整治(牵头…)。二是" keeps its 。.
        keep = punct.strip()[:1] if before and before[-1] not in _SENTENCE_END else ""
        line = before + keep + after
    m = _BARE_NOTE_RE.search(line)
    if m:
        notes.append(line[m.start():].strip())
        line = line[:m.start()]
    # prose in brackets: 〔县应急管理局牵头,县公安局配合〕, (由县交通运输局牵头,各有关部门按职责分工负责)
    pos = 0
    while m := _PROSE_OPEN_RE.search(line, pos):
        end = _closing_paren(line, m.start())
        inner = line[m.start() + 1:end]
        inner = inner[:-1] if inner[-1:] in _CLOSE_BRACKETS else inner
        if parse_prose_note(inner) is None:
            pos = m.start() + 1
            continue
        notes.append(_PROSE_MARK + inner)
        before, after = line[:m.start()].rstrip(), line[end:]
        punct = re.match(r"[\s。；;，,.．]*", after).group()
        after = after[len(punct):]
        keep = punct.strip()[:1] if before and before[-1] not in _SENTENCE_END else ""
        line = before + keep + after
        pos = len(before)
    return line.strip(), notes


_PROSE_OPEN_RE = re.compile(r"[（(〔【［\[]")
_PROSE_MARK = "\x00"  # marks a note taken from brackets as prose
_LEAD_CLAUSE_RE = re.compile(r"^(?:由|请)?(?P<units>.+?)(?:负责)?牵头(?:负责|落实|组织实施|组织)?$")
_RESP_CLAUSE_RE = re.compile(
    r"^(?:由|请)?(?P<units>.+?)(?:按照?职责分工负责|按照?职责负责|按照?职责分工落实|按照?职能职责负责|分工负责"
    r"|共同负责|共同落实|配合|参与|协助|协同|参加|负责落实|具体负责|负责)$")


def parse_prose_note(note: str) -> tuple[list[str], list[str]] | None:
    """(lead units, responsible units) of responsibility written as prose, or None.

    ``X牵头，Y、Z配合`` / ``由X牵头，各有关部门按职责分工负责`` / ``X牵头，Y参与``: clauses are
    split on ，,；; and 。; a clause ``[由]UNITS牵头`` gives leads, ``UNITS配合|参与|协助|负责|按职责
    分工负责 …`` responsible units. None unless some clause names a lead and every clause reads
    as one of the two (so that an ordinary bracket such as （生物油） is never taken).
    """
    clauses = [c.strip() for c in re.split(r"[，,；;。]", note) if c.strip()]
    leads: list[str] = []
    responsible: list[str] = []
    if not clauses:
        return None
    for clause in clauses:
        m = _LEAD_CLAUSE_RE.match(clause)
        target = leads
        if not m:
            m = _RESP_CLAUSE_RE.match(clause)
            target = responsible
        if not m or len(m["units"]) > 80 or any(ch in m["units"] for ch in "：:“”《》"):
            return None
        target += [u for u in split_units(m["units"]) if u not in target]
    if not leads:
        return None
    return leads, responsible


_MARKED_LEAD_RE = re.compile(r"\s*[（(〔【]\s*牵头(?:单位|部门)?\s*[）)〕】]\s*$")


def _parse_note(note: str) -> tuple[list[str], list[str]]:
    if note.startswith(_PROSE_MARK):
        return parse_prose_note(note[len(_PROSE_MARK):]) or ([], [])
    leads: list[str] = []
    responsible: list[str] = []
    matches = list(_KW_RE.finditer(note))
    for i, m in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(note)
        content = note[m.end():end]
        if m.group("kw") in PROSE_KEYWORDS:
            prose = parse_prose_note(content.strip())
            if prose:
                leads += [u for u in prose[0] if u not in leads]
                responsible += [u for u in prose[1] if u not in responsible]
            else:
                responsible += [u for u in split_units(content) if u not in responsible]
            continue
        for unit in split_units(content):
            # 责任单位：县应急管理局（牵头）、县公安局 — the marked unit leads and is not repeated
            marked = _MARKED_LEAD_RE.search(unit)
            if marked:
                unit = unit[:marked.start()].strip()
                if unit and unit not in leads:
                    leads.append(unit)
                if unit in responsible:
                    responsible.remove(unit)
            elif m.group("kw") in LEAD_KEYWORDS:
                if unit not in leads:
                    leads.append(unit)
            elif unit not in responsible and unit not in leads:
                responsible.append(unit)
    return leads, responsible


#: what a vague unit is, once 县/各/其他/有关/相关 and a duty phrase are stripped
VAGUE_UNITS = ("部门", "单位", "成员单位", "责任单位", "职能部门", "部门单位", "行业部门", "行业主管部门",
               "主管部门", "监管部门", "部门和单位", "单位和部门", "县直部门", "县直单位", "成员", "各方")
_VAGUE_PREFIX_RE = re.compile(r"^(?:县|全县)?(?:各|其他|其它|其余)?(?:有关|相关|涉及|县直|县级)?(?:的)?")
_VAGUE_SUFFIX_RE = re.compile(r"(?:按照?职责分工负责|按照?职责负责|按照?职责分工落实|分工负责|共同负责|配合|参与|"
                              r"负责|落实)$")


def is_vague_unit(unit: str) -> bool:
    """True for 各有关部门, 各成员单位, 有关单位按职责分工负责, 相关部门 …: no one unit is named."""
    s = re.sub(r"\s+", "", unit)
    s = _VAGUE_SUFFIX_RE.sub("", s)
    s = _VAGUE_PREFIX_RE.sub("", s, count=1)
    s = re.sub(r"^(?:委|领导小组)?", "", s)
    return s in VAGUE_UNITS or s == ""


def split_units(s: str) -> list[str]:
    """Units of a responsibility note, as written, in order, without duplicates.

    Splits on 、 , ， ; ； except the 、 of "…党委、政府" (各乡镇党委、政府 is one unit).
    """
    protected = {m.start(1) for m in _PARTY_GOV_RE.finditer(s)}
    units, start = [], 0
    for i, ch in enumerate(s + "、"):
        if ch in _UNIT_SEPARATORS and i not in protected:
            unit = s[start:i].strip(" \t\u3000\xa0。．.")
            if unit and unit not in units:
                units.append(unit)
            start = i + 1
    return units


# --------------------------------------------------------------------------- items


def _marker_regex(family: str, n: int) -> str:
    cn = _int_to_cn(n)
    return {
        "shi": rf"{cn}是",
        "paren_arabic": rf"[（(]\s*{n}\s*[）)]",
        "paren_cn": rf"[（(]\s*{cn}\s*[）)]",
        "arabic": rf"(?<!\d){n}\s*[.．、)）](?!\d)",
        "circled": chr(0x245F + n) if n <= 20 else r"(?!)",
    }[family]


def _find_markers(text: str, family: str) -> list[re.Match]:
    """Sequential markers 1, 2, 3 … of a family, each at a line start or after punctuation."""
    found, pos, n = [], 0, 1
    while True:
        regex = re.compile(_marker_regex(family, n))
        for m in regex.finditer(text, pos):
            if m.start() == 0 or text[m.start() - 1] in _BOUNDARY:
                found.append(m)
                pos, n = m.end(), n + 1
                break
        else:
            return found


def _clean_item(text: str) -> str:
    return re.sub(r"[\s；;，,、：:]+$", "", text.strip())


def _split_items(segments: list[str], area_style: str) -> tuple[list[str], str]:
    """(item texts, lead-in text before the first marker)."""
    segments = [s for s in segments if s.strip()]
    text = "\n".join(segments)
    best: list[re.Match] = []
    for family in ("shi", "paren_arabic", "paren_cn", "arabic", "circled"):
        if family == area_style:
            continue
        markers = _find_markers(text, family)
        if len(markers) >= (1 if family == "shi" else 2) and (
                not best or markers[0].start() < best[0].start()):
            best = markers
    if not best:
        return [t for t in (_clean_item(s) for s in segments) if t], ""
    items = []
    for i, m in enumerate(best):
        end = best[i + 1].start() if i + 1 < len(best) else len(text)
        item = _clean_item(text[m.end():end])
        if item:
            items.append(item)
    return items, text[:best[0].start()].strip()


# --------------------------------------------------------------------------- areas


@dataclass
class _RawArea:
    index: int  # line index of the heading within the section
    style: str
    number: str
    heading: str
    body: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    closed: bool = False


def _split_title(heading: str) -> tuple[str, str]:
    m = re.search(r"。", heading)
    if not m:
        m = re.search(r"[：:]", heading[:40])
    if not m:
        return heading.strip(), ""
    return heading[:m.start()].strip(), heading[m.end():].strip()


def _parse_tasks(lines: list[str], unplaced: list[str]) -> list[Area]:
    """Areas of the main-tasks section; text that is no part of an area is added to ``unplaced``
    in document order (an area's lead-in sentence takes the place of its heading line)."""
    raws: list[_RawArea] = []
    pending: list[tuple[int, str]] = []  # (line index, text) of unplaced text
    styles = {numbered[0] for numbered in map(_numbered, lines) if numbered}
    area_style = next((style for style in _LEVELS if style in styles), None)
    for index, line in enumerate(lines):
        numbered = _numbered(line)
        if numbered and numbered[0] == area_style:
            heading, notes = _take_notes(numbered[2])
            raw = _RawArea(index, numbered[0], numbered[1], heading, notes=notes)
            raw.closed = bool(notes) and bool(_split_title(heading)[1])
            raws.append(raw)
            continue
        current = raws[-1] if raws else None
        text, notes = _take_notes(line)
        if current is not None and notes:
            current.notes.extend(notes)
            if text:
                current.body.append(text)
            current.closed = current.closed or bool(current.body) or bool(_split_title(current.heading)[1])
        elif current is None or current.closed:
            pending.append((index, line))
        else:
            current.body.append(line)

    areas = []
    for raw in raws:
        title, rest = _split_title(raw.heading)
        texts, lead_in = _split_items([rest, *raw.body], raw.style)
        if lead_in:
            pending.append((raw.index, lead_in))
        area = Area(raw.number, title, mark=numbering_mark(raw.style, raw.number))
        for note in raw.notes:
            leads, responsible = _parse_note(note)
            area.lead_units += [u for u in leads if u not in area.lead_units]
            area.responsible_units += [u for u in responsible if u not in area.responsible_units]
        area.items = [Item(t, parse_deadlines(t), parse_targets(t)) for t in texts]
        areas.append(area)
    unplaced += [text for _, text in sorted(pending, key=lambda entry: entry[0])]
    return areas


# --------------------------------------------------------------------------- phases

_DASH = r"(?:—+|–+|－+|-+|～|~|〜|至|到)"
_PHASE_PAREN_RE = re.compile(
    r"^(?P<name>[^（(：:，,。；;]{1,20}?)\s*[（(](?P<range>[^（()）]*?\d{4}\s*年[^（()）]*)[）)]")
_PHASE_COLON_RE = re.compile(r"^(?P<name>[^（(：:，,。；;\d]{1,20}?)\s*[：:]\s*(?P<range>\d{4}\s*年.*)$")
_STAGE_PREFIX_RE = re.compile(r"^第[一二三四五六七八九十\d]+阶段\s*[：:、，,]?\s*")
_RANGE_START_RE = re.compile(
    r"(?P<y>\d{4})\s*年\s*(?:(?P<m>\d{1,2})\s*月(?:\s*\d{1,2}\s*[日号])?(?:份|初|底|末|[上中下]旬)?"
    r"|(?P<half>上半年|下半年|全年))?")
_RANGE_END_RE = re.compile(
    rf"\s*{_DASH}\s*(?:(?P<y>\d{{4}})\s*年)?\s*(?:(?P<m>\d{{1,2}})\s*月(?:\s*\d{{1,2}}\s*[日号])?|(?P<half>上半年|下半年))?")


def _parse_range(s: str) -> tuple[str, str] | None:
    start = _RANGE_START_RE.search(s)
    if not start:
        return None
    y1 = y2 = int(start["y"])
    if start["m"]:
        m1 = m2 = int(start["m"])
    elif start["half"] == "上半年":
        m1, m2 = 1, 6
    elif start["half"] == "下半年":
        m1, m2 = 7, 12
    else:
        m1, m2 = 1, 12
    end = _RANGE_END_RE.match(s, start.end())
    if end and (end["y"] or end["m"] or end["half"]):
        y2 = int(end["y"]) if end["y"] else y1
        if end["m"]:
            m2 = int(end["m"])
            if not end["y"] and m2 < m1:
                y2 += 1
        else:
            m2 = 6 if end["half"] == "上半年" else 12
    if not (1 <= m1 <= 12 and 1 <= m2 <= 12) or (y2, m2) < (y1, m1):
        return None
    return f"{y1:04d}-{m1:02d}", f"{y2:04d}-{m2:02d}"


def _parse_phase(line: str) -> Phase | None:
    numbered = _numbered(line)
    rest = numbered[2] if numbered else line
    top = _TOP_HEADING_RE.match(rest)
    rest = _STAGE_PREFIX_RE.sub("", rest) or rest
    for regex in (_PHASE_PAREN_RE, _PHASE_COLON_RE):
        m = regex.match(rest)
        if m and not top:
            months = _parse_range(m["range"])
            name = m["name"].strip()
            if months and name:
                return Phase(name, *months)
    return None


# --------------------------------------------------------------------------- deadlines

_DAY_PART = r"(?:(?P<{d}>\d{{1,2}})\s*[日号]|(?P<{p}>底|末|份|上旬|中旬|下旬|初))?"
_DEADLINE_RE = re.compile(
    r"(?<!\d)(?P<y>\d{4})\s*年\s*(?:"
    r"(?P<m>\d{1,2})\s*月\s*" + _DAY_PART.format(d="d", p="mp")
    + r"|(?P<yp>年?底|年?末|内|上半年|下半年|年中|第?[一二三四1-4]季度))?"
    r"|(?<![\d年])(?P<m2>\d{1,2})\s*月\s*" + _DAY_PART.format(d="d2", p="mp2")
    + r"|(?P<yp2>年底|年末|年内|年中|上半年|下半年)"
)
_START_AFTER_RE = re.compile(rf"\s*(?:起|以来|开始|{_DASH})")
_YEAR_PART_DATES = {"上半年": (6, 30), "年中": (6, 30), "下半年": (12, 31)}


def _month_end(year: int, month: int) -> datetime.date:
    return datetime.date(year, month, calendar.monthrange(year, month)[1])


def _year_part_date(year: int, part: str) -> datetime.date:
    if part in _YEAR_PART_DATES:
        return datetime.date(year, *_YEAR_PART_DATES[part])
    if "季度" in part:
        q = part.strip("第季度")
        quarter = int(q) if q.isdigit() else _cn_to_int(q)
        return _month_end(year, quarter * 3)
    return datetime.date(year, 12, 31)  # 底, 年底, 末, 年末, 内, 年内


def _day_part_date(year: int, month: int, day: str | None, part: str | None) -> datetime.date:
    if day:
        return datetime.date(year, month, int(day))
    if part in ("上旬", "初"):
        return datetime.date(year, month, 10)
    if part == "中旬":
        return datetime.date(year, month, 20)
    return _month_end(year, month)


def parse_deadlines(sentence: str, context_year: int | None = None) -> list[datetime.date]:
    """Deadlines written in a sentence, in order, without duplicates (see module docstring)."""
    dates: list[datetime.date] = []
    year = context_year
    for m in _DEADLINE_RE.finditer(sentence):
        before = sentence[:m.start()].rstrip()
        is_start = before.endswith(("自", "从")) or bool(_START_AFTER_RE.match(sentence, m.end()))
        try:
            if m["y"]:
                year = int(m["y"])
                if m["m"]:
                    date = _day_part_date(year, int(m["m"]), m["d"], m["mp"])
                elif m["yp"]:
                    date = _year_part_date(year, m["yp"])
                elif before.endswith(("到", "至", "截至", "截止")) and not sentence.startswith("度", m.end()):
                    date = datetime.date(year, 12, 31)
                else:
                    continue  # a bare year or 2020年度: context only
            else:
                recurring = before.endswith(("每年", "每月")) or (m["yp2"] and re.search(
                    r"[一二三四五六七八九十两几每多数\d]$", before))
                if year is None or recurring:
                    continue
                if m["m2"]:
                    date = _day_part_date(year, int(m["m2"]), m["d2"], m["mp2"])
                else:
                    date = _year_part_date(year, m["yp2"])
        except ValueError:  # 2月30日, 13月 …
            continue
        if not is_start and date not in dates:
            dates.append(date)
    return dates


# --------------------------------------------------------------------------- targets

_PREFIX_COMPARATORS = {
    "不低于": ">=", "不少于": ">=", "不小于": ">=", "至少": ">=", "达到": ">=", "提高到": ">=",
    "提高至": ">=", "提升到": ">=", "提升至": ">=", "增加到": ">=", "增加至": ">=",
    "超过": ">", "高于": ">", "大于": ">", "多于": ">",
    "不超过": "<=", "不高于": "<=", "不多于": "<=", "不大于": "<=", "控制在": "<=", "降低到": "<=",
    "降低至": "<=", "下降到": "<=", "下降至": "<=", "降到": "<=", "降至": "<=",
    "低于": "<", "少于": "<", "小于": "<", "等于": "=",
}
# Prefixes that also accompany non-quantities ("达到一个新水平"): no Chinese-numeral targets.
_WEAK_PREFIXES = {"达到", "提高到", "提高至", "提升到", "提升至", "增加到", "增加至", "控制在", "降低到",
                  "降低至", "下降到", "下降至", "降到", "降至"}
_SUFFIX_COMPARATORS = {"及以上": ">=", "以上": ">=", "及以下": "<=", "以下": "<=", "以内": "<=", "之内": "<="}
_PERCENT_UNITS = ("%", "％", "个百分点")
_COUNT_UNITS = ("家", "个", "人次", "人", "名", "次", "项", "台", "辆", "处", "座", "所", "条", "支", "户",
                "套", "批", "场", "期", "件", "起")
_OTHER_UNITS = ("万元", "亿元", "元", "公里", "千米", "平方米", "立方米", "米", "小时", "分钟", "天", "吨")


def _alternation(words) -> str:
    return "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))


_TARGET_RE = re.compile(
    rf"(?:(?P<pre>{_alternation(_PREFIX_COMPARATORS)})(?P<fill>[^，,。；;：:、！!？?\d%％\n]{{0,15}}?))?"
    rf"(?P<num>\d+(?:\.\d+)?|(?<![{_CN}])[{_CN}]+)\s*"
    rf"(?P<unit>{_alternation(_PERCENT_UNITS + _COUNT_UNITS + _OTHER_UNITS)})"
    rf"(?P<suf>\s*(?:{_alternation(_SUFFIX_COMPARATORS)}))?"
)


def parse_targets(sentence: str) -> list[Target]:
    """Numeric targets with a comparator written in a sentence (see module docstring)."""
    targets = []
    for m in _TARGET_RE.finditer(sentence):
        pre, suf, num, unit = m["pre"], (m["suf"] or "").strip(), m["num"], m["unit"]
        if not (pre or suf):
            continue
        if not num[0].isdigit():
            if unit not in _COUNT_UNITS or (not suf and pre in _WEAK_PREFIXES):
                continue
            value: float | int = _cn_to_int(num)
        else:
            value = _number(float(num)) if "." in num else int(num)
        if suf:
            text, comparator = sentence[m.start("num"):m.end("suf")], _SUFFIX_COMPARATORS[suf]
        else:
            text, comparator = sentence[m.start():m.end("unit")], _PREFIX_COMPARATORS[pre]
        targets.append(Target(text, comparator, value, "%" if unit == "％" else unit))
    return targets


# --------------------------------------------------------------------------- entry points


def parse_plan(text: str) -> ParsedPlan:
    """Parse a plan's text (paragraphs separated by newlines) into a :class:`ParsedPlan`."""
    sections = _split_sections(_clean_lines(text))
    preamble = sections[0].lines
    title = _find_title(preamble)
    plan = ParsedPlan(title or "")
    title_seen = False
    for line in preamble:
        if line == title and not title_seen:
            title_seen = True
        else:
            plan.unplaced.append(line)
    for section in sections[1:]:
        if section.kind == "other":
            plan.unplaced += [section.heading, *section.lines]
            continue
        rest = _TOP_HEADING_RE.match(section.heading)["rest"]
        after_heading = rest[len(_first_clause(rest)) + 1:].strip()
        if after_heading:
            plan.unplaced.append(after_heading)
        if section.kind == "tasks":
            plan.areas += _parse_tasks(section.lines, plan.unplaced)
        else:
            for line in section.lines:
                phase = _parse_phase(line)
                if phase:
                    plan.phases.append(phase)
                else:
                    plan.unplaced.append(line)
    return plan


def read_document(path: str | pathlib.Path) -> str:
    """The text of a .txt or .docx plan, one paragraph per line.

    .txt: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.
    .docx: body paragraphs and table-cell paragraphs in document order (python-docx).
    """
    path = pathlib.Path(path)
    suffix = path.suffix.lower()
    if suffix == ".txt":
        data = path.read_bytes()
        if data.startswith((b"\xff\xfe", b"\xfe\xff")):
            return data.decode("utf-16")
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return data.decode("gb18030", errors="replace")
    if suffix == ".docx":
        return "\n".join(_docx_paragraphs(path))
    raise ValueError(f"不支持的文件类型“{path.suffix or path.name}”：仅支持 .txt 和 .docx 格式的方案文件")


def _docx_paragraphs(path: pathlib.Path) -> list[str]:
    try:
        import docx
        from docx.table import Table
        from docx.text.paragraph import Paragraph
    except ImportError as exc:  # pragma: no cover - python-docx is a project dependency
        raise ImportError("读取 .docx 文件需要安装 python-docx") from exc

    texts: list[str] = []
    seen_cells: list = []

    def walk(element, parent) -> None:
        for child in element.iterchildren():
            tag = child.tag.rsplit("}", 1)[-1]
            if tag == "p":
                texts.append(Paragraph(child, parent).text)
            elif tag == "tbl":
                for row in Table(child, parent).rows:
                    for cell in row.cells:
                        if not any(cell._tc is tc for tc in seen_cells):  # merged cells repeat
                            seen_cells.append(cell._tc)
                            walk(cell._tc, cell)
            elif tag in ("sdt", "sdtContent", "customXml", "ins", "smartTag"):
                walk(child, parent)

    document = docx.Document(str(path))
    walk(document.element.body, document)
    return texts
