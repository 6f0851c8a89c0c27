"""Tests of worksafe.standards.gb32100 (统一社会信用代码 check character)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards.gb32100 import (
    CHARSET,
    WEIGHTS,
    CodeFormatError,
    check_char,
    check_format,
    complete,
    is_valid,
)


def test_weights_and_charset():
    assert WEIGHTS == [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    assert len(CHARSET) == 31
    assert not set("IOZSV") & set(CHARSET)


@pytest.mark.parametrize("code", [
    "914403001922038216",  # 华为技术有限公司 (V)
    "91350100M000100Y43",  # Hutool test example (V)
    "9144030071526726XG",  # attribution recalled (R); checksum passes
    "91330100716105852F",  # attribution recalled (R); checksum passes
    " 91350100m000100y43 ",  # normalised: stripped, upper-cased
])
def test_reference_examples_pass(code):
    assert is_valid(code)


@pytest.mark.parametrize(("code", "expected_check"), [
    ("91350203M0001QAY9B", "9"),  # whitelisted by a public JS validator, fails the checksum
    ("91110108717809965C", "J"),  # public mock/seed data: fail
    ("9133010057462616XH", "9"),
    ("914403001870826678", "0"),
])
def test_reference_failing_examples(code, expected_check):
    assert not is_valid(code)
    assert check_char(code[:17]) == expected_check
    assert check_format(code) == code  # the format is fine: only the check fails


@pytest.mark.parametrize(("code", "message"), [
    ("91440300192203821", "应为18位[,，]当前为17位"),
    ("9144030019220382166", "应为18位[,，]当前为19位"),
    ("", "应为18位[,，]当前为0位"),
    ("91440300192203821I", "不允许的字符:I"),
    ("91440300192203O216", "不允许的字符:O"),
    ("9144030019220382-6", "不允许的字符:-"),
    ("SZVI40300192203826", "不允许的字符:ISVZ"),
])
def test_wrong_length_or_characters_are_refused_in_chinese(code, message):
    with pytest.raises(CodeFormatError, match=message):
        check_format(code)
    assert not is_valid(code)


FIRST17 = st.text(alphabet=CHARSET, min_size=17, max_size=17)


@given(FIRST17)
def test_complete_is_always_valid(first17):
    code = complete(first17)
    assert len(code) == 18
    assert is_valid(code)


@given(FIRST17, st.integers(0, 17), st.integers(1, 30))
def test_changing_one_character_invalidates_or_changes_the_check(first17, position, shift):
    code = complete(first17)
    new_char = CHARSET[(CHARSET.index(code[position]) + shift) % 31]
    changed = code[:position] + new_char + code[position + 1:]
    assert changed != code
    if position == 17:
        assert not is_valid(changed)
    else:
        # MOD 31-3 catches every single substitution: the stored check no longer matches,
        # i.e. the check the changed body needs is a different character
        assert check_char(changed[:17]) != code[17]
        assert not is_valid(changed)
