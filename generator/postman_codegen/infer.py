"""Infer types from JSON samples.

Two steps: `Shape` accumulates every sample seen at one place (all examples of
an endpoint, all items of an array) cheaply and mutably; `TypeTable.build`
turns a finished shape into an immutable, hash-consed type graph in which
identical structures are one node (and so one generated class).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import datetime

# Heuristics, each a named constant.
MAX_DEPTH = 48  # deeper values are typed as unknown JSON, kept as they came
MAP_MIN_KEYS = 20  # an object with this many keys of one object shape is a map
MAP_MIN_OVERLAP = 0.8  # ... when their fields overlap this much
MERGE_MIN_OVERLAP = 0.5  # same-named endpoint bodies merge into one class above this

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
_DATA_KEY = re.compile(
    r"\d+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d{4}-\d{2}-\d{2}(?:[T ][\d:.]+Z?)?|[0-9a-f]{16,}"
)


def placeholder_kind(value: str) -> str | None:
    """The type a placeholder such as `"<integer>"` stands for, or None."""
    if len(value) > 12 or not value.startswith("<"):
        return None
    return PLACEHOLDERS.get(value.lower())


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
        "nulls", "bools", "ints", "floats", "strs", "dates", "objs", "fields",
        "presence", "arrs", "items", "deep",
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
    """Builds hash-consed type nodes: structurally equal types are one object."""

    def __init__(self) -> None:
        self._nodes: dict[tuple[object, ...], TypeNode] = {}
        self.objects: list[ObjectT] = []  # in first-built order

    def _intern(self, key: tuple[object, ...], make: type[TypeNode], *args: object,
                **kw: object) -> TypeNode:
        node = self._nodes.get(key)
        if node is None:
            node = make(len(self._nodes), *args, **kw)  # type: ignore[call-arg]
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

    def obj(self, fields: list[FieldT], hint: str, parent: str, where: str) -> TypeNode:
        key = ("obj", *sorted((f.key, f.required, f.type.uid) for f in fields))
        return self._intern(key, ObjectT, tuple(fields), hint=hint, parent=parent, where=where)

    def build(self, shape: Shape, hint: str, parent: str = "", where: str = "$") -> TypeNode:
        """The type of everything `shape` saw; `hint` names classes made for it."""
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
            options.append(self.scalar("datetime" if shape.dates == shape.strs else "str"))
        if shape.arrs:
            if shape.items is None or shape.items.empty:
                options.append(self.array(self.unknown()))
            else:
                from .naming import singular

                options.append(
                    self.array(self.build(shape.items, singular(hint), parent, where + "[*]"))
                )
        if shape.objs:
            options.append(self._object(shape, hint, parent, where))
        if not options:
            return self.unknown()  # only null (or nothing) was seen
        node = self.union(options)
        return self.nullable(node) if shape.nulls else node

    def _object(self, shape: Shape, hint: str, parent: str, where: str) -> TypeNode:
        if not shape.fields:
            return self.map(self.unknown())
        if _looks_like_map(shape):
            merged = Shape()
            for child in shape.fields.values():
                merged.merge(child)
            from .naming import singular

            return self.map(self.build(merged, singular(hint) + "_value", parent, where + ".*"))
        fields = [
            FieldT(key, self.build(child, key, hint, where + path_step(key)),
                   shape.presence[key] == shape.objs)
            for key, child in shape.fields.items()
        ]
        return self.obj(fields, hint, parent, where)


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
