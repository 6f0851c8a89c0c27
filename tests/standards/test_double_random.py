"""The draw of 双随机 (standards/double_random.py): reproducible, weighted, valid teams."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from worksafe.standards.double_random import (
    MIN_TEAM,
    Candidate,
    DrawError,
    Inspector,
    draw,
    draw_from_record,
    record_inputs,
    result_matches,
)

SHARES = {"4": 1.0, "3": 0.5, "2": 0.2, "1": 0.05, "0": 0.05}


def inspectors(n, departments=3, townships=4):
    return [Inspector(100 + i, department=i % departments, township=i % townships) for i in range(n)]


def pool(n):
    return [Candidate(i, level=1 + i % 4, township=i % 4, departments=(i % 3,)) for i in range(1, n + 1)]


def test_same_inputs_same_draw_whatever_the_order():
    p, ins = pool(40), inspectors(8)
    a = draw(p, SHARES, "seed-1", ins)
    b = draw(list(reversed(p)), SHARES, "seed-1", list(reversed(ins)))
    assert a == b
    assert draw(p, SHARES, "seed-2", ins).selected != a.selected


def test_record_round_trip_and_tamper():
    p, ins = pool(30), inspectors(6)
    inputs = record_inputs(p, SHARES, ins, team_size=2, cross_region=True)
    result = draw(p, SHARES, "abc", ins, cross_region=True).to_dict()
    assert result_matches(inputs, "abc", result)
    assert draw_from_record(inputs, "abc").to_dict() == result
    inputs["pool"][0]["factors"] = {"hazards": 50}
    tampered = dict(result, selected=list(reversed(result["selected"])))
    assert not result_matches(record_inputs(p, SHARES, ins, team_size=2, cross_region=True), "abc", tampered)


def test_shares_per_level():
    p = pool(40)  # 10 of each level
    r = draw(p, SHARES, "s", inspectors(6))
    levels = [next(c.level for c in p if c.id == i) for i in r.selected]
    assert levels.count(4) == 10 and levels.count(3) == 5 and levels.count(2) == 2 and levels.count(1) == 1
    assert levels == sorted(levels, reverse=True)  # red first


def test_counts_instead_of_shares():
    r = draw(pool(40), {"4": 3, "1": 1}, "s", inspectors(6), counts=True)
    assert len(r.selected) == 4


def test_selection_frequency_follows_the_weights():
    """One draw of 1 among 4 equal-level enterprises of weights 1, 2, 3, 4, many seeds: enterprise i is
    drawn with probability w_i / sum(w) under Efraimidis–Spirakis; chi-square with 3 d.o.f. below
    16.27 (p = 0.001)."""
    p = [Candidate(i, level=1, factors={"hazards": i - 1}) for i in (1, 2, 3, 4)]
    ins = inspectors(4)
    n = 4000
    seen = {i: 0 for i in (1, 2, 3, 4)}
    for k in range(n):
        seen[draw(p, {"1": 1}, f"fixed-{k}", ins, counts=True).selected[0]] += 1
    expected = {i: n * i / 10 for i in seen}
    chi2 = sum((seen[i] - expected[i]) ** 2 / expected[i] for i in seen)
    assert chi2 < 16.27, (seen, chi2)


def test_team_too_small_refused():
    with pytest.raises(DrawError):
        draw(pool(4), SHARES, "s", inspectors(4), team_size=1)
    with pytest.raises(DrawError, match="不足"):
        draw(pool(4), SHARES, "s", inspectors(1))
    # cross-region: every inspector is of the enterprise's township
    ins = [Inspector(1, department=9, township=0), Inspector(2, department=9, township=0)]
    with pytest.raises(DrawError, match="异地交叉"):
        draw([Candidate(5, level=4, township=0)], SHARES, "s", ins, cross_region=True)


candidates = st.lists(
    st.builds(Candidate, id=st.integers(1, 60), level=st.integers(0, 4), township=st.integers(0, 3),
              departments=st.tuples(st.integers(0, 3)),
              factors=st.dictionaries(st.sampled_from(["hazards", "tipoffs"]), st.integers(0, 5), max_size=2)),
    min_size=1, max_size=25, unique_by=lambda c: c.id)
inspector_lists = st.lists(
    st.builds(Inspector, id=st.integers(100, 140), department=st.integers(0, 4), township=st.integers(0, 4),
              conflicts=st.frozensets(st.integers(1, 60), max_size=6)),
    min_size=0, max_size=14, unique_by=lambda i: i.id)


@settings(max_examples=150, deadline=None)
@given(candidates, inspector_lists, st.text(min_size=1, max_size=12), st.integers(2, 3), st.booleans())
def test_teams_are_always_valid(pool_, ins, seed, team_size, cross):
    try:
        r = draw(pool_, SHARES, seed, ins, team_size=team_size, cross_region=cross)
    except DrawError:
        return
    by_id = {i.id: i for i in ins}
    ents = {c.id: c for c in pool_}
    assert len(set(r.selected)) == len(r.selected)
    for cid in r.selected:
        team = r.teams[cid]
        assert len(set(team)) == len(team) >= max(MIN_TEAM, team_size)
        for iid in team:
            i = by_id[iid]
            assert cid not in i.conflicts
            if cross:
                assert i.township != ents[cid].township
                assert i.department not in ents[cid].departments


def test_dr1_is_pinned():
    """DR-1's output for a fixed record never changes (a change of algorithm is a new version)."""
    pool_ = [Candidate(i, level=1 + i % 4, township=i % 3, departments=(i % 2,), factors={"hazards": i % 3})
             for i in range(1, 21)]
    ins = [Inspector(100 + i, department=i % 3, township=(i + 1) % 3, conflicts=frozenset({i})) for i in range(6)]
    r = draw(pool_, {"4": 1, "3": 0.5, "2": 0.2, "1": 0.05}, "golden-seed", ins)
    assert r.to_dict() == {
        "selected": [19, 11, 3, 7, 15, 14, 10, 18, 1, 12],
        "teams": {"19": [104, 105], "11": [100, 102], "3": [100, 101], "7": [103, 105], "15": [101, 104],
                  "14": [102, 103], "10": [100, 103], "18": [101, 102], "1": [104, 105], "12": [103, 104]},
        "algorithm": "DR-1"}
