"""Readers of the parts of a Postman request: pairs (headers, query, fields),
URL, auth, body and saved examples. Each checks its JSON and names the path of
what is wrong; `collection._Loader` combines them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .collection_model import Auth, Body, Example, KeyValue, Url, Variable, text_of
from .errors import InputError, Notice


class Reader:
    """What every reader shares: the file, its notices, checks of JSON values."""

    def __init__(self, file: Path) -> None:
        self.file = file
        self.notices: list[Notice] = []

    def fail(self, path: str, message: str) -> InputError:
        return InputError(self.file, path, message)

    def note(self, path: str, message: str) -> None:
        self.notices.append(Notice(str(self.file), path, message))

    def expect(self, value: object, kind: type | tuple[type, ...], path: str, what: str) -> Any:
        if not isinstance(value, kind):
            raise self.fail(path, f"expected {what}, found {json_kind(value)}")
        return value

    def string(self, value: object, path: str, default: str = "") -> str:
        if value is None:
            return default
        if isinstance(value, (str, int, float)) and not isinstance(value, bool):
            return str(value)
        if isinstance(value, bool):
            return "true" if value else "false"
        raise self.fail(path, f"expected a string, found {json_kind(value)}")


class PairsReader(Reader):
    """Headers, query parameters and form fields: `{key, value}` lists."""

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
            raise self.fail(path, f"expected an array, found {json_kind(value)}")
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
                if isinstance(src, list):  # several files chosen: the first names the part
                    src = next((f for f in src if isinstance(f, str)), None)
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


class UrlReader(PairsReader):
    """A URL string or object: host, path segments, query, `:name` variables."""

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
                        scalar_text(var.get("value")),
                        text_of(var.get("description")),
                    )
                )
        if not host and not segments and parsed:
            host = parsed.host
        raw_text = raw if isinstance(raw, str) else _join_url(host, segments, query)
        return Url(raw_text, host, segments, query, tuple(variables))


class ExampleReader(UrlReader):
    """A saved example response (its `originalRequest` URL included)."""

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


class AuthReader(Reader):
    """Auth at collection, folder or request level, with `inherit`/`noauth`."""

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
                    pairs.append((p["key"], scalar_text(p.get("value")) or ""))
        elif isinstance(params, dict):  # v2.0: {key: value}
            for k, v in params.items():
                pairs.append((str(k), scalar_text(v) or ""))
        return Auth(kind, tuple(pairs))


class BodyReader(PairsReader):
    """raw, urlencoded, formdata, file and graphql bodies."""

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


def scalar_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (str, int, float)):
        return str(value)
    return json.dumps(value)


def json_kind(value: object) -> str:
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
