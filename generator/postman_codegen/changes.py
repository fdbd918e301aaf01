"""What changed between two versions of an API, for a caller of the generated client.

`compare(old, new)` takes two OpenAPI documents made by `openapi.openapi_document`
and returns a `Report`: typed `Change` items, each `breaking` or `compatible`.
Renderers: `render_text`, `render_markdown` (a PR comment), `render_json`.

How a change is classified. The caller of a generated client does two things
with a response: the client *parses* it (strictly: a missing required field or
a value of another kind is a `ParseError`), and the caller's code *reads* the
typed values (checked by mypy). A change is compatible only when both keep
working; on the request side, only when every call that worked still works.

| change                                   | request side | response / error side |
|------------------------------------------|--------------|-----------------------|
| request added                            | compatible   |                       |
| request removed                          | breaking     |                       |
| request renamed (same method and URL)    | breaking     |                       |
| request moved (same name, new URL)       | compatible   |                       |
| parameter added, optional / required     | compatible / breaking |              |
| parameter removed                        | breaking     |                       |
| parameter optional -> required           | breaking     |                       |
| parameter required -> optional           | compatible   |                       |
| field added, optional                    | compatible   | compatible            |
| field added, required                    | breaking     | breaking (responses without it are rejected) |
| field removed                            | breaking     | breaking (code reading it fails) |
| field optional -> required               | breaking     | breaking (responses without it are rejected) |
| field required -> optional               | compatible   | breaking (the value may now be absent) |
| type widened (int -> float, T -> T/None) | compatible   | breaking (code gets values it never handled) |
| type narrowed (float -> int, T/None -> T)| breaking     | breaking (responses the old client accepted are rejected) |
| unknown JSON -> a type                   | breaking     | compatible (the examples never showed another kind) |
| type changed (str -> Module)             | breaking     | breaking              |
| body or response kind changed            | breaking     | breaking              |
| error model added / removed              |              | compatible / breaking |
| class renamed                            | breaking (imports of the old name fail) |  |
| auth changed                             | breaking     |                       |
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from .openapi import escape_invisible

BREAKING = "breaking"
COMPATIBLE = "compatible"
MAX_DEPTH = 64

Schema = dict[str, Any]
Doc = dict[str, Any]


class Group(str, Enum):
    """Report sections, in the order they are printed."""

    REQUESTS = "requests"
    PARAMETERS = "parameters"
    REQUEST_BODIES = "request bodies"
    RESPONSES = "responses"
    ERRORS = "errors"
    CLASSES = "classes"


@dataclass(frozen=True, slots=True)
class Change:
    """One API-level change."""

    kind: str  # e.g. "response_field_removed" (see the table in the module docstring)
    severity: str  # "breaking" | "compatible"
    group: str  # a `Group` value
    request: str  # the method (operationId), "" for class-level changes
    endpoint: str  # "GET /users/{id}", "" for class-level changes
    path: str  # JSON path of the field, parameter name or class name; "" if none
    old: str  # type or name before ("" when added)
    new: str  # after ("" when removed)
    message: str  # one readable sentence

    @property
    def breaking(self) -> bool:
        return self.severity == BREAKING


@dataclass(slots=True)
class Report:
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> list[Change]:
        return [c for c in self.changes if c.severity == BREAKING]

    @property
    def compatible(self) -> list[Change]:
        return [c for c in self.changes if c.severity == COMPATIBLE]

    @property
    def empty(self) -> bool:
        return not self.changes

    def groups(self) -> Iterator[tuple[Group, list[Change]]]:
        for g in Group:
            items = [c for c in self.changes if c.group == g.value]
            if items:
                yield g, items


# -- schemas as sets of JSON kinds ---------------------------------------------


@dataclass(slots=True)
class _Norm:
    """A schema as the JSON kinds it accepts; object kinds keep their schema."""

    any: bool = False
    null: bool = False
    kinds: dict[str, Schema] = field(default_factory=dict)  # kind -> schema
    ref: str = ""  # class name when the object kind is a named class


# Kind order: a value of the left kind is accepted where the right one is.
_WIDER = {("integer", "number"), ("datetime", "string")}


class _Side:
    """One document, with `$ref` resolution."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.schemas: dict[str, Schema] = (doc.get("components") or {}).get("schemas") or {}

    def class_names(self) -> set[str]:
        """Class names: a schema's title where it has one, else its key."""
        out = set()
        for key, schema in self.schemas.items():
            title = schema.get("title") if isinstance(schema, dict) else None
            out.add(title if isinstance(title, str) and title else key)
        return out

    def resolve(self, schema: Schema) -> tuple[Schema, str]:
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
            key = ref.rsplit("/", 1)[1].replace("~1", "/").replace("~0", "~")
            schema = self.schemas.get(key, {})
            title = schema.get("title")
            return schema, title if isinstance(title, str) and title else key
        return schema, ""

    def norm(self, schema: Schema) -> _Norm:
        out = _Norm()
        self._add(schema, out)
        return out

    def _add(self, schema: Schema, out: _Norm) -> None:
        schema, name = self.resolve(schema)
        if name:
            out.ref = name
        for key in ("oneOf", "anyOf"):
            if key in schema:
                for option in schema[key]:
                    self._add(option, out)
                return
        t = schema.get("type")
        if t is None:
            if not name:
                out.any = True
            else:
                out.kinds["object"] = schema
            return
        for one in t if isinstance(t, list) else [t]:
            if one == "null":
                out.null = True
            elif one == "string" and schema.get("format") == "date-time":
                out.kinds["datetime"] = schema
            elif one == "object" and "additionalProperties" in schema and "properties" not in schema:
                out.kinds["map"] = schema
            else:
                out.kinds[one] = schema


def type_text(side: _Side, schema: Schema, depth: int = 0) -> str:
    """A schema as the Python type the generated client uses for it."""
    n = side.norm(schema)
    if n.any:
        return "JsonValue"
    parts = []
    names = {"string": "str", "integer": "int", "number": "float", "boolean": "bool",
             "datetime": "datetime"}
    for kind, sub in n.kinds.items():
        if kind in names:
            parts.append(names[kind])
        elif depth > 4:
            parts.append("...")
        elif kind == "array":
            parts.append(f"list[{type_text(side, sub.get('items', {}), depth + 1)}]")
        elif kind == "map":
            inner = sub.get("additionalProperties", {})
            inner = inner if isinstance(inner, dict) else {}
            parts.append(f"dict[str, {type_text(side, inner, depth + 1)}]")
        elif kind == "object":
            parts.append(n.ref or _ref_name(sub) or "object")
    if n.null:
        parts.append("None")
    return " | ".join(parts) or "JsonValue"


def _ref_name(schema: Schema) -> str:
    ref = schema.get("$ref")
    return ref.rsplit("/", 1)[1] if isinstance(ref, str) else ""


# -- comparison -----------------------------------------------------------------


class _Comparer:
    def __init__(self, old: Doc, new: Doc) -> None:
        self.o = _Side(old)
        self.n = _Side(new)
        self.changes: list[Change] = []
        self.renames: dict[tuple[str, str], None] = {}  # class (old, new) seen in place

    def add(self, kind: str, severity: str, group: Group, request: str, endpoint: str,
            path: str, old: str, new: str, message: str) -> None:
        self.changes.append(Change(kind, severity, group.value, request, endpoint, path,
                                   old, new, message))

    # -- requests
    def run(self) -> Report:
        old_ops = _operations(self.o.doc)
        new_ops = _operations(self.n.doc)
        pairs, removed, added = _match(old_ops, new_ops)
        # Same method name at another URL: the caller's call does not change.
        added_by_id = {o.op_id: o for o in added}
        still_removed = []
        for o in removed:
            moved = added_by_id.pop(o.op_id, None)
            if moved is None:
                still_removed.append(o)
                continue
            self.add("request_moved", COMPATIBLE, Group.REQUESTS, o.op_id, moved.endpoint,
                     "", o.endpoint, moved.endpoint,
                     f"`{o.op_id}` now calls {moved.endpoint} (was {o.endpoint})")
            pairs.append((o, moved))
        for o in still_removed:
            self.add("request_removed", BREAKING, Group.REQUESTS, o.op_id, o.endpoint, "",
                     o.op_id, "", f"`{o.op_id}` ({o.endpoint}) was removed")
        for o in added_by_id.values():
            self.add("request_added", COMPATIBLE, Group.REQUESTS, o.op_id, o.endpoint, "",
                     "", o.op_id, f"`{o.op_id}` ({o.endpoint}) was added")
        for old, new in pairs:
            if old.op_id != new.op_id:
                self.add("request_renamed", BREAKING, Group.REQUESTS, new.op_id, new.endpoint,
                         "", old.op_id, new.op_id,
                         f"`{old.op_id}` was renamed to `{new.op_id}` ({new.endpoint})")
            self.operation(old, new)
        self.classes()
        return Report(sorted(self.changes, key=_order))

    def operation(self, old: _Op, new: _Op) -> None:
        req, ep = new.op_id, new.endpoint
        self.parameters(old, new)
        if _auth(old.body) != _auth(new.body):
            self.add("auth_changed", BREAKING, Group.REQUESTS, req, ep, "",
                     _auth(old.body) or "none", _auth(new.body) or "none",
                     f"`{req}`: auth changed from {_auth(old.body) or 'none'} "
                     f"to {_auth(new.body) or 'none'}")
        self.request_body(old, new)
        self.response(old, new)
        self.error(old, new)

    def parameters(self, old: _Op, new: _Op) -> None:
        req, ep = new.op_id, new.endpoint
        op, np = _params(old.body), _params(new.body)
        for key in sorted(op.keys() | np.keys()):
            where, name = key
            label = f"{where} parameter `{_pyname(np.get(key) or op[key])}`"
            if key not in np:
                self.add("parameter_removed", BREAKING, Group.PARAMETERS, req, ep, name, name, "",
                         f"`{req}`: {label} was removed")
            elif key not in op:
                required = bool(np[key].get("required"))
                self.add("parameter_added", BREAKING if required else COMPATIBLE,
                         Group.PARAMETERS, req, ep, name, "",
                         "required" if required else "optional",
                         f"`{req}`: {'required' if required else 'optional'} {label} was added")
            else:
                was, now = bool(op[key].get("required")), bool(np[key].get("required"))
                if was and not now:
                    self.add("parameter_optional", COMPATIBLE, Group.PARAMETERS, req, ep, name,
                             "required", "optional", f"`{req}`: {label} is now optional")
                elif now and not was:
                    self.add("parameter_required", BREAKING, Group.PARAMETERS, req, ep, name,
                             "optional", "required", f"`{req}`: {label} is now required")

    def request_body(self, old: _Op, new: _Op) -> None:
        req, ep = new.op_id, new.endpoint
        ob, nb = old.body.get("requestBody"), new.body.get("requestBody")
        if ob is None and nb is None:
            return
        if ob is None or nb is None:
            kind = "request_body_added" if ob is None else "request_body_removed"
            severity = BREAKING if nb is None or nb.get("required") else COMPATIBLE
            self.add(kind, severity, Group.REQUEST_BODIES, req, ep, "$",
                     _media(ob), _media(nb),
                     f"`{req}`: request body {'added' if ob is None else 'removed'}")
            return
        if _media(ob) != _media(nb):
            self.add("request_body_changed", BREAKING, Group.REQUEST_BODIES, req, ep, "$",
                     _media(ob), _media(nb),
                     f"`{req}`: request body is now {_media(nb)} (was {_media(ob)})")
            return
        if nb.get("required") and not ob.get("required"):
            self.add("request_body_required", BREAKING, Group.REQUEST_BODIES, req, ep, "$",
                     "optional", "required", f"`{req}`: the request body is now required")
        media = _media(nb)
        self.schema(_schema(ob, media), _schema(nb, media), "$", "request", req, ep, 0)

    def response(self, old: _Op, new: _Op) -> None:
        req, ep = new.op_id, new.endpoint
        (om, os_), (nm, ns) = _success(old.body), _success(new.body)
        if om != nm:
            self.add("response_type_changed", BREAKING, Group.RESPONSES, req, ep, "$",
                     _kind_text(self.o, om, os_), _kind_text(self.n, nm, ns),
                     f"`{req}` now returns {_kind_text(self.n, nm, ns)} "
                     f"(was {_kind_text(self.o, om, os_)})")
            return
        if om == "application/json" and os_ is not None and ns is not None:
            self.schema(os_, ns, "$", "response", req, ep, 0)

    def error(self, old: _Op, new: _Op) -> None:
        req, ep = new.op_id, new.endpoint
        os_, ns = _error(old.body), _error(new.body)
        if os_ is None and ns is None:
            return
        if os_ is None or ns is None:
            added = os_ is None
            text = type_text(self.n, ns) if ns is not None else ""
            old_text = type_text(self.o, os_) if os_ is not None else ""
            self.add("error_model_added" if added else "error_model_removed",
                     COMPATIBLE if added else BREAKING, Group.ERRORS, req, ep, "$",
                     old_text, text,
                     f"`{req}`: errors are now parsed as {text}" if added else
                     f"`{req}`: errors are no longer parsed as {old_text}")
            return
        self.schema(os_, ns, "$", "error", req, ep, 0)

    # -- fields
    def schema(self, old: Schema, new: Schema, path: str, side: str, req: str, ep: str,
               depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        on, nn = self.o.norm(old), self.n.norm(new)
        if on.ref and nn.ref and on.ref != nn.ref:
            self.renames.setdefault((on.ref, nn.ref), None)
        group = {"request": Group.REQUEST_BODIES, "response": Group.RESPONSES,
                 "error": Group.ERRORS}[side]
        relation = _relation(on, nn)
        if relation != "same":
            old_t, new_t = type_text(self.o, old), type_text(self.n, new)
            if relation == "narrowed" and on.any:
                severity = BREAKING if side == "request" else COMPATIBLE
            elif relation == "widened":
                severity = COMPATIBLE if side == "request" else BREAKING
            else:
                severity = BREAKING
            verb = {"widened": "widened", "narrowed": "narrowed", "changed": "changed"}[relation]
            self.add(f"{side}_field_{relation}", severity, group, req, ep, path, old_t, new_t,
                     f"`{req}`: {_where(side, path)} type {verb} from {old_t} to {new_t}")
        # Recurse into the kinds both sides share.
        for kind in on.kinds.keys() & nn.kinds.keys():
            o, n = on.kinds[kind], nn.kinds[kind]
            if kind == "array":
                self.schema(o.get("items", {}), n.get("items", {}), path + "[*]", side, req,
                            ep, depth + 1)
            elif kind == "map":
                oa, na = o.get("additionalProperties", {}), n.get("additionalProperties", {})
                self.schema(oa if isinstance(oa, dict) else {}, na if isinstance(na, dict)
                            else {}, path + ".*", side, req, ep, depth + 1)
            elif kind == "object":
                self.fields(o, n, path, side, req, ep, depth, group)

    def fields(self, old: Schema, new: Schema, path: str, side: str, req: str, ep: str,
               depth: int, group: Group) -> None:
        op, np_ = old.get("properties") or {}, new.get("properties") or {}
        oreq, nreq = set(old.get("required") or ()), set(new.get("required") or ())
        response = side != "request"
        for key in sorted(op.keys() | np_.keys()):
            fpath = path + _step(key)
            where = _where(side, fpath)
            if key not in np_:
                self.add(f"{side}_field_removed", BREAKING, group, req, ep, fpath,
                         type_text(self.o, op[key]), "", f"`{req}`: {where} was removed")
            elif key not in op:
                required = key in nreq
                t = type_text(self.n, np_[key])
                self.add(f"{side}_field_added", BREAKING if required else COMPATIBLE, group,
                         req, ep, fpath, "", t,
                         f"`{req}`: {'required' if required else 'optional'} {where} "
                         f"({t}) was added" + (_rejected(side) if required else ""))
            else:
                was, now = key in oreq, key in nreq
                if was and not now:
                    self.add(f"{side}_field_optional", BREAKING if response else COMPATIBLE,
                             group, req, ep, fpath, "required", "optional",
                             f"`{req}`: {where} is now optional")
                elif now and not was:
                    self.add(f"{side}_field_required", BREAKING, group, req, ep, fpath,
                             "optional", "required",
                             f"`{req}`: {where} is now required" + _rejected(side))
                self.schema(op[key], np_[key], fpath, side, req, ep, depth + 1)

    def classes(self) -> None:
        old_names, new_names = self.o.class_names(), self.n.class_names()
        done: set[str] = set()
        for old, new in sorted(self.renames):
            if old in new_names or new in old_names or old in done:
                continue  # both still exist: a type change, reported in place
            done.add(old)
            self.add("class_renamed", BREAKING, Group.CLASSES, "", "", old, old, new,
                     f"class `{old}` was renamed to `{new}`")


def _relation(o: _Norm, n: _Norm) -> str:
    """same | widened | narrowed | changed: of what JSON each side accepts."""
    if o.any or n.any:
        if o.any and n.any:
            return "same"
        return "widened" if n.any else "narrowed"
    ok, nk = set(o.kinds), set(n.kinds)
    if ok == nk and o.null == n.null:
        return "same"
    covers_old = all(k in nk or any((k, w) in _WIDER for w in nk) for k in ok) and (
        n.null or not o.null)
    covers_new = all(k in ok or any((k, w) in _WIDER for w in ok) for k in nk) and (
        o.null or not n.null)
    if covers_old and not covers_new:
        return "widened"
    if covers_new and not covers_old:
        return "narrowed"
    return "changed"


@dataclass(slots=True)
class _Op:
    op_id: str
    method: str
    path: str  # the paths key (may carry "#name" for a duplicate)
    server: str
    body: dict[str, Any]

    @property
    def endpoint(self) -> str:
        return f"{self.method.upper()} {self.path.split('#', 1)[0]}"


def _operations(doc: Doc) -> list[_Op]:
    out = []
    for path, item in sorted((doc.get("paths") or {}).items()):
        if not isinstance(item, dict):
            continue
        for method, op in sorted(item.items()):
            if not isinstance(op, dict) or "responses" not in op:
                continue
            servers = op.get("servers") or []
            server = servers[0].get("url", "") if servers else ""
            name = op.get("x-http-method") or method
            out.append(_Op(str(op.get("operationId", "")), str(name), path, server, op))
    return out


def _match_key(op: _Op) -> tuple[str, str, str]:
    # Placeholders match whatever their names: `{id}` and `{user_id}` are one URL;
    # "#name" marks a second request with the same method and URL.
    path = re.sub(r"\{[^}]*\}", "{}", op.path.split("#", 1)[0])
    return op.method.upper(), path, op.server


def _match(old: list[_Op], new: list[_Op]) -> tuple[list[tuple[_Op, _Op]], list[_Op], list[_Op]]:
    """Pair requests by method and URL: (pairs, only in old, only in new).

    Several requests may share one method and URL (Postman allows it): those
    with the same method name pair first, the rest in document order.
    """
    groups: dict[tuple[str, str, str], tuple[list[_Op], list[_Op]]] = {}
    for o in old:
        groups.setdefault(_match_key(o), ([], []))[0].append(o)
    for n in new:
        groups.setdefault(_match_key(n), ([], []))[1].append(n)
    pairs: list[tuple[_Op, _Op]] = []
    removed: list[_Op] = []
    added: list[_Op] = []
    for olds, news in groups.values():
        new_ids: dict[str, _Op] = {n.op_id: n for n in news}
        rest_old: list[_Op] = []
        for o in olds:
            same = new_ids.pop(o.op_id, None)
            if same is None:
                rest_old.append(o)
            else:
                pairs.append((o, same))
        rest_new = [x for x in news if x.op_id in new_ids]
        pairs.extend(zip(rest_old, rest_new))
        removed.extend(rest_old[len(rest_new):])
        added.extend(rest_new[len(rest_old):])
    return pairs, removed, added


def _params(op: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    """Parameters by (in, name); a `$ref` parameter (not made by us) is skipped."""
    out = {}
    for p in op.get("parameters") or []:
        if isinstance(p, dict) and isinstance(p.get("in"), str) and isinstance(
                p.get("name"), str):
            out[(p["in"], p["name"])] = p
    return out


def _pyname(param: dict[str, Any]) -> str:
    return str(param.get("x-python-name") or param.get("name"))


def _auth(op: dict[str, Any]) -> str:
    return ", ".join(sorted(k for s in op.get("security") or [] for k in s))


def _media(body: dict[str, Any] | None) -> str:
    if body is None:
        return ""
    return ", ".join(sorted((body.get("content") or {}).keys()))


def _schema(body: dict[str, Any], media: str) -> Schema:
    content = (body.get("content") or {}).get(media.split(", ")[0]) or {}
    schema = content.get("schema")
    return schema if isinstance(schema, dict) else {}


def _status_order(code: str) -> tuple[int, str]:
    return (0 if code[:1] == "2" else 1 if code[:1] in "45" else 2, code)


def _success(op: dict[str, Any]) -> tuple[str, Schema | None]:
    """(media type, schema) of the first success response; ("", None) when empty."""
    for code, resp in sorted((op.get("responses") or {}).items(), key=lambda x: x[0]):
        if not code.startswith("2"):
            continue
        content = resp.get("content") or {}
        if not content:
            return "", None
        media = min(content)
        schema = content[media].get("schema")
        return media, schema if isinstance(schema, dict) else {}
    return "", None


def _error(op: dict[str, Any]) -> Schema | None:
    for code, resp in sorted((op.get("responses") or {}).items(), key=lambda x: _status_order(x[0])):
        if code.startswith(("4", "5")) or code == "default":
            content = (resp.get("content") or {}).get("application/json")
            if content is not None:
                schema = content.get("schema")
                return schema if isinstance(schema, dict) else {}
    return None


def _kind_text(side: _Side, media: str, schema: Schema | None) -> str:
    if not media:
        return "nothing (empty response)"
    if media == "application/json" and schema is not None:
        return type_text(side, schema)
    if media == "text/plain":
        return "str (text)"
    if media == "application/octet-stream":
        return "bytes"
    return "untyped content"


def _step(key: str) -> str:
    if key.isidentifier() and key.isascii():
        return "." + key
    return "[" + json.dumps(key, ensure_ascii=False) + "]"


def _where(side: str, path: str) -> str:
    label = {"request": "request field", "response": "response field",
             "error": "error field"}[side]
    if path == "$":
        return {"request": "request body", "response": "return value",
                "error": "error model"}[side]
    return f"{label} {_code(path)}"


def _rejected(side: str) -> str:
    return {"response": "; responses without it are rejected",
            "error": "; error responses without it are rejected"}.get(side, "")


def _code(text: str) -> str:
    """A Markdown code span that a backtick in the text cannot close."""
    if "`" not in text:
        return f"`{text}`"
    return f"`` {text} ``"


def _order(c: Change) -> tuple[int, int, str, str, str]:
    groups = [g.value for g in Group]
    return (groups.index(c.group), 0 if c.breaking else 1, c.request, c.path, c.kind)


def compare(old: Doc, new: Doc) -> Report:
    """The API-level changes from `old` to `new` (two OpenAPI documents)."""
    return _Comparer(old, new).run()


# -- renderers -------------------------------------------------------------------


def _counts(report: Report) -> str:
    """Counts of the lines a reader sees (a change shared by requests is one line)."""
    lines = [b for _, items in report.groups() for b, _ in _merged(items)]
    b = sum(lines)
    return f"{b} breaking, {len(lines) - b} compatible"


def _merged(items: list[Change]) -> list[tuple[bool, str]]:
    """(breaking, message) lines; one change seen by several requests is one line.

    Requests that share a model (Zoho's `job_details` on v2 and v2.1) see the
    same field change: "`v2.job_details`, `v2_1.job_details`: ...".
    """
    merged: dict[tuple[bool, str], list[str]] = {}
    for c in items:
        prefix = f"`{c.request}`: "
        if c.request and c.message.startswith(prefix):
            merged.setdefault((c.breaking, c.message[len(prefix):]), []).append(c.request)
        else:
            merged.setdefault((c.breaking, c.message), [])
    out = []
    for (breaking, rest), requests in merged.items():
        if requests:
            names = ", ".join(f"`{r}`" for r in dict.fromkeys(requests))
            out.append((breaking, f"{names}: {rest}"))
        else:
            out.append((breaking, rest))
    return out


def render_text(report: Report) -> str:
    """Plain text, grouped by section, breaking changes first in each."""
    if report.empty:
        return "No API changes.\n"
    lines = [f"API changes: {_counts(report)}"]
    for group, items in report.groups():
        lines.append("")
        lines.append(f"{group.value.capitalize()}:")
        for breaking, message in _merged(items):
            mark = "BREAKING  " if breaking else "compatible"
            lines.append(f"  {mark}  {message}")
    return escape_invisible("\n".join(lines) + "\n")


def render_markdown(report: Report) -> str:
    """A pull-request comment: a headline, then one table per section."""
    if report.empty:
        return "### API changes\n\nNo API changes.\n"
    lines = ["### API changes", "", f"**{_counts(report)}**"]
    for group, items in report.groups():
        lines += ["", f"#### {group.value.capitalize()}", "", "| | change |", "|---|---|"]
        for breaking, message in _merged(items):
            mark = ":boom: breaking" if breaking else "compatible"
            lines.append(f"| {mark} | {_md_cell(message)} |")
    return escape_invisible("\n".join(lines) + "\n")


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render_json(report: Report) -> str:
    """Machine-readable: counts and every change, sorted keys, final newline."""
    body = {
        "breaking": len(report.breaking),
        "compatible": len(report.compatible),
        "changes": [asdict(c) for c in report.changes],
    }
    return escape_invisible(json.dumps(body, indent=2, sort_keys=True, ensure_ascii=False) + "\n")


def summary_for_check(old_openapi: Doc, new_openapi: Doc) -> str:
    """A short API-change summary for `check` to print above its unified diff.

    Empty when the APIs are the same; otherwise the text report.
    """
    report = compare(old_openapi, new_openapi)
    return "" if report.empty else render_text(report)


def summary_for_output(out_dir: Path, rendered: Mapping[str, str]) -> str:
    """The API-change summary for `check`: every package whose `openapi.json` on
    disk differs from the one about to be written, headed by the package name.

    `rendered` maps output-relative paths (`zoho_crm/openapi.json`) to new text.
    A package without an `openapi.json` on disk (new, or built before the
    generator wrote one) is skipped. Empty when no API changed.
    """
    parts = []
    for rel in sorted(rendered):
        if not rel.endswith("/openapi.json"):
            continue
        try:
            old_text = (out_dir / rel).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if old_text == rendered[rel]:
            continue
        try:
            old, new = json.loads(old_text), json.loads(rendered[rel])
        except ValueError:
            continue
        if isinstance(old, dict) and isinstance(new, dict):
            text = summary_for_check(old, new)
            if text:
                parts.append(f"{rel.rsplit('/', 1)[0]}: {text}")
    return "\n".join(parts)
