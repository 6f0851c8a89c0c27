"""Tests of worksafe.standards.risk_matrix (LS, R = L × S)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from worksafe.standards import risk_matrix
from worksafe.standards.levels import Level
from worksafe.standards.risk_matrix import Band, MatrixRules, assess, grid, severity

ONE_TO_FIVE = st.integers(min_value=1, max_value=5)


def test_tables():
    assert [c.value for c in risk_matrix.L_TABLE] == [5, 4, 3, 2, 1]
    assert [c.value for c in risk_matrix.S_TABLE] == [5, 4, 3, 2, 1]
    assert set(risk_matrix.S_DIMENSIONS) == {"law", "people", "loss", "downtime", "image"}
    assert "死亡" in risk_matrix.S_TABLE[0].text


@pytest.mark.parametrize(("r", "level"), [
    (25, Level.RED), (20, Level.RED), (16, Level.ORANGE), (15, Level.ORANGE), (12, Level.YELLOW),
    (10, Level.YELLOW), (9, Level.YELLOW), (8, Level.BLUE), (6, Level.BLUE), (1, Level.BLUE),
])
def test_db37_bands(r, level):
    cells = [(lv, sv) for lv in range(1, 6) for sv in range(1, 6) if lv * sv == r]
    assert cells
    for lv, sv in cells:
        result = assess(lv, sv)
        assert (result.r, result.level, result.rules_version) == (r, level, "ls-db37-1")


def test_every_cell_is_covered():
    products = sorted({lv * sv for lv in range(1, 6) for sv in range(1, 6)})
    assert products == [1, 2, 3, 4, 5, 6, 8, 9, 10, 12, 15, 16, 20, 25]
    g = grid()
    assert g[4][4] is Level.RED and g[0][0] is Level.BLUE
    assert g[2][2] is Level.YELLOW  # 3 × 3 = 9
    assert g[3][3] is Level.ORANGE  # 4 × 4 = 16
    assert sum(row.count(Level.RED) for row in g) == 3  # 4×5, 5×4, 5×5


def test_actions_are_reported():
    assert "立即" in assess(5, 5).action
    assert "有条件" in assess(1, 1).action


def test_bands_are_a_parameter():
    # the ≤7 低 / 8–12 一般 / 13–16 较大 / ≥17 重大 variant
    rules = MatrixRules(version="variant-17-13-8", bands=(Band(17, Level.RED), Band(13, Level.ORANGE),
                                                          Band(8, Level.YELLOW)))
    assert assess(2, 4, rules).level is Level.YELLOW
    assert assess(2, 4).level is Level.BLUE
    assert assess(2, 4, rules).rules_version == "variant-17-13-8"


def test_rules_are_checked():
    with pytest.raises(ValueError):
        MatrixRules(bands=(Band(9, Level.YELLOW), Band(20, Level.RED)))
    with pytest.raises(ValueError):
        MatrixRules(bands=(Band(20, Level.BLUE), Band(9, Level.RED)))


@pytest.mark.parametrize(("l", "s", "name"), [
    (0, 3, "L"), (6, 3, "L"), (3, 0, "S"), (3, 2.5, "S"), ("x", 3, "L"), (True, 3, "L"), (None, 3, "L"),
])
def test_refuses_values_outside_1_to_5(l, s, name):  # noqa: E741
    with pytest.raises(ValueError, match=rf"^{name}（.+）取值应为1～5的整数"):
        assess(l, s)


def test_string_and_float_integers_are_accepted():
    assert assess("4", 5.0).r == 20


def test_severity_is_the_maximum_over_dimensions():
    assert severity({"people": 2, "loss": 4, "image": 1}) == 4
    assert severity({"law": 5}) == 5
    with pytest.raises(ValueError, match="未知的后果严重性维度"):
        severity({"weather": 3})
    with pytest.raises(ValueError, match="至少需要一个维度"):
        severity({})
    with pytest.raises(ValueError):
        severity({"people": 7})


@given(ONE_TO_FIVE, ONE_TO_FIVE, ONE_TO_FIVE, ONE_TO_FIVE)
def test_level_never_drops_when_a_factor_rises(l1, s1, dl, ds):
    l2, s2 = max(l1, dl), max(s1, ds)
    assert assess(l2, s2).level >= assess(l1, s1).level
    assert assess(l2, s2).r >= assess(l1, s1).r


@given(ONE_TO_FIVE, ONE_TO_FIVE)
def test_symmetric(lv, sv):
    assert assess(lv, sv).level is assess(sv, lv).level
