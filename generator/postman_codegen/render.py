"""Render a planned package through the Jinja templates into source files.

Python decides every name and every piece of parsing code; templates hold the
shape of the files. Every value from a collection reaches the output through
exactly one of two filters: `literal` (a Python literal) or `ident` (a checked
identifier). Each rendered file whose text changed is compiled before it is
formatted (output.build_tree).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2

from .blackform import fold
from .emitters import Context
from .escape import code, docstring, fenced, ident, literal, md
from .openapi import dumps as openapi_dumps
from .openapi import openapi_document
from .plan import ClientClass, Package
from .render_client import curl, describe_names, method_view
from .render_models import model_views, style_for, uses_datetime

RUNTIME_FILE = Path(__file__).resolve().parent / "runtime.py"

# Receives each finished piece of a Python file while it is rendered (the
# package-relative path, the piece's final text): output.EarlyVet.
Sink = Callable[[str, str], None]
# A Python file is handed to a sink in pieces of about this many characters.
PIECE = 250_000


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


@functools.lru_cache(maxsize=8)
def _environment(user_templates: Path | None) -> jinja2.Environment:
    """One environment per templates folder for the whole run: each template is
    compiled once, not once per collection (Jinja reloads a file that changed)."""
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
    env.filters["md"] = md
    env.filters["code"] = code
    env.filters["curl"] = curl
    return env


def all_sorted(names: list[str]) -> list[str]:
    """`__all__` order as ruff wants it: CONSTANTS, Classes, others; natural sort."""

    def key(name: str) -> tuple[int, list[object]]:
        group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        parts = [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]
        return group, parts

    return sorted(names, key=key)


def _client_models(model_names: list[str], used_words: set[str],
                   endpoints: list[dict[str, Any]]) -> list[str]:
    """Models client.py imports: named in a method or an endpoint's types. One set
    lookup per model (classes x endpoints would grow quadratically)."""
    typed = {e[key] for e in endpoints for key in ("response_type", "error_type")}
    return [n for n in model_names if n in used_words or n in typed]


def import_sorted(names: set[str]) -> list[str]:
    """Names of a `from x import (...)` in isort's order (ruff I001): CONSTANTS,
    Classes, others; natural order, case ignored (`CreateAnX` before `CreateAPlan`)."""

    def key(name: str) -> tuple[int, list[object], str]:
        group = 0 if name.isupper() else 1 if name[:1].isupper() else 2
        parts = [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name.lower())]
        return group, parts, name

    return sorted(names, key=key)


def settings_doc(pkg: Package) -> str:
    """The `__init__` docstring naming each base URL and setting by its variable."""
    lines = [f"{b.name}: base URL of the requests to {{{{{b.variable}}}}}" for b in pkg.bases]
    lines += [f"{s.name}: {{{{{s.variable}}}}}, which most requests use; a method's "
              f"`{s.name}=` overrides it for one call" for s in pkg.settings]
    if not lines:
        return ""
    return "Base URLs and shared settings.\n\nArgs:\n" + "\n".join("    " + x for x in lines)


def _streamed(template: jinja2.Template, ctx: dict[str, Any], rel: str,
              sink: Sink | None) -> str:
    """`fold(template.render(ctx))`, handing each finished piece to `sink` while
    the rest is rendered. A piece ends where a top-level statement starts after
    two blank lines, outside any triple-quoted string (fold works line by line
    and keeps only that state), so the pieces folded one by one join into the
    text folded whole."""
    if sink is None:
        return fold(template.render(ctx))
    done: list[str] = []
    buffer: list[str] = []
    size, due = 0, PIECE
    for part in template.generate(ctx):
        buffer.append(part)
        size += len(part)
        if size < due:
            continue
        text = "".join(buffer)
        cut = _piece_end(text)
        if cut:
            done.append(fold(text[:cut]))
            sink(rel, done[-1])
            text = text[cut:]
        buffer, size = [text], len(text)
        due = size + PIECE
    done.append(fold("".join(buffer)))
    sink(rel, done[-1])
    return "".join(done)


def _piece_end(text: str) -> int:
    """Where the last top-level statement that follows two blank lines starts,
    outside a triple-quoted string (an even number of triple quotes before it,
    counted as fold counts them); 0 if nowhere."""
    before = text.count('"""') + text.count("'''")  # triple quotes in text[:at]
    at = len(text)
    while (found := text.rfind("\n\n\n", 0, at)) > 0:
        start = found + 3
        before -= text.count('"""', start, at) + text.count("'''", start, at)
        if start < len(text) and text[start] not in " \t\n" and before % 2 == 0:
            return start
        at = found  # the text between holds no quote
    return 0


def render_package(pkg: Package, user_templates: Path | None = None,
                   sink: Sink | None = None) -> dict[str, str]:
    """Source text of every file of the package, keyed by relative path; `sink`
    sees the large Python files piece by piece as they are rendered."""
    env = _environment(user_templates)
    # The OpenAPI document (a tree as large as the package) is built and dropped
    # before the views of every class and method exist: the two never coexist.
    openapi = openapi_dumps(openapi_document(pkg))
    names = {obj.uid: name for name, obj in pkg.classes}
    for r in pkg.adapters:
        names.setdefault(r.node.uid, r.name)
    types = Context(names)
    style = style_for(pkg.options.model_style)
    classes, adapters, helpers = model_views(pkg, types, style)
    clients: list[tuple[ClientClass, list[dict[str, Any]]]] = []
    described = describe_names(list(pkg.methods()))

    stack = [pkg.root]  # depth first, each class before its children
    while stack:
        c = stack.pop()
        clients.append((c, [method_view(m, types, described[m.qualname]) for m in c.methods]))
        stack.extend(reversed(c.children))
    model_names = import_sorted({*names.values()})
    used_text = " ".join(
        " ".join([v["returns"], v["parse"], v["error"], *(p.annotation for p in v["params"])])
        for _, views in clients for v in views
    )
    used_words = set(re.findall(r"\w+", used_text))
    endpoints: list[dict[str, Any]] = []
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
        "helpers": helpers,
        "style": style,
        "uses_field": any(f.keyed for c in classes for f in c.fields),
        "clients": clients,
        "model_names": model_names,
        "exports": all_sorted(["ENDPOINTS", "UNSET", "ApiError", "AsyncClient", "Client",
                               "Endpoint", "JsonValue", "ParseError", "Unset", *model_names]),
        "endpoints": endpoints,
        "uses_datetime": uses_datetime(types, pkg),
        "uses_unset": any(c.optional for c in classes),
        "client_models": _client_models(model_names, used_words, endpoints),
        "client_uses": {"IO": "IO" in used_words, "JsonValue": "JsonValue" in used_words,
                        "datetime": "datetime" in used_words},
        "credentials": pkg.credentials,
        "settings_doc": settings_doc(pkg),
    }
    files = {
        "_runtime.py": runtime_source(),
        "models.py": _streamed(env.get_template(style.template), ctx, "models.py", sink),
        "client.py": _streamed(env.get_template("client.py.jinja"), ctx, "client.py", sink),
        "__init__.py": fold(env.get_template("__init__.py.jinja").render(ctx)),
        "py.typed": "",
        "README.md": env.get_template("README.md.jinja").render(ctx),
        "openapi.json": openapi,
    }
    # output.build_tree compiles each Python file whose rendered text changed.
    return files
