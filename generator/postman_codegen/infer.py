"""Infer types from JSON samples.

Two steps: `Shape` accumulates every sample seen at one place (all examples of
an endpoint, all items of an array) cheaply and mutably; `TypeTable.build`
turns a finished shape into an immutable, hash-consed type graph in which
identical structures are one node (and so one generated class).
"""

from __future__ import annotations

import heapq
import json
import math
import re
from dataclasses import dataclass, field
from datetime import datetime

# Heuristics, each a named constant.
MAX_DEPTH = 48  # deeper values are typed as unknown JSON, kept as they came
MAP_MIN_KEYS = 20  # an object with this many keys of one object shape is a map
MAP_MIN_OVERLAP = 0.8  # ... when their fields overlap this much
MERGE_MIN_OVERLAP = 0.5  # same-named endpoint bodies merge into one class above this
# Collection-wide pooling: objects anywhere in a collection whose key sets overlap
# this much (Jaccard), share at least POOL_MIN_SHARED_KEYS keys when the sets
# differ, and never disagree on the JSON kind of a shared key pool their evidence.
POOL_MIN_OVERLAP = 0.8
POOL_MIN_SHARED_KEYS = 4
# A string field is a date-time only when every sample is one and either two
# distinct samples were seen or the key reads like a date (`created_at`, `date`).
DATETIME_MIN_DISTINCT = 2
# The date-time samples of a place that saw none: one shared value, since most
# places never see a date-time and an empty set costs 216 bytes per place.
_NO_DATES: frozenset[str] = frozenset()

# OpenAPI-to-Postman exports write the schema type instead of a value.
PLACEHOLDERS = {
    "<string>": "str", "<uuid>": "str", "<date>": "str", "<datetime>": "str",
    "<date-time>": "str", "<email>": "str", "<uri>": "str", "<url>": "str",
    "<byte>": "str", "<binary>": "str", "<password>": "str",
    "<integer>": "int", "<long>": "int", "<int32>": "int", "<int64>": "int",
    "<number>": "float", "<double>": "float", "<float>": "float",
    "<boolean>": "bool",
}

_RFC3339 = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})"
)
_DATE_KEY = re.compile(r"_at$|[a-z0-9]At$|AT$|date|time|Date|Time|DATE|TIME")
_DATA_KEY = re.compile(
    r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?|[0-9a-f]{16,}"
)


def placeholder_kind(value: str) -> str | None:
    """The type a placeholder such as `"<integer>"` stands for, or None."""
    if len(value) > 12 or not value.startswith("<"):
        return None
    return PLACEHOLDERS.get(value.lower())


def date_like_key(key: str) -> bool:
    """Keys that name a moment: `created_at`, `createdAt`, `*date*`, `*time*`, `timestamp`."""
    return bool(key) and _DATE_KEY.search(key) is not None


def is_datetime(value: str) -> bool:
    """RFC 3339 date-time, strictly (and one Python parses back losslessly)."""
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


class Shape:
    """What was seen at one place across samples."""

    __slots__ = (
        "arrs",
        "bools",
        "dates",
        "deep",
        "dvals",
        "fields",
        "floats",
        "ints",
        "items",
        "nulls",
        "objs",
        "presence",
        "strs",
    )

    def __init__(self) -> None:
        self.nulls = 0
        self.bools = 0
        self.ints = 0
        self.floats = 0
        self.strs = 0
        self.dates = 0  # strings that are RFC 3339 date-times
        self.objs = 0
        self.fields: dict[str, Shape] = {}
        self.presence: dict[str, int] = {}
        self.arrs = 0
        self.items: Shape | None = None
        self.deep = False
        self.dvals = _NO_DATES  # distinct date-time samples, counted up to DATETIME_MIN_DISTINCT

    def observe(self, value: object, depth: int = 0) -> None:
        """Add one sample."""
        if depth > MAX_DEPTH:
            self.deep = True
            return
        if value is None:
            self.nulls += 1
        elif value is True or value is False:
            self.bools += 1
        elif type(value) is int:
            self.ints += 1
        elif type(value) is float:
            self.floats += 1
        elif type(value) is str:
            hint = placeholder_kind(value)
            if hint is None or hint == "str":
                self.strs += 1
                if hint is None and is_datetime(value):
                    self.dates += 1
                    if len(self.dvals) < DATETIME_MIN_DISTINCT:
                        self.dvals = self.dvals | {value}
            elif hint == "int":
                self.ints += 1
            elif hint == "float":
                self.floats += 1
            else:
                self.bools += 1
        elif type(value) is list:
            self.arrs += 1
            if value:
                items = self.items
                if items is None:
                    items = self.items = Shape()
                for item in value:
                    items.observe(item, depth + 1)
        elif type(value) is dict:
            self.objs += 1
            fields = self.fields
            presence = self.presence
            for key, item in value.items():
                child = fields.get(key)
                if child is None:
                    child = fields[key] = Shape()
                    presence[key] = 0
                presence[key] += 1
                child.observe(item, depth + 1)
        else:  # pragma: no cover - json.loads gives nothing else
            raise TypeError(type(value).__name__)

    def merge(self, other: Shape) -> None:
        """Fold another shape into this one (as if its samples were seen here)."""
        self.nulls += other.nulls
        self.bools += other.bools
        self.ints += other.ints
        self.floats += other.floats
        self.strs += other.strs
        self.dates += other.dates
        if other.dvals and len(self.dvals) < DATETIME_MIN_DISTINCT:
            self.dvals = self.dvals | other.dvals
        self.deep |= other.deep
        self.arrs += other.arrs
        if other.items is not None:
            if self.items is None:
                self.items = Shape()
            self.items.merge(other.items)
        self.objs += other.objs
        for key, child in other.fields.items():
            mine = self.fields.get(key)
            if mine is None:
                mine = self.fields[key] = Shape()
                self.presence[key] = 0
            self.presence[key] += other.presence[key]
            mine.merge(child)

    def copy(self) -> Shape:
        new = Shape()
        new.merge(self)
        return new

    @property
    def empty(self) -> bool:
        return not (self.nulls or self.bools or self.ints or self.floats or self.strs
                    or self.objs or self.arrs or self.deep)


def key_overlap(a: Shape, b: Shape) -> float:
    """Jaccard overlap of the object keys of two shapes (1.0 when both have none)."""
    ka, kb = set(a.fields), set(b.fields)
    if not ka and not kb:
        return 1.0
    return len(ka & kb) / len(ka | kb)


class KeyIndex:
    """Finds, among indexed key sets, every one whose Jaccard overlap with a probe
    can reach `threshold`, without comparing the probe with all of them.

    Prefix filtering: with the keys ranked rarest first, two sets of overlap at
    least t share a key among the first `n - ceil(t * n) + 1` keys of each (n
    its size). Only those prefix keys are indexed and probed, so a key common to
    every object (`id`, `name`) does not make every set a candidate: the cost
    grows with the matches, not with sets x sets. The candidates are a superset
    of the matches; callers still check each one.
    """

    def __init__(self, key_sets: list[frozenset[str]], threshold: float) -> None:
        counts: dict[str, int] = {}
        for keys in key_sets:
            for k in keys:
                counts[k] = counts.get(k, 0) + 1
        self._rank = {k: (n, k) for k, n in counts.items()}
        self._threshold = threshold
        self._postings: dict[str, list[int]] = {}

    def _prefix(self, keys: frozenset[str]) -> list[str]:
        if not keys:
            return [""]  # empty sets match only each other
        ranked = sorted(keys, key=lambda k: self._rank.get(k, (0, k)))
        need = max(math.ceil(self._threshold * len(ranked) - 1e-9), 1)
        return ranked[: len(ranked) - need + 1]

    def add(self, keys: frozenset[str], item: int) -> None:
        """Index `item` under `keys` (again after its keys grew: stale entries only
        add candidates)."""
        for k in self._prefix(keys):
            posting = self._postings.setdefault(k, [])
            if not posting or posting[-1] != item:
                posting.append(item)

    def candidates(self, keys: frozenset[str]) -> list[int]:
        """Indexed items that may reach the threshold with `keys`, in index order."""
        return sorted({i for k in self._prefix(keys) for i in self._postings.get(k, ())})


# -- pooling across a collection ---------------------------------------------


_KIND_NAMES = ("bool", "number", "str", "array", "object")
_KIND_SETS: dict[tuple[bool, ...], frozenset[str]] = {}  # one shared set per combination


def _kinds(shape: Shape) -> frozenset[str]:
    """The JSON kinds seen at a place, null left out (null fits any kind)."""
    seen = (shape.bools > 0, shape.ints > 0 or shape.floats > 0, shape.strs > 0,
            shape.arrs > 0, shape.objs > 0)
    out = _KIND_SETS.get(seen)
    if out is None:
        out = _KIND_SETS[seen] = frozenset(k for k, on in zip(_KIND_NAMES, seen, strict=True)
                                           if on)
    return out


@dataclass(slots=True)
class _Unit:
    """Object shapes with one key set, one kind per key and, for a key holding
    objects (or arrays of them), one cluster of those objects."""

    keys: frozenset[str]
    kinds: dict[str, tuple[frozenset[str], tuple[int | None, ...]]]
    members: list[Shape]
    order: tuple[object, ...]


def _fits(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether objects with key sets `a` and `b` may pool: equal sets, or sets
    sharing POOL_MIN_SHARED_KEYS keys and POOL_MIN_OVERLAP of their union."""
    if a == b:
        return True
    shared = len(a & b)
    return shared >= POOL_MIN_SHARED_KEYS and shared / len(a | b) >= POOL_MIN_OVERLAP


# What a unit says about its keys, by place (key, position): at position -1 the
# key's JSON kinds (unless only null was seen), at 0, 1, ... the cluster of the
# objects at that array depth (0: the key's own value), where there are objects.
# Units pool only if they say the same at every place both speak of: nested
# objects must be of one cluster too, since pooling two parents pools their
# children, so parents of unrelated children stay apart.
_Place = tuple[str, int]


def _facts(unit: _Unit) -> dict[_Place, object]:
    out: dict[_Place, object] = {}
    for k, (kinds, refs) in unit.kinds.items():
        if kinds:
            out[k, -1] = kinds
        for i, r in enumerate(refs):
            if r is not None:
                out[k, i] = r
    return out


class _Group:
    """The clusters whose first unit had one key set, and what they state, indexed
    so that the clusters agreeing with a unit's facts come out of set operations
    on the few clusters that may agree, not on all of them."""

    __slots__ = ("alone", "members", "stated", "unstated", "valued")

    def __init__(self) -> None:
        self.members: set[int] = set()
        self.stated: dict[_Place, set[int]] = {}  # place -> the members stating it
        self.unstated: dict[_Place, set[int]] = {}  # place -> the other members
        self.valued: dict[tuple[_Place, object], set[int]] = {}  # (place, fact) -> members
        # While the group has one member: what it states, not indexed. Most groups
        # never get a second (a key set seen once), and the index costs three
        # sets per place.
        self.alone: dict[_Place, object] | None = None

    def agreeing(self, facts: dict[_Place, object]) -> set[int]:
        """The members that state nothing other than `facts` at a place both state.

        A member agrees on a place when it states the same fact there or states
        nothing there; starting from the place where the fewest do, each other
        place only narrows that set, so the work follows the agreeing clusters."""
        alone = self.alone
        if alone is not None:
            agrees = all(alone.get(place, fact) == fact for place, fact in facts.items())
            return set(self.members) if agrees else set()
        start: tuple[_Place, object] | None = None
        fewest = len(self.members) + 1
        for fact in facts.items():
            unstated = self.unstated.get(fact[0])
            if unstated is not None:
                size = len(unstated) + len(self.valued.get(fact, ()))
                if size < fewest:
                    start, fewest = fact, size
        if start is None:
            return set(self.members)
        out = self.unstated[start[0]] | self.valued.get(start, set())
        for fact in facts.items():
            stated = self.stated.get(fact[0])
            if stated is None or fact == start:
                continue
            if not out:
                break
            out = (out & self.valued.get(fact, set())) | (out - stated)
        return out

    def admit(self, c: int, facts: dict[_Place, object]) -> None:
        """A new member `c` stating `facts`."""
        if not self.members:
            self.members.add(c)
            self.alone = dict(facts)
            return
        if self.alone is not None:  # a second member: index the first
            first, self.alone = self.alone, None
            self.state(next(iter(self.members)), first)
        for place, unstated in self.unstated.items():
            if place not in facts:
                unstated.add(c)
        self.members.add(c)
        self.state(c, facts)

    def state(self, c: int, facts: dict[_Place, object]) -> None:
        """Member `c` states `facts` too (the same as before where it stated
        something: its units agree)."""
        if self.alone is not None:
            self.alone.update(facts)
            return
        for fact in facts.items():
            place = fact[0]
            stated = self.stated.get(place)
            if stated is None:
                stated = self.stated[place] = set()
                self.unstated[place] = self.members - {c}
            stated.add(c)
            self.unstated[place].discard(c)
            self.valued.setdefault(fact, set()).add(c)


class _Linkage:
    """Complete-linkage clusters of units: a unit joins the first cluster (in order
    of creation) each of whose units it fits, found without comparing it with
    every unit of every cluster.

    A unit fits another when their key sets `_fits` and they state nothing
    different at a place both state (`_facts`). So a unit fits every unit of a
    cluster when (1) its facts agree with the cluster's facts (the union of its
    units' facts: they agree with one another), and (2) its key set `_fits` each
    distinct key set of the cluster. Clusters are grouped by the key set of their
    first unit, which is what the key index finds them by (only a cluster whose
    first unit can reach POOL_MIN_OVERLAP is a candidate), and each group answers
    (1) with set operations. Many units of one key set that differ only in nested
    objects (commercetools' `{version, actions}` bodies) so cost a few small set
    operations each instead of a comparison with every earlier cluster."""

    def __init__(self, key_sets: list[frozenset[str]]) -> None:
        self._index = KeyIndex(key_sets, POOL_MIN_OVERLAP)
        self._group_of: dict[frozenset[str], int] = {}
        self._groups: list[_Group] = []
        self._home: list[_Group] = []  # cluster -> its group
        self._keys: list[set[frozenset[str]]] = []  # cluster -> its units' key sets

    def find(self, keys: frozenset[str], facts: dict[_Place, object]) -> int | None:
        """The first cluster a unit with `keys` and `facts` fits entirely, if any."""
        best: int | None = None
        for g in self._index.candidates(keys):
            agreeing = list(self._groups[g].agreeing(facts))
            heapq.heapify(agreeing)  # in cluster order, without sorting them all
            while agreeing:
                c = heapq.heappop(agreeing)
                if best is not None and c >= best:
                    break
                if all(_fits(keys, other) for other in self._keys[c]):
                    best = c
                    break
        return best

    def new(self, keys: frozenset[str], facts: dict[_Place, object]) -> int:
        """A new cluster of one unit; returns its number."""
        g = self._group_of.get(keys)
        if g is None:
            g = self._group_of[keys] = len(self._groups)
            self._groups.append(_Group())
            self._index.add(keys, g)
        c = len(self._keys)
        self._home.append(self._groups[g])
        self._keys.append({keys})
        self._home[c].admit(c, facts)
        return c

    def join(self, c: int, keys: frozenset[str], facts: dict[_Place, object]) -> None:
        """Add a unit that `find` gave `c` for."""
        self._keys[c].add(keys)
        self._home[c].state(c, facts)


class Pool:
    """Pools the evidence of same-shaped objects anywhere in a set of samples.

    Object shapes are grouped into clusters (same key set, or a high key overlap;
    see `POOL_MIN_OVERLAP`), never when a shared key disagrees on its JSON kind
    or holds objects of different clusters; `place` then rebuilds any shape so
    that each of its objects carries the evidence of its whole cluster.
    Clusters are formed from the innermost objects out, in an order fixed by
    the shapes themselves, never by the order of the requests.
    """

    def __init__(self, roots: list[Shape]) -> None:
        self._cluster: dict[int, int] = {}  # id(shape) -> cluster
        self._members: list[list[Shape]] = []
        self._pooled: dict[int, Shape] = {}
        self._busy: set[int] = set()
        queue = list(roots)  # breadth first, in the order the samples came
        seen: set[int] = set()
        objects: list[Shape] = []
        for s in queue:
            if id(s) in seen:
                continue
            seen.add(id(s))
            if s.items is not None:
                queue.append(s.items)
            queue.extend(s.fields.values())
            if s.fields and not _looks_like_map(s):
                objects.append(s)
        height: dict[int, int] = {}

        def h(s: Shape) -> int:  # above every object nested in it
            got = height.get(id(s))
            if got is None:
                below = [h(c) for c in s.fields.values()]
                if s.items is not None:
                    below.append(h(s.items))
                got = height[id(s)] = max(below, default=0) + (1 if s.fields else 0)
            return got

        levels: dict[int, list[Shape]] = {}
        for s in objects:
            levels.setdefault(h(s), []).append(s)
        linkage = _Linkage([frozenset(s.fields) for s in objects])
        for level in sorted(levels):
            units: dict[tuple[object, ...], _Unit] = {}
            for s in levels[level]:
                kinds = {k: (_kinds(c), self._refs(c)) for k, c in s.fields.items()}
                order = tuple(sorted((k, tuple(sorted(v[0])), tuple(-1 if r is None else r
                                                                     for r in v[1]))
                                     for k, v in kinds.items()))
                unit = units.get(order)
                if unit is None:
                    unit = units[order] = _Unit(frozenset(kinds), kinds, [], order)
                unit.members.append(s)
            # Complete linkage: a unit joins the first cluster all of whose units
            # it fits.
            for unit in sorted(units.values(), key=lambda u: (-len(u.keys), u.order)):
                facts = _facts(unit)
                c = linkage.find(unit.keys, facts)
                if c is None:
                    c = linkage.new(unit.keys, facts)
                    self._members.append([])
                else:
                    linkage.join(c, unit.keys, facts)
                for m in unit.members:
                    self._cluster[id(m)] = c
                    self._members[c].append(m)

    def _refs(self, shape: Shape) -> tuple[int | None, ...]:
        """The clusters of the objects at a place and in its (nested) arrays."""
        out: list[int | None] = []
        s: Shape | None = shape
        while s is not None:
            out.append(self._cluster.get(id(s)))
            s = s.items
        return tuple(out)

    def place(self, originals: list[Shape]) -> Shape:
        """One shape for a place fed by `originals`, its objects pooled."""
        out = Shape()
        for s in originals:
            out.nulls += s.nulls
            out.bools += s.bools
            out.ints += s.ints
            out.floats += s.floats
            out.strs += s.strs
            out.dates += s.dates
            if s.dvals and len(out.dvals) < DATETIME_MIN_DISTINCT:
                out.dvals = out.dvals | s.dvals
            out.deep |= s.deep
            out.arrs += s.arrs
        items = [s.items for s in originals if s.items is not None]
        if items:
            out.items = self.place(items)
        parts: list[Shape] = []
        done: set[int] = set()
        for s in originals:
            if not s.objs:
                continue
            c = self._cluster.get(id(s))
            if c is None or c in self._busy:
                parts.append(self._object(c, [s]))
            elif c not in done:
                done.add(c)
                parts.append(self._cluster_shape(c))
        if len(parts) == 1:  # share the pooled object (nothing mutates it later)
            out.objs, out.fields, out.presence = parts[0].objs, parts[0].fields, parts[0].presence
        else:
            for part in parts:
                out.merge(part)
        return out

    def _cluster_shape(self, c: int) -> Shape:
        pooled = self._pooled.get(c)
        if pooled is None:
            self._busy.add(c)  # an object nested in its own kind is not pooled again
            pooled = self._object(c, self._members[c])
            self._busy.discard(c)
            # A cluster of one object is asked for once, from that object's place:
            # keeping it would keep a copy of every unpooled object alive.
            if len(self._members[c]) > 1:
                self._pooled[c] = pooled
        return pooled

    def _object(self, c: int | None, members: list[Shape]) -> Shape:
        out = Shape()
        keys: dict[str, list[Shape]] = {}
        for m in members:
            out.objs += m.objs
            for k, child in m.fields.items():
                keys.setdefault(k, []).append(child)
                out.presence[k] = out.presence.get(k, 0) + m.presence[k]
        for k, children in keys.items():
            out.fields[k] = self.place(children)
        return out


# -- the type graph ---------------------------------------------------------


@dataclass(frozen=True, eq=False, slots=True)
class TypeNode:
    uid: int


@dataclass(frozen=True, eq=False, slots=True)
class Unknown(TypeNode):
    """Any JSON value, kept as it came."""


@dataclass(frozen=True, eq=False, slots=True)
class Scalar(TypeNode):
    kind: str  # str, int, float, bool, datetime


@dataclass(frozen=True, eq=False, slots=True)
class ArrayT(TypeNode):
    item: TypeNode


@dataclass(frozen=True, eq=False, slots=True)
class MapT(TypeNode):
    value: TypeNode


@dataclass(frozen=True, eq=False, slots=True)
class FieldT:
    key: str
    type: TypeNode
    required: bool


@dataclass(frozen=True, eq=False, slots=True)
class ObjectT(TypeNode):
    fields: tuple[FieldT, ...]
    hint: str = field(default="")  # proposed name from the JSON path (first seen)
    parent: str = field(default="")  # the enclosing class's hint, to qualify clashes
    where: str = field(default="$")  # JSON path where it was first seen


@dataclass(frozen=True, eq=False, slots=True)
class UnionT(TypeNode):
    options: tuple[TypeNode, ...]  # at most one per JSON kind


@dataclass(frozen=True, eq=False, slots=True)
class NullableT(TypeNode):
    inner: TypeNode


def kind_of(node: TypeNode) -> str:
    """The JSON kind a (non-null) node accepts: used to dispatch unions."""
    if isinstance(node, Scalar):
        return {"int": "number", "float": "number", "datetime": "str"}.get(node.kind, node.kind)
    if isinstance(node, ArrayT):
        return "array"
    if isinstance(node, (MapT, ObjectT)):
        return "object"
    return "any"


class TypeTable:
    """Builds hash-consed type nodes: structurally equal types are one object.

    Objects are interned by their proposed name (`hint`) as well as their fields,
    so one structure met under two field names (`amount`, `booked_balance`) gives
    two classes, each named for what it is, while one field name met in many
    requests gives one class.
    """

    def __init__(self) -> None:
        self._nodes: dict[tuple[object, ...], TypeNode] = {}
        self.objects: list[ObjectT] = []  # in first-built order
        # Every place an object was built: (trail of hints, JSON path). A trail
        # is the folder path, the request's hint, then the field hints below it.
        self.places: dict[int, set[tuple[tuple[str, ...], str]]] = {}
        self.loose = False  # `optional = "all"`: every field tolerates null and absence
        self._over: dict[tuple[str, ...], TypeNode] = {}
        self._hit: set[tuple[str, ...]] = set()

    def _intern(self, key: tuple[object, ...], make: type[TypeNode], *args: object,
                **kw: object) -> TypeNode:
        node = self._nodes.get(key)
        if node is None:
            node = make(len(self._nodes), *args, **kw)
            self._nodes[key] = node
            if isinstance(node, ObjectT):
                self.objects.append(node)
        return node

    def unknown(self) -> TypeNode:
        return self._intern(("any",), Unknown)

    def scalar(self, kind: str) -> TypeNode:
        return self._intern(("scalar", kind), Scalar, kind)

    def array(self, item: TypeNode) -> TypeNode:
        return self._intern(("array", item.uid), ArrayT, item)

    def map(self, value: TypeNode) -> TypeNode:
        return self._intern(("map", value.uid), MapT, value)

    def nullable(self, inner: TypeNode) -> TypeNode:
        if isinstance(inner, (NullableT, Unknown)):
            return inner
        return self._intern(("null", inner.uid), NullableT, inner)

    def union(self, options: list[TypeNode]) -> TypeNode:
        if len(options) == 1:
            return options[0]
        return self._intern(("union", *(o.uid for o in options)), UnionT, tuple(options))

    def dates_as_text(self, node: TypeNode) -> TypeNode:
        """`node` with its date-times typed as strings, down to the first class.

        A model keeps a parsed date-time's original text beside it, so `to_dict`
        gives the same bytes back; a body that is not one object (a bare list, a
        union) is parsed by an adapter that has nowhere to keep that text."""
        if isinstance(node, Scalar) and node.kind == "datetime":
            return self.scalar("str")
        if isinstance(node, ArrayT):
            return self.array(self.dates_as_text(node.item))
        if isinstance(node, MapT):
            return self.map(self.dates_as_text(node.value))
        if isinstance(node, NullableT):
            return self.nullable(self.dates_as_text(node.inner))
        if isinstance(node, UnionT):
            options = {o.uid: o for o in map(self.dates_as_text, node.options)}
            return self.union(list(options.values()))
        return node

    def obj(self, fields: list[FieldT], hint: str, parent: str, where: str) -> TypeNode:
        from .naming import pascal

        key = ("obj", pascal(hint), *sorted((f.key, f.required, f.type.uid) for f in fields))
        return self._intern(key, ObjectT, tuple(fields), hint=hint, parent=parent, where=where)

    def build_root(self, shape: Shape, hint: str, trail: tuple[str, ...] = (), *,
                   loose: bool = False,
                   overrides: dict[tuple[str, ...], TypeNode] | None = None,
                   ) -> tuple[TypeNode, set[tuple[str, ...]]]:
        """The type of a request's body; returns it and the override paths used."""
        self.loose, self._over, self._hit = loose, dict(overrides or {}), set()
        try:
            return self.build(shape, hint, key=hint, trail=trail), self._hit
        finally:
            self.loose, self._over, self._hit = False, {}, set()

    def build(self, shape: Shape, hint: str, parent: str = "", where: str = "$", *,
              key: str = "", trail: tuple[str, ...] = (),
              steps: tuple[str, ...] = ()) -> TypeNode:
        """The type of everything `shape` saw; `hint` names classes made for it.

        `key` is the object key the value sits under (date-time evidence),
        `trail` the hints of the enclosing objects (naming), `steps` the
        jmespath-like path from the root (`resource`, `[]`, `index`: overrides).
        """
        if steps and steps in self._over:
            self._hit.add(steps)
            return self._over[steps]
        if shape.deep:
            return self.unknown()
        options: list[TypeNode] = []
        if shape.bools:
            options.append(self.scalar("bool"))
        if shape.floats:
            options.append(self.scalar("float"))
        elif shape.ints:
            options.append(self.scalar("int"))
        if shape.strs:
            dated = shape.dates == shape.strs and (
                len(shape.dvals) >= DATETIME_MIN_DISTINCT or date_like_key(key))
            options.append(self.scalar("datetime" if dated else "str"))
        if shape.arrs:
            if shape.items is None or shape.items.empty:
                options.append(self.array(self.unknown()))
            else:
                from .naming import singular

                options.append(self.array(self.build(
                    shape.items, singular(hint), parent, where + "[*]", key=key, trail=trail,
                    steps=(*steps, "[]"))))
        if shape.objs:
            options.append(self._object(shape, hint, parent, where, trail, steps))
        if not options:
            return self.unknown()  # only null (or nothing) was seen
        node = self.union(options)
        return self.nullable(node) if shape.nulls else node

    def _object(self, shape: Shape, hint: str, parent: str, where: str,
                trail: tuple[str, ...], steps: tuple[str, ...]) -> TypeNode:
        if not shape.fields:
            return self.map(self.unknown())
        if _looks_like_map(shape):
            merged = Shape()
            for child in shape.fields.values():
                merged.merge(child)
            from .naming import singular

            return self.map(self.build(merged, singular(hint) + "_value", parent, where + ".*",
                                       trail=trail, steps=(*steps, "*")))
        own = (*trail, hint)
        fields = []
        for key, child in shape.fields.items():
            t = self.build(child, key, hint, where + path_step(key), key=key, trail=own,
                           steps=(*steps, key))
            required = shape.presence[key] == shape.objs
            if self.loose:
                t, required = self.nullable(t), False
            fields.append(FieldT(key, t, required))
        node = self.obj(fields, hint, parent, where)
        self.places.setdefault(node.uid, set()).add((own, where))
        return node

    def trail_of(self, node: ObjectT) -> tuple[str, ...]:
        """The hints every place of an object agrees on: the folders its places
        start with and the field path they end with. An object met in several
        requests is never qualified by a request's name, so renaming, adding or
        removing one of them leaves its name alone."""
        places = self.places.get(node.uid)
        if not places:
            return (node.hint,)
        trails = sorted(t for t, _ in places)
        if len(trails) == 1:
            return trails[0]
        suffix = _common([list(reversed(t)) for t in trails])[::-1]
        heads = [t[: len(t) - len(suffix)] for t in trails]
        # A shared prefix shorter than every head is a folder path.
        prefix = _common([list(h[:-1]) for h in heads])
        return (*prefix, *suffix) if suffix else (node.hint,)

    def place_of(self, node: ObjectT) -> tuple[tuple[str, ...], str]:
        """The place that names an object: its shortest trail, then the smallest."""
        places = self.places.get(node.uid)
        if not places:
            return (node.hint,), node.where
        return min(places, key=lambda p: (len(p[0]), p[0], p[1]))

    def settle(self) -> None:
        """Give each object the JSON path of the place that names it (its `where`
        was the first place built, which depends on the order of requests)."""
        for obj in self.objects:
            object.__setattr__(obj, "where", self.place_of(obj)[1])


def _common(seqs: list[list[str]]) -> list[str]:
    """The longest common prefix of some sequences."""
    out: list[str] = []
    for parts in zip(*seqs, strict=False):
        if any(p != parts[0] for p in parts):
            break
        out.append(parts[0])
    return out


def path_step(key: str) -> str:
    """The JSON path step for an object key: `.name` or `["odd key"]`."""
    if key.isidentifier() and key.isascii():
        return "." + key
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


def _looks_like_map(shape: Shape) -> bool:
    keys = list(shape.fields)
    if all(_DATA_KEY.fullmatch(k) for k in keys):
        return True
    if len(keys) < MAP_MIN_KEYS:
        return False
    children = list(shape.fields.values())
    if not all(c.objs and not (c.arrs or c.strs or c.ints or c.floats or c.bools)
               for c in children):
        return False
    first = children[0]
    return all(key_overlap(first, c) >= MAP_MIN_OVERLAP for c in children[1:])
