"""The fast paths of a one-example-changed run give what the plain code gives:
openapi.json text equal to `json.dumps(indent=2, sort_keys=True)` and the
collector hold restoring the collector's state (pooling's cluster search:
test_pooling_scale.py)."""

from __future__ import annotations

import gc
import json
import math
import weakref
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
