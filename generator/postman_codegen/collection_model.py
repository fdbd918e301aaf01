"""The loaded collection: small frozen dataclasses everything downstream reads."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from .errors import Notice

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
    """Effective auth of a request after inheritance (`type` "noauth": none;
    "": the collection says nothing)."""

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
        # A stack of the folders being walked, not a recursive closure: its
        # reference cycle would keep every request alive until a collection.
        stack = [iter(_items(self.root))]
        while stack:
            node = next(stack[-1], None)
            if node is None:
                stack.pop()
            elif isinstance(node, Folder):
                stack.append(iter(_items(node)))
            else:
                out.append(node)
        return out


def _items(folder: Folder) -> list[Folder | Request]:
    """Folder items and request items are interleaved in the file; their `source`
    paths keep that order."""
    nodes: list[Folder | Request] = [*folder.folders, *folder.requests]
    return sorted(nodes, key=lambda n: _source_key(n.source))


def _source_key(source: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", source))


def text_of(value: object) -> str:
    """A description: a string, a `{content, type}` object, or nothing.

    Blank text counts as nothing, so what falls back to a name does."""
    if isinstance(value, dict):
        value = value.get("content")
    return value if isinstance(value, str) and value.strip() else ""
