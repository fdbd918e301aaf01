"""One emitter per type kind: its annotation, imports, parse code and to-JSON code.

`Context.emitter(node)` is the one place that dispatches on the kind of a type
node; everything else asks the emitter. Parse code is written through a
`CodeWriter`, which knows its indentation: values nested deeper than
`MAX_LEVEL` indentation levels are parsed by module-level helper functions
(`_parse_<n>`), since CPython refuses more than 20 nested blocks (and 100
indentation levels) in one function.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from . import naming
from .escape import literal
from .infer import ArrayT, MapT, NullableT, ObjectT, Scalar, TypeNode, UnionT, Unknown

# Deeper containers are parsed by a helper function: far below CPython's limit of
# 20 nested blocks per function, whatever unions and null checks sit between.
MAX_LEVEL = 10
# black's line length: a statement folded into a check must still fit on one line.
LINE_WIDTH = 88

# Names the parse and to-JSON code of a function relies on: no local takes them.
LOCAL_RESERVED = frozenset(
    naming.RESERVED | set(dir(builtins))
    | {"data", "path", "obj", "out", "texts", "result", "datetime", "JsonValue", "Unset", "Any"}
)


@dataclass(frozen=True, slots=True)
class JsonPath:
    """A JSON path as code: expressions (`path`, `i`) and literal steps (`.id`)."""

    parts: tuple[tuple[bool, str], ...]  # (is an expression, text)

    @staticmethod
    def of(expr: str) -> JsonPath:
        return JsonPath(((True, expr),))

    def step(self, text: str) -> JsonPath:
        return JsonPath((*self.parts, (False, text)))

    def index(self, expr: str, array: bool) -> JsonPath:
        if array:
            return JsonPath((*self.parts, (False, "["), (True, expr), (False, "]")))
        return JsonPath((*self.parts, (False, "."), (True, expr)))

    def code(self) -> str:
        """The path as text, for an error being raised: `path` or an f-string
        (`path` may be None on the first, pathless pass: see `lazy`)."""
        head, *rest = self.parts
        if not rest:
            return head[1] if head[0] else literal(head[1])
        text = "".join("{" + t + "}" if is_expr else t.replace("{", "{{").replace("}", "}}")
                       for is_expr, t in self.parts)
        return "f" + literal(text)

    def lazy(self) -> str:
        """The path handed down to a nested parse: built only when `path` is (the
        runtime's `parse` first parses with `path=None`, and again with the path
        only when that fails), so a successful parse builds no path at all."""
        head, *rest = self.parts
        if not rest or not head[0]:
            return self.code()
        if not any(is_expr for is_expr, _ in rest):
            return f"{head[1]} and {head[1]} + {literal(''.join(t for _, t in rest))}"
        return f"{head[1]} and {self.code()}"


@dataclass(frozen=True, slots=True)
class _Check:
    """`if cond: stmt`, or with no stmt the header of a block that follows."""

    cond: str
    stmt: str | None


class CodeWriter:
    """Statements at a known indentation; a body that is one `if ...: raise` folds
    into the condition that guards it (`if x is not None and type(x) is not str`)."""

    def __init__(self, ctx: Context, scope: naming.Scope, level: int = 0) -> None:
        self.ctx = ctx
        self.scope = scope  # the locals of the function being written
        self.level = level  # absolute indentation level (for MAX_LEVEL)
        self._items: list[str | _Check] = []
        self._indent = 0

    @property
    def empty(self) -> bool:
        return not self._items

    def line(self, text: str) -> None:
        self._items.append("    " * self._indent + text)

    def check(self, cond: str, stmt: str) -> None:
        """`if cond: stmt` (kept as a check while at this writer's own level)."""
        if self._indent:
            self.line(f"if {cond}:")
            self.line(f"    {stmt}")
        else:
            self._items.append(_Check(cond, stmt))

    @contextmanager
    def block(self, header: str) -> Iterator[None]:
        self.line(header + ":")
        self._indent += 1
        self.level += 1
        try:
            yield
        finally:
            self._indent -= 1
            self.level -= 1

    def child(self) -> CodeWriter:
        """A writer for statements that will be nested one level below here."""
        return CodeWriter(self.ctx, self.scope, self.level + 1)

    def embed(self, body: CodeWriter) -> None:
        """Statements of `body` one level below the current indentation."""
        for text in body.lines():
            self._items.append("    " * (self._indent + 1) + text)

    def sub(self) -> CodeWriter:
        """A writer for statements that will sit at this writer's current level."""
        return CodeWriter(self.ctx, self.scope, self.level)

    def embed_lines(self, body: CodeWriter) -> None:
        """Statements of `body` at the current indentation."""
        for text in body.lines():
            self._items.append("    " * self._indent + text)

    def embed_line(self, text: str) -> None:
        """One statement one level below the current indentation."""
        self._items.append("    " * (self._indent + 1) + text)

    def guard(self, cond: str, body: CodeWriter) -> None:
        """`if cond:` around a body; a lone check folds into `cond`."""
        if body.empty:
            return
        only = body._items[0]
        if len(body._items) == 1 and isinstance(only, _Check) and only.stmt is not None:
            inner = f"({only.cond})" if " or " in only.cond else only.cond
            self.check(f"{cond} and {inner}", only.stmt)
            return
        if self._indent:
            self.line(f"if {cond}:")
        else:
            self._items.append(_Check(cond, None))
        self.embed(body)

    def bind_first(self, src: str, value: str) -> bool:
        """Fold `src = value` into the first statement when it is a check that
        starts by reading `src` (`if type(src := value) is not str:`)."""
        first = self._items[0] if self._items else None
        if not isinstance(first, _Check):
            return False
        if first.cond.startswith(f"type({src})"):
            cond = f"type({src} := {value})" + first.cond[len(f"type({src})"):]
        elif first.cond.startswith(f"{src} "):
            cond = f"({src} := {value})" + first.cond[len(src):]
        else:
            return False
        if 4 * self.level + len(f"if {cond}:") > LINE_WIDTH:  # black would explode it
            return False
        self._items[0] = _Check(cond, first.stmt)
        return True

    def lines(self) -> list[str]:
        """The statements, indented relative to this writer's level."""
        out: list[str] = []
        for item in self._items:
            if isinstance(item, _Check):
                out += [f"if {item.cond}:"] + ([f"    {item.stmt}"] if item.stmt else [])
            else:
                out.append(item)
        return out


def _raise(path: JsonPath, expected: str, src: str) -> str:
    return f"raise _rt.error({path.code()}, {literal(expected)}, {src})"


class Emitter:
    """The code of one type kind. `parse` writes statements checking (and
    converting) the local `src` and returns the expression holding the parsed
    value; `to_json` is an expression turning a Python value back into JSON."""

    # `parse` returns `src` itself: it only checks (or fixes in place via `store`).
    identity = False
    # Holds date-times not inside a class: to-JSON takes the original text as a hint.
    dated = False
    # `parse` writes no statement and reads `src` once: `src` may be any expression.
    inline = False

    def annotation(self) -> str:
        raise NotImplementedError

    def imports(self) -> frozenset[str]:
        """Names the annotation needs from outside the runtime (`datetime`)."""
        return frozenset()

    def expected(self) -> str:
        """The JSON kind error messages name."""
        raise NotImplementedError

    def is_kind(self, src: str) -> str:
        """The condition that picks this option of a union."""
        raise NotImplementedError

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        raise NotImplementedError

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        raise NotImplementedError

    def pytype(self) -> str:
        """The runtime class `isinstance` tells this option of a union by."""
        raise NotImplementedError


class AnyJson(Emitter):
    identity = True

    def annotation(self) -> str:
        return "JsonValue"

    def expected(self) -> str:
        return "JSON"

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        return src

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        return e


_EXPECTED = {"str": "string", "int": "integer", "float": "number", "bool": "boolean"}


class Plain(Emitter):
    """`str`, `float` and `bool`: checked, kept as they came."""

    identity = True

    def __init__(self, kind: str) -> None:
        self.kind = kind

    def annotation(self) -> str:
        return self.kind

    def expected(self) -> str:
        return _EXPECTED[self.kind]

    def _fails(self, src: str) -> str:
        if self.kind == "float":
            return f"type({src}) is not float and type({src}) is not int"
        return f"type({src}) is not {self.kind}"

    def is_kind(self, src: str) -> str:
        if self.kind == "float":
            return f"type({src}) is float or type({src}) is int"
        return f"type({src}) is {self.kind}"

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        if not checked:
            w.check(self._fails(src), _raise(path, self.expected(), src))
        return src

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        return e


class Int(Plain):
    """`int`: an integral float (`58.0`) is accepted as the int it is, as
    pydantic's default mode does; in a list or map it is replaced in place."""

    def __init__(self) -> None:
        super().__init__("int")

    def is_kind(self, src: str) -> str:
        return f"type({src}) is int or type({src}) is float"

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        w.check(f"type({src}) is not int", f"{store or src} = _rt.as_int({src}, {path.code()})")
        return src


class DateTime(Emitter):
    dated = True
    inline = True

    def annotation(self) -> str:
        return "datetime"

    def imports(self) -> frozenset[str]:
        return frozenset({"datetime"})

    def expected(self) -> str:
        return "date-time string"

    def is_kind(self, src: str) -> str:
        return f"type({src}) is str"

    def pytype(self) -> str:
        return "datetime"

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        return f"_rt.parse_datetime({src}, {path.lazy()})"

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        return f"_rt.format_datetime({e}, {hint})" if hint else f"_rt.format_datetime({e})"


class ClassRef(Emitter):
    """A generated class (or parse adapter): its own `from_dict` and `to_dict`."""

    inline = True

    def __init__(self, name: str) -> None:
        self.name = name

    def annotation(self) -> str:
        return self.name

    def expected(self) -> str:
        return "object"

    def is_kind(self, src: str) -> str:
        return f"type({src}) is dict"

    def pytype(self) -> str:
        return self.name

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        return f"{self.name}._from({src}, {path.lazy()})"

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        return f"{e}.to_dict()"


class Container(Emitter):
    """`list[T]` and `dict[str, T]`: checked item by item; a new container is built
    only when the items change (classes, date-times); no identity copies."""

    def __init__(self, node: ArrayT | MapT, item: Emitter) -> None:
        self.node = node
        self.item = item
        self.array = isinstance(node, ArrayT)
        self.identity = item.identity
        self.dated = item.dated

    def annotation(self) -> str:
        inner = self.item.annotation()
        return f"list[{inner}]" if self.array else f"dict[str, {inner}]"

    def imports(self) -> frozenset[str]:
        return self.item.imports()

    def expected(self) -> str:
        return "array" if self.array else "object"

    def is_kind(self, src: str) -> str:
        return f"type({src}) is {'list' if self.array else 'dict'}"

    def pytype(self) -> str:
        return "list" if self.array else "dict"

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        if not checked:
            w.check(f"type({src}) is not {self.pytype()}", _raise(path, self.expected(), src))
        if isinstance(self.item, AnyJson):
            return src
        if w.level >= MAX_LEVEL:
            return f"{w.ctx.helper(self)}({src}, {path.lazy()})"
        key, x = w.scope.claim("i" if self.array else "k"), w.scope.claim("x")
        loop = f"{key}, {x} in enumerate({src})" if self.array else f"{key}, {x} in {src}.items()"
        body = w.child()
        expr = self.item.parse(body, x, path.index(key, self.array), store=f"{src}[{key}]")
        if self.item.identity:
            with w.block(f"for {loop}"):
                w.embed_lines(body)
            return src
        if body.empty:
            if self.array:
                return f"[{expr} for {loop}]"
            return f"{{{key}: {expr} for {loop}}}"
        out = w.scope.claim(f"{src}_{'list' if self.array else 'map'}")
        w.line(f"{out}: {self.annotation()} = {'[]' if self.array else '{}'}")
        with w.block(f"for {loop}"):
            w.embed_lines(body)
            w.line(f"{out}.append({expr})" if self.array else f"{out}[{key}] = {expr}")
        return out

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        x = f"x{depth}"
        if not self.dated:
            inner = self.item.to_json(x, None, depth + 1)
            if inner == x:
                return e
            if self.array:
                return f"[{inner} for {x} in {e}]"
            return f"{{k{depth}: {inner} for k{depth}, {x} in {e}.items()}}"
        h = f"h{depth}"
        inner = self.item.to_json(x, h, depth + 1)
        if self.array:
            return f"[{inner} for {x}, {h} in _rt.paired({e}, {hint or 'None'})]"
        return f"{{k{depth}: {inner} for k{depth}, {x}, {h} in _rt.paired_map({e}, {hint or 'None'})}}"


class Nullable(Emitter):
    def __init__(self, inner: Emitter) -> None:
        self.inner = inner
        self.identity = inner.identity
        self.dated = inner.dated

    def annotation(self) -> str:
        return f"{self.inner.annotation()} | None"

    def imports(self) -> frozenset[str]:
        return self.inner.imports()

    def expected(self) -> str:
        return self.inner.expected()

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        body = w.child()
        expr = self.inner.parse(body, src, path, store=store)
        if expr == src:
            w.guard(f"{src} is not None", body)
            return src
        if body.empty:
            return f"None if {src} is None else {expr}"
        out = w.scope.claim(f"{src}_value")
        w.line(f"{out}: {self.annotation()} = None")
        w.line(f"if {src} is not None:")
        w.embed(body)
        w.embed_line(f"{out} = {expr}")
        return out

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        inner = self.inner.to_json(e, hint, depth)
        return e if inner == e else f"None if {e} is None else {inner}"


class Union(Emitter):
    """Options of different JSON kinds (Zoho's `module`: a string or an object)."""

    def __init__(self, options: list[Emitter]) -> None:
        self.options = options
        self.dated = any(o.dated for o in options)

    def annotation(self) -> str:
        return " | ".join(o.annotation() for o in self.options)

    def imports(self) -> frozenset[str]:
        return frozenset().union(*(o.imports() for o in self.options))

    def expected(self) -> str:
        return " or ".join(o.expected() for o in self.options)

    def parse(self, w: CodeWriter, src: str, path: JsonPath, checked: bool = False,
              store: str | None = None) -> str:
        out = w.scope.claim(f"{src}_value")
        w.line(f"{out}: {self.annotation()}")
        for n, opt in enumerate(self.options):
            with w.block(f"{'if' if n == 0 else 'elif'} {opt.is_kind(src)}"):
                body = w.sub()
                expr = opt.parse(body, src, path, checked=True)
                w.embed_lines(body)
                w.line(f"{out} = {expr}")
        with w.block("else"):
            w.line(_raise(path, self.expected(), src))
        return out

    def to_json(self, e: str, hint: str | None, depth: int = 0) -> str:
        expr = e
        for opt in reversed(self.options):
            conv = opt.to_json(e, hint, depth)
            if conv != e:
                expr = f"({conv} if isinstance({e}, {opt.pytype()}) else {expr})"
        return expr



@dataclass(frozen=True, slots=True)
class Helper:
    """A module-level parse function for a value nested too deep to parse inline."""

    name: str
    annotation: str
    lines: list[str]
    value: str


class Context:
    """What the emitters of one models module share: class names and helpers."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names  # ObjectT uid -> class name (or adapter name)
        self.helpers: list[Helper] = []
        self._emitters: dict[int, Emitter] = {}
        self._helper_names: dict[int, str] = {}

    @functools.cached_property
    def class_locals_reserved(self) -> frozenset[str]:
        """Names no local of a class's parse code takes: the reserved names and every
        class name (built once: per class it would grow with classes squared)."""
        return (LOCAL_RESERVED - {"result"}) | frozenset(self.names.values())

    def emitter(self, node: TypeNode) -> Emitter:
        """The emitter of a type node: the one dispatch on its kind."""
        em = self._emitters.get(node.uid)
        if em is None:
            em = self._emitters[node.uid] = self._make(node)
        return em

    def _make(self, node: TypeNode) -> Emitter:
        if isinstance(node, Unknown):
            return AnyJson()
        if isinstance(node, Scalar):
            return {"int": Int, "datetime": DateTime}.get(node.kind, lambda: Plain(node.kind))()
        if isinstance(node, ObjectT):
            return ClassRef(self.names[node.uid])
        if isinstance(node, ArrayT):
            return Container(node, self.emitter(node.item))
        if isinstance(node, MapT):
            return Container(node, self.emitter(node.value))
        if isinstance(node, NullableT):
            return Nullable(self.emitter(node.inner))
        if isinstance(node, UnionT):
            return Union([self.emitter(o) for o in node.options])
        raise TypeError(node)

    def ann(self, node: TypeNode) -> str:
        return self.emitter(node).annotation()

    def helper(self, em: Container) -> str:
        """The name of the helper function parsing `em` (written once per type)."""
        name = self._helper_names.get(em.node.uid)
        if name is None:
            name = self._helper_names[em.node.uid] = f"_parse_{len(self._helper_names) + 1}"
            w = CodeWriter(self, naming.Scope(reserved=LOCAL_RESERVED), level=1)
            value = em.parse(w, "data", JsonPath.of("path"))
            self.helpers.append(Helper(name, em.annotation(), w.lines(), value))
        return name

    def sorted_helpers(self) -> list[Helper]:
        return sorted(self.helpers, key=lambda h: int(h.name.rsplit("_", 1)[1]))

