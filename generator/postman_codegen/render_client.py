"""Client code: the view of one planned method that the client template writes.

Reads the plan, never writes it: every expression of the generated call is
built here from the method's typed request (templates, query, headers, body).
The request is described once per endpoint, by a module-level function of the
method's arguments (`args`, the method's `locals()`) and the client's `config`;
the sync, async and `_with_response` methods only send what it describes.
"""

from __future__ import annotations

import shlex
from collections import Counter
from dataclasses import dataclass
from typing import Any

from .emitters import Context as Types
from .escape import ident, literal
from .plan import (
    ABSENT,
    REQUIRED,
    AuthKind,
    BodyKind,
    FormField,
    Method,
    Param,
    PieceKind,
    QueryParam,
    Template,
)
from .plan_types import BodyTemplate, Fill


@dataclass(frozen=True, slots=True)
class ParamView:
    """A parameter as the signature writes it."""

    name: str
    annotation: str
    default: str  # "" = required


def curl(m: Method) -> str:
    """A curl command equivalent to the request, variables left as `{{name}}`."""
    parts = ["curl", "-X", m.http_method, shlex.quote(m.url_template)]
    for h in m.headers:
        value = "".join(p.text if p.kind is PieceKind.LITERAL else "{{" + p.text + "}}"
                        for p in h.value.pieces)
        parts += ["-H", shlex.quote(f"{h.key}: {value}")]
    if m.auth.kind is AuthKind.BEARER:
        parts += ["-H", '"Authorization: Bearer $ACCESS_TOKEN"']
    return " ".join(p.replace("\n", " ") for p in parts)


def arg(name: str) -> str:
    """A parameter of the method, as the request description reads it."""
    return f"args[{literal(ident(name))}]"


def _settings(m: Method) -> list[str]:
    """Statements that fill setting parameters the caller left out from the client."""
    out = []
    for p in m.params:
        if p.setting:
            fn = "setting" if p.needed else "setting_or_none"
            out.append(f"{arg(p.name)} = config.{fn}({literal(p.setting)}, {arg(p.name)})")
    return out


def _text(m: Method, t: Template, wrap: str = "") -> str:
    """A header, query or form value: one parameter as it is, else `_rt.fill`."""
    parts = []
    for piece in t.pieces:
        if piece.kind is PieceKind.LITERAL:
            parts.append(literal(piece.text))
        elif wrap:
            parts.append(f"_rt.{wrap}({arg(piece.text)}, {literal(piece.text)})")
        else:
            parts.append(arg(piece.text))
    if len(parts) == 1:
        return parts[0]
    return "_rt.fill(" + ", ".join(parts) + ")"


def _url(m: Method) -> str:
    out: list[str] = []
    for piece in m.url.pieces:
        if piece.kind is PieceKind.LITERAL:
            out.append(literal(piece.text))
        else:
            fn = {PieceKind.SEGMENT: "segment", PieceKind.HOST: "host"}.get(piece.kind, "path")
            out.append(f"_rt.{fn}({arg(piece.text)}, {literal(piece.text)})")
    return " + ".join(out) or literal("")


def _query(m: Method, q: QueryParam) -> str:
    if q.value is None:
        value = f"_rt.FLAG if {arg(q.switch)} else None" if q.switch else "_rt.FLAG"
    else:
        value = _text(m, q.value)
    return f"({literal(q.key)}, {value})"


def _part(m: Method, f: FormField) -> str:
    value = _text(m, f.value)
    if not f.file:
        return f"({literal(f.key)}, {value})"
    return (f"({literal(f.key)}, {value}, {literal(f.filename or f.key)}, "
            f"{literal(f.content_type)})")


def _filled(m: Method, t: BodyTemplate) -> str:
    """`_rt.template_body(...)`: the parameter if given, else the template filled
    with the keywords (a TypeError if both, or if a needed keyword is missing)."""
    own = [v for v in t.variables if (p := m.param(v.param)) is not None and p.default is ABSENT]
    fixed = [v for v in t.variables if v not in own]
    keywords = ", ".join(
        f"{literal(v.variable)}: ({literal(v.param)}, {arg(v.param)}, "
        f"{'_rt.UNSET' if v.default is ABSENT else literal(v.default)})" for v in own)
    args = f"{arg(t.param)}, {literal(t.template)}, {{{keywords}}}"
    if fixed:
        args += ", {" + ", ".join(f"{literal(v.variable)}: {arg(v.param)}" for v in fixed) + "}"
    if t.param != "body":
        args += f", param={literal(t.param)}"
    if t.markup:
        args += f", fill=_rt.fill_xml_keeping({', '.join(map(literal, t.markup))})"
    elif t.fill is not Fill.JSON:
        args += f", fill=_rt.fill_{t.fill.value}"
    return f"_rt.template_body({args})"


def _body(m: Method) -> list[tuple[str, str]]:
    b = m.body
    name = arg(b.param) if b.param else ""
    content_type = [("content_type", literal(b.content_type))] if b.content_type else []
    if b.kind is BodyKind.GRAPHQL:
        query = _filled(m, b.query_template) if b.query_template else name
        v = arg(b.variables_param)
        variables = (_filled(m, b.template) if b.template
                     else f"{v} if {v} is not None else {literal(b.default)}")
        return [("json_body", f'{{"query": {query}, "variables": {variables}}}')]
    if b.template is not None:
        key = "content" if b.kind is BodyKind.TEXT else "json_body"
        return [(key, _filled(m, b.template))] + (content_type if key == "content" else [])
    if b.kind is BodyKind.JSON:
        p = m.param(b.param)
        if p is not None and not p.required:
            return [("json_body", f"{name} if {name} is not None else {literal(b.default)}")]
        return [("json_body", name)]
    if b.kind in (BodyKind.TEXT, BodyKind.BYTES):
        return [("content", name)] + content_type
    if b.kind is BodyKind.FORM:
        return [("form", "[" + ", ".join(_part(m, f) for f in b.fields) + "]")]
    if b.kind is BodyKind.MULTIPART:
        return [("multipart", "[" + ", ".join(_part(m, f) for f in b.fields) + "]")]
    return []


def call_arguments(m: Method) -> list[tuple[str, str]]:
    """Keyword arguments of the transport call after method, URL and parse routines
    (the caller's `headers=` the transport adds itself)."""
    out: list[tuple[str, str]] = []
    if m.base != "base_url":
        out.append(("base", literal(m.base)))
    if m.error:
        out.append(("error", f"{m.error.name}.from_dict"))
    expect = "any" if m.response_expect == "empty" else m.response_expect
    if expect != "json":
        out.append(("expect", literal(expect)))
    a = m.auth
    if a.kind is AuthKind.APIKEY:
        where = "QUERY" if a.location == "query" else "HEADER"
        out += [("auth", f"_rt.API_KEY_{where}"), ("auth_key", literal(a.key))]
    elif a.kind is not AuthKind.NONE:
        out.append(("auth", f"_rt.{a.kind.name}"))
    if m.query:
        out.append(("params", "[" + ", ".join(_query(m, q) for q in m.query) + "]"))
    if m.headers:
        out.append(("headers", "[" + ", ".join(
            f"({literal(h.key)}, {_text(m, h.value, 'header')})" for h in m.headers) + "]"))
    return out + _body(m)


def _annotation(m: Method, p: Param, types: Types) -> str:
    if p.annotation or m.request is None:
        return p.annotation or "JsonValue"
    ann = types.ann(m.request.node)
    ann = ann if ann == "JsonValue" else f"{ann} | JsonValue"
    return ann + (" | None" if not p.required and ann != "JsonValue" else "")


def _default(p: Param) -> str:
    if p.default is REQUIRED:
        return ""
    if p.default is ABSENT:
        return "_rt.UNSET"
    return literal(p.default)


def _returns(m: Method, types: Types) -> tuple[str, str]:
    if m.response_expect in ("json", "json_or_empty"):
        assert m.response is not None
        ann = types.ann(m.response.node)
        parse = f"{m.response.name}.from_dict"
        if m.response_expect == "json_or_empty":
            return f"{ann} | None", f"_rt.or_none({parse})"
        return ann, parse
    if m.response_expect == "text":
        return "str", "_rt.text"
    if m.response_expect == "bytes":
        return "bytes", "_rt.raw"
    if m.response_expect == "empty":
        return "None", "_rt.nothing"
    return "JsonValue", "_rt.any_json"


# Private names client.py binds besides the request descriptions.
_MODULE_NAMES = frozenset({"_rt"})


def describe_names(methods: list[Method]) -> dict[str, str]:
    """The name of the function describing each request, by qualified name: the
    method's own, private (short, so the one-line methods that send it stay one
    line), or its qualified name where two folders share a method name; unique."""
    count = Counter(m.name for m in methods)
    taken = set(_MODULE_NAMES)
    out = {}
    for m in methods:
        parts = [m.name] if count[m.name] == 1 else m.qualname.split(".")
        base = "_" + "__".join(ident(part) for part in parts)
        name, n = base, 1
        while name in taken:
            n += 1
            name = f"{base}_{n}"
        taken.add(name)
        out[m.qualname] = name
    return out


def method_view(m: Method, types: Types, describe: str) -> dict[str, Any]:
    """Everything the client template needs to write one method (`describe`: the
    name of the function describing its request)."""
    ann, parse = _returns(m, types)
    doc = m.description.strip()
    doc = (doc + "\n\n" if doc else "") + f"{m.http_method} {m.url_template}"
    arg_docs = [f"{p.name}: {p.doc}" for p in m.params if p.doc]
    if arg_docs:
        doc += "\n\nArgs:\n" + "\n".join("    " + a.replace("\n", " ") for a in arg_docs)
    views = [ParamView(p.name, _annotation(m, p, types), _default(p)) for p in m.params]
    positional = [v for v, p in zip(views, m.params, strict=True) if p.positional]
    keyword = [v for v, p in zip(views, m.params, strict=True) if not p.positional]
    keyword.append(ParamView("headers", "Mapping[str, str] | None", "None"))
    return {
        "m": m,
        "doc": doc,
        "returns": ann,
        "parse": parse,
        "error": f"{m.error.name}.from_dict" if m.error else "None",
        "describe": describe,
        "url": _url(m),
        "settings": _settings(m),
        "arguments": call_arguments(m),
        "params": views,
        "positional": positional,
        "keyword": keyword,
    }
