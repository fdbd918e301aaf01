"""Client code: the view of one planned method that the client template writes."""

from __future__ import annotations

import shlex
from typing import Any

from .emitters import Context as Types
from .escape import ident, literal
from .plan import Method


def curl(m: Method) -> str:
    """A curl command equivalent to the request, variables left as `{{name}}`."""
    parts = ["curl", "-X", m.http_method, shlex.quote(m.url_template)]
    for key, hparts in m.headers:
        value = "".join(t if k == "lit" else "{{" + t + "}}" for k, t in hparts)
        parts += ["-H", shlex.quote(f"{key}: {value}")]
    if m.auth and m.auth[0] == "bearer":
        parts += ["-H", '"Authorization: Bearer $ACCESS_TOKEN"']
    return " ".join(p.replace("\n", " ") for p in parts)


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
