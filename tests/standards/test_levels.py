"""Tests of worksafe.standards.levels (the shared four-level enum)."""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards.levels import Level, max_level


def test_order_and_values():
    assert Level.BLUE < Level.YELLOW < Level.ORANGE < Level.RED
    assert [level.value for level in Level] == [1, 2, 3, 4]


@pytest.mark.parametrize(("level", "label", "colour"), [
    (Level.BLUE, "低风险", "蓝"),
    (Level.YELLOW, "一般风险", "黄"),
    (Level.ORANGE, "较大风险", "橙"),
    (Level.RED, "重大风险", "红"),
])
def test_names(level, label, colour):
    assert level.label == label
    assert level.colour_name == colour
    assert re.fullmatch(r"#[0-9a-f]{6}", level.hex)


def test_hex_colours():
    assert Level.BLUE.hex == "#206bc4"
    assert Level.YELLOW.hex == "#f59f00"
    assert Level.ORANGE.hex == "#f76707"
    assert Level.RED.hex == "#d63939"
    assert len({level.hex for level in Level}) == 4


def test_raise_one_is_capped_at_red():
    assert Level.BLUE.raise_one() is Level.YELLOW
    assert Level.YELLOW.raise_one() is Level.ORANGE
    assert Level.ORANGE.raise_one() is Level.RED
    assert Level.RED.raise_one() is Level.RED


def test_max_level():
    assert max_level([Level.YELLOW, Level.RED, Level.BLUE]) is Level.RED
    assert max_level([None, Level.ORANGE, None]) is Level.ORANGE
    assert max_level(iter([Level.BLUE])) is Level.BLUE
    assert max_level([]) is None
    assert max_level([None], default=Level.BLUE) is Level.BLUE


def test_choices():
    assert Level.choices() == [(1, "低风险"), (2, "一般风险"), (3, "较大风险"), (4, "重大风险")]


@pytest.mark.parametrize("text", [4, "RED", "red", "重大风险", "红", "红色", Level.RED])
def test_parse(text):
    assert Level.parse(text) is Level.RED


def test_parse_refuses_unknown_in_chinese():
    with pytest.raises(ValueError, match="无法识别的风险等级"):
        Level.parse("紫")


@given(st.lists(st.sampled_from(list(Level)), min_size=1))
def test_max_level_is_an_upper_bound(levels):
    top = max_level(levels)
    assert top in levels
    assert all(level <= top for level in levels)


@given(st.sampled_from(list(Level)))
def test_raise_one_never_lowers(level):
    assert level.raise_one() >= level
    assert level.raise_one() - level <= 1
