"""Type the responses of a collection: example bodies -> shapes -> named type roots.

The request planner (`plan.py`) hands every method here once; `type_roots` then
builds the type graph of all methods together, and `name_roots` gives each
class and adapter its name.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import naming
from .bodies import parse_body
from .collection import Example, Request
from .errors import GeneratorError
from .infer import (
    MERGE_MIN_OVERLAP,
    KeyIndex,
    ObjectT,
    Pool,
    Shape,
    TypeNode,
    TypeTable,
    key_overlap,
    kind_of,
)
from .options import Options

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
        self._bodies: list[tuple[Root, Shape]] = []  # request bodies

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
                binary = parsed.kind != "json" and _binary(ex)
                ok_kinds["bytes" if binary else parsed.kind] += 1
                if parsed.kind == "json":
                    if not m.sample:
                        m.sample = _sample(parsed.value)
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
        elif ok_kinds["bytes"]:
            m.response_expect = "bytes"
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
        """A request body's type root; its type is built in `type_roots`."""
        r = Root(self.table.unknown(), hint)
        self._bodies.append((r, shape))
        return r

    # -- types -----------------------------------------------------------
    def type_roots(self, options: Options | None = None, package: str = "") -> None:
        """Build response, error and request body types for the whole collection.

        Same-shaped objects anywhere in the responses and errors of the
        collection pool their evidence (`infer.Pool`); request bodies pool among
        themselves. Two requests of the same name (Zoho's `Job Details` on API
        v2 and v2.1) whose bodies overlap in most keys get one merged model, so
        the client returns the same type for both. `options.types` overrides
        field types of a method's success body (`package.qualname` keys);
        `options.optional == "all"` makes every response field optional and
        nullable. Raises `GeneratorError` for an override that matches nothing.
        """
        opts = options or Options()
        overrides = _overrides(opts, package, self.table,
                               {m.qualname for m, which, _ in self._pending if which == "ok"})
        flat = self._merge_same_named()
        pool = Pool([shape for _, shape, _ in flat])
        for base, shape, roots in flat:
            trails = sorted(_folders(m) for m, _ in roots)
            over: dict[tuple[str, ...], TypeNode] = {}
            for m, r in roots:
                if r is m.response:
                    over.update({steps: node for steps, (_, node) in
                                 overrides.get(m.qualname, {}).items()})
            node, hit = self.table.build_root(pool.place([shape]), base, trails[0],
                                              loose=opts.optional == "all", overrides=over)
            if not isinstance(node, ObjectT):
                node = self.table.dates_as_text(node)
            for m, r in roots:
                r.node, r.hint = node, base
                if r is m.response:
                    for steps, (text, _) in overrides.get(m.qualname, {}).items():
                        if steps not in hit:
                            raise GeneratorError(
                                f"[tool.postman-codegen.types] {package}.{m.qualname!s}: "
                                f"path {text!r} matches no field of the response body")
            if isinstance(node, ObjectT):
                for t in trails[1:]:
                    self.table.places.setdefault(node.uid, set()).add(((*t, base), "$"))
        body_pool = Pool([shape for _, shape in self._bodies])
        for r, shape in self._bodies:
            node, _ = self.table.build_root(body_pool.place([shape]), r.hint)
            r.node = node if isinstance(node, ObjectT) else self.table.dates_as_text(node)
        self.table.settle()


    def _merge_same_named(self) -> list[tuple[str, Shape, list[tuple[Method, Root]]]]:
        """(class base name, shape, roots): the bodies of same-named requests whose
        objects overlap by MERGE_MIN_OVERLAP merged, each into the first such
        bucket. Candidates come from a key index, not from every bucket of the name
        (many requests share a base name: `Get` in every folder)."""
        index = KeyIndex([frozenset(shape.fields) for _, _, shape in self._pending
                          if _object_only(shape)], MERGE_MIN_OVERLAP)
        flat: list[tuple[str, Shape, list[tuple[Method, Root]]]] = []
        by_base: dict[str, list[int]] = {}
        own: set[int] = set()  # entries whose shape is a merged copy
        for m, which, shape in self._pending:
            root = m.response if which == "ok" else m.error
            assert root is not None
            base = naming.pascal(_root_base(m.name)) + ("Error" if which == "err" else "")
            target = None
            if _object_only(shape):
                target = next((i for i in index.candidates(frozenset(shape.fields))
                               if flat[i][0] == base
                               and key_overlap(shape, flat[i][1]) >= MERGE_MIN_OVERLAP), None)
            if target is None:
                by_base.setdefault(base, []).append(len(flat))
                flat.append((base, shape, [(m, root)]))
                if _object_only(shape):
                    index.add(frozenset(shape.fields), len(flat) - 1)
            else:
                if target not in own:  # copied on the first merge: the example's is kept
                    own.add(target)
                    flat[target] = (base, flat[target][1].copy(), flat[target][2])
                flat[target][1].merge(shape)
                flat[target][2].append((m, root))
                index.add(frozenset(flat[target][1].fields), target)
        return [flat[i] for group in by_base.values() for i in group]


# A sample longer than this is kept cut (the README shows its start) and is left
# out of the OpenAPI document, which would otherwise repeat a huge body whole.
SAMPLE_LIMIT = 64 * 1024


def _sample(value: object) -> str:
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text if len(text) <= SAMPLE_LIMIT else text[:SAMPLE_LIMIT] + "\n..."


def _folders(m: Method) -> tuple[str, ...]:
    """The folder path of a method (`tweets.lookup.single_tweet` -> tweets, lookup)."""
    return tuple(m.qualname.split(".")[:-1])


# -- user type overrides ---------------------------------------------------

_TYPE_NAMES = ("str", "int", "float", "bool", "datetime", "JsonValue", "None")
_STEP_RE = re.compile(r'\s*(?:"((?:[^"\\]|\\.)*)"|([A-Za-z_$@][\w$@-]*)|(\*))\s*((?:\[\s*\*?\s*\])*)')


def parse_path(text: str) -> tuple[str, ...]:
    """Steps of a jmespath field/projection path: `resource[].field_mappings[].index`
    -> (resource, [], field_mappings, [], index). Quoted keys (`"Content-Type"`)
    are allowed, `[*]` equals `[]`, and `*` stands for the values of a map.
    Raises ValueError for anything else (filters, functions, slices)."""
    steps: list[str] = []
    rest = text.strip()
    if rest.startswith("["):  # a top-level array: `[].id`
        m = re.match(r"((?:\[\s*\*?\s*\])+)\.?", rest)
        if not m:
            raise ValueError(f"not a field path: {text!r}")
        steps.extend("[]" for _ in range(m.group(1).count("[")))
        rest = rest[m.end():]
    while rest:
        m = _STEP_RE.match(rest)
        if not m or not (m.group(1) is not None or m.group(2) or m.group(3)):
            raise ValueError(f"not a field path: {text!r}")
        if m.group(1) is not None:
            steps.append(json.loads('"' + m.group(1) + '"'))
        else:
            steps.append(m.group(2) or "*")
        steps.extend("[]" for _ in range(m.group(4).count("[")))
        rest = rest[m.end():]
        if rest:
            if not rest.startswith("."):
                raise ValueError(f"not a field path: {text!r}")
            rest = rest[1:]
            if not rest:
                raise ValueError(f"not a field path: {text!r}")
    if not steps or steps[0] == "[]" and len(steps) == 1:
        raise ValueError(f"not a field path: {text!r}")
    return tuple(steps)


def parse_type(text: str, table: TypeTable) -> TypeNode:
    """A type node for override text: `str`, `int`, `float`, `bool`, `datetime`,
    `JsonValue`, `list[T]`, `dict[str, T]`, and unions of them with `None`
    (`float | None`). One option per JSON kind. Raises ValueError otherwise."""
    parts = _split_union(text)
    if not parts:
        raise ValueError(f"not a type: {text!r}")
    nullable = False
    options: list[TypeNode] = []
    for part in parts:
        if part == "None":
            nullable = True
            continue
        if part == "JsonValue":
            return table.unknown()
        if part in ("str", "int", "float", "bool", "datetime"):
            node = table.scalar(part)
        elif part.startswith("list[") and part.endswith("]"):
            node = table.array(parse_type(part[5:-1], table))
        elif part.startswith("dict[") and part.endswith("]"):
            key, _, value = part[5:-1].partition(",")
            if key.strip() != "str" or not value.strip():
                raise ValueError(f"not a type: {text!r} (maps are dict[str, T])")
            node = table.map(parse_type(value, table))
        else:
            raise ValueError(f"not a type: {part!r} (use one of {', '.join(_TYPE_NAMES)}, "
                             "list[T], dict[str, T], joined by |)")
        if any(kind_of(o) == kind_of(node) for o in options):
            raise ValueError(f"not a type: {text!r} (two options of one JSON kind)")
        options.append(node)
    if not options:
        raise ValueError(f"not a type: {text!r} (None alone)")
    node = table.union(options)
    return table.nullable(node) if nullable else node


def _split_union(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    cur = ""
    for ch in text:
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        if ch == "|" and depth == 0:
            parts.append(cur.strip())
            cur = ""
        else:
            cur += ch
    parts.append(cur.strip())
    return [p for p in parts if p] if all(parts) else []


def _overrides(opts: Options, package: str, table: TypeTable, methods: set[str],
               ) -> dict[str, dict[tuple[str, ...], tuple[str, TypeNode]]]:
    """`options.types` entries for this package: qualname -> steps -> (text, node).

    Keys of other packages are left alone; a key of this package naming no
    method with a JSON success example, a malformed path or an unknown type
    text raises `GeneratorError` naming the key and the path."""
    out: dict[str, dict[tuple[str, ...], tuple[str, TypeNode]]] = {}
    for key, paths in opts.types.items():
        pkg, _, qualname = key.partition(".")
        if pkg != package:
            continue  # another collection's package
        if qualname not in methods:
            near = difflib.get_close_matches(qualname, sorted(methods), n=1)
            hint = f" (did you mean {package}.{near[0]}?)" if near else ""
            raise GeneratorError(f"[tool.postman-codegen.types] {key!r}: no method "
                                 f"{qualname!r} with JSON examples in {package}{hint}")
        for path, type_text in paths.items():
            try:
                steps = parse_path(path)
                node = parse_type(type_text, table)
            except ValueError as exc:
                raise GeneratorError(
                    f"[tool.postman-codegen.types] {key!r}: path {path!r}: {exc}") from None
            out.setdefault(qualname, {})[steps] = (path, node)
    return out


def _object_only(shape: Shape) -> bool:
    return bool(shape.objs) and not (shape.arrs or shape.strs or shape.ints or shape.floats
                                     or shape.bools)


def _root_base(method_name: str) -> str:
    return re.sub(r"_\d+$", "", method_name.rstrip("_")) or method_name


# -- class names -------------------------------------------------------------


def _signature(obj: ObjectT) -> tuple[tuple[str, bool, str], ...]:
    """What tells two same-named objects apart, independent of build order."""
    return tuple(sorted((f.key, f.required, type(f.type).__name__) for f in obj.fields))


def assign_class_names(table: TypeTable, scope: naming.Scope,
                       renames: Mapping[str, str] | None = None,
                       ) -> list[tuple[str, ObjectT]]:
    """Class names from trails (folder path, request, field path), in built order.

    An object is named by the last hint of its trail (`field_mappings[]` ->
    `FieldMapping`; a request's body by the request). Objects that want the
    same name, or a name already taken, are all qualified by one more hint of
    their trail (parent field, then request, then folders) until they differ;
    no object keeps a name by coming first. An object met in several places is
    qualified only by the hints all its places share. Only a tie that qualification
    cannot break is numbered, in the order of the objects' fields.
    `renames` (`[tool.postman-codegen.names]`) maps a final class name to the
    name the user wants.
    """
    objs = table.objects
    trails = {o.uid: table.trail_of(o) for o in objs}
    level = {o.uid: 0 for o in objs}

    def candidate(o: ObjectT) -> str:
        trail = trails[o.uid]
        n = level[o.uid]
        return naming.qualified_pascal(trail[len(trail) - 1 - n:], fallback="Model")

    while True:
        groups: dict[str, list[ObjectT]] = {}
        for o in objs:
            groups.setdefault(candidate(o).casefold(), []).append(o)
        changed = False
        for group in groups.values():
            if len(group) > 1 or not scope.free(candidate(group[0])):
                for o in group:
                    if level[o.uid] < len(trails[o.uid]) - 1:
                        level[o.uid] += 1
                        changed = True
        if not changed:
            break
    names: dict[int, str] = {}
    wanted = {o.uid: candidate(o) for o in objs}
    counts: Counter[str] = Counter(n.casefold() for n in wanted.values())
    for o in objs:  # unique names first, so a numbered tie never takes one
        if counts[wanted[o.uid].casefold()] == 1 and scope.free(wanted[o.uid]):
            names[o.uid] = scope.claim(wanted[o.uid], sep="")
    rest = sorted((o for o in objs if o.uid not in names),
                  key=lambda o: (wanted[o.uid], _signature(o), o.uid))
    for o in rest:
        names[o.uid] = scope.claim(wanted[o.uid], sep="")
    out = [(names[o.uid], o) for o in objs]
    if renames:
        out = _apply_renames(out, renames, scope)
    return out


def _apply_renames(classes: list[tuple[str, ObjectT]], renames: Mapping[str, str],
                   scope: naming.Scope) -> list[tuple[str, ObjectT]]:
    current = {name for name, _ in classes}
    out = []
    for name, obj in classes:
        new = renames.get(name)
        if new is None or new == name:
            out.append((name, obj))
            continue
        if not new.isidentifier() or not new.isascii() or new in naming.CLASS_RESERVED:
            raise GeneratorError(f"[tool.postman-codegen.names] {name!r}: {new!r} is not a "
                                 "usable class name")
        if new in current or not scope.free(new):
            raise GeneratorError(f"[tool.postman-codegen.names] {name!r}: {new!r} is already "
                                 "the name of another class")
        scope.claim(new)
        current.add(new)
        out.append((new, obj))
    return out


def name_roots(
    methods: list[Method], table: TypeTable, class_scope: naming.Scope,
    options: Options | None = None,
) -> tuple[list[tuple[str, ObjectT]], list[Root]]:
    """Name every class of the type graph, then every root that is not a class.

    A root that is not a class (a list, a union) gets a parse adapter named
    after its request (`ListUsersParser`); one adapter per type and request name.
    """
    classes = assign_class_names(table, class_scope, options.names if options else None)
    class_of = {id(obj): n for n, obj in classes}
    want: dict[tuple[int, str], list[Root]] = {}
    for m in methods:
        for r in (m.response, m.error, m.request):
            if r is None:
                continue
            if isinstance(r.node, ObjectT):
                r.name = class_of[id(r.node)]
            else:
                want.setdefault((r.node.uid, naming.pascal(r.hint) + "Parser"), []).append(r)
    adapters: list[Root] = []
    for (_, base), roots in sorted(want.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        name = class_scope.claim(base, sep="")
        for r in roots:
            r.name = name
        adapters.append(roots[0])
    return classes, adapters


_TEXT_TYPES = ("text/", "application/json", "application/xml", "application/javascript",
               "application/x-www-form-urlencoded", "application/graphql")


def _binary(ex: Example) -> bool:
    """True if the example's Content-Type is not text (a PDF, an image, a zip):
    the method returns the bytes, never text decoded with U+FFFD."""
    for h in ex.headers:
        if h.key.lower() == "content-type" and h.value:
            ctype = h.value.split(";")[0].strip().lower()
            text = ctype.startswith(_TEXT_TYPES) or ctype.endswith(("+json", "+xml"))
            return bool(ctype) and not text
    return False
