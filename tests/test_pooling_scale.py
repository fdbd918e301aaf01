"""Pooling's cluster search (`infer._Linkage`: facts matched by set operations per
group of clusters, key sets checked per distinct set) forms exactly the clusters of plain complete linkage,
which compares a unit with every unit of every earlier cluster, and does work
that grows with the units, not with units x clusters."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from postman_codegen import infer
from postman_codegen.infer import Pool, Shape

# -- the reference: complete linkage, unit by unit ---------------------------

Unit = tuple[frozenset[str], dict[str, tuple[frozenset[str], tuple[int | None, ...]]]]


def compatible(a: Unit, b: Unit) -> bool:
    """The pooling rule: key sets equal or overlapping enough, and no shared key
    with other JSON kinds or with nested objects of other clusters."""
    (ka, da), (kb, db) = a, b
    shared = ka & kb
    if ka != kb and (len(shared) < infer.POOL_MIN_SHARED_KEYS
                     or len(shared) / len(ka | kb) < infer.POOL_MIN_OVERLAP):
        return False
    for k in shared:
        (kinds_a, refs_a), (kinds_b, refs_b) = da[k], db[k]
        if kinds_a and kinds_b and kinds_a != kinds_b:
            return False
        if any(x is not None and y is not None and x != y for x, y in zip(refs_a, refs_b)):
            return False
    return True


def reference(roots: list[Shape]) -> dict[int, int]:
    """id(object shape) -> cluster number: objects by height (innermost first),
    equal descriptions one unit, units by (more keys first, description), each
    joining the first cluster all of whose units it is compatible with."""
    cluster: dict[int, int] = {}

    def refs(s: Shape | None) -> tuple[int | None, ...]:
        out = []
        while s is not None:
            out.append(cluster.get(id(s)))
            s = s.items
        return tuple(out)

    def height(s: Shape) -> int:
        below = [height(c) for c in s.fields.values()]
        if s.items is not None:
            below.append(height(s.items))
        return max(below, default=0) + (1 if s.fields else 0)

    objects: list[Shape] = []
    queue, seen = list(roots), set()
    for s in queue:
        if id(s) not in seen:
            seen.add(id(s))
            queue.extend([*([s.items] if s.items is not None else []), *s.fields.values()])
            if s.fields and not infer._looks_like_map(s):
                objects.append(s)
    clusters: list[list[Unit]] = []
    for level in sorted({height(s) for s in objects}):
        units: dict[tuple[object, ...], tuple[Unit, list[Shape]]] = {}
        for s in (s for s in objects if height(s) == level):
            kinds = {k: (infer._kinds(c), refs(c)) for k, c in s.fields.items()}
            order = tuple(sorted((k, tuple(sorted(v[0])), tuple(-1 if r is None else r
                                                                 for r in v[1]))
                                 for k, v in kinds.items()))
            units.setdefault(order, ((frozenset(kinds), kinds), []))[1].append(s)
        for described in sorted(units, key=lambda o: (-len(units[o][0][0]), o)):
            unit, members = units[described]
            c = next((i for i, cl in enumerate(clusters)
                      if all(compatible(unit, other) for other in cl)), len(clusters))
            if c == len(clusters):
                clusters.append([])
            clusters[c].append(unit)
            cluster.update((id(m), c) for m in members)
    return cluster


def shapes(bodies: list[list[object]]) -> list[Shape]:
    roots = []
    for values in bodies:
        shape = Shape()
        for v in values:
            shape.observe(v)
        roots.append(shape)
    return roots


# -- one key set, many conflicting bodies --------------------------------------

KINDS: tuple[Any, ...] = ("t", 1, True, None, 2.5, ["a"], [{"z": 1}], {"q": "x"})


def update_body(rng: random.Random) -> dict[str, Any]:
    """`{version, id, key, meta, actions}` (sometimes one key more, still pooling
    by overlap; sometimes one less, not), actions of a few shared and a few own
    keys of random kinds, now and then with a nested object."""
    def value() -> Any:  # null often: it agrees with any kind, so clusters grow
        return None if rng.random() < 0.4 else rng.choice(KINDS)

    action = {"action": "set", **{k: value() for k in rng.sample("abcde", rng.randint(1, 5))}}
    if rng.random() < 0.3:
        action["target"] = {"typeId": value(), "id": value()}
    body: dict[str, Any] = {"version": value(), "id": "i", "key": value(),
                            "meta": {"by": value(), "at": 1}, "actions": [action]}
    if rng.random() < 0.15:
        body["dryRun"] = value()
    if rng.random() < 0.1:
        del body["key"]
    return body


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 80))
def test_one_key_set_bodies_form_the_clusters_of_complete_linkage(seed: int, n: int) -> None:
    rng = random.Random(seed)
    roots = shapes([[update_body(rng)] for _ in range(n)])
    assert Pool(roots)._cluster == reference(roots)


KEY = st.sampled_from(["a", "b", "c", "d", "e", "f"])
SAMPLE = st.recursive(
    st.none() | st.booleans() | st.integers(0, 3) | st.sampled_from(["x", "y"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEY, inner, max_size=6),
    max_leaves=25,
)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.lists(SAMPLE, min_size=1, max_size=3), min_size=1, max_size=8))
def test_any_samples_form_the_clusters_of_complete_linkage(samples: list[list[object]]) -> None:
    roots = shapes(samples)
    assert Pool(roots)._cluster == reference(roots)


def test_the_reference_tells_clusters_apart() -> None:
    """The comparison can fail: the reference sees kinds, overlap and nested clusters."""
    roots = shapes([[{"a": 1, "b": 1, "c": 1, "d": 1}], [{"a": "x", "b": 1, "c": 1, "d": 1}],
                    [{"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}], [{"a": None, "b": 1, "c": 1}]])
    got = reference(roots)
    assert [got[id(r)] for r in roots] == [0, 1, 0, 2]
    assert Pool(roots)._cluster == got


# -- the work grows with the units --------------------------------------------


def update_bodies(n: int) -> list[Shape]:
    """commercetools' update requests: `{version, actions: [{action, <own keys>}]}`,
    the same outer keys around a different action each time."""
    return shapes([[{"version": 1, "actions": [
        {"action": f"set{i}", f"field{i}": "x", f"other{i}": 1, f"more{i}": True}]}]
        for i in range(n)])


@pytest.mark.parametrize("n", [500, 2000])
def test_bodies_of_one_key_set_cost_a_few_lookups_each(
    n: int, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each unit asks each candidate group once and checks key sets
    against one cluster at most: ~n lookups and ~n checks, not ~n^2 / 2."""
    calls = {"agreeing": 0, "fits": 0}
    agreeing, fits = infer._Group.agreeing, infer._fits

    def count_agreeing(self: Any, *args: Any) -> list[int]:
        calls["agreeing"] += 1
        found: list[int] = agreeing(self, *args)
        return found

    def count_fits(a: frozenset[str], b: frozenset[str]) -> bool:
        calls["fits"] += 1
        fit: bool = fits(a, b)
        return fit

    monkeypatch.setattr(infer._Group, "agreeing", count_agreeing)
    monkeypatch.setattr(infer, "_fits", count_fits)
    pool = Pool(update_bodies(n))
    assert len(pool._members) == 2 * n  # each action its own cluster, so each body too
    assert calls["agreeing"] <= 2 * (2 * n)
    assert calls["fits"] <= 2 * n
