"""公民身份号码 (居民身份证号码), GB 11643-1999.

18 characters: 6-digit address code (GB/T 2260) + 8-digit birth date YYYYMMDD (GB/T 7408) +
3-digit sequence code (odd = male, even = female) + 1 check character. Positions 1–17 carry
weights W_i = 2^(18-i) mod 11 (7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2); with Y = Σ a_i·W_i mod 11 the
check character is "10X98765432"[Y] (the ISO 7064 MOD 11-2 method). Source: shared/reference
standards-monitoring-codes-security.md §3.2 (V: several public utilities quoting the standard,
recomputed; the example numbers 11010519491231002X and 440524188001010014 are commonly cited as
the standard's own, attribution R).

:func:`is_valid` also requires the birth date to be a real calendar date. Old 15-digit numbers
(no check character) are refused. :func:`mask` keeps the first 6 and last 4 characters, a display
convention only (reference: no standard found, R); personal information is shown masked by
default (PIPL, GB/T 35273).
"""

from __future__ import annotations

import datetime

__all__ = ["IdFormatError", "WEIGHTS", "normalise", "check_format", "check_char", "is_valid", "birth_date",
           "is_male", "mask"]

WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2
_CHECK = "10X98765432"


class IdFormatError(ValueError):
    """The number has the wrong length or characters (always refused)."""


def normalise(number: str) -> str:
    return (number or "").strip().upper()


def check_format(number: str) -> str:
    """Return the normalised number or raise :class:`IdFormatError` with a Chinese message."""
    n = normalise(number)
    if len(n) != 18:
        raise IdFormatError(f"居民身份证号码应为18位，当前为{len(n)}位。")
    if not (n[:17].isascii() and n[:17].isdigit()):
        raise IdFormatError("居民身份证号码前17位应为数字。")
    if not (n[17].isdigit() or n[17] == "X"):
        raise IdFormatError("居民身份证号码第18位（校验码）应为数字或X。")
    return n


def check_char(first17: str) -> str:
    """The check character (0–9 or X) of the first 17 digits."""
    if len(first17) != 17 or not (first17.isascii() and first17.isdigit()):
        raise IdFormatError("计算校验码需要17位数字本体码。")
    return _CHECK[sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True)) % 11]


def birth_date(number: str) -> datetime.date:
    """The birth date coded in positions 7–14; IdFormatError when it is no calendar date."""
    n = check_format(number)
    try:
        return datetime.date(int(n[6:10]), int(n[10:12]), int(n[12:14]))
    except ValueError:
        raise IdFormatError(f"居民身份证号码中的出生日期“{n[6:14]}”不是有效日期。") from None


def is_male(number: str) -> bool:
    """Sequence code (positions 15–17): odd for men, even for women."""
    return int(check_format(number)[16]) % 2 == 1


def is_valid(number: str) -> bool:
    """Format, birth date and check character all pass."""
    try:
        n = check_format(number)
        birth_date(n)
    except IdFormatError:
        return False
    return check_char(n[:17]) == n[17]


def mask(number: str) -> str:
    """Keep the first 6 and last 4 characters, star the rest: 110105********002X.

    Any input is masked (shorter strings entirely), so a malformed number never leaks in full."""
    n = normalise(number)
    if len(n) <= 10:
        return "*" * len(n)
    return n[:6] + "*" * (len(n) - 10) + n[-4:]
