"""GB/T 9704-2012《党政机关公文格式》: the page and type figures a generated county report follows.

Clauses as read in public copies of the standard (docs/reporting.md lists them); the standard's
own PDF was not read, so each figure is tagged as the project's reference tags it:

- 5.1 (verified in two copies): A4, 210 mm × 297 mm.
- 5.2.1 (verified in two copies): 天头 37 mm ± 1 mm, 订口 28 mm ± 1 mm, 版心 156 mm × 225 mm;
  hence (derived) bottom 35 mm and right 26 mm.
- 5.2.2 (verified): elements in 3号仿宋体 unless said otherwise.
- 5.2.3 (verified): 22 lines of 28 characters; 3 defines a line as one character's height plus
  7/8 of a 3号 character's height, so (derived) a fixed line pitch of about 29.6 pt fills 225 mm
  with 22 lines; Word users set 28–30 pt (reported). We use 29 pt, which keeps 22 lines on a page.
- 7.3.1 (verified): the title in 2号小标宋体, centred.
- 7.3.3 (verified): body in 3号仿宋体, each paragraph indented two characters; heading levels
  一、 in 黑体, （一） in 楷体, 1. and （1） in 仿宋体 (the level fonts are read in restatements).
- 7.3.5.4 (verified): dates in Arabic digits, the year in full, no leading zeros.
- 7.5 (verified): page numbers in 4号半角宋体 Arabic digits with a 一字线 on each side, below the
  版心; odd pages right, even pages left, one character in (the 7 mm gap is approximated by the
  footer distance; unverified how Word renders it to the millimetre).

The font sizes are the Chinese 号 (2号 = 22 pt, 3号 = 16 pt, 4号 = 14 pt). Font names are the ones
county offices install (方正小标宋简体, 仿宋_GB2312, 黑体, 楷体_GB2312, 宋体); a machine without them
substitutes, which the standard's wording (推荐使用) allows for the title.
"""

from __future__ import annotations

import datetime

PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}
TYPE_AREA_MM = (156, 225)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
LINE_PITCH_PT = 29
FOOTER_DISTANCE_MM = 28  # from the paper's edge to the page number's baseline: 35 − 7 (7.5)

SIZE_PT = {"2号": 22, "3号": 16, "4号": 14}
FONTS = {
    "title": ("方正小标宋简体", SIZE_PT["2号"]),
    "body": ("仿宋_GB2312", SIZE_PT["3号"]),
    "h1": ("黑体", SIZE_PT["3号"]),
    "h2": ("楷体_GB2312", SIZE_PT["3号"]),
    "h3": ("仿宋_GB2312", SIZE_PT["3号"]),
    "page_number": ("宋体", SIZE_PT["4号"]),
}
FIRST_LINE_INDENT_CHARS = 2

_CN = "零一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 23 → 二十三 (heading numbers up to 99)."""
    if not 0 < n < 100:
        raise ValueError("heading numbers run from 1 to 99")
    tens, ones = divmod(n, 10)
    if tens == 0:
        return _CN[ones]
    return ("" if tens == 1 else _CN[tens]) + "十" + (_CN[ones] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The sequence mark of a heading (7.3.3): 一、 / （一） / 1. / （1）."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


def page_number_text(n: int) -> str:
    """7.5: the page number between two 一字线 (— 3 —)."""
    return f"— {n} —"


def document_date(d: datetime.date) -> str:
    """7.3.5.4: 2025年12月5日 (Arabic digits, no leading zeros)."""
    return f"{d.year}年{d.month}月{d.day}日"
