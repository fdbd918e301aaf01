"""The fast paths of a one-example-changed run give what the plain code gives:
openapi.json text equal to `json.dumps(indent=2, sort_keys=True)`, the same
pooling clusters with the conflict filter as without it, and the collector
hold restoring the collector's state."""

from __future__ import annotations

import gc
import json
import math
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postman_codegen import infer
from postman_codegen.infer import Pool, Shape
from postman_codegen.openapi import indented_json
from postman_codegen.output import collector_off

SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True)
           | st.text())
KEYS = st.text() | st.integers() | st.floats(allow_nan=False) | st.booleans() | st.none()
JSON = st.recursive(
    SCALARS,
    lambda inner: (st.lists(inner, max_size=4) | st.tuples(inner, inner)
                   | st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=30,
)


# The profile's budget (conftest: more under --run-slow); these tests are cheap.
BUDGET = settings.default.max_examples


def reference(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)


@settings(max_examples=BUDGET * 10, deadline=None)
@given(JSON)
def test_indented_json_is_json_dumps_text(value: object) -> None:
    assert indented_json(value) == reference(value)


@settings(max_examples=BUDGET * 5, deadline=None)
@given(st.dictionaries(KEYS, SCALARS, max_size=5))
def test_non_string_keys_are_written_as_json_writes_them(value: dict[Any, object]) -> None:
    try:
        expected = reference(value)
    except TypeError:  # keys of mixed types do not sort, in either encoder
        with pytest.raises(TypeError):
            indented_json(value)
        return
    assert indented_json(value) == expected


def test_special_floats_subclasses_and_escapes_match() -> None:
    class Text(str):
        pass

    class Count(int):
        pass

    value = {"nan": math.nan, "inf": [math.inf, -math.inf], Text("k"): Text("v\u2028\x00\"\\"),
             "n": Count(3), "t": True, "e": [[], {}, [{}]], "big": 10**30, "f": 1e-7}
    assert indented_json(value) == reference(value)


def test_what_json_cannot_encode_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        indented_json({"x": {1, 2}})
    with pytest.raises(TypeError, match="keys must be"):
        indented_json({(1, 2): 1})


# -- pooling: the conflict filter only skips clusters `_compatible` rejects -----

KEY = st.sampled_from(["a", "b", "c", "d", "e", "f"])
SAMPLE = st.recursive(
    st.none() | st.booleans() | st.integers(0, 3) | st.sampled_from(["x", "y"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=6),
    max_leaves=25,
)


def clusters(roots: list[Shape]) -> list[list[int]]:
    """Each root shape's objects, breadth first, as cluster numbers."""
    pool = Pool(roots)
    out = []
    for root in roots:
        seen, queue = [], [root]
        for s in queue:
            seen.append(pool._cluster.get(id(s), -1))
            queue.extend(s.fields.values())
            if s.items is not None:
                queue.append(s.items)
        out.append(seen)
    return out


@settings(max_examples=BUDGET * 5, deadline=None)
@given(st.lists(st.lists(SAMPLE, min_size=1, max_size=3), min_size=1, max_size=8))
def test_pool_clusters_are_those_of_the_unit_by_unit_comparison(
    samples: list[list[object]],
) -> None:
    roots = []
    for values in samples:
        shape = Shape()
        for v in values:
            shape.observe(v)
        roots.append(shape)
    fast = clusters(roots)
    original = infer._Conflicts.without
    infer._Conflicts.without = lambda self, candidates, facts: candidates  # type: ignore[method-assign]
    try:
        slow = clusters(roots)
    finally:
        infer._Conflicts.without = original  # type: ignore[method-assign]
    assert fast == slow


def update_bodies(n: int) -> list[Shape]:
    """commercetools' update requests: `{version, actions: [{action, <own keys>}]}`,
    the same outer keys around a different action each time."""
    roots = []
    for i in range(n):
        shape = Shape()
        shape.observe({"version": 1, "actions": [
            {"action": f"set{i}", f"field{i}": "x", f"other{i}": 1, f"more{i}": True}]})
        roots.append(shape)
    return roots


def test_bodies_of_one_key_set_are_compared_unit_by_unit_only_where_they_may_pool(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each body is compared in full with the one cluster it can join at most, not
    with every earlier cluster (1,000 bodies: ~1,000 comparisons, not ~500,000)."""
    calls = 0
    original = infer._compatible

    def counted(a: Any, b: Any) -> bool:
        nonlocal calls
        calls += 1
        return original(a, b)

    monkeypatch.setattr(infer, "_compatible", counted)
    Pool(update_bodies(1000))
    assert calls <= 2 * 1000


# -- the collector -----------------------------------------------------------


def test_the_planning_hold_restores_the_collector_and_freezes_what_was_built() -> None:
    assert gc.isenabled()
    try:
        with collector_off(gc.freeze):
            assert not gc.isenabled()
            kept = [[i] for i in range(1000)]
        assert gc.isenabled()
        assert gc.get_freeze_count() >= len(kept)
    finally:
        gc.unfreeze()


def test_the_rendering_hold_frees_the_cycles_made_while_rendering() -> None:
    class Node:
        pass

    assert gc.isenabled()
    with collector_off(gc.collect):
        assert not gc.isenabled()
        a, b = Node(), Node()
        a.other, b.other = b, a  # type: ignore[attr-defined]
        gone = weakref.ref(a)
        del a, b
        assert gone() is not None  # a cycle: refcounting alone keeps it
    assert gc.isenabled()
    assert gone() is None
