"""The plan -> render contract: what one generated package holds.

Enums and small frozen dataclasses: the planner (`plan.py`, `plan_request.py`)
builds them, the renderer only reads them. `typeplan` fills in the typed
results of a `Method` (response, error, request model) once every method is known.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Final

from .errors import Notice
from .infer import ObjectT
from .options import Options
from .typeplan import Root


class Required(enum.Enum):
    """The default of a parameter the caller must pass."""

    REQUIRED = "REQUIRED"


REQUIRED: Final = Required.REQUIRED


class Absent(enum.Enum):
    """The default of a keyword whose absence the runtime tells apart from `None`
    (`_rt.UNSET`): a JSON body variable, which may be null."""

    ABSENT = "ABSENT"


ABSENT: Final = Absent.ABSENT


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter of a generated method."""

    name: str
    annotation: str  # Python type text; "" = the method's request model (named late)
    default: object = REQUIRED  # REQUIRED, ABSENT, or a JSON-ish Python value
    positional: bool = False
    doc: str = ""
    setting: str = ""  # the client setting this parameter overrides per call
    needed: bool = True  # a setting parameter: the request cannot go without a value

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


class PieceKind(enum.Enum):
    LITERAL = "literal"  # text from the collection, sent as it is
    SEGMENT = "segment"  # a parameter filling (part of) one path segment
    HOST = "host"  # a parameter filling part of a host name (validated)
    PATH = "path"  # a parameter right after a base URL: a path prefix (validated)
    TEXT = "text"  # a parameter inserted as text (header values, form values)


@dataclass(frozen=True, slots=True)
class Piece:
    kind: PieceKind
    text: str  # the literal text, or the parameter's name


@dataclass(frozen=True, slots=True)
class Template:
    """Text made of literal pieces and parameters: a URL, a header or a field value."""

    pieces: tuple[Piece, ...] = ()

    def params(self) -> list[str]:
        return [p.text for p in self.pieces if p.kind is not PieceKind.LITERAL]


class AuthKind(enum.Enum):
    """How a request authenticates (`_runtime.AuthKind` has the same members)."""

    NONE = "none"  # the collection says nothing: only `Client(auth=...)` applies
    NOAUTH = "noauth"  # the collection says `noauth`
    BEARER = "bearer"  # also OAuth2
    BASIC = "basic"
    DIGEST = "digest"
    APIKEY = "apikey"
    OTHER = "other"  # a kind the generator does not implement: `Client(auth=...)`


@dataclass(frozen=True, slots=True)
class Auth:
    kind: AuthKind = AuthKind.NONE
    location: str = ""  # apikey: "header" or "query"
    key: str = ""  # apikey: the header or query key


@dataclass(frozen=True, slots=True)
class QueryParam:
    """`key=value`; `value` None is a flag sent without `=`; `switch` names the
    bool parameter that decides whether an optional flag is sent."""

    key: str
    value: Template | None
    switch: str = ""


@dataclass(frozen=True, slots=True)
class Header:
    key: str
    value: Template


class BodyKind(enum.Enum):
    NONE = "none"
    JSON = "json"
    TEXT = "text"
    BYTES = "bytes"
    FORM = "form"
    MULTIPART = "multipart"
    GRAPHQL = "graphql"


@dataclass(frozen=True, slots=True)
class FormField:
    key: str
    value: Template  # a file part: the one parameter holding the file
    file: bool = False
    filename: str = ""  # a file part: the collection's file name, if known
    content_type: str = ""  # a file part: the collection's content type, if known


@dataclass(frozen=True, slots=True)
class BodyVar:
    """A `{{variable}}` of a body template and the keyword that fills it."""

    variable: str
    param: str
    default: object = ABSENT  # ABSENT: the caller must pass it (or a whole body)


class Fill(enum.Enum):
    """How a template's variables are filled (`_rt.fill_json`, `fill_text`, `fill_xml`)."""

    JSON = "json"  # `"{{x}}"` becomes the value itself; in longer strings, text
    TEXT = "text"  # text substitution, values as given
    XML = "xml"  # text substitution, values escaped as XML text


@dataclass(frozen=True, slots=True)
class BodyTemplate:
    """The collection's body (or GraphQL query or variables) with `{{variables}}`:
    filled from keywords unless its parameter replaces it whole."""

    param: str  # `body=`, `content=`, `query=` or `variables=`
    template: object  # JSON with `{{var}}` strings, or text
    variables: tuple[BodyVar, ...]
    fill: Fill = Fill.JSON
    markup: tuple[str, ...] = ()  # XML: variables holding XML, inserted as given


@dataclass(frozen=True, slots=True)
class Body:
    kind: BodyKind = BodyKind.NONE
    param: str = ""  # the body (json, text, bytes) or the GraphQL query parameter
    content_type: str = ""  # raw bodies: from options.raw.language
    fields: tuple[FormField, ...] = ()
    template: BodyTemplate | None = None  # the body; GraphQL: its variables
    query_template: BodyTemplate | None = None  # GraphQL: a query with `{{variables}}`
    default: object = None  # JSON sent when the body parameter is None (`{}`, GraphQL vars)
    variables_param: str = ""  # GraphQL: the variables parameter


@dataclass(slots=True)
class Method:
    """One generated method: its request (frozen parts) and its typed results,
    which `typeplan` fills in once every method is known."""

    name: str
    qualname: str
    source: str
    http_method: str
    url_template: str  # the collection's URL text, for docs and ENDPOINTS
    description: str
    params: tuple[Param, ...]
    base: str  # the client setting holding the base URL; "" = `url` is absolute
    url: Template
    query: tuple[QueryParam, ...]
    headers: tuple[Header, ...]
    auth: Auth
    body: Body
    response: Root | None = None
    response_expect: str = "any"  # json, json_or_empty, text, any, empty
    error: Root | None = None
    request: Root | None = None
    examples: list[tuple[int | None, str]] = field(default_factory=list)
    sample: str = ""  # the first success example's JSON, for the package README

    def param(self, name: str) -> Param | None:
        return next((p for p in self.params if p.name == name), None)


@dataclass(frozen=True, slots=True)
class Setting:
    """A `Client(...)` keyword: a base URL or a variable most requests use."""

    name: str
    variable: str
    default: str | None


@dataclass(slots=True)
class ClientClass:
    name: str  # e.g. V2Client (async: Async + name)
    attr: str  # attribute on the parent client
    title: str  # the folder's name in the collection
    description: str
    methods: list[Method]
    children: list[ClientClass]


@dataclass(slots=True)
class Package:
    name: str  # python package name
    title: str
    description: str
    source_file: str
    base_url: str | None  # default, or None when it must be given
    bases: list[Setting]  # base URLs of other host variables (`rest_base_url`)
    settings: list[Setting]  # variables most requests use: `Client(...)` keywords
    credentials: list[str]
    root: ClientClass
    classes: list[tuple[str, ObjectT]]
    adapters: list[Root]
    notices: list[Notice]
    stats: dict[str, int]
    options: Options = field(default_factory=Options)
    token_url: str | None = None  # OAuth2 client credentials: token endpoint
    scope: str | None = None

    def methods(self) -> list[Method]:
        out: list[Method] = []

        def walk(c: ClientClass) -> None:
            out.extend(c.methods)
            for child in c.children:
                walk(child)

        walk(self.root)
        return out
