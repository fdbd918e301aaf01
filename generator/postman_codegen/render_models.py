"""Models code: type annotations, parse statements and to-JSON expressions."""

from __future__ import annotations

from dataclasses import dataclass

from . import naming
from .escape import literal
from .infer import (
    ArrayT,
    MapT,
    NullableT,
    ObjectT,
    Scalar,
    TypeNode,
    UnionT,
    Unknown,
    kind_of,
    path_step,
)
from .plan import Package


def guarded(cond: str, body: list[str], ind: str) -> list[str]:
    """`if cond:` around body lines; a lone nested `if` check is folded in."""
    if not body:
        return []
    inner = ind + "    "
    if (len(body) == 2 and body[0].startswith(inner + "if ") and body[0].endswith(":")
            and body[1].startswith(inner + "    raise ") and " or " not in body[0]):
        check = body[0][len(inner) + 3:-1]
        return [f"{ind}if {cond} and {check}:", f"{ind}    {body[1][len(inner) + 4:]}"]
    return [f"{ind}if {cond}:", *body]


class Types:
    """Type annotations, parse statements and emit expressions for type nodes."""

    def __init__(self, names: dict[int, str]) -> None:
        self.names = names  # ObjectT uid -> class name (or adapter name)
        self.n = 0
        self.uses_datetime = False

    def tmp(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def ann(self, node: TypeNode) -> str:
        if isinstance(node, Unknown):
            return "JsonValue"
        if isinstance(node, Scalar):
            if node.kind == "datetime":
                self.uses_datetime = True
            return node.kind
        if isinstance(node, ArrayT):
            return f"list[{self.ann(node.item)}]"
        if isinstance(node, MapT):
            return f"dict[str, {self.ann(node.value)}]"
        if isinstance(node, ObjectT):
            return self.names[node.uid]
        if isinstance(node, UnionT):
            return " | ".join(self.ann(o) for o in node.options)
        if isinstance(node, NullableT):
            return f"{self.ann(node.inner)} | None"
        raise TypeError(node)

    # Statements that check/convert `src` (a local name); returns the expression
    # holding the parsed value. `path` is an expression for the JSON path.
    def parse(self, node: TypeNode, src: str, path: str, lines: list[str], ind: str,
              checked: bool = False) -> str:
        if isinstance(node, Unknown):
            return src
        if isinstance(node, Scalar):
            if node.kind == "datetime":
                self.uses_datetime = True
                return f"_rt.parse_datetime({src}, {path})"
            if not checked:
                lines.append(f"{ind}if {self.fails(node, src)}:")
                lines.append(f"{ind}    raise _rt.error({path}, {literal(self.expected(node))}, {src})")
            return src
        if isinstance(node, ObjectT):
            return f"{self.names[node.uid]}.from_dict({src}, {path})"
        if isinstance(node, NullableT):
            inner_lines: list[str] = []
            expr = self.parse(node.inner, src, path, inner_lines, ind + "    ")
            if expr == src:
                lines.extend(guarded(f"{src} is not None", inner_lines, ind))
                return src
            out = self.tmp("n")
            lines.append(f"{ind}{out}: {self.ann(node)} = None")
            lines.append(f"{ind}if {src} is not None:")
            lines.extend(inner_lines)
            lines.append(f"{ind}    {out} = {expr}")
            return out
        if isinstance(node, (ArrayT, MapT)):
            return self._container(node, src, path, lines, ind, checked)
        if isinstance(node, UnionT):
            out = self.tmp("u")
            lines.append(f"{ind}{out}: {self.ann(node)}")
            first = True
            for opt in node.options:
                cond = self.is_kind(opt, src)
                lines.append(f"{ind}{'if' if first else 'elif'} {cond}:")
                first = False
                branch: list[str] = []
                expr = self.parse(opt, src, path, branch, ind + "    ", checked=True)
                lines.extend(branch)
                lines.append(f"{ind}    {out} = {expr}")
            expected = " or ".join(self.expected(o) for o in node.options)
            lines.append(f"{ind}else:")
            lines.append(f"{ind}    raise _rt.error({path}, {literal(expected)}, {src})")
            return out
        raise TypeError(node)

    def _container(self, node: ArrayT | MapT, src: str, path: str, lines: list[str],
                   ind: str, checked: bool) -> str:
        is_list = isinstance(node, ArrayT)
        item = node.item if isinstance(node, ArrayT) else node.value
        if not checked:
            lines.append(f"{ind}if type({src}) is not {'list' if is_list else 'dict'}:")
            lines.append(f"{ind}    raise _rt.error({path}, {literal('array' if is_list else 'object')}, {src})")
        if isinstance(item, Unknown):
            return src
        p, i, x = self.tmp("p"), self.tmp("i"), self.tmp("x")
        lines.append(f"{ind}{p} = {path}")
        item_path = f'f"{{{p}}}[{{{i}}}]"' if is_list else f'f"{{{p}}}.{{{i}}}"'
        loop = f"for {i}, {x} in enumerate({src})" if is_list else f"for {i}, {x} in {src}.items()"
        if isinstance(item, ObjectT):
            cls = self.names[item.uid]
            if is_list:
                return f"[{cls}.from_dict({x}, {item_path}) for {i}, {x} in enumerate({src})]"
            return f"{{{i}: {cls}.from_dict({x}, {item_path}) for {i}, {x} in {src}.items()}}"
        body: list[str] = []
        expr = self.parse(item, x, item_path, body, ind + "    ")
        if expr == x:  # checks only: the value is kept as it came
            lines.append(f"{ind}{loop}:")
            lines.extend(body)
            return src
        out = self.tmp("c")
        lines.append(f"{ind}{out}: {self.ann(node)} = {'[]' if is_list else '{}'}")
        lines.append(f"{ind}{loop}:")
        lines.extend(body)
        lines.append(f"{ind}    {out}.append({expr})" if is_list else f"{ind}    {out}[{i}] = {expr}")
        return out

    @staticmethod
    def fails(node: Scalar, src: str) -> str:
        if node.kind == "float":
            return f"type({src}) is not float and type({src}) is not int"
        return f"type({src}) is not {node.kind}"

    def is_kind(self, node: TypeNode, src: str) -> str:
        k = kind_of(node)
        if k == "number":
            assert isinstance(node, Scalar)
            if node.kind == "int":
                return f"type({src}) is int"
            return f"type({src}) is float or type({src}) is int"
        return {"bool": f"type({src}) is bool", "str": f"type({src}) is str",
                "array": f"type({src}) is list", "object": f"type({src}) is dict"}[k]

    @staticmethod
    def expected(node: TypeNode) -> str:
        if isinstance(node, Scalar):
            return {"str": "string", "int": "integer", "float": "number", "bool": "boolean",
                    "datetime": "date-time string"}[node.kind]
        return {"array": "array", "object": "object"}.get(kind_of(node), "JSON")

    def emit(self, node: TypeNode, e: str, depth: int = 0) -> str:
        """An expression turning the Python value `e` back into JSON."""
        if isinstance(node, (Unknown,)) or isinstance(node, Scalar) and node.kind != "datetime":
            return e
        if isinstance(node, Scalar):
            return f"_rt.format_datetime({e})"
        if isinstance(node, ObjectT):
            return f"{e}.to_dict()"
        if isinstance(node, NullableT):
            inner = self.emit(node.inner, e, depth)
            return e if inner == e else f"(None if {e} is None else {inner})"
        x = f"x{depth}"
        if isinstance(node, ArrayT):
            inner = self.emit(node.item, x, depth + 1)
            return f"[{inner} for {x} in {e}]"
        if isinstance(node, MapT):
            inner = self.emit(node.value, x, depth + 1)
            return f"{{k{depth}: {inner} for k{depth}, {x} in {e}.items()}}"
        if isinstance(node, UnionT):
            expr = e
            for opt in reversed(node.options):
                conv = self.emit(opt, e, depth)
                if conv == e:
                    continue
                expr = f"({conv} if isinstance({e}, {self.pytype(opt)}) else {expr})"
            return expr
        raise TypeError(node)

    def pytype(self, node: TypeNode) -> str:
        if isinstance(node, ObjectT):
            return self.names[node.uid]
        if isinstance(node, ArrayT):
            return "list"
        if isinstance(node, MapT):
            return "dict"
        if isinstance(node, Scalar) and node.kind == "datetime":
            return "datetime"
        raise TypeError(node)


@dataclass(slots=True)
class FieldView:
    name: str
    key: str
    annotation: str
    required: bool
    parse_lines: list[str]
    value: str  # expression holding the parsed value
    emit: str


@dataclass(slots=True)
class ClassView:
    name: str
    doc: str
    fields: list[FieldView]


@dataclass(slots=True)
class AdapterView:
    name: str
    doc: str
    annotation: str
    parse_lines: list[str]
    value: str
    emit: str


def model_views(pkg: Package, types: Types) -> tuple[list[ClassView], list[AdapterView]]:
    classes = []
    for name, obj in pkg.classes:
        scope = naming.Scope()
        fields = []
        for i, f in enumerate(obj.fields):
            fname = scope.claim(naming.snake(f.key, fallback="field"))
            src = f"v{i}"
            lines: list[str] = []
            path = f"path + {literal(path_step(f.key))}"
            ann = types.ann(f.type)
            if isinstance(f.type, Unknown):
                if f.required:
                    lines.append(f"if {src} is _rt.UNSET:")
                    lines.append(f"    raise _rt.error({path}, 'JSON value', {src})")
                value = src
            elif f.required:
                value = types.parse(f.type, src, path, lines, "")
            else:
                inner: list[str] = []
                expr = types.parse(f.type, src, path, inner, "    ")
                if expr != src:
                    inner.append(f"    {src} = {expr}")
                lines.extend(guarded(f"{src} is not _rt.UNSET", inner, ""))
                value = src
            if not f.required:
                ann = f"{ann} | Unset"
            # Optional fields are emitted from a local narrowed past `Unset`.
            emit = types.emit(f.type, f"self.{fname}" if f.required else f"o{i}")
            fields.append(FieldView(fname, f.key, ann, f.required, lines, value, emit))
        classes.append(ClassView(name, f"The object at `{obj.where}`.", fields))
    adapters = []
    for root in pkg.adapters:
        lines = []
        value = types.parse(root.node, "data", "path", lines, "")
        adapters.append(AdapterView(
            root.name, f"Parse routine of the `{root.hint}` body ({types.ann(root.node)}).",
            types.ann(root.node), lines, value, types.emit(root.node, "value"),
        ))
    return classes, adapters
