"""Render a planned package through the Jinja templates into source files.

Python decides every name and every piece of parsing code; templates hold the
shape of the files. Every value from a collection reaches the output through
exactly one of two filters: `literal` (a Python literal) or `ident` (a checked
identifier). Each rendered file is `ast.parse`d before it is formatted.
"""

from __future__ import annotations

import ast
import hashlib
import json
import keyword
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from .infer import (
    ArrayT, MapT, NullableT, ObjectT, Scalar, TypeNode, UnionT, Unknown, kind_of, path_step,
)
from .plan import ClientClass, Method, Package, Root

MAX_DOC = 2000


RUNTIME_FILE = Path(__file__).resolve().parent / "runtime.py"


def templates_dir() -> Path:
    """Templates shipped in the wheel (postman_codegen/templates) or in the source tree."""
    here = Path(__file__).resolve().parent
    packaged = here / "templates"
    return packaged if packaged.is_dir() else here.parent.parent / "templates"


def runtime_source() -> str:
    """The runtime module copied verbatim into every generated package."""
    return RUNTIME_FILE.read_text("utf-8")


def templates_hash(extra: Path | None = None) -> str:
    h = hashlib.sha256()
    for d in (extra, templates_dir()):
        if d is None or not d.is_dir():
            continue
        for f in sorted(d.rglob("*.jinja")):
            h.update(f.relative_to(d).as_posix().encode() + b"\0" + f.read_bytes())
    h.update(b"runtime.py\0" + RUNTIME_FILE.read_bytes())
    return h.hexdigest()[:16]


# -- the two filters -------------------------------------------------------


def literal(value: object) -> str:
    """A Python literal for a JSON-like value: the one way data enters code."""
    if isinstance(value, str):
        return repr(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"no literal for {value}")
        return text
    if isinstance(value, (list, tuple)):
        inner = ", ".join(literal(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def ident(name: str) -> str:
    """Pass through an identifier, refusing anything that is not one."""
    if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
            or unicodedata.normalize("NFKC", name) != name):  # Python would read another name
        raise ValueError(f"not a safe identifier: {name!r}")
    return name


_DOC_ESCAPES = {
    "\\": "\\\\", "\r": "\\r", "\x0b": "\\x0b", "\x0c": "\\x0c", "\x1c": "\\x1c",
    "\x1d": "\\x1d", "\x1e": "\\x1e", "\x85": "\\x85", "\u2028": "\\u2028",
    "\u2029": "\\u2029", "\t": "    ",
}


_QUOTE_RUN = re.compile(r'"{3,}|"+\Z')


def _escape_quotes(match: re.Match[str]) -> str:
    return '\\"' * len(match.group())


def docstring(text: str) -> str:
    """A triple-quoted docstring literal holding `text` as data."""
    text = text.strip()
    if len(text) > MAX_DOC:
        text = text[:MAX_DOC].rstrip() + " ..."
    out = []
    for c in text:
        if c in _DOC_ESCAPES:
            out.append(_DOC_ESCAPES[c])
        elif c != "\n" and (ord(c) < 32 or ord(c) == 127 or 0xD800 <= ord(c) <= 0xDFFF):
            out.append(f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
        else:
            out.append(c)
    lines = [line.rstrip() for line in "".join(out).split("\n")]
    # A run of three quotes, or quotes at the very end, would close the literal.
    body = _QUOTE_RUN.sub(_escape_quotes, "\n".join(lines))
    if not body:
        body = "-"
    lit = f'"""{body}"""' if "\n" not in body else f'"""{body}\n"""'
    ast.literal_eval(lit)  # must be one valid literal, whatever the text
    return lit


# -- type expressions and parsing code -------------------------------------


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


def all_sorted(names: list[str]) -> list[str]:
    """`__all__` order as ruff wants it: CONSTANTS, Classes, others; natural sort."""

    def key(name: str) -> tuple[int, list[object]]:
        group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        parts = [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]
        return group, parts

    return sorted(names, key=key)


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


# -- view models handed to templates -----------------------------------------


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
    from . import naming

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


def fenced(text: str, lang: str = "", limit: int = 1500) -> str:
    """A Markdown code block that no content can close early."""
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n..."
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"


def curl(m: Method) -> str:
    """A curl command equivalent to the request, variables left as `{{name}}`."""
    import shlex

    parts = ["curl", "-X", m.http_method, shlex.quote(m.url_template)]
    for key, hparts in m.headers:
        value = "".join(t if k == "lit" else "{{" + t + "}}" for k, t in hparts)
        parts += ["-H", shlex.quote(f"{key}: {value}")]
    if m.auth and m.auth[0] == "bearer":
        parts += ["-H", '"Authorization: Bearer $ACCESS_TOKEN"']
    return " ".join(p.replace("\n", " ") for p in parts)


def _environment(user_templates: Path | None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_templates is not None:
        loaders.append(jinja2.FileSystemLoader(str(user_templates)))
    loaders.append(jinja2.FileSystemLoader(str(templates_dir())))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["literal"] = literal
    env.filters["ident"] = ident
    env.filters["docstring"] = docstring
    env.filters["fenced"] = fenced
    env.filters["curl"] = curl
    return env


def _root_type(types: Types, root: Root | None) -> str | None:
    return None if root is None else types.ann(root.node)


def method_view(m: Method, types: Types) -> dict[str, Any]:
    """Everything the client template needs to write one method."""
    for p in m.params:
        if p.name == m.body_param and m.body_kind == "json" and not p.annotation:
            req = m.request
            assert req is not None
            ann = types.ann(req.node)
            p.annotation = ann if ann == "JsonValue" else f"{ann} | JsonValue"
            if m.body_template is not None and ann != "JsonValue":
                p.annotation += " | None"
    url_parts: list[str] = []
    lit = ""
    for kind, text in m.url_parts:
        if kind == "lit":
            lit += text
            continue
        if lit:
            url_parts.append(literal(lit))
            lit = ""
        url_parts.append(f"_rt.segment({ident(text)})" if kind == "seg" else ident(text))
    if lit or not url_parts:
        url_parts.append(literal(lit))
    headers = []
    for key, parts in m.headers:
        if all(k == "lit" for k, _ in parts):
            value = literal("".join(t for _, t in parts))
        elif len(parts) == 1:
            value = ident(parts[0][1])
        else:
            value = "_rt.fill(" + ", ".join(
                literal(t) if k == "lit" else ident(t) for k, t in parts) + ")"
        headers.append((literal(key), value))
    if m.response_expect in ("json", "json_or_empty"):
        assert m.response is not None
        ann = types.ann(m.response.node)
        parse = f"{m.response.name}.from_dict"
        if m.response_expect == "json_or_empty":
            ann, parse = f"{ann} | None", f"_rt.or_none({parse})"
    elif m.response_expect == "text":
        ann, parse = "str", "_rt.text"
    elif m.response_expect == "empty":
        ann, parse = "None", "_rt.nothing"
    else:
        ann, parse = "JsonValue", "_rt.any_json"
    doc = m.description.strip()
    doc = (doc + "\n\n" if doc else "") + f"{m.http_method} {m.url_template}"
    arg_docs = [f"{p.name}: {p.doc}" for p in m.params if p.doc]
    if arg_docs:
        doc += "\n\nArgs:\n" + "\n".join("    " + a.replace("\n", " ") for a in arg_docs)
    json_body = m.body_param
    if m.body_template is not None:
        values = "{" + ", ".join(f"{literal(v)}: {ident(p)}" for v, p in m.body_vars) + "}"
        json_body = (f"_rt.fill_json({literal(m.body_template)}, {values}) "
                     f"if {ident(m.body_param)} is None else {ident(m.body_param)}")
    return {
        "m": m,
        "json_body": json_body,
        "doc": doc,
        "returns": ann,
        "parse": parse,
        "error": f"{m.error.name}.from_dict" if m.error else "None",
        "expect": {"json_or_empty": "json_or_empty", "empty": "any"}.get(
            m.response_expect, m.response_expect),
        "url": " + ".join(url_parts),
        "headers": headers,
        "positional": [p for p in m.params if p.positional],
        "keyword": [p for p in m.params if not p.positional],
    }


def render_package(pkg: Package, user_templates: Path | None = None) -> dict[str, str]:
    """Source text of every file of the package, keyed by relative path."""
    env = _environment(user_templates)
    names = {obj.uid: name for name, obj in pkg.classes}
    for r in pkg.adapters:
        names.setdefault(r.node.uid, r.name)
    types = Types(names)
    classes, adapters = model_views(pkg, types)
    clients: list[tuple[ClientClass, list[dict[str, Any]]]] = []

    def walk(c: ClientClass) -> None:
        clients.append((c, [method_view(m, types) for m in c.methods]))
        for child in c.children:
            walk(child)

    walk(pkg.root)
    model_names = sorted({*names.values()})
    used_text = " ".join(
        " ".join([v["returns"], v["parse"], v["error"], *(p.annotation for p in v["m"].params)])
        for _, views in clients for v in views
    )
    used_words = set(re.findall(r"\w+", used_text))
    endpoints = []
    for m in pkg.methods():
        endpoints.append({
            "m": m,
            "response_type": m.response.name if m.response else "None",
            "error_type": m.error.name if m.error else "None",
        })
    ctx = {
        "pkg": pkg,
        "classes": classes,
        "adapters": adapters,
        "clients": clients,
        "model_names": model_names,
        "exports": all_sorted(["ENDPOINTS", "UNSET", "ApiError", "AsyncClient", "Client",
                               "Endpoint", "JsonValue", "ParseError", "Unset", *model_names]),
        "endpoints": endpoints,
        "uses_datetime": types.uses_datetime,
        "uses_unset": any(not f.required for c in classes for f in c.fields),
        "client_models": [n for n in model_names if n in used_words or any(
            n in (e["response_type"], e["error_type"]) for e in endpoints)],
        "client_uses": {"IO": "IO" in used_words, "JsonValue": "JsonValue" in used_words,
                        "datetime": "datetime" in used_words},
        "credentials": pkg.credentials,
    }
    files = {
        "_runtime.py": runtime_source(),
        "models.py": env.get_template("models.py.jinja").render(ctx),
        "client.py": env.get_template("client.py.jinja").render(ctx),
        "__init__.py": env.get_template("__init__.py.jinja").render(ctx),
        "py.typed": "",
        "README.md": env.get_template("README.md.jinja").render(ctx),
    }
    for path, text in files.items():
        if path.endswith(".py"):
            try:
                ast.parse(text, filename=path)
            except SyntaxError as exc:  # a template bug, never the input's fault
                raise RuntimeError(f"rendered {pkg.name}/{path} does not parse: {exc}") from exc
    return files
