"""统一社会信用代码 (unified social credit code), GB 32100-2015.

18 characters from 0-9 and the capitals without I, O, Z, S, V. Positions 1-17
carry weights W_i = 3^(i-1) mod 31; the check character (position 18) is
CHARSET[(31 - Σ value·W mod 31) mod 31] (GB 32100-2015 §4.3, the ISO 7064
MOD 31-3 method). Source: shared/reference standards-monitoring-codes-security.md
§3.1 (verified against Hutool's CreditCodeUtil and the standard's description).

Some codes registered in the wild fail the check; callers refuse a failing
code unless an authorised officer overrides it (the register issue).
"""

from __future__ import annotations

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
VALUES = {c: i for i, c in enumerate(CHARSET)}
WEIGHTS = [pow(3, i, 31) for i in range(17)]  # 1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28


class CodeFormatError(ValueError):
    """The code has the wrong length or characters (always refused)."""


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def check_format(code: str) -> str:
    """Return the normalised code or raise :class:`CodeFormatError` with a Chinese message."""
    c = normalise(code)
    if len(c) != 18:
        raise CodeFormatError(f"统一社会信用代码应为18位,当前为{len(c)}位。")
    bad = sorted({ch for ch in c if ch not in VALUES})
    if bad:
        raise CodeFormatError(f"统一社会信用代码含有不允许的字符:{''.join(bad)}(只能用数字和除I、O、Z、S、V外的大写字母)。")
    return c


def check_char(first17: str) -> str:
    """The check character for the first 17 characters."""
    s = sum(VALUES[ch] * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - s % 31) % 31]


def is_valid(code: str) -> bool:
    """Format and check digit both pass."""
    try:
        c = check_format(code)
    except CodeFormatError:
        return False
    return check_char(c[:17]) == c[17]


def complete(first17: str) -> str:
    """first17 plus its check character (for generating demo data)."""
    return first17 + check_char(first17)
