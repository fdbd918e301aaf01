"""Type the responses of a collection: example bodies -> shapes -> named type roots.

The request planner (`plan.py`) hands every method here once; `type_roots` then
builds the type graph of all methods together, and `name_roots` gives each
class and adapter its name.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import naming
from .bodies import parse_body
from .collection import Request
from .infer import MERGE_MIN_OVERLAP, ObjectT, Shape, TypeNode, TypeTable, key_overlap

if TYPE_CHECKING:
    from .plan import Method


@dataclass(slots=True)
class Root:
    """A type a method parses: its class (or adapter) and its type graph."""

    node: TypeNode
    hint: str
    name: str = ""  # class or adapter name, set by naming


class Typer:
    """Collects the example shapes of every method, then builds their types."""

    def __init__(self, note: Callable[[str, str], None], stats: Counter[str]) -> None:
        self.note = note
        self.stats = stats
        self.table = TypeTable()
        # (method, "ok" | "err", shape): typed once every method is known.
        self._pending: list[tuple[Method, str, Shape]] = []

    def examples(self, req: Request, m: Method) -> None:
        """Observe a request's saved examples: success bodies type the return value,
        error bodies the error model; the types are built in `type_roots`."""
        ok, err = Shape(), Shape()
        ok_kinds: Counter[str] = Counter()
        for ex in req.examples:
            self.stats["examples"] += 1
            status = ex.status
            parsed = parse_body(ex.body)
            m.examples.append((status, parsed.kind))
            if status is None:
                if parsed.kind == "json":
                    self.note(ex.source, "example has no status code; "
                                         "its JSON body is taken as the success shape")
                    status = 200
                else:
                    continue
            if 200 <= status < 300:
                ok_kinds[parsed.kind] += 1
                if parsed.kind == "json":
                    if not m.sample:
                        m.sample = json.dumps(parsed.value, indent=2, ensure_ascii=False)
                    ok.observe(parsed.value)
                    self.stats["json_examples"] += 1
                elif parsed.kind == "text":
                    self.note(ex.source, f"example body is not JSON ({parsed.reason}); "
                                         "the request is typed from the other examples")
                    self.stats["skipped"] += 1
            elif status >= 400:
                if parsed.kind == "json":
                    err.observe(parsed.value)
                    self.stats["json_examples"] += 1
                elif parsed.kind == "text":
                    self.stats["skipped"] += 1
                    self.note(ex.source, f"error example body is not JSON ({parsed.reason})")
        if ok_kinds["json"]:
            m.response = Root(self.table.unknown(), m.name)
            m.response_expect = "json_or_empty" if ok_kinds["empty"] else "json"
            self._pending.append((m, "ok", ok))
        elif ok_kinds["text"]:
            m.response_expect = "text"
        elif ok_kinds["empty"]:
            m.response_expect = "empty"
        else:
            m.response_expect = "any"
        if not err.empty:
            m.error = Root(self.table.unknown(), m.name + "_error")
            self._pending.append((m, "err", err))

    def root(self, shape: Shape, hint: str) -> Root:
        return Root(self.table.build(shape, hint), hint)

    # -- types -----------------------------------------------------------
    def type_roots(self) -> None:
        """Build response and error types; same-named similar bodies share a class.

        Two requests of the same name (Zoho's `Job Details` on API v2 and v2.1)
        whose bodies overlap in most keys get one merged model, so the client
        returns the same type for both (fields of one version are optional).
        """
        buckets: dict[str, list[tuple[Shape, list[Root]]]] = {}
        for m, which, shape in self._pending:
            root = m.response if which == "ok" else m.error
            assert root is not None
            base = naming.pascal(_root_base(m.name)) + ("Error" if which == "err" else "")
            group = buckets.setdefault(base, [])
            for bucket_shape, roots in group:
                if _object_only(shape) and _object_only(bucket_shape) and (
                    key_overlap(shape, bucket_shape) >= MERGE_MIN_OVERLAP
                ):
                    bucket_shape.merge(shape)
                    roots.append(root)
                    break
            else:
                group.append((shape.copy(), [root]))
        for base, group in buckets.items():
            for i, (shape, roots) in enumerate(group):
                hint = base if i == 0 else base + str(i + 1)
                node = self.table.build(shape, hint)
                for r in roots:
                    r.node, r.hint = node, hint


def _object_only(shape: Shape) -> bool:
    return bool(shape.objs) and not (shape.arrs or shape.strs or shape.ints or shape.floats
                                     or shape.bools)


def _root_base(method_name: str) -> str:
    return re.sub(r"_\d+$", "", method_name.rstrip("_")) or method_name


def assign_class_names(table: TypeTable, scope: naming.Scope) -> list[tuple[str, ObjectT]]:
    """Class names from JSON paths, in first-built order; clashes get qualified."""
    out: list[tuple[str, ObjectT]] = []
    for obj in table.objects:
        base = naming.pascal(obj.hint, fallback="Model")
        if base in scope or base in naming.CLASS_RESERVED:
            qualified = naming.pascal(f"{obj.parent}_{obj.hint}", fallback="Model")
            base = qualified if obj.parent else base
        out.append((scope.claim(base, sep=""), obj))
    # Parents are built after their children; list parents first for reading.
    return out


def name_roots(
    methods: list[Method], table: TypeTable, class_scope: naming.Scope,
) -> tuple[list[tuple[str, ObjectT]], list[Root]]:
    """Name every class of the type graph, then every root that is not a class."""
    classes = assign_class_names(table, class_scope)
    adapters: list[Root] = []
    seen_adapters: dict[int, str] = {}
    class_of = {id(obj): n for n, obj in classes}
    for m in methods:
        for r in (m.response, m.error, m.request):
            if r is None:
                continue
            if isinstance(r.node, ObjectT):
                r.name = class_of[id(r.node)]
            elif r.node.uid in seen_adapters:
                r.name = seen_adapters[r.node.uid]
            else:
                r.name = class_scope.claim(naming.pascal(r.hint) + "Parser", sep="")
                seen_adapters[r.node.uid] = r.name
                adapters.append(r)
    return classes, adapters
