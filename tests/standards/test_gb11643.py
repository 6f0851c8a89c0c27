"""Tests of worksafe.standards.gb11643 (居民身份证号码 check character)."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards.gb11643 import (
    WEIGHTS,
    IdFormatError,
    birth_date,
    check_char,
    check_format,
    is_male,
    is_valid,
    mask,
)


def test_weights():
    assert WEIGHTS == [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]


@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014", "11010519491231002x"])
def test_reference_examples_pass(number):
    assert is_valid(number)


def test_check_char():
    assert check_char("11010519491231002") == "X"
    assert check_char("44052418800101001") == "4"


@pytest.mark.parametrize("number", [
    "110105194912310021",   # wrong check character
    "440524188001010015",
    "110105194913310029",   # month 13 (check character recomputed below)
    "11010519491231002",    # 17 characters
    "1101051949123100211",  # 19
    "11010519491231002Y",
    "1101051949123100X2",
    "",
    "110105491231002",      # old 15-digit number
])
def test_invalid_numbers(number):
    assert not is_valid(number)


def test_impossible_birth_date_is_invalid_even_with_a_good_check_character():
    first17 = "11010519490230002"  # 1949-02-30
    assert not is_valid(first17 + check_char(first17))
    with pytest.raises(IdFormatError, match="不是有效日期"):
        birth_date(first17 + check_char(first17))


def test_format_errors_in_chinese():
    with pytest.raises(IdFormatError, match="应为18位，当前为17位"):
        check_format("11010519491231002")
    with pytest.raises(IdFormatError, match="前17位应为数字"):
        check_format("1101051949123100A2")
    with pytest.raises(IdFormatError, match="数字或X"):
        check_format("11010519491231002Y")
    with pytest.raises(IdFormatError):
        check_format("１１０１０５１９４９１２３１００２X")  # full-width digits are not accepted
    with pytest.raises(IdFormatError, match="17位数字"):
        check_char("1234")


def test_birth_date_and_sex():
    assert birth_date("11010519491231002X") == datetime.date(1949, 12, 31)
    assert not is_male("11010519491231002X")  # sequence 002: even
    assert is_male("440524188001010014")  # sequence 001: odd


def test_mask():
    assert mask("11010519491231002X") == "110105********002X"
    assert mask(" 440524188001010014 ") == "440524********0014"
    assert mask("12345") == "*****"
    assert mask("") == ""
    assert mask("12345678901") == "123456*8901"


DIGITS = st.text(alphabet="0123456789", min_size=3, max_size=3)
DATES = st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2099, 12, 31))


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), DATES, DIGITS)
def test_completed_numbers_are_valid(area, born, sequence):
    first17 = area + born.strftime("%Y%m%d") + sequence
    number = first17 + check_char(first17)
    assert is_valid(number)
    assert birth_date(number) == born
    assert mask(number)[:6] == area and mask(number).count("*") == 8


@given(st.text(alphabet="0123456789", min_size=6, max_size=6), DATES, DIGITS, st.integers(0, 16),
       st.integers(1, 9))
def test_any_single_digit_change_is_detected(area, born, sequence, position, delta):
    first17 = area + born.strftime("%Y%m%d") + sequence
    number = first17 + check_char(first17)
    changed = number[:position] + str((int(number[position]) + delta) % 10) + number[position + 1:]
    assert not is_valid(changed)
