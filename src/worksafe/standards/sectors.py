"""Sectors (行业领域) named by a plan's areas.

A county plan's special-rectification areas read "持续加强危险化学品综合监管和整治",
"加大文化旅游安全整治力度" and so on: the sector is what is being rectified.
Areas about study or duties ("提高政治站位…", "推动企业落实安全生产主体责任")
rectify no sector. The rule is heuristic wording, not a standard; the county
office renames or re-wires sectors in the UI.

High-risk sectors, where safety-liability insurance (安责险) is compulsory, follow
《安全生产责任保险实施办法》(安监总办〔2017〕140号) 第六条: 煤矿、非煤矿山、危险化学品、
烟花爆竹、交通运输、建筑施工、民用爆炸物品、金属冶炼、渔业生产. Recalled, not
checked against a copy here (unverified): kept as data below and editable per sector.
"""

import re

HIGH_RISK_KEYWORDS = ("煤矿", "非煤矿山", "危险化学品", "烟花爆竹", "交通运输", "道路运输", "建筑施工",
                      "民用爆炸", "金属冶炼", "渔业")

_RECTIFY = re.compile(r"整治|治理")
_PREFIX = re.compile(r"^(?:持续|全面|深入|大力|进一步)?(?:加强|加大|强化|深化|推进|开展|抓好|做好)?")
_SUFFIX = re.compile(
    r"(?:安全)?(?:综合)?(?:监管(?:和|与|及)?)?(?:专项)?(?:整治|治理)(?:力度|工作|行动)?$"
)


def sector_name(area_title: str) -> str | None:
    """The sector an area rectifies, or None for a cross-cutting area.

    >>> sector_name("持续加强危险化学品综合监管和整治")
    '危险化学品'
    >>> sector_name("加大文化旅游安全整治力度")
    '文化旅游'
    >>> sector_name("推动企业落实安全生产主体责任") is None
    True
    """
    title = re.sub(r"[。;;,,\s]+$", "", area_title.strip())
    if not _RECTIFY.search(title):
        return None
    name = _SUFFIX.sub("", _PREFIX.sub("", title, count=1))
    return name or None


def is_high_risk(name: str) -> bool:
    return any(k in name for k in HIGH_RISK_KEYWORDS)
