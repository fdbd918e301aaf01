"""Load Postman collections (v2.0 and v2.1) into a small, validated model.

Everything downstream works on these frozen dataclasses, never on raw JSON.
Every problem is reported with the file and the JSON path of the value.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InputError, Notice

SUPPORTED_SCHEMAS = ("v2.0.0", "v2.1.0")
VARIABLE_RE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


@dataclass(frozen=True, slots=True)
class Variable:
    key: str
    value: str | None
    description: str = ""
    secret: bool = False  # `"type": "secret"`: its value is never written into code


@dataclass(frozen=True, slots=True)
class Environment:
    """A Postman environment: values by variable, and which of them are secrets."""

    values: Mapping[str, str] = field(default_factory=dict)
    secrets: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class KeyValue:
    """A header, query parameter, or urlencoded/formdata field."""

    key: str
    value: str | None
    disabled: bool = False
    description: str = ""
    kind: str = "text"  # formdata parts: "text" or "file"
    content_type: str = ""  # formdata parts: the part's `contentType`


@dataclass(frozen=True, slots=True)
class Auth:
    """Effective auth of a request after inheritance (`type` "noauth" = none)."""

    type: str
    params: tuple[tuple[str, str], ...] = ()

    def get(self, key: str, default: str = "") -> str:
        for k, v in self.params:
            if k == key:
                return v
        return default


@dataclass(frozen=True, slots=True)
class Url:
    raw: str
    host: str  # protocol + host + port, may hold {{variables}}
    path: tuple[str, ...]
    query: tuple[KeyValue, ...]
    variables: tuple[Variable, ...]  # `url.variable`: `:name` path variables


@dataclass(frozen=True, slots=True)
class Body:
    mode: str  # raw, urlencoded, formdata, file, graphql
    raw: str = ""
    language: str = ""
    fields: tuple[KeyValue, ...] = ()
    graphql_query: str = ""
    graphql_variables: str = ""


@dataclass(frozen=True, slots=True)
class Example:
    name: str
    source: str  # JSON path of the example inside the collection file
    status: int | None
    body: str | None
    headers: tuple[KeyValue, ...]
    original_url: Url | None


@dataclass(frozen=True, slots=True)
class Request:
    name: str
    source: str  # `item[1].item[0]`
    folders: tuple[str, ...]
    description: str
    method: str
    url: Url
    headers: tuple[KeyValue, ...]
    auth: Auth
    body: Body | None
    examples: tuple[Example, ...]


@dataclass(frozen=True, slots=True)
class Folder:
    name: str
    source: str
    description: str
    folders: tuple[Folder, ...]
    requests: tuple[Request, ...]


@dataclass(frozen=True, slots=True)
class Collection:
    name: str
    file: str
    description: str
    variables: tuple[Variable, ...]
    root: Folder
    notices: tuple[Notice, ...] = field(default=())

    def requests(self) -> list[Request]:
        """All requests in collection order (depth first)."""
        out: list[Request] = []

        def walk(folder: Folder) -> None:
            # Folder items and request items are interleaved in the file; their
            # `source` paths keep that order.
            nodes: list[Folder | Request] = [*folder.folders, *folder.requests]
            for node in sorted(nodes, key=lambda n: _source_key(n.source)):
                if isinstance(node, Folder):
                    walk(node)
                else:
                    out.append(node)

        walk(self.root)
        return out


def _source_key(source: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", source))


def text_of(value: object) -> str:
    """A description: a string, a `{content, type}` object, or nothing.

    Blank text counts as nothing, so what falls back to a name does."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value.strip() else ""


def read_json(path: Path) -> Any:
    """Read a JSON file, turning every failure into an InputError naming it."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(path, "$", f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise InputError(path, "$", "file is empty")
    if b"\x00" in data[:4096]:
        raise InputError(path, "$", "binary file, expected a Postman collection (JSON)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(path, "$", f"not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as exc:
        raise InputError(
            path, "$", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None
    except RecursionError:
        raise InputError(path, "$", "JSON nested too deeply to read") from None
    except ValueError as exc:
        raise InputError(path, "$", f"not valid JSON: {exc}") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not allowed in JSON")


class _Loader:
    def __init__(self, file: Path) -> None:
        self.file = file
        self.notices: list[Notice] = []
        self.scripts: list[str] = []  # where `event` scripts were found

    # -- helpers ---------------------------------------------------------
    def fail(self, path: str, message: str) -> InputError:
        return InputError(self.file, path, message)

    def note(self, path: str, message: str) -> None:
        self.notices.append(Notice(str(self.file), path, message))

    def expect(self, value: object, kind: type | tuple[type, ...], path: str, what: str) -> Any:
        if not isinstance(value, kind):
            raise self.fail(path, f"expected {what}, found {_json_kind(value)}")
        return value

    def string(self, value: object, path: str, default: str = "") -> str:
        if value is None:
            return default
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        raise self.fail(path, f"expected a string, found {_json_kind(value)}")

    # -- structure -------------------------------------------------------
    def folder(
        self, node: dict[str, Any], path: str, prefix: str, folders: tuple[str, ...],
        auth: Auth,
    ) -> tuple[list[Folder], list[Request]]:
        items = node.get("item", [])
        self.expect(items, list, f"{path}.item" if path != "$" else "$.item", "an array of items")
        sub: list[Folder] = []
        requests: list[Request] = []
        for i, item in enumerate(items):
            where = f"{prefix}item[{i}]"
            jpath = f"$.{where}" if not where.startswith("$") else where
            self.expect(item, dict, jpath, "an item object")
            name = self.string(item.get("name"), f"{jpath}.name", default="")
            if "item" in item:
                item_auth = self.auth(item.get("auth"), f"{jpath}.auth", auth)
                self.events(item, jpath)
                fs, rs = self.folder(item, jpath, where + ".", (*folders, name), item_auth)
                sub.append(
                    Folder(name, where, text_of(item.get("description")), tuple(fs), tuple(rs))
                )
            elif "request" in item:
                requests.append(self.request(item, where, jpath, folders, auth))
            else:
                raise self.fail(jpath, "item has neither `request` nor `item`")
        return sub, requests

    def events(self, node: dict[str, Any], path: str) -> None:
        if node.get("event"):
            self.scripts.append(path)

    def request(
        self, item: dict[str, Any], where: str, jpath: str, folders: tuple[str, ...],
        inherited: Auth,
    ) -> Request:
        name = self.string(item.get("name"), f"{jpath}.name", default="")
        req = item["request"]
        rpath = f"{jpath}.request"
        if isinstance(req, str):
            req = {"url": req, "method": "GET"}
        self.expect(req, dict, rpath, "a request object or URL string")
        self.events(item, jpath)
        method = self.string(req.get("method"), f"{rpath}.method", default="GET").upper()
        if not re.fullmatch(r"[A-Z][A-Z0-9_-]*", method):
            raise self.fail(f"{rpath}.method", f"not an HTTP method: {method!r}")
        url = self.url(req.get("url", ""), f"{rpath}.url")
        examples = []
        responses = item.get("response") or []
        self.expect(responses, list, f"{jpath}.response", "an array of responses")
        for i, resp in enumerate(responses):
            examples.append(self.example(resp, f"{jpath}.response[{i}]"))
        return Request(
            name=name,
            source=where,
            folders=folders,
            description=text_of(req.get("description")) or text_of(item.get("description")),
            method=method,
            url=url,
            headers=self.pairs(req.get("header"), f"{rpath}.header"),
            auth=self.auth(req.get("auth"), f"{rpath}.auth", inherited),
            body=self.body(req.get("body"), f"{rpath}.body"),
            examples=tuple(examples),
        )

    def example(self, resp: object, path: str) -> Example:
        self.expect(resp, dict, path, "a response object")
        assert isinstance(resp, dict)
        code = resp.get("code")
        status: int | None = None
        if isinstance(code, int) and not isinstance(code, bool):
            status = code
        elif isinstance(code, str) and code.strip().isdigit():
            status = int(code)
        else:
            status = status_from_text(resp.get("status"))
        body = resp.get("body")
        if body is not None and not isinstance(body, str):
            # Some exporters store the parsed JSON; keep it as JSON text.
            body = json.dumps(body)
        original = resp.get("originalRequest")
        original_url = None
        if isinstance(original, dict) and original.get("url") is not None:
            original_url = self.url(original["url"], f"{path}.originalRequest.url")
        elif isinstance(original, str):
            original_url = self.url(original, f"{path}.originalRequest")
        return Example(
            name=self.string(resp.get("name"), f"{path}.name"),
            source=path.removeprefix("$."),
            status=status,
            body=body,
            headers=self.pairs(resp.get("header"), f"{path}.header", strict=False),
            original_url=original_url,
        )

    def pairs(self, value: object, path: str, strict: bool = True) -> tuple[KeyValue, ...]:
        if value is None or value == "":
            return ()
        if isinstance(value, str):
            # v2 allows headers as one "Key: value\n" string.
            out = []
            for line in value.splitlines():
                if ":" in line:
                    k, v = line.split(":", 1)
                    out.append(KeyValue(k.strip(), v.strip()))
            return tuple(out)
        if not isinstance(value, list):
            if not strict:
                return ()
            raise self.fail(path, f"expected an array, found {_json_kind(value)}")
        out = []
        for i, kv in enumerate(value):
            p = f"{path}[{i}]"
            if isinstance(kv, str) and not strict:
                continue
            self.expect(kv, dict, p, "an object with `key` and `value`")
            key = kv.get("key", kv.get("name"))
            if key is None:
                continue
            raw_value = kv.get("value")
            kind = kv.get("type") if kv.get("type") in ("text", "file") else "text"
            if kind == "file":
                src = kv.get("src")
                raw_value = src if isinstance(src, str) else None
            ctype = kv.get("contentType")
            out.append(
                KeyValue(
                    key=self.string(key, f"{p}.key"),
                    value=None if raw_value is None else self.string(raw_value, f"{p}.value")
                    if not isinstance(raw_value, (list, dict)) else json.dumps(raw_value),
                    disabled=kv.get("disabled") is True,
                    description=text_of(kv.get("description")),
                    kind=kind,
                    content_type=ctype if isinstance(ctype, str) else "",
                )
            )
        return tuple(out)

    def url(self, value: object, path: str) -> Url:
        if isinstance(value, str):
            return parse_raw_url(value)
        self.expect(value, dict, path, "a URL string or object")
        assert isinstance(value, dict)
        raw = value.get("raw")
        parsed = parse_raw_url(raw) if isinstance(raw, str) else None
        host_v = value.get("host")
        if isinstance(host_v, list):
            host = ".".join(self.string(h, f"{path}.host") for h in host_v)
        elif isinstance(host_v, str):
            host = host_v
        else:
            host = parsed.host if parsed else ""
        protocol = value.get("protocol")
        if isinstance(protocol, str) and protocol and "://" not in host:
            host = f"{protocol}://{host}"
        port = value.get("port")
        if isinstance(port, (str, int)) and str(port) and not host.endswith(f":{port}"):
            host = f"{host}:{port}"
        if parsed and host and "://" in parsed.host and "://" not in host:
            host = parsed.host  # `raw` keeps the scheme the host array drops
        path_v = value.get("path")
        if isinstance(path_v, list):
            segments = tuple(
                self.string(s.get("value") if isinstance(s, dict) else s, f"{path}.path[{i}]")
                for i, s in enumerate(path_v)
            )
        elif isinstance(path_v, str):
            segments = tuple(s for s in path_v.split("/") if s)
        else:
            segments = parsed.path if parsed else ()
        if "query" in value:
            query = self.pairs(value.get("query"), f"{path}.query", strict=False)
        else:
            query = parsed.query if parsed else ()
        variables = []
        url_vars = value.get("variable")
        for i, var in enumerate(url_vars if isinstance(url_vars, list) else []):
            if isinstance(var, dict) and var.get("key") is not None:
                variables.append(
                    Variable(
                        self.string(var.get("key"), f"{path}.variable[{i}].key"),
                        _scalar_text(var.get("value")),
                        text_of(var.get("description")),
                    )
                )
        if not host and not segments and parsed:
            host = parsed.host
        raw_text = raw if isinstance(raw, str) else _join_url(host, segments, query)
        return Url(raw_text, host, segments, query, tuple(variables))

    def auth(self, value: object, path: str, inherited: Auth) -> Auth:
        if value is None:
            return inherited
        self.expect(value, dict, path, "an auth object")
        assert isinstance(value, dict)
        kind = value.get("type")
        if kind in (None, "inherit"):
            return inherited
        kind = self.string(kind, f"{path}.type")
        if kind == "noauth":
            return Auth("noauth")
        params = value.get(kind)
        pairs: list[tuple[str, str]] = []
        if isinstance(params, list):  # v2.1: [{key, value, type}]
            for p in params:
                if isinstance(p, dict) and isinstance(p.get("key"), str):
                    pairs.append((p["key"], _scalar_text(p.get("value")) or ""))
        elif isinstance(params, dict):  # v2.0: {key: value}
            for k, v in params.items():
                pairs.append((str(k), _scalar_text(v) or ""))
        return Auth(kind, tuple(pairs))

    def body(self, value: object, path: str) -> Body | None:
        if not value:
            return None
        self.expect(value, dict, path, "a body object")
        assert isinstance(value, dict)
        if value.get("disabled") is True:
            return None
        mode = value.get("mode")
        if mode == "raw":
            raw = value.get("raw")
            if raw is None or raw == "":
                return None
            if not isinstance(raw, str):
                raw = json.dumps(raw)
            options = value.get("options")
            lang = ""
            if isinstance(options, dict) and isinstance(options.get("raw"), dict):
                lang = str(options["raw"].get("language") or "")
            return Body("raw", raw=raw, language=lang)
        if mode in ("urlencoded", "formdata"):
            fields = self.pairs(value.get(mode), f"{path}.{mode}", strict=False)
            return Body(mode, fields=fields)  # disabled fields become optional keywords
        if mode == "file":
            return Body("file")
        if mode == "graphql":
            gql = value.get("graphql")
            if not isinstance(gql, dict):
                return Body("graphql")
            query = gql.get("query")
            variables = gql.get("variables")
            return Body(
                "graphql",
                graphql_query=query if isinstance(query, str) else "",
                graphql_variables=variables if isinstance(variables, str) else (
                    json.dumps(variables) if variables is not None else ""
                ),
            )
        if mode is None:
            return None
        self.note(path, f"body mode {mode!r} is not supported; the request is sent without it")
        return None


def _scalar_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value)


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def status_from_text(text: object) -> int | None:
    from http import HTTPStatus

    if not isinstance(text, str):
        return None
    wanted = re.sub(r"[^a-z]", "", text.lower())
    if not wanted:
        return None
    for status in HTTPStatus:
        if re.sub(r"[^a-z]", "", status.phrase.lower()) == wanted:
            return int(status)
    return None


def _join_url(host: str, path: tuple[str, ...], query: tuple[KeyValue, ...]) -> str:
    url = host + ("/" + "/".join(path) if path else "")
    enabled = [q for q in query if not q.disabled]
    if enabled:
        url += "?" + "&".join(q.key if q.value is None else f"{q.key}={q.value}" for q in enabled)
    return url


def parse_raw_url(raw: str) -> Url:
    """Split a raw Postman URL (`{{host}}/a/:b?c=d`) into host, path and query."""
    rest = raw.strip()
    rest = rest.split("#", 1)[0]
    query: list[KeyValue] = []
    if "?" in rest:
        rest, qs = rest.split("?", 1)
        for part in qs.split("&"):
            if not part:
                continue
            k, eq, v = part.partition("=")
            query.append(KeyValue(k, v if eq else None))  # `?flag`: no value at all
    scheme = ""
    m = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*://)", rest)
    if m:
        scheme = m.group(1)
        rest = rest[len(scheme):]
    host, _, path = rest.partition("/")
    segments = tuple(s for s in path.split("/") if s != "") if path else ()
    return Url(raw, scheme + host, segments, tuple(query), ())


def load(path: Path) -> Collection:
    """Load a collection, a wrapped export (`{"collection": ...}`), a folder or a bare item."""
    data = read_json(path)
    loader = _Loader(path)
    if not isinstance(data, dict):
        raise InputError(path, "$", f"expected a Postman collection object, found {_json_kind(data)}")
    prefix = ""
    if "info" not in data and isinstance(data.get("collection"), dict):
        data = data["collection"]
        prefix = "collection."
    if "info" in data:
        info = data["info"]
        if not isinstance(info, dict):
            raise InputError(path, f"$.{prefix}info", f"expected an object, found {_json_kind(info)}")
        schema = info.get("schema")
        if schema is not None and (
            not isinstance(schema, str) or not any(v in schema for v in SUPPORTED_SCHEMAS)
        ):
            raise InputError(
                path, f"$.{prefix}info.schema",
                f"unsupported schema {schema!r}: expected Postman collection v2.0.0 or v2.1.0",
            )
        if "item" not in data:
            raise InputError(path, f"$.{prefix}item", "a collection needs an `item` array")
        name = loader.string(info.get("name"), f"$.{prefix}info.name", default=path.stem)
        description = text_of(info.get("description"))
        node = data
    elif "request" in data:
        # A single exported item: wrap it as a collection of one request.
        name = loader.string(data.get("name"), "$.name", default=path.stem)
        description = ""
        node = {"item": [data]}
        prefix = ""
    elif isinstance(data.get("item"), list):
        name = loader.string(data.get("name"), "$.name", default=path.stem)
        description = text_of(data.get("description"))
        node = data
    elif "requests" in data or "order" in data:
        raise InputError(path, "$", "Postman collection v1 is not supported: re-export as v2.1")
    else:
        raise InputError(path, "$", "not a Postman collection: no `info`, `item` or `request`")
    col_vars = []
    raw_vars = node.get("variable") or []
    if isinstance(raw_vars, list):
        for i, v in enumerate(raw_vars):
            if isinstance(v, dict) and v.get("key") is not None and not v.get("disabled"):
                col_vars.append(
                    Variable(
                        loader.string(v.get("key"), f"$.{prefix}variable[{i}].key"),
                        _scalar_text(v.get("value")),
                        text_of(v.get("description")),
                        secret=v.get("type") == "secret",
                    )
                )
    auth = loader.auth(node.get("auth"), f"$.{prefix}auth", Auth("noauth"))
    loader.events(node, "$")
    if bool(prefix) and prefix == "collection.":
        folders, requests = loader.folder(node, "$.collection", "collection.", (), auth)
    else:
        folders, requests = loader.folder(node, "$", "", (), auth)
    root = Folder(name, "", description, tuple(folders), tuple(requests))
    if loader.scripts:
        more = f" and {len(loader.scripts) - 1} more" if len(loader.scripts) > 1 else ""
        loader.note(loader.scripts[0] + more,
                    "scripts (`event`) are ignored: pre-request and test scripts do not run")
    return Collection(
        name=name,
        file=str(path),
        description=description,
        variables=tuple(col_vars),
        root=root,
        notices=tuple(loader.notices),
    )


def load_environment(path: Path) -> Environment:
    """Variable values of a `*.postman_environment.json` file (enabled ones), and
    which are secrets (`"type": "secret"`)."""
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("values"), list):
        raise InputError(path, "$.values", "not a Postman environment: no `values` array")
    out: dict[str, str] = {}
    secrets: set[str] = set()
    for v in data["values"]:
        if isinstance(v, dict) and isinstance(v.get("key"), str) and v.get("enabled", True):
            text = _scalar_text(v.get("value"))
            if text:
                out[v["key"]] = text
                if v.get("type") == "secret":
                    secrets.add(v["key"])
    return Environment(out, frozenset(secrets))
