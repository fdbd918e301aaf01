"""Load Postman collections (v2.0 and v2.1) into a small, validated model.

Everything downstream works on these frozen dataclasses, never on raw JSON.
Every problem is reported with the file and the JSON path of the value.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .collection_model import (
    VARIABLE_RE,
    Auth,
    Body,
    Collection,
    Environment,
    Example,
    Folder,
    KeyValue,
    Request,
    Url,
    Variable,
    text_of,
)
from .collection_read import (
    AuthReader,
    BodyReader,
    ExampleReader,
    json_kind,
    parse_raw_url,
    scalar_text,
    status_from_text,
)
from .errors import InputError

__all__ = [
    "VARIABLE_RE", "Auth", "Body", "Collection", "Environment", "Example", "Folder", "KeyValue",
    "Request", "Url", "Variable", "load", "load_environment", "parse_raw_url", "read_json",
    "status_from_text", "text_of",
]

SUPPORTED_SCHEMAS = ("v2.0.0", "v2.1.0")


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


class _Loader(ExampleReader, AuthReader, BodyReader):
    """Folders and requests; the parts of a request are read by the mixed-in readers."""

    def __init__(self, file: Path) -> None:
        super().__init__(file)
        self.scripts: list[str] = []  # where `event` scripts were found

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


def load(path: Path) -> Collection:
    """Load a collection, a wrapped export (`{"collection": ...}`), a folder or a bare item."""
    data = read_json(path)
    loader = _Loader(path)
    if not isinstance(data, dict):
        raise InputError(path, "$", f"expected a Postman collection object, found {json_kind(data)}")
    prefix = ""
    if "info" not in data and isinstance(data.get("collection"), dict):
        data = data["collection"]
        prefix = "collection."
    if "info" in data:
        info = data["info"]
        if not isinstance(info, dict):
            raise InputError(path, f"$.{prefix}info", f"expected an object, found {json_kind(info)}")
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
                        scalar_text(v.get("value")),
                        text_of(v.get("description")),
                        secret=v.get("type") == "secret",
                    )
                )
    auth = loader.auth(node.get("auth"), f"$.{prefix}auth", Auth(""))
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
            text = scalar_text(v.get("value"))
            if text:
                out[v["key"]] = text
                if v.get("type") == "secret":
                    secrets.add(v["key"])
    return Environment(out, frozenset(secrets))
