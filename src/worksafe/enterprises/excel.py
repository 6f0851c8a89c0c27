"""The enterprise register as an Excel sheet (.xlsx): import and export.

Import reads the sheet a county office already keeps: Chinese headers (with the usual
synonyms, :data:`HEADER_MAP`), the header row anywhere in the first rows, merged title
cells above it, blank rows anywhere. Every row is checked; a bad row is reported with
its Excel row number and the reasons, and the good rows are written each through
:func:`worksafe.enterprises.services.save_enterprise` in its own transaction, so one
failing row never undoes the others (DESIGN.md §3.1). The unified social credit code is
the key: importing the corrected sheet again updates the enterprises, never duplicates;
a row that changes nothing is not saved (no new history).

Sheets as people keep them: sectors and townships match by name, the usual short forms
and variants (:func:`match_name`: 工贸 → 工贸行业, 邮政快递 → 邮政快递业, 大武 → 大武镇); an
unknown or ambiguous name is refused with the valid names. Summary and notes rows (合计,
小计, 总计, 填表说明, 注:, 备注, 制表人 …) and empty rows between blocks are skipped and listed
(:attr:`ImportResult.skipped`), not reported as errors.

Export writes the register in exactly the import layout (a merged title row, the header
row, one row per enterprise), so an exported sheet imports back cleanly.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction

from worksafe.core.scoping import scope_of
from worksafe.core.services import ServiceError
from worksafe.core.templatetags.worksafe import mask_phone
from worksafe.org.models import Division, Sector
from worksafe.standards import gb32100

from . import services
from .models import Enterprise

#: field → (header written on export, other headers accepted on import). The order is the
#: sheet's column order; "seq" (序号) is written on export and ignored on import.
HEADER_MAP: dict[str, tuple[str, tuple[str, ...]]] = {
    "seq": ("序号", ("编号",)),
    "name": ("企业名称", ("单位名称", "企业(单位)名称", "企业单位名称")),
    "credit_code": ("统一社会信用代码", ("信用代码", "社会信用代码", "统一信用代码")),
    "township": ("所在乡镇", ("乡镇", "乡(镇)", "所属乡镇", "乡镇名称")),
    "sectors": ("行业领域", ("行业类别", "所属行业", "行业")),
    "address": ("详细地址", ("地址", "企业地址", "经营地址")),
    "longitude": ("经度", ()),
    "latitude": ("纬度", ()),
    "legal_representative": ("法定代表人", ("法人代表", "法人")),
    "principal": ("主要负责人", ("负责人",)),
    "principal_phone": ("联系电话", ("主要负责人电话", "负责人电话", "电话", "联系方式")),
    "employees": ("从业人数", ("从业人员", "从业人员数", "职工人数")),
    "scale": ("企业规模", ("规模",)),
    "status": ("状态", ("经营状态", "企业状态")),
    "standard_grade": ("安全生产标准化等级", ("标准化等级", "安全标准化等级")),
    "has_safety_team": ("是否建立安全管理团队", ("安全管理团队", "是否建立安全生产技术和管理团队")),
    "insured": ("是否投保安责险", ("安责险", "是否投保安全生产责任保险", "是否投保")),
    "insurer": ("承保机构", ("保险公司", "承保单位")),
    "insurance_expiry": ("安责险到期日", ("保险到期日", "安责险到期日期")),
    "protection_distance_m": ("外部安全防护距离(米)", ("外部安全防护距离", "外部安全防护距离(m)")),
    "credit_code_override": ("校验码异常说明", ("校验位异常说明", "校验位异常原因", "校验码异常原因")),
}
REQUIRED_FIELDS = ("name", "credit_code", "township")
HEADER_SCAN_ROWS = 15
MAX_DATA_ROWS = 20000
SHEET_TITLE = "企业名册"
SECTOR_SEPARATORS = re.compile(r"[、,，;；]+")

TEXT_FIELDS = ("name", "address", "legal_representative", "principal", "principal_phone", "insurer")
INT_FIELDS = ("employees", "protection_distance_m")
BOOL_FIELDS = ("has_safety_team", "insured")
TRUE_WORDS = {"是", "有", "已投保", "已建立", "已建", "y", "yes", "true", "1", "√", "✓"}
FALSE_WORDS = {"否", "无", "没有", "未投保", "未建立", "未建", "n", "no", "false", "0", "×", "✗"}
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y年%m月%d日", "%Y%m%d")


def _norm_header(value) -> str:
    """Header text as compared: no spaces or required-marks, half-width brackets."""
    s = str(value or "")
    s = s.translate(str.maketrans({"（": "(", "）": ")", "\u3000": "", "\xa0": ""}))
    return re.sub(r"[\s*※＊]", "", s)


#: normalised header text → field
HEADER_LOOKUP: dict[str, str] = {
    _norm_header(h): f for f, (main, others) in HEADER_MAP.items() for h in (main, *others)
}
HEADERS = [main for main, _ in HEADER_MAP.values()]


class ExcelError(ServiceError):
    """The file as a whole cannot be read (not an .xlsx, no header row)."""


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0  # rows of enterprises already registered (changed or not)
    unchanged: int = 0  # of those, rows that changed nothing: not saved, no history
    errors: list[tuple[int, str]] = field(default_factory=list)  # (Excel row number, reason)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (Excel row number, why: 合计行 …)
    rows_read: int = 0
    sheet: str = ""
    header_row: int = 0
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Sheet:
    title: str
    header_row: int
    columns: dict[str, int]  # field → 0-based column index
    headers: dict[str, str]  # field → its header as written in the sheet (for messages)
    rows: list[tuple[int, dict[str, object]]]  # (Excel row number, field → raw cell value)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # summary, notes and empty rows


# ------------------------------------------------------------------ reading


def read_sheet(source) -> Sheet:
    """The data rows of the first worksheet that has a header row (path or file object)."""
    from openpyxl import load_workbook

    try:
        wb = load_workbook(source, data_only=True)
    except Exception as e:  # zip, XML or format errors: openpyxl raises many kinds
        raise ExcelError(f"无法读取Excel文件(请上传.xlsx格式的文件,.xls请先另存为.xlsx):{e}") from None
    best_missing = None
    for ws in wb.worksheets:
        found = _find_header(ws)
        if isinstance(found, Sheet):
            return found
        if best_missing is None or len(found) < len(best_missing):
            best_missing = found
    missing = "、".join(HEADER_MAP[f][0] for f in (best_missing or REQUIRED_FIELDS))
    raise ExcelError(f"在表格前{HEADER_SCAN_ROWS}行中找不到表头:缺少“{missing}”列"
                     "(表头须包含企业名称、统一社会信用代码、所在乡镇)。")


def _find_header(ws) -> Sheet | list[str]:
    """The sheet read from its header row, or the required fields missing at best."""
    best: list[str] = list(REQUIRED_FIELDS)
    for r, row in enumerate(ws.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True), start=1):
        columns: dict[str, int] = {}
        headers: dict[str, str] = {}
        for c, value in enumerate(row):
            text = _norm_header(value)
            # exact header first, then without a remark in brackets: 企业名称(全称) → 企业名称
            f = HEADER_LOOKUP.get(text) or HEADER_LOOKUP.get(re.sub(r"\(.*?\)", "", text))
            if f and f not in columns:
                columns[f] = c
                headers[f] = text
        missing = [f for f in REQUIRED_FIELDS if f not in columns]
        if not missing:
            skipped: list[tuple[int, str]] = []
            return Sheet(ws.title, r, columns, headers, _data_rows(ws, r, columns, skipped), skipped)
        if len(missing) < len(best):
            best = missing
    return best


#: a row whose first filled cell starts like this is a summary or a note, not an enterprise
SKIP_ROW_RE = re.compile(
    r"^(?:合\s*计|小\s*计|总\s*计|共\s*计|累\s*计|填表说明|填报说明|说明[:：]|注[:：]|注\s*\d*[、.．:：]|备\s*注"
    r"|制表人|填表人|审核人|负责人签字|联系人[:：]|填报单位[:：]|填表日期|制表日期|单位[:：]|以下空白)")


def _skip_reason(row) -> str | None:
    first = next((_text(v) for v in row if _text(v) != ""), "")
    m = SKIP_ROW_RE.match(first)
    if not m:
        return None
    word = re.sub(r"\s+", "", m.group())
    if word in ("合计", "小计", "总计", "共计", "累计"):
        return f"{word}行"
    return "说明或备注行"


def _data_rows(ws, header_row: int, columns: dict[str, int],
               skipped: list[tuple[int, str]] | None = None) -> list[tuple[int, dict]]:
    # a cell merged down several rows (e.g. one township for a block of rows) counts for each row
    spread: dict[tuple[int, int], object] = {}
    for rng in ws.merged_cells.ranges:
        if rng.min_col == rng.max_col and rng.max_row > header_row and rng.max_row > rng.min_row:
            value = ws.cell(row=rng.min_row, column=rng.min_col).value
            for r in range(max(rng.min_row, header_row + 1), rng.max_row + 1):
                spread[(r, rng.min_col - 1)] = value
    rows = []
    skipped = skipped if skipped is not None else []
    blank: list[int] = []
    for r, row in enumerate(ws.iter_rows(min_row=header_row + 1, values_only=True), start=header_row + 1):
        reason = _skip_reason(row)
        if reason:
            skipped.append((r, reason))
            continue
        cells = {}
        for f, c in columns.items():
            value = row[c] if c < len(row) else None
            if value is None:
                value = spread.get((r, c))
            cells[f] = value
        if all(_text(v) == "" for v in cells.values()):
            blank.append(r)
            continue
        if rows:  # empty rows between blocks (not those after the last row)
            skipped += [(b, "空行") for b in blank]
        blank = []
        rows.append((r, cells))
        if len(rows) > MAX_DATA_ROWS:
            raise ExcelError(f"表格超过{MAX_DATA_ROWS}行,请分批导入。")
    return rows


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").replace("\xa0", " ").strip()


# ------------------------------------------------------------------ cell parsers (return value or raise ValueError)


def _int(value, label: str) -> int | None:
    if _text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{label}“{_text(value)}”不是整数")
    if isinstance(value, (int, float)):
        if float(value) != int(value):
            raise ValueError(f"{label}“{value}”不是整数")
        n = int(value)
    else:
        s = _text(value).replace(",", "").replace("，", "")
        if not re.fullmatch(r"\d+", s):
            raise ValueError(f"{label}“{_text(value)}”不是整数")
        n = int(s)
    if n < 0:
        raise ValueError(f"{label}不能为负数")
    if n > 2_147_483_647:
        raise ValueError(f"{label}“{n}”过大")
    return n


def _coordinate(value, label: str, limit: int) -> Decimal | None:
    if _text(value) == "":
        return None
    try:
        d = Decimal(_text(value))
    except InvalidOperation:
        raise ValueError(f"{label}“{_text(value)}”不是数字") from None
    if not d.is_finite() or not -limit <= d <= limit:
        raise ValueError(f"{label}“{_text(value)}”超出范围(-{limit}~{limit})")
    return d.quantize(Decimal("0.000001"))


def _date(value, label: str) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    s = _text(value)
    if s == "":
        return None
    for fmt in DATE_FORMATS:
        try:
            return datetime.datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"{label}“{s}”不是有效日期(如2025-12-31)")


def _bool(value, label: str) -> bool:
    if isinstance(value, bool):
        return value
    s = _text(value).lower()
    if s == "" or s in FALSE_WORDS:
        return False
    if s in TRUE_WORDS:
        return True
    raise ValueError(f"{label}应填“是”或“否”,不能为“{_text(value)}”")


def _choice(value, label: str, choices) -> str | None:
    """A choice by its Chinese label or its code; None when blank."""
    s = _text(value)
    if s == "":
        return None
    for code, text in choices:
        if s in (text, str(code)) or s.lower() == str(code).lower() and code:
            return code
    if s.endswith("达标"):  # 三级达标 → 三级
        for code, text in choices:
            if s[:-2] == text:
                return code
    raise ValueError(f"{label}“{s}”不正确(可填:{'、'.join(t for _c, t in choices)})")


# ------------------------------------------------------------------ import


#: the usual short forms of sector names (general wording, not one county's)
SECTOR_ABBREVIATIONS = {
    "危化": "危险化学品", "危化品": "危险化学品", "危险品": "危险化学品", "民爆": "民用爆炸物品",
    "文旅": "文化旅游", "危废": "危险废物", "交通": "道路运输", "道路交通": "道路运输", "非煤": "非煤矿山",
    "快递": "邮政快递", "邮政": "邮政快递", "特设": "特种设备", "燃气": "城镇燃气", "建筑": "建筑施工",
}
_NAME_WIDTH = str.maketrans({"（": "(", "）": ")", "\u3000": "", "\xa0": "", " ": ""})
_SECTOR_TAIL_RE = re.compile(r"(?:安全)?(?:行业领域|行业|领域|产业|业)?$")
_TOWNSHIP_TAIL_RE = re.compile(r"(?:人民政府|民族乡|街道办事处|街道|乡|镇)$")


def match_name(written: str, names, *, tail: re.Pattern, abbreviations: dict | None = None,
               label: str) -> str:
    """The one name in ``names`` that ``written`` means: exact; without spaces and bracket
    width; by its key (the name without a tail such as 行业/业/镇/乡); an abbreviation; a key
    that is the start of exactly one name's key. Raises ValueError listing the valid names
    when none or several match."""
    names = list(names)
    norm = {n.translate(_NAME_WIDTH): n for n in names}
    s = str(written).translate(_NAME_WIDTH)
    if s in norm:
        return norm[s]
    keys: dict[str, list[str]] = {}
    for n in names:
        keys.setdefault(tail.sub("", n.translate(_NAME_WIDTH)) or n, []).append(n)
    key = tail.sub("", s) or s
    key = (abbreviations or {}).get(key, key)
    found = keys.get(key) or [n for k, ns in keys.items() for n in ns if len(key) >= 2 and (
        k.startswith(key) or key.startswith(k) and len(k) >= 2)]
    found = list(dict.fromkeys(found))
    if len(found) == 1:
        return found[0]
    if found:
        raise ValueError(f"{label}“{written}”不明确,可能是:{'、'.join(found)}")
    raise ValueError(f"{label}“{written}”不存在(可填:{'、'.join(names)})")


class _Lookups:
    def __init__(self, county: Division | None):
        self.county = county or _only_county()
        self.townships: dict[str, list[Division]] = {}
        qs = Division.objects.filter(level=Division.Level.TOWNSHIP)
        if self.county is not None and qs.filter(parent=self.county).exists():
            qs = qs.filter(parent=self.county)
        for d in qs.order_by("code"):
            self.townships.setdefault(d.name, []).append(d)
        self.sectors = {s.name: s for s in Sector.objects.all()}

    def township(self, name: str) -> Division:
        found = self.townships.get(name, []) or self.townships.get(re.sub(r"(?:人民)?政府$", "", name), [])
        if not found:
            found = self.townships[match_name(name, self.townships, tail=_TOWNSHIP_TAIL_RE, label="乡镇")]
        if len(found) == 1:
            return found[0]
        raise ValueError(f"乡镇名称“{name}”不唯一,无法确定是哪个乡镇")

    def sector(self, name: str) -> Sector:
        if name in self.sectors:
            return self.sectors[name]
        return self.sectors[match_name(name, self.sectors, tail=_SECTOR_TAIL_RE,
                                       abbreviations=SECTOR_ABBREVIATIONS, label="行业领域")]


def _only_county() -> Division | None:
    counties = list(Division.objects.filter(level=Division.Level.COUNTY)[:2])
    return counties[0] if len(counties) == 1 else None


def can_import(user) -> bool:
    """Whoever save_enterprise lets write the register: county office, department or
    township officers (not leaders, not enterprise users)."""
    s = scope_of(user)
    return not s.read_only and (s.everything or bool(s.department_ids or s.township_ids))


def import_register(source, user, *, dry_run: bool = False, county: Division | None = None,
                    reason: str = "Excel导入企业名册") -> ImportResult:
    """Import the register sheet ``source`` (a path or file object) as ``user``.

    Raises :class:`ExcelError` when the file cannot be read at all; bad rows are reported
    in the result. With ``dry_run`` everything is checked and saved, then rolled back."""
    sheet = read_sheet(source)
    result = ImportResult(rows_read=len(sheet.rows), sheet=sheet.title, header_row=sheet.header_row,
                          dry_run=dry_run, skipped=list(sheet.skipped))
    services.require_writer(user)
    if not can_import(user):
        raise services.NotAllowed("只有县安委办、行业部门和乡镇工作人员可以导入企业名册。")
    if dry_run:  # the same checks and saves, all rolled back at the end
        with transaction.atomic():
            _import_rows(sheet, user, result, _Lookups(county), reason)
            transaction.set_rollback(True)
    else:  # one transaction per row: a failing row never undoes the others
        _import_rows(sheet, user, result, _Lookups(county), reason)
    result.errors.sort(key=lambda e: e[0])
    return result


def _import_rows(sheet: Sheet, user, result: ImportResult, lookups: _Lookups, reason: str) -> None:
    scope = scope_of(user)
    township_only = bool(scope.township_ids) and not scope.everything and not scope.department_ids
    codes = {}
    for number, cells in sheet.rows:
        try:
            codes[number] = gb32100.check_format(_text(cells.get("credit_code")))
        except gb32100.CodeFormatError:
            pass
    existing = {e.credit_code: e for e in Enterprise.objects.filter(credit_code__in=set(codes.values()))}
    visible = set(Enterprise.objects.visible_to(user).filter(credit_code__in=list(existing))
                  .values_list("pk", flat=True))
    first_seen: dict[str, int] = {}
    for number, cells in sheet.rows:
        problems: list[str] = []
        code = codes.get(number)
        ent = existing.get(code) if code else None
        values, sectors, override = _clean_row(cells, sheet, ent, lookups, problems)
        if code is None:
            raw = _text(cells.get("credit_code"))
            if raw == "":
                problems.insert(0, "缺少统一社会信用代码")
            else:
                try:
                    gb32100.check_format(raw)
                except gb32100.CodeFormatError as e:
                    problems.insert(0, f"{str(e).rstrip('。')}(“{raw}”)")
        elif code in first_seen:
            problems.insert(0, f"统一社会信用代码“{code}”在表中重复(第{first_seen[code]}行、第{number}行),"
                               "本行未导入")
        else:
            first_seen[code] = number
            if "credit_code_override" not in sheet.columns and ent is not None:
                override = ent.credit_code_override
            problems[:0] = _check_code(code, user, override)
            if ent is not None and ent.pk not in visible:
                problems.append(f"统一社会信用代码“{code}”已登记为不在您管理范围内的企业,不能通过导入修改")
        township = values.get("township")
        if township_only and township is not None and township.pk not in scope.township_ids:
            problems.append(f"不属于本乡镇(“{township.name}”)")
        if problems:
            result.errors.append((number, ";".join(problems)))
            continue
        if ent is not None and _unchanged(ent, values, sectors, override, code):
            result.updated += 1
            result.unchanged += 1  # nothing to write: no save, no new history
            continue
        ent = ent or Enterprise()
        for f, v in values.items():
            setattr(ent, f, v)
        ent.credit_code = code
        creating = ent.pk is None
        try:
            with transaction.atomic():
                services.save_enterprise(user, ent, sectors=sectors, override_reason=override, reason=reason)
        except ServiceError as e:
            result.errors.append((number, e.message.rstrip("。")))
            continue
        except IntegrityError:
            result.errors.append((number, "保存失败(可能与其他人同时登记了该企业),请重新导入该行"))
            continue
        if creating:
            result.created += 1
        else:
            result.updated += 1


def _unchanged(ent: Enterprise, values: dict, sectors, override: str, code: str) -> bool:
    """True when saving the row would change nothing on ``ent``."""
    for f, v in values.items():
        current = getattr(ent, f)
        if f == "township":
            if ent.township_id != (v.pk if v is not None else None):
                return False
        elif isinstance(current, Decimal) or isinstance(v, Decimal):
            if (Decimal(current) if current is not None else None) != (Decimal(v) if v is not None else None):
                return False
        elif current != v:
            return False
    if ent.credit_code != code or (override and override != ent.credit_code_override):
        return False
    if sectors is not None and sorted(s.pk for s in sectors) != sorted(ent.sectors.values_list("pk", flat=True)):
        return False
    return True


def _check_code(code: str, user, override: str) -> list[str]:
    """The check-digit rule of services.check_credit_code, worded for a sheet."""
    try:
        services.check_credit_code(code, user=user, override_reason=override)
    except services.NotAllowed as e:
        return [f"统一社会信用代码“{code}”校验位不正确:{e.message.rstrip('。')}"]
    except ServiceError:
        return [f"统一社会信用代码“{code}”校验位不正确(应为{gb32100.check_char(code[:17])});"
                "如确为登记在册的代码,请在“校验码异常说明”列填写核实情况"]
    return []


def _clean_row(cells: dict, sheet: Sheet, ent: Enterprise | None, lookups: _Lookups,
               problems: list[str]) -> tuple[dict, list | None, str]:
    """(field values to set, sectors or None to leave them, override reason); problems appended."""
    values: dict = {}
    columns = sheet.columns
    labels = {f: sheet.headers.get(f) or HEADER_MAP[f][0] for f in HEADER_MAP}

    def parse(f, fn, *args):
        try:
            return fn(cells.get(f), labels[f], *args)
        except ValueError as e:
            problems.append(str(e))
            return None

    name = _text(cells.get("name"))
    if not name:
        problems.append(f"缺少{labels['name']}")
    town_name = _text(cells.get("township"))
    if not town_name:
        problems.append(f"缺少{labels['township']}")
    else:
        try:
            values["township"] = lookups.township(town_name)
        except ValueError as e:
            problems.append(str(e))
    for f in TEXT_FIELDS:
        if f not in columns:
            continue
        v = _text(cells.get(f))
        limit = Enterprise._meta.get_field(f).max_length
        if len(v) > limit:
            problems.append(f"{labels[f]}超过{limit}个字")
        values[f] = v
    if "principal_phone" in columns and "*" in values["principal_phone"]:
        # a masked number from an export for read-only users: keep the number on file
        if ent is not None and mask_phone(ent.principal_phone) == values["principal_phone"]:
            values["principal_phone"] = ent.principal_phone
        else:
            problems.append("联系电话含“*”(是脱敏后的号码),请填写完整号码")
    for f in INT_FIELDS:
        if f in columns:
            values[f] = parse(f, _int)
    if "latitude" in columns:
        values["latitude"] = parse("latitude", _coordinate, 90)
    if "longitude" in columns:
        values["longitude"] = parse("longitude", _coordinate, 180)
    given = [_text(cells.get(f)) != "" for f in ("latitude", "longitude") if f in columns]
    if len(given) == 2 and given[0] != given[1]:
        problems.append("经度和纬度应同时填写")
    for f in BOOL_FIELDS:
        if f in columns:
            values[f] = parse(f, _bool)
    if "insurance_expiry" in columns:
        values["insurance_expiry"] = parse("insurance_expiry", _date)
    for f, choices in (("scale", Enterprise.Scale.choices), ("status", Enterprise.Status.choices),
                       ("standard_grade", Enterprise.StandardGrade.choices)):
        if f in columns:
            v = parse(f, _choice, choices)
            if v is not None:
                values[f] = v
            elif f != "status":  # a blank status keeps the current one (new: 在营)
                values[f] = ""
    sectors = None
    if "sectors" in columns:
        names = [n.strip() for n in SECTOR_SEPARATORS.split(_text(cells.get("sectors"))) if n.strip()]
        sectors = []
        for n in names:
            try:
                sector = lookups.sector(n)
            except ValueError as e:
                problems.append(str(e).replace("行业领域", labels["sectors"], 1))
                continue
            if sector not in sectors:
                sectors.append(sector)
        if not names:
            problems.append(f"缺少{labels['sectors']}")
    values["name"] = name
    override = _text(cells.get("credit_code_override")) if "credit_code_override" in columns else ""
    return values, sectors, override


# ------------------------------------------------------------------ export


#: the register's columns as read from the database (``values_list``), in sheet order; "seq" is
#: counted and "sectors" fetched per chunk
_EXPORT_VALUES = ("pk", "name", "credit_code", "township__name", "address", "longitude", "latitude",
                  "legal_representative", "principal", "principal_phone", "employees", "scale", "status",
                  "standard_grade", "has_safety_team", "insured", "insurer", "insurance_expiry",
                  "protection_distance_m", "credit_code_override")
#: enterprises read (and their sectors fetched) at a time
EXPORT_CHUNK = 2000


def _labels(name: str) -> dict:
    return {k: str(v) for k, v in Enterprise._meta.get_field(name).flatchoices}


def export_rows(enterprises, *, unmask_phones: bool = True):
    """The sheet's rows (without title and header) for ``enterprises`` (a queryset, its order
    kept): plain values read ``EXPORT_CHUNK`` at a time, the sectors of each chunk in one query,
    choices labelled from a dict: no model object and no query per enterprise."""
    from itertools import islice

    sector_names, rank = {}, {}
    for i, (pk, name) in enumerate(Sector.objects.values_list("pk", "name")):  # Sector's own order
        sector_names[pk], rank[pk] = name, i
    scale, status, grade = _labels("scale"), _labels("status"), _labels("standard_grade")
    links = Enterprise.sectors.through.objects
    it = enterprises.values_list(*_EXPORT_VALUES).iterator(chunk_size=EXPORT_CHUNK)
    n = 0
    while chunk := list(islice(it, EXPORT_CHUNK)):
        sectors: dict[int, list[int]] = {}
        for e_id, s_id in links.filter(enterprise_id__in=[r[0] for r in chunk]).values_list("enterprise_id",
                                                                                              "sector_id"):
            sectors.setdefault(e_id, []).append(s_id)
        for (pk, name, code, township, address, lng, lat, legal, principal, phone, employees, sc, st, sg, team,
             insured, insurer, expiry, distance, override) in chunk:
            n += 1
            yield [
                n, name, code, township, "、".join(sector_names[s] for s in sorted(sectors.get(pk, ()), key=rank.get)),
                address, lng, lat, legal, principal, phone if unmask_phones else mask_phone(phone), employees,
                scale.get(sc, sc) if sc else "", status.get(st, st), grade.get(sg, sg),
                "是" if team else "否", "是" if insured else "否", insurer, expiry, distance, override,
            ]


def stream_register(enterprises, *, unmask_phones: bool = True, title: str = SHEET_TITLE):
    """The register in the import layout, streamed like every list's export
    (:func:`worksafe.core.export.stream_workbook`: a write-only workbook in a temporary file):
    the title merged on row 1, the header on row 2 (repeated on every printed page), one row per
    enterprise; the credit code and the phone are text cells (their digits kept), the insurance
    expiry a date. Returns the file, positioned at its start."""
    from worksafe.core.export import DATE_FORMAT, stream_workbook

    fields = list(HEADER_MAP)
    formats = [None] * len(fields)
    for f in ("credit_code", "principal_phone"):
        formats[fields.index(f)] = "@"
    formats[fields.index("insurance_expiry")] = DATE_FORMAT  # an empty cell too: a date typed in is one
    widths = [max(10, min(30, len(h) * 2 + 4)) for h in HEADERS]
    return stream_workbook(title, HEADERS, export_rows(enterprises, unmask_phones=unmask_phones), widths=widths,
                           sheet=SHEET_TITLE, freeze="C3", formats=formats)


def export_register(enterprises, *, unmask_phones: bool = True, title: str = SHEET_TITLE) -> bytes:
    """The register as .xlsx bytes, in the import layout (:func:`stream_register`)."""
    with stream_register(enterprises, unmask_phones=unmask_phones, title=title) as f:
        return f.read()
