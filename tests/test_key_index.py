"""The key index that keeps class pooling and same-name merging linear finds every
key set that can reach the overlap threshold (it may find more; callers check)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from postman_codegen.infer import KeyIndex

KEYS = st.frozensets(st.sampled_from([f"k{i}" for i in range(12)]), max_size=8)


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return len(a & b) / len(a | b)


@settings(max_examples=300, deadline=None)
@given(st.lists(KEYS, min_size=1, max_size=12), KEYS, st.sampled_from([0.5, 0.8, 1.0]))
def test_candidates_include_every_set_reaching_the_threshold(
    sets: list[frozenset[str]], probe: frozenset[str], threshold: float,
) -> None:
    index = KeyIndex([*sets, probe], threshold)
    for i, keys in enumerate(sets):
        index.add(keys, i)
    found = index.candidates(probe)
    assert found == sorted(found)
    for i, keys in enumerate(sets):
        if jaccard(keys, probe) >= threshold:
            assert i in found


def test_a_key_every_set_has_does_not_make_every_set_a_candidate() -> None:
    sets = [frozenset({"id", "name", f"a{i}", f"b{i}", f"c{i}"}) for i in range(200)]
    index = KeyIndex(sets, 0.8)
    for i, keys in enumerate(sets):
        index.add(keys, i)
    assert index.candidates(sets[7]) == [7]


def test_keys_added_after_growth_are_found() -> None:
    index = KeyIndex([frozenset({"a", "b"}), frozenset({"a", "b", "c", "d"})], 0.5)
    index.add(frozenset({"a", "b"}), 0)
    index.add(frozenset({"a", "b", "c", "d"}), 0)  # bucket 0 grew
    assert 0 in index.candidates(frozenset({"c", "d", "a"}))
