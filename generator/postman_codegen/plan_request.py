"""Plan the request side of one method: URL, query, headers, auth and body.

One `{{variable}}` is one parameter wherever it appears; a variable that is a
client setting becomes a keyword that overrides the setting per call. What the
caller did not pass is never sent, except real literal values of the collection.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import PurePosixPath, PureWindowsPath

from . import naming
from .bodies import Parsed, parse_body, parse_request_json
from .collection import VARIABLE_RE, KeyValue, Request
from .collection import Auth as RawAuth
from .collection import Body as RawBody
from .infer import Shape
from .plan_types import (
    ABSENT,
    REQUIRED,
    Auth,
    AuthKind,
    Body,
    BodyKind,
    BodyTemplate,
    BodyVar,
    Fill,
    FormField,
    Header,
    Param,
    Piece,
    PieceKind,
    QueryParam,
    Setting,
    Template,
)
from .plan_values import (
    Values,
    is_credential,
    is_placeholder,
    scalar_type,
    typed_value,
    variables_in,
)
from .typeplan import Root, Typer

SKIP_HEADERS = frozenset({"content-length", "host", "connection", "transfer-encoding"})
FILE_TYPE = "bytes | IO[bytes] | tuple[str, bytes | IO[bytes], str]"
# `options.raw.language` -> the Content-Type Postman sends with a raw body.
RAW_TYPES = {
    "json": "application/json", "xml": "application/xml", "html": "text/html",
    "javascript": "application/javascript", "text": "text/plain",
}
_PATH_VAR = re.compile(r":([A-Za-z_][\w.-]*)")


@dataclass(slots=True)
class Context:
    """What every request of a collection shares."""

    values: Values
    types: Typer
    main_host: str
    settings: dict[str, Setting]  # variable -> client setting
    bases: dict[str, Setting]  # host variable -> base URL setting
    credentials: set[str] = field(default_factory=set)
    unsupported_auth: dict[str, list[str]] = field(default_factory=dict)
    token_url: str | None = None  # OAuth2 client credentials
    scope: str | None = None


@dataclass(slots=True)
class _Draft:
    """A parameter while the request is planned (several uses may shape it)."""

    name: str
    annotation: str
    default: object = REQUIRED
    positional: bool = False
    doc: str = ""
    setting: str = ""
    needed: bool = False

    def freeze(self) -> Param:
        return Param(self.name, self.annotation, self.default, self.positional, self.doc,
                     self.setting, self.needed)


@dataclass(slots=True)
class Planned:
    """The request side of a method."""

    params: tuple[Param, ...]
    base: str
    url: Template
    query: tuple[QueryParam, ...]
    headers: tuple[Header, ...]
    auth: Auth
    body: Body
    request: Root | None


class RequestPlanner:
    def __init__(self, ctx: Context, req: Request, name: str) -> None:
        self.ctx = ctx
        self.req = req
        self.name = name
        self.scope = naming.Scope()
        self.scope.claim("headers")  # every method takes per-call `headers=`
        self.drafts: list[_Draft] = []
        self.by_var: dict[str, _Draft] = {}
        self.body_vars: dict[str, BodyVar] = {}  # one keyword per variable across templates

    def plan(self) -> Planned:
        base, url = self.url()
        query = self.query()
        auth = self.auth()
        headers = self.headers(auth)
        body, request = self.body()
        return Planned(self._params(), base, url, query, headers, auth, body, request)

    def _params(self) -> tuple[Param, ...]:
        positional = [d for d in self.drafts if d.positional]
        ordered = ([d for d in positional if d.default is REQUIRED]
                   + [d for d in positional if d.default is not REQUIRED]
                   + [d for d in self.drafts if not d.positional])
        return tuple(d.freeze() for d in ordered)

    # -- parameters -------------------------------------------------------
    def draft(self, base: str, annotation: str, default: object = REQUIRED, *,
              positional: bool = False, doc: str = "") -> _Draft:
        d = _Draft(self.scope.claim(base), annotation, default, positional, doc)
        self.drafts.append(d)
        return d

    def variable(self, var: str, *, optional: bool = False, positional: bool = False,
                 doc: str = "", default_ok: bool = True) -> str:
        """The one parameter of `var` in this method (made on first use)."""
        d = self.by_var.get(var)
        if d is None:
            setting = self.ctx.settings.get(var)
            if setting is not None:
                d = self.draft(setting.name, "str | None", None,
                               doc=doc or f"overrides the client setting `{setting.name}`")
                d.setting = setting.name
            else:
                value = self.ctx.values.default(var) if default_ok else None
                if value is not None:
                    d = self.draft(naming.snake(var), "str", value, positional=positional,
                                   doc=doc)
                elif optional:
                    d = self.draft(naming.snake(var), "str | None", None, doc=doc)
                else:
                    d = self.draft(naming.snake(var), "str", positional=positional, doc=doc)
            self.by_var[var] = d
        if not optional:
            d.needed = True
            if d.default is None and not d.setting:
                d.annotation, d.default = "str", REQUIRED
        return d.name

    def text_template(self, key: str, value: str | None, *, disabled: bool,
                      typed: bool, doc: str) -> Template:
        """A query, header or form value: variables become parameters, a sample or
        placeholder a parameter without default, real data a default (or static)."""
        text = value or ""
        if VARIABLE_RE.search(text):
            pieces = []
            for kind, part in _pieces(text):
                if kind == "lit":
                    pieces.append(Piece(PieceKind.LITERAL, part))
                else:
                    pname = self.variable(part, optional=disabled, doc=doc,
                                          default_ok=not disabled)
                    pieces.append(Piece(PieceKind.TEXT, pname))
            return Template(tuple(pieces))
        real = text != "" and not is_placeholder(text) and not is_credential(key)
        if real and not disabled and not typed:
            return Template((Piece(PieceKind.LITERAL, text),))  # a static header
        kind = scalar_type(text) if typed else "str"
        if real and not disabled:
            d = self.draft(naming.snake(key, fallback="param"), kind, typed_value(text), doc=doc)
        elif disabled or (text == "" and not typed):  # an empty header: sent only if given
            d = self.draft(naming.snake(key, fallback="param"), f"{kind} | None", None, doc=doc)
        else:
            d = self.draft(naming.snake(key, fallback="param"), kind, doc=doc)
        return Template((Piece(PieceKind.TEXT, d.name),))

    # -- URL ----------------------------------------------------------------
    def url(self) -> tuple[str, Template]:
        url = self.req.url
        pieces: list[Piece] = []
        base = "base_url" if url.host == self.ctx.main_host or not url.host else ""
        if not base:
            base = self.host(url.host, pieces)
        docs = {v.key: (v.description or (f"e.g. {v.value}" if v.value else ""))
                for v in url.variables}
        for segment in url.path:
            pieces.append(Piece(PieceKind.LITERAL, "/"))
            m = _PATH_VAR.fullmatch(segment)
            if m:
                var = ":" + m.group(1)  # a path variable is not a `{{variable}}`
                d = self.by_var.get(var) or self.draft(
                    naming.snake(m.group(1)), "str", positional=True, doc=docs.get(m.group(1), ""))
                self.by_var[var] = d
                pieces.append(Piece(PieceKind.SEGMENT, d.name))
                continue
            for kind, text in _pieces(segment):
                if kind == "lit":
                    pieces.append(Piece(PieceKind.LITERAL, text))
                else:
                    pname = self.variable(text, positional=True, doc=docs.get(text, ""))
                    pieces.append(Piece(PieceKind.SEGMENT, pname))
        return base, Template(_merged(pieces))

    def host(self, host: str, pieces: list[Piece]) -> str:
        """Another host than the main one: a base URL setting when it starts with a
        host variable, else literal text and validated host-part parameters."""
        parts = _pieces(host)
        if parts and parts[0][0] == "var" and parts[0][1] in self.ctx.bases:
            self.after_base(parts[1:], pieces)
            return self.ctx.bases[parts[0][1]].name
        for kind, text in parts:
            if kind == "lit":
                pieces.append(Piece(PieceKind.LITERAL, text))
            else:
                value = self.ctx.values.base(text)
                d = self.by_var.get(text)
                if d is None:
                    d = self.draft(naming.snake(text), "str",
                                   value if value is not None else REQUIRED,
                                   positional=True, doc="part of the host name")
                    self.by_var[text] = d
                pieces.append(Piece(PieceKind.HOST, d.name))
        return ""

    def after_base(self, parts: list[tuple[str, str]], pieces: list[Piece]) -> None:
        """`{{url}}{{site}}/x`: what follows a base URL variable is a path prefix
        (checked at run time: empty or starting with `/`, never a host)."""
        for kind, text in parts:
            if kind == "lit":
                pieces.append(Piece(PieceKind.LITERAL, text))
                continue
            d = self.by_var.get(text)
            if d is None:
                value = self.ctx.values.base(text)
                col = self.ctx.values.collection.get(text)
                if value is None and col is not None and col.value == "":
                    value = ""  # defined as empty: no prefix
                d = self.draft(naming.snake(text), "str", REQUIRED if value is None else value,
                               positional=True, doc="path prefix after the base URL")
                self.by_var[text] = d
            pieces.append(Piece(PieceKind.PATH, d.name))

    # -- query and headers --------------------------------------------------
    def query(self) -> tuple[QueryParam, ...]:
        out: list[QueryParam] = []
        for q in self.req.url.query:
            if not q.key:
                continue
            if q.value is None:  # `?flag`
                if q.disabled:
                    d = self.draft(naming.snake(q.key, fallback="flag"), "bool", False,
                                   doc=q.description or f"send the flag `{q.key}`")
                    out.append(QueryParam(q.key, None, d.name))
                else:
                    out.append(QueryParam(q.key, None))
                continue
            out.append(QueryParam(q.key, self.text_template(
                q.key, q.value, disabled=q.disabled, typed=True, doc=_sample_doc(q))))
        return tuple(out)

    def headers(self, auth: Auth) -> tuple[Header, ...]:
        out: list[Header] = []
        multipart = self.req.body is not None and self.req.body.mode == "formdata"
        for h in self.req.headers:
            low = h.key.lower()
            if h.disabled or not h.key or low in SKIP_HEADERS:
                continue
            if _replaced_by(auth, low):
                continue
            if multipart and low == "content-type":
                continue  # the encoder's Content-Type carries the boundary
            out.append(Header(h.key, self.text_template(
                h.key, h.value, disabled=False, typed=False, doc=f"header {h.key}")))
        return tuple(out)

    def auth(self) -> Auth:
        a = self.req.auth
        if a.type == "":
            return Auth()
        if a.type == "noauth":
            return Auth(AuthKind.NOAUTH)
        if a.type in ("bearer", "oauth2"):
            self.ctx.credentials.add("access_token")
            if a.type == "oauth2" and a.get("grant_type") == "client_credentials":
                self.oauth2(a)
            return Auth(AuthKind.BEARER)
        if a.type in ("basic", "digest"):
            self.ctx.credentials.update(("username", "password"))
            return Auth(AuthKind(a.type))
        if a.type == "apikey":
            self.ctx.credentials.add("api_key")
            where = "query" if a.get("in") == "query" else "header"
            return Auth(AuthKind.APIKEY, where, a.get("key", "X-API-Key") or "X-API-Key")
        self.ctx.unsupported_auth.setdefault(a.type, []).append(self.req.source)
        return Auth(AuthKind.OTHER)

    def oauth2(self, a: RawAuth) -> None:
        """Client-credentials settings: id and secret are arguments, never written;
        the token URL and scope are defaults when they hold no unknown variable."""
        self.ctx.credentials.update(("client_id", "client_secret", "token_url", "scope"))
        url = self.substitute(a.get("accessTokenUrl"))
        if url and "://" in url and self.ctx.token_url is None:
            self.ctx.token_url = url
        scope = self.substitute(a.get("scope"))
        if scope and self.ctx.scope is None:
            self.ctx.scope = scope

    def substitute(self, text: str) -> str | None:
        """Text with its variables filled from non-secret values; None if one is unknown."""
        missing = False

        def value(match: re.Match[str]) -> str:
            nonlocal missing
            found = self.ctx.values.base(match.group(1))
            missing = missing or found is None
            return found or ""

        out = VARIABLE_RE.sub(value, text)
        return None if missing else out

    # -- body -----------------------------------------------------------------
    def body(self) -> tuple[Body, Root | None]:
        body = self.req.body
        if body is None:
            return Body(), None
        if body.mode == "raw":
            return self.raw(body)
        if body.mode in ("urlencoded", "formdata"):
            kind = BodyKind.FORM if body.mode == "urlencoded" else BodyKind.MULTIPART
            return Body(kind, fields=tuple(self.field(f) for f in body.fields)), None
        if body.mode == "file":
            return Body(BodyKind.BYTES, self.draft("content", "bytes", doc="request body").name), None
        if body.mode == "graphql":
            return self.graphql(body), None
        return Body(), None

    def field(self, f: KeyValue) -> FormField:
        if f.kind != "file":
            return FormField(f.key, self.text_template(
                f.key, f.value, disabled=f.disabled, typed=True, doc=_sample_doc(f)))
        d = self.draft(naming.snake(f.key, fallback="file"),
                       FILE_TYPE + (" | None" if f.disabled else ""),
                       None if f.disabled else REQUIRED,
                       doc=f.description or f"file part {f.key}")
        filename = ""
        if f.value:
            filename = PureWindowsPath(f.value).name if "\\" in f.value else PurePosixPath(
                f.value).name
        return FormField(f.key, Template((Piece(PieceKind.TEXT, d.name),)), True,
                         filename, f.content_type)

    def raw(self, body: RawBody) -> tuple[Body, Root | None]:
        lang = body.language.lower()
        parsed = parse_request_json(body.raw) if lang in ("", "json") else None
        if parsed is None or parsed.kind != "json" or not (
                lang == "json" or body.raw.lstrip()[:1] in "{["):
            content_type = RAW_TYPES.get(lang, "")
            if VARIABLE_RE.search(body.raw):
                fill = Fill.XML if _is_xml(self.sent_type() or content_type) else Fill.TEXT
                param = self.draft("content", "str | None", None, doc=_TEMPLATE_DOC).name
                return Body(BodyKind.TEXT, param, content_type,
                            template=self.template(param, body.raw, fill)), None
            param = self.draft("content", "str", doc=f"{lang or 'text'} request body").name
            return Body(BodyKind.TEXT, param, content_type), None
        shape = Shape()
        shape.observe(parsed.value)
        root = self.ctx.types.root(shape, self.name + "_request")
        if "{{" in body.raw:
            template = self.ctx.values.template(body.raw)
            if template.kind == "json":
                param = self.draft("body", "", None, doc=_TEMPLATE_DOC).name
                return Body(BodyKind.JSON, param, template=self.template(
                    param, _without_placeholders(template.value), Fill.JSON,
                    _bare(body.raw, parsed))), root
        empty = parsed.value in ({}, [])
        body_param = self.draft("body", "", None if empty else REQUIRED, doc="JSON request body")
        return Body(BodyKind.JSON, body_param.name, default=parsed.value if empty else None), root

    def sent_type(self) -> str:
        """The request's own literal Content-Type header, which is what goes out."""
        for h in self.req.headers:
            if h.key.lower() == "content-type" and not h.disabled and h.value:
                return "" if "{{" in h.value else h.value
        return ""

    def template(self, param: str, template: object, fill: Fill,
                 bare: frozenset[str] = frozenset()) -> BodyTemplate:
        """The collection's body (or GraphQL part) as a template filled at call
        time: each variable a keyword, required unless it has a value; the
        parameter `param` replaces the whole template. `bare`: variables written
        as JSON values (`"n": {{n}}`), whose default text is read as JSON."""
        found: dict[str, bool] = {}  # variable -> seen as a whole JSON value
        _template_vars(template, found)
        markup = _xml_markup(template) if fill is Fill.XML and isinstance(template, str) else ()
        return BodyTemplate(param, template, tuple(
            self.body_var(var, whole and fill is Fill.JSON, var in bare, fill, var in markup)
            for var, whole in found.items()), fill, markup)

    def body_var(self, var: str, whole: bool, bare: bool, fill: Fill, markup: bool) -> BodyVar:
        """The keyword filling `var`: a parameter the method already has (always
        given), a client setting, or a keyword of its own (the same one in every
        template of the body)."""
        made = self.body_vars.get(var)
        if made is not None:
            return made
        if var in self.by_var or var in self.ctx.settings:  # now needed: always has a value
            return BodyVar(var, self.variable(var), REQUIRED)
        text = self.ctx.values.default(var)
        value = _json_value(text) if bare and text is not None else text
        doc = f"body variable {{{{{var}}}}}" + (
            ", XML inserted as given" if markup else ", escaped as XML" if fill is Fill.XML else "")
        d = self.draft(naming.snake(var), ("JsonValue" if whole else "str") + " | _rt.Unset",
                       ABSENT, doc=doc + (f" (default {value!r})" if value is not None else ""))
        self.by_var[var] = d
        made = BodyVar(var, d.name, value if value is not None else ABSENT)
        self.body_vars[var] = made
        return made

    def graphql(self, body: RawBody) -> Body:
        """`{"query": ..., "variables": ...}`: the collection's query and variables
        by default; `{{variables}}` in them are keywords, as in a JSON body."""
        text = body.graphql_query
        in_query = VARIABLE_RE.search(text) is not None
        query = (self.draft("query", "str | None", None, doc=_template_doc("GraphQL query"))
                 if in_query else self.draft("query", "str", text, doc="GraphQL query")).name
        default: object = {}
        source = body.graphql_variables.strip()
        parsed = parse_request_json(source, keep_variables=True) if source else None
        if parsed is not None and parsed.kind == "json" and isinstance(parsed.value, dict):
            default = _without_placeholders(parsed.value)
        found: dict[str, bool] = {}
        _template_vars(default, found)
        variables = self.draft("variables", "JsonValue", None, doc=_template_doc(
            "GraphQL variables") if found else "GraphQL variables (default: the collection's)").name
        return Body(
            BodyKind.GRAPHQL, query, variables_param=variables, default=None if found else default,
            template=self.template(variables, default, Fill.JSON, _bare(source)) if found else None,
            query_template=self.template(query, text, Fill.TEXT) if in_query else None)


def _template_doc(what: str) -> str:
    return f"{what}, instead of the collection's, filled with the keywords below"


_TEMPLATE_DOC = "request body, instead of the collection's body filled with the variables below"


def _bare(text: str, plain: Parsed | None = None) -> frozenset[str]:
    """Variables a JSON text holds only as bare values (`"n": {{n}}`, read as null
    when parsed plainly); Postman substitutes their text, so `25` means the number.
    `plain`: the text already parsed plainly, when the caller has it."""
    if plain is None:
        plain = parse_request_json(text)
    quoted = set(variables_in(json.dumps(plain.value))) if plain.kind == "json" else set()
    return frozenset(set(variables_in(text)) - quoted)


def _json_value(text: str) -> object:
    """A bare variable's default: its text as JSON (`25`, `true`), else the text."""
    parsed = parse_body(text)
    return parsed.value if parsed.kind == "json" else text


# Markup that is not element content: comments, CDATA, declarations, end tags, tags.
_XML_TOKEN = re.compile(r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<[?!][^>]*>|</[^>]*>|<[^>]*>",
                        re.DOTALL)


def _xml_markup(text: str) -> tuple[str, ...]:
    """Variables found only outside the document's elements (`{{header}}<Rq/>{{footer}}`):
    text is not allowed there, so they hold XML, inserted as given. Any other place
    (element text, attributes) is text, escaped."""
    outside: list[str] = []
    inside: set[str] = set()
    depth, pos = 0, 0
    for token in _XML_TOKEN.finditer(text + "<!---->"):  # the end: one last stretch
        between = variables_in(text[pos:token.start()])
        if depth:
            inside.update(between)
        else:
            outside.extend(between)
        inside.update(variables_in(token.group()))
        tag = token.group()
        if tag.startswith("</"):
            depth = max(depth - 1, 0)
        elif not tag.startswith(("<!", "<?")) and not tag.endswith("/>"):
            depth += 1
        pos = token.end()
    return tuple(dict.fromkeys(v for v in outside if v not in inside))


def _is_xml(content_type: str) -> bool:
    """`application/xml`, `text/xml`, `application/soap+xml`, ...: values are escaped."""
    media = content_type.split(";")[0].strip().lower()
    return media.endswith(("/xml", "+xml"))


def _template_vars(value: object, found: dict[str, bool]) -> None:
    if isinstance(value, str):
        for match in VARIABLE_RE.finditer(value):
            whole = match.group(0) == value
            found[match.group(1)] = found.get(match.group(1), False) or whole
    elif isinstance(value, list):
        for v in value:
            _template_vars(v, found)
    elif isinstance(value, dict):
        for k, v in value.items():
            _template_vars(k, found)
            _template_vars(v, found)


def _without_placeholders(value: object) -> object:
    """JSON with members whose values are placeholders left out: never sent."""
    if isinstance(value, dict):
        return {k: _without_placeholders(v) for k, v in value.items()
                if not (isinstance(v, (str, list, dict)) and _is_sample(v))}
    if isinstance(value, list):
        return [_without_placeholders(v) for v in value if not _is_sample(v)]
    return value


def _is_sample(value: object) -> bool:
    if isinstance(value, str):
        return is_placeholder(value)
    if isinstance(value, list):
        return bool(value) and all(_is_sample(v) for v in value)
    return False


def _merged(pieces: list[Piece]) -> tuple[Piece, ...]:
    """Adjacent literal pieces joined."""
    out: list[Piece] = []
    for p in pieces:
        if out and p.kind is PieceKind.LITERAL and out[-1].kind is PieceKind.LITERAL:
            out[-1] = Piece(PieceKind.LITERAL, out[-1].text + p.text)
        else:
            out.append(p)
    return tuple(out)


def _pieces(text: str) -> list[tuple[str, str]]:
    """Split `v{{version}}x` into literal and variable pieces."""
    out: list[tuple[str, str]] = []
    pos = 0
    for match in VARIABLE_RE.finditer(text):
        if match.start() > pos:
            out.append(("lit", text[pos:match.start()]))
        out.append(("var", match.group(1)))
        pos = match.end()
    if pos < len(text):
        out.append(("lit", text[pos:]))
    return out


def _sample_doc(kv: KeyValue) -> str:
    parts = []
    if kv.description:
        parts.append(kv.description)
    if (kv.value and not is_credential(kv.key) and "{{" not in kv.value
            and not is_placeholder(kv.value)):
        parts.append(f"e.g. {kv.value}")
    return " ".join(parts)


def _replaced_by(auth: Auth, header: str) -> bool:
    """True for a static header the request's auth replaces (a stale
    `Authorization: Digest nonce=...`, or the API key header): never sent."""
    if auth.kind in (AuthKind.NONE, AuthKind.NOAUTH):
        return False
    return header == "authorization" or auth.kind is AuthKind.APIKEY and (
        auth.location == "header" and header == auth.key.lower())
