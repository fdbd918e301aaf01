"""The inferred API of one planned package as an OpenAPI 3.1 document.

`openapi_document` turns a `Package` into plain JSON data: paths and
operations from the methods, parameters, request bodies, and the response and
error schemas from the type graph (`components.schemas`, one per model class).
`diff` compares two such documents, so the comparison is of APIs, not of text.

What a `Method` sends (URL pieces, query, headers, body, auth) is read in one
place, `_wire`.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from dataclasses import dataclass, field
from json.encoder import encode_basestring as _quote
from typing import Any

from .infer import (
    ArrayT,
    MapT,
    NullableT,
    ObjectT,
    Scalar,
    TypeNode,
    UnionT,
    Unknown,
)
from .plan import (
    ABSENT,
    Auth,
    AuthKind,
    BodyKind,
    ClientClass,
    Method,
    Package,
    Param,
    PieceKind,
)
from .typeplan import SAMPLE_LIMIT

OPENAPI_VERSION = "3.1.0"
SUMMARY_MAX = 120
_SCALARS: dict[str, dict[str, Any]] = {
    "str": {"type": "string"},
    "int": {"type": "integer"},
    "float": {"type": "number"},
    "bool": {"type": "boolean"},
    "datetime": {"type": "string", "format": "date-time"},
}


# -- what a method sends and expects, read from the planner -------------------


@dataclass(slots=True)
class _WireParam:
    name: str  # the name on the wire (query key, header name, path placeholder)
    where: str  # path | query | header
    python: str  # the generated method's parameter
    required: bool
    doc: str = ""
    default: object = None
    type: str = "string"  # JSON Schema type


@dataclass(slots=True)
class _Wire:
    """The HTTP side of one method, as far as the document needs it."""

    path: str  # "/crm/bulk/v2/write/{job_id}" (may be "/")
    server: str | None  # an operation-level server (another host than the package's)
    server_vars: list[str] = field(default_factory=list)
    params: list[_WireParam] = field(default_factory=list)
    body_kind: str = ""  # "", json, text, bytes, form, multipart, graphql
    form_fields: list[tuple[str, str, str]] = field(default_factory=list)  # key, param, kind
    expect: str = "any"  # json, json_or_empty, text, bytes, empty, any
    statuses: list[int] = field(default_factory=list)  # example status codes seen
    sample: str = ""  # first success example's JSON text
    auth: tuple[str, ...] = ()


def _wire(m: Method) -> _Wire:
    """Read the planner's request details; the one place that knows them."""
    by_name = {p.name: p for p in m.params}
    text = "".join(_literal_url(p.text) if p.kind is PieceKind.LITERAL else "{" + p.text + "}"
                   for p in m.url.pieces)
    server = None
    server_vars: list[str] = []
    path = text
    if m.base == "":
        scheme, sep, rest = text.partition("://")
        if sep:
            host, slash, tail = rest.partition("/")
            server, path = scheme + sep + host, slash + tail
            server_vars = [p.text for p in m.url.pieces if p.kind is PieceKind.HOST]
    elif m.base != "base_url":
        prefix, slash, tail = text.partition("/")
        server, path = "{" + m.base + "}" + prefix, slash + tail
        server_vars = [m.base, *(p.text for p in m.url.pieces if p.kind is PieceKind.PATH)]
    path = "/" + path.lstrip("/") if path else "/"
    params: list[_WireParam] = []
    seen: set[str] = set()
    for piece in m.url.pieces:
        if piece.kind is PieceKind.SEGMENT and piece.text not in seen:
            seen.add(piece.text)
            p = by_name.get(piece.text)
            params.append(_WireParam(piece.text, "path", piece.text, True,
                                     p.doc if p else "", _default(p), _schema_type(p)))
    for q in m.query:
        names = q.value.params() if q.value is not None else [q.switch] if q.switch else []
        if not names:
            continue  # a fixed value is not the caller's to choose
        p = by_name.get(names[0])
        params.append(_WireParam(q.key, "query", names[0], bool(p and p.required),
                                 p.doc if p else "", _default(p), _schema_type(p)))
    for h in m.headers:
        names = h.value.params()
        if not names:
            continue
        ps = [by_name[n] for n in names if n in by_name]
        docs = " ".join(p.doc for p in ps if p.doc and p.doc != f"header {h.key}")
        params.append(_WireParam(h.key, "header", names[0],
                                 any(p.required for p in ps), docs))
    fields = [(f.key, (f.value.params() or [""])[0], "file" if f.file else "text")
              for f in m.body.fields]
    return _Wire(
        path=path, server=server, server_vars=server_vars, params=params,
        body_kind="" if m.body.kind is BodyKind.NONE else m.body.kind.value,
        form_fields=fields, expect=m.response_expect,
        statuses=sorted({s for s, _ in m.examples if s is not None}), sample=m.sample,
        auth=_auth_tuple(m.auth),
    )


def _schema_type(p: Param | None) -> str:
    ann = (p.annotation if p else "").removesuffix(" | None")
    return {"int": "integer", "bool": "boolean", "float": "number"}.get(ann, "string")


def _default(p: Param | None) -> object:
    if p is None or p.required or p.default is ABSENT:
        return None
    return p.default


def _literal_url(text: str) -> str:
    # `{` `}` would read as a template; `#` marks a duplicate key (see paths).
    return text.replace("{", "%7B").replace("}", "%7D").replace("#", "%23")


def _auth_tuple(auth: Auth) -> tuple[str, ...]:
    """("bearer",), ("basic",), ("apikey", where, name) or () from the method's auth."""
    if auth.kind is AuthKind.NONE:
        return ()
    if auth.kind is AuthKind.APIKEY:
        return ("apikey", auth.location, auth.key)
    return (auth.kind.value,)


# -- schemas ----------------------------------------------------------------


class _Schemas:
    """JSON Schema for type nodes; model classes become `components.schemas`."""

    def __init__(self, pkg: Package) -> None:
        # Component keys are ASCII (`^[a-zA-Z0-9._-]+$`); a class named otherwise
        # keeps its Python name as the schema's title.
        self.names: dict[int, str] = {}
        taken: set[str] = set()
        for name, obj in pkg.classes:
            key = component_key(name)
            base, n = key, 2
            while key in taken:
                key, n = f"{base}_{n}", n + 1
            taken.add(key)
            self.names[obj.uid] = key
        self.components: dict[str, dict[str, Any]] = {}
        for name, obj in pkg.classes:
            key = self.names[obj.uid]
            self.components[key] = self.object(obj)
            if key != name:
                self.components[key]["title"] = name

    def object(self, obj: ObjectT) -> dict[str, Any]:
        props = {f.key: self.of(f.type) for f in obj.fields}
        out: dict[str, Any] = {"type": "object", "properties": props}
        required = sorted(f.key for f in obj.fields if f.required)
        if required:
            out["required"] = required
        return out

    def of(self, node: TypeNode) -> dict[str, Any]:
        if isinstance(node, Unknown):
            return {}
        if isinstance(node, Scalar):
            return dict(_SCALARS.get(node.kind, {}))
        if isinstance(node, ArrayT):
            return {"type": "array", "items": self.of(node.item)}
        if isinstance(node, MapT):
            return {"type": "object", "additionalProperties": self.of(node.value)}
        if isinstance(node, ObjectT):
            name = self.names.get(node.uid)
            if name is None:
                return self.object(node)
            return {"$ref": "#/components/schemas/" + _pointer(name)}
        if isinstance(node, UnionT):
            # At most one option per JSON kind: exactly one matches.
            return {"oneOf": [self.of(o) for o in node.options]}
        if isinstance(node, NullableT):
            inner = self.of(node.inner)
            t = inner.get("type")
            if isinstance(t, str) and "$ref" not in inner:
                return {**inner, "type": [t, "null"]}
            if "oneOf" in inner:
                return {"oneOf": [*inner["oneOf"], {"type": "null"}]}
            return {"anyOf": [inner, {"type": "null"}]}
        return {}  # pragma: no cover - every node kind is handled above


def _pointer(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def component_key(name: str) -> str:
    """A `components.schemas` key for a class name: other characters as `_uXXXX`."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "._-") else f"_u{ord(c):04x}"
                   for c in name) or "Model"


# -- the document -------------------------------------------------------------


def openapi_document(pkg: Package) -> dict[str, Any]:
    """The inferred API of one package as an OpenAPI 3.1 document (plain JSON data)."""
    schemas = _Schemas(pkg)
    info: dict[str, Any] = {"title": pkg.title or pkg.name, "version": "0.0.0",
                            "x-python-package": pkg.name}
    if pkg.description:
        info["description"] = pkg.description
    doc: dict[str, Any] = {"openapi": OPENAPI_VERSION, "info": info}
    if pkg.base_url:
        doc["servers"] = [{"url": pkg.base_url}]
    paths: dict[str, dict[str, Any]] = {}
    tags: list[dict[str, Any]] = []
    security: dict[str, dict[str, Any]] = {}

    # Client classes depth first, each before its children; a loop, not a recursive
    # closure, whose reference cycle would keep the document for the collector.
    stack: list[tuple[ClientClass, tuple[str, ...]]] = [(pkg.root, ())]
    while stack:
        c, titles = stack.pop()
        tag = " / ".join(titles)
        if titles and c.methods:
            t: dict[str, Any] = {"name": tag}
            if c.description:
                t["description"] = c.description
            if tag not in {x["name"] for x in tags}:
                tags.append(t)
        for m in c.methods:
            wire = _wire(m)
            op = _operation(m, wire, schemas, security)
            if titles:
                op["tags"] = [tag]
            item = paths.setdefault(wire.path, {})
            method = m.http_method.lower()
            if method not in _METHODS:
                op["x-http-method"] = m.http_method
                method = "x-" + method
            if method in item:
                # Postman allows two requests with one method and URL; OpenAPI
                # does not: the later one gets its own key, named by the method.
                item = paths.setdefault(f"{wire.path}#{m.qualname}", {})
            item[method] = op
        stack.extend((child, (*titles, child.title or child.attr))
                     for child in reversed(c.children))
    doc["paths"] = paths
    if tags:
        doc["tags"] = tags
    components: dict[str, Any] = {}
    if schemas.components:
        components["schemas"] = schemas.components
    if security:
        components["securitySchemes"] = security
    if components:
        doc["components"] = components
    return doc


_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


def _operation(m: Method, wire: _Wire, schemas: _Schemas,
               security: dict[str, dict[str, Any]]) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": m.qualname}
    description = (m.description or "").strip()
    if description:
        first = description.splitlines()[0].strip()
        op["summary"] = first if len(first) <= SUMMARY_MAX else first[:SUMMARY_MAX - 3] + "..."
        op["description"] = description
    if wire.server is not None:
        server: dict[str, Any] = {"url": wire.server}
        if wire.server_vars:
            server["variables"] = {v: {"default": ""} for v in wire.server_vars}
        op["servers"] = [server]
    params = []
    seen: set[tuple[str, str]] = set()
    for p in wire.params:
        if (p.name, p.where) in seen:
            continue
        seen.add((p.name, p.where))
        schema: dict[str, Any] = {"type": p.type}
        if p.default is not None and isinstance(p.default, (str, int, float, bool)):
            schema["default"] = p.default
        param: dict[str, Any] = {"name": p.name, "in": p.where, "schema": schema,
                                 "required": p.where == "path" or p.required}
        if p.doc:
            param["description"] = p.doc
        if p.python != p.name:
            param["x-python-name"] = p.python
        params.append(param)
    if params:
        op["parameters"] = params
    body = _request_body(m, wire, schemas)
    if body is not None:
        op["requestBody"] = body
    op["responses"] = _responses(m, wire, schemas)
    scheme = _security(wire.auth)
    if scheme is not None:
        name, definition = scheme
        security[name] = definition
        op["security"] = [{name: []}]
    return op


def _request_body(m: Method, wire: _Wire, schemas: _Schemas) -> dict[str, Any] | None:
    kind = wire.body_kind
    required = not any(p.name in ("body", "content") and not p.required for p in m.params)
    if kind == "json":
        body = schemas.of(m.request.node) if m.request is not None else {}
        return {"required": required, "content": {"application/json": {"schema": body}}}
    if kind == "text":
        return {"required": True, "content": {"text/plain": {"schema": {"type": "string"}}}}
    if kind == "bytes":
        return {"required": True, "content": {"application/octet-stream": {
            "schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}}
    if kind in ("form", "multipart"):
        by_name = {p.name: p for p in m.params}
        props: dict[str, Any] = {}
        req: list[str] = []
        for key, pname, fkind in wire.form_fields:
            props[key] = ({"type": "string", "contentMediaType": "application/octet-stream"}
                          if fkind == "file" else {"type": "string"})
            param = by_name.get(pname)
            if param is not None and param.required:
                req.append(key)
        form: dict[str, Any] = {"type": "object", "properties": props}
        if req:
            form["required"] = sorted(set(req))
        media = "application/x-www-form-urlencoded" if kind == "form" else "multipart/form-data"
        return {"required": bool(req), "content": {media: {"schema": form}}}
    if kind == "graphql":
        return {"required": True, "content": {"application/json": {"schema": {
            "type": "object", "properties": {"query": {"type": "string"}, "variables": {}},
            "required": ["query"]}}}}
    return None


def _responses(m: Method, wire: _Wire, schemas: _Schemas) -> dict[str, Any]:
    out: dict[str, Any] = {}
    ok = [s for s in wire.statuses if 200 <= s < 300]
    expect = wire.expect
    content: dict[str, Any] | None
    if expect in ("json", "json_or_empty") and m.response is not None:
        media: dict[str, Any] = {"schema": schemas.of(m.response.node)}
        if wire.sample and len(wire.sample) <= SAMPLE_LIMIT:
            try:  # 1e999 came in as a float infinity: JSON cannot hold it
                media["example"] = json.loads(wire.sample, parse_constant=_no_constant)
            except ValueError:
                pass
        content = {"application/json": media}
    elif expect == "text":
        content = {"text/plain": {"schema": {"type": "string"}}}
    elif expect == "bytes":
        content = {"application/octet-stream": {
            "schema": {"type": "string", "contentMediaType": "application/octet-stream"}}}
    elif expect == "empty":
        content = None
    else:
        content = {"*/*": {"schema": {}}}
    codes = [str(s) for s in ok] or (["204"] if expect == "empty" else ["200"])
    if expect == "any" and not ok:
        codes = ["2XX"]
    for code in codes:
        resp: dict[str, Any] = {"description": "Success" if content is not None
                                else "Success, no content"}
        if content is not None:
            resp["content"] = content
        out[code] = resp
    if m.error is not None:
        err = {"description": "Error", "content": {"application/json": {
            "schema": schemas.of(m.error.node)}}}
        codes = [str(s) for s in wire.statuses if s >= 400] or ["default"]
        for code in codes:
            out[code] = err
    return out


def _no_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _security(auth: tuple[str, ...]) -> tuple[str, dict[str, Any]] | None:
    if not auth:
        return None
    kind = str(auth[0])
    if kind == "bearer":
        return "bearer", {"type": "http", "scheme": "bearer"}
    if kind == "basic":
        return "basic", {"type": "http", "scheme": "basic"}
    if kind == "apikey" and len(auth) >= 3:
        where, name = str(auth[1]), str(auth[2])
        key = component_key(f"apikey_{where}_{name}")
        return key, {"type": "apiKey", "in": where, "name": name}
    return None


def dumps(document: dict[str, Any]) -> str:
    """The document as committed: sorted keys, two-space indent, final newline.

    Readable text stays as it is; invisible characters from the collection
    (controls, bidi and other format characters, line separators) are written
    as `\\uXXXX` escapes, which mean the same to a JSON reader.
    """
    text = indented_json(document) + "\n"
    return _CANDIDATE.sub(_utf16_escape, text)


def indented_json(value: object) -> str:
    """`json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)`, the same
    text (a property test holds them equal) about three times as fast: with an
    indent, `json` falls back to its pure-Python encoder, a generator per value.
    Strings are quoted by json's own C function."""
    out: list[str] = []
    _indented(value, out, "\n")
    return "".join(out)


def _indented(o: object, out: list[str], nl: str) -> None:
    """Append the text of `o` (at the indentation `nl` holds) to `out`. Scalars are
    tested in the order of json's encoder, so subclasses encode as they do there;
    containers first (no object is both a container and a scalar)."""
    if isinstance(o, dict):
        if not o:
            out.append("{}")
            return
        inner = nl + "  "
        sep = "{" + inner
        for key, item in sorted(o.items()):
            head = sep + _quote(key if type(key) is str else _key_text(key)) + ": "
            if type(item) is str:  # the most common value, without a call
                out.append(head + _quote(item))
            else:
                out.append(head)
                _indented(item, out, inner)
            sep = "," + inner
        out.append(nl + "}")
    elif isinstance(o, (list, tuple)):
        if not o:
            out.append("[]")
            return
        inner = nl + "  "
        sep = "[" + inner
        for item in o:
            out.append(sep)
            sep = "," + inner
            _indented(item, out, inner)
        out.append(nl + "]")
    elif isinstance(o, str):
        out.append(_quote(o))
    elif o is None:
        out.append("null")
    elif o is True:
        out.append("true")
    elif o is False:
        out.append("false")
    elif isinstance(o, int):
        out.append(int.__repr__(o))
    elif isinstance(o, float):
        out.append(_float_text(o))
    else:
        raise TypeError(f"Object of type {o.__class__.__name__} is not JSON serializable")


def _float_text(o: float) -> str:
    if math.isnan(o):
        return "NaN"
    if o == math.inf:
        return "Infinity"
    if o == -math.inf:
        return "-Infinity"
    return float.__repr__(o)


def _key_text(key: object) -> str:
    if isinstance(key, str):
        return key
    if isinstance(key, float):
        return _float_text(key)
    if key is True:
        return "true"
    if key is False:
        return "false"
    if key is None:
        return "null"
    if isinstance(key, int):
        return int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {key.__class__.__name__}")


# Unassigned code points (Cn) are left alone: which ones they are depends on
# the Python version, and output must not.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Zl", "Zp"})
_CANDIDATE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\U0010ffff]")


def invisible(c: str) -> bool:
    """A character a terminal or editor would not show as itself."""
    return c not in "\n\t" and unicodedata.category(c) in _INVISIBLE_CATEGORIES


def _utf16_escape(match: re.Match[str]) -> str:
    c = match.group()
    if not invisible(c):
        return c
    data = c.encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(data[i:i + 2], 'big'):04x}"
                   for i in range(0, len(data), 2))


def escape_invisible(text: str) -> str:
    """Text for a terminal or a Markdown comment: invisible characters as `\\uXXXX`."""
    return _CANDIDATE.sub(_utf16_escape, text)
