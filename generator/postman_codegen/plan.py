"""Decide the generated API of one collection: methods, parameters, types, names.

Input is a loaded `Collection`; output is a `Package`, plain data that the
templates render. Every identifier here comes from `naming`; every string
from the collection stays a string (render makes it a literal).
"""

from __future__ import annotations

import keyword
import re
import sys
from collections import Counter
from dataclasses import dataclass, field

from . import naming
from .bodies import parse_request_json
from .collection import VARIABLE_RE, Auth, Collection, Folder, KeyValue, Request
from .errors import Notice
from .infer import ObjectT, Shape
from .options import Options
from .typeplan import Root, Typer, name_roots

SKIP_HEADERS = frozenset({"content-length", "host", "connection", "transfer-encoding"})
# Modules a generated package imports at run time (httpx and what it imports).
RUNTIME_MODULES = frozenset(
    {"httpx", "httpcore", "h11", "h2", "anyio", "sniffio", "idna", "certifi", "msgspec"}
)
# Device names Windows reserves in every folder: no file or folder may take them.
RESERVED_FILE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


@dataclass(slots=True)
class Param:
    name: str
    annotation: str  # Python type text
    default: object = ...  # ... = required; otherwise a JSON-ish Python value
    positional: bool = False
    doc: str = ""

    @property
    def required(self) -> bool:
        return self.default is ...


@dataclass(slots=True)
class Method:
    name: str
    qualname: str
    source: str
    http_method: str
    url_template: str
    description: str
    params: list[Param]
    url_parts: list[tuple[str, str]]  # ("lit", text) | ("seg", param) | ("raw", param)
    absolute: bool
    query: list[tuple[str, str]]  # (key, param)
    static_query: list[tuple[str, str]]
    headers: list[tuple[str, list[tuple[str, str]]]]  # key -> parts
    auth: tuple[str, ...]
    body_kind: str  # "", json, text, bytes, form, multipart, graphql
    body_param: str = ""
    form_fields: list[tuple[str, str, str]] = field(default_factory=list)  # key, param, kind
    graphql: tuple[str, str] = ("", "")
    response: Root | None = None
    response_expect: str = "any"  # json, json_or_empty, text, bytes, any, empty
    error: Root | None = None
    request: Root | None = None
    examples: list[tuple[int | None, str]] = field(default_factory=list)
    sample: str = ""  # the first success example's JSON, for the package README
    body_template: object = None  # JSON with `{{var}}` strings, or None
    body_vars: list[tuple[str, str]] = field(default_factory=list)  # (variable, param)


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


def _auth_header(auth: tuple[str, ...], key: str) -> bool:
    """True for a static header the request's auth replaces (a stale
    `Authorization: Digest nonce=...` or the API key header) and never sends."""
    if not auth or auth[0] == "noauth":
        return False
    return key.lower() == "authorization" or auth[0] == "apikey" and auth[1] == "header" \
        and key.lower() == auth[2].lower()


def package_name(text: str) -> str:
    """A safe Python package (and folder) name for a collection."""
    name = naming.snake(text, fallback="collection")
    if name.endswith("_"):
        name = name.rstrip("_") or "collection"
    if name[0].isdigit() or not name.isascii():
        name = "api_" + name if name.isascii() else "collection"
    if (keyword.iskeyword(name) or name in RESERVED_FILE_NAMES
            or name in sys.stdlib_module_names or name in RUNTIME_MODULES):
        # `import class` cannot parse; `con/` cannot exist on Windows; a package
        # named `json` or `httpx` would shadow the module it needs on sys.path.
        name = "api_" + name
    return name


class _Planner:
    def __init__(self, collection: Collection, variables: dict[str, str]) -> None:
        self.col = collection
        self.vars = {v.key: v.value for v in collection.variables if v.value}
        self.vars.update({k: v for k, v in variables.items() if v})
        self.notices: list[Notice] = list(collection.notices)
        self.stats: Counter[str] = Counter()
        self.types = Typer(self.note, self.stats)
        self.credentials: set[str] = set()
        self.unsupported_auth: dict[str, list[str]] = {}  # auth type -> requests
        self.token_url: str | None = None  # OAuth2 client credentials
        self.scope: str | None = None
        requests = collection.requests()
        hosts = Counter(r.url.host for r in requests)
        self.main_host = hosts.most_common(1)[0][0] if hosts else ""

    def note(self, path: str, message: str) -> None:
        self.notices.append(Notice(self.col.file, path, message))

    # -- clients and methods --------------------------------------------
    def client(self, folder: Folder, qual: tuple[str, ...], attr: str,
               class_scope: naming.Scope) -> ClientClass:
        scope = naming.Scope()
        children: list[ClientClass] = []
        for sub in sorted(folder.folders, key=lambda f: _order(f.source)):
            sub_attr = scope.claim(naming.snake(sub.name, fallback="folder"))
            sub_qual = (*qual, sub_attr)
            cls = _claim_client(class_scope, naming.pascal("_".join(sub_qual)) + "Client")
            children.append(self.client(sub, sub_qual, sub_attr, class_scope))
            children[-1].name = cls
        methods = []
        for req in sorted(folder.requests, key=lambda r: _order(r.source)):
            # "1. Create order" (numbered walkthroughs) -> step_1_create_order;
            # a nameless request is named from its method and path.
            base = (naming.snake(req.name, fallback="step") if naming.words(req.name)
                    else _name_from_url(req))
            name = scope.claim(base)
            while not scope.free(name + "_with_response"):  # its full-response twin
                name = scope.claim(base)
            scope.claim(name + "_with_response")
            methods.append(self.method(req, name, ".".join((*qual, name))))
        return ClientClass("", attr, folder.name, folder.description, methods, children)

    def method(self, req: Request, name: str, qualname: str) -> Method:
        scope = naming.Scope()
        params: list[Param] = []
        by_var: dict[str, str] = {}
        url = req.url
        absolute = url.host != self.main_host
        parts: list[tuple[str, str]] = []
        host_params: list[Param] = []
        if absolute and url.host:
            for kind, text in _pieces(url.host):
                if kind == "lit":
                    parts.append(("lit", text))
                elif text in self.vars:
                    parts.append(("lit", self.vars[text]))
                else:
                    pname = by_var.get(text) or scope.claim(naming.snake(text))
                    if text not in by_var:
                        by_var[text] = pname
                        host_params.append(Param(pname, "str", positional=True,
                                                 doc="part of the host"))
                    parts.append(("raw", pname))
        path_docs = {v.key: (v.description or (f"e.g. {v.value!s}" if v.value else ""))
                     for v in url.variables}
        required: list[Param] = []
        optional: list[Param] = []
        for segment in url.path:
            parts.append(("lit", "/"))
            m = re.fullmatch(r":([A-Za-z_][\w.-]*)", segment)
            pieces = [("var", m.group(1))] if m else _pieces(segment)
            for kind, text in pieces:
                if kind == "lit":
                    parts.append(("lit", text))
                    continue
                if text not in by_var:
                    pname = scope.claim(naming.snake(text))
                    by_var[text] = pname
                    default = self.vars.get(text) if not m else None
                    p = Param(pname, "str", default if default is not None else ...,
                              positional=True, doc=path_docs.get(text, ""))
                    (optional if default is not None else required).append(p)
                parts.append(("seg", by_var[text]))
        if not url.path and not parts and not absolute:
            parts = []
        params.extend(host_params + required + optional)

        query: list[tuple[str, str]] = []
        static_query: list[tuple[str, str]] = []
        for q in url.query:
            if not q.key:
                continue
            pname = scope.claim(naming.snake(q.key, fallback="param"))
            value = q.value
            if q.disabled:
                params.append(Param(pname, "str | None", None, doc=_sample_doc(q)))
            else:
                default = self.substitute(value or "")
                params.append(Param(pname, "str", default if default is not None else ...,
                                    doc=_sample_doc(q)))
            query.append((q.key, pname))

        headers: list[tuple[str, list[tuple[str, str]]]] = []
        auth = self.auth(req)
        for h in req.headers:
            if h.disabled or not h.key or h.key.lower() in SKIP_HEADERS:
                continue
            if _auth_header(auth, h.key):
                continue
            hparts: list[tuple[str, str]] = []
            for kind, text in _pieces(h.value or ""):
                if kind == "lit":
                    hparts.append(("lit", text))
                elif text in by_var:
                    hparts.append(("var", by_var[text]))
                else:
                    pname = scope.claim(naming.snake(text))
                    by_var[text] = pname
                    params.append(Param(pname, "str | None", self.vars.get(text),
                                        doc=f"header {h.key}"))
                    hparts.append(("var", pname))
            headers.append((h.key, hparts))

        method = Method(
            name=name, qualname=qualname, source=req.source, http_method=req.method,
            url_template=req.url.raw, description=req.description, params=params,
            url_parts=parts, absolute=absolute or not self.main_host, query=query,
            static_query=static_query, headers=headers, auth=auth, body_kind="",
        )
        self.body(req, method, scope, by_var)
        self.types.examples(req, method)
        return method

    def substitute(self, text: str) -> str | None:
        """Text with known variables filled in; None if one is unknown."""
        missing = False

        def repl(match: re.Match[str]) -> str:
            nonlocal missing
            key = match.group(1)
            if key in self.vars:
                return self.vars[key]
            missing = True
            return ""

        out = VARIABLE_RE.sub(repl, text)
        return None if missing else out

    def auth(self, req: Request) -> tuple[str, ...]:
        """The request's auth: ("noauth",), (kind,), ("apikey", where, name) or
        ("other", kind) for a kind only `Client(auth=...)` implements."""
        a = req.auth
        if a.type == "":
            return ()
        if a.type == "noauth":
            return ("noauth",)
        if a.type in ("bearer", "oauth2"):
            self.credentials.add("access_token")
            if a.type == "oauth2" and a.get("grant_type") == "client_credentials":
                self.oauth2(a)
            return ("bearer",)
        if a.type in ("basic", "digest"):
            self.credentials.update(("username", "password"))
            return (a.type,)
        if a.type == "apikey":
            self.credentials.add("api_key")
            where = "query" if a.get("in") == "query" else "header"
            return ("apikey", where, a.get("key", "X-API-Key") or "X-API-Key")
        self.unsupported_auth.setdefault(a.type, []).append(req.source)
        return ("other", a.type)

    def oauth2(self, a: Auth) -> None:
        """Client-credentials settings: id and secret are arguments, never written;
        the token URL and scope are defaults when they hold no unknown variable."""
        self.credentials.update(("client_id", "client_secret", "token_url", "scope"))
        url = self.substitute(a.get("accessTokenUrl"))
        if url and "://" in url and self.token_url is None:
            self.token_url = url
        scope = self.substitute(a.get("scope"))
        if scope and self.scope is None:
            self.scope = scope

    def body(self, req: Request, m: Method, scope: naming.Scope,
             by_var: dict[str, str]) -> None:
        body = req.body
        if body is None or req.method in ("GET", "HEAD") and body.mode == "raw" and not body.raw.strip():
            return
        if body.mode == "raw":
            lang = body.language.lower()
            parsed = parse_request_json(body.raw) if lang in ("", "json") else None
            if parsed is not None and parsed.kind == "json" and (
                lang == "json" or body.raw.lstrip()[:1] in "{["
            ):
                shape = Shape()
                shape.observe(parsed.value)
                m.request = self.types.root(shape, m.name + "_request")
                m.body_kind = "json"
                m.body_param = scope.claim("body")
                if "{{" in body.raw:
                    self.body_template(body.raw, m, scope, by_var)
                # The annotation names the request model: set once names exist.
                m.params.append(Param(
                    m.body_param, "", None if m.body_template is not None else ...,
                    doc="JSON request body" + (
                        "; by default the collection's body with the variables below"
                        if m.body_template is not None else ""),
                ))
            else:
                m.body_kind = "text"
                m.body_param = scope.claim("content")
                m.params.append(Param(m.body_param, "str", doc=f"{lang or 'text'} request body"))
        elif body.mode in ("urlencoded", "formdata"):
            m.body_kind = "form" if body.mode == "urlencoded" else "multipart"
            for f in body.fields:
                pname = scope.claim(naming.snake(f.key, fallback="field"))
                if f.kind == "file":
                    m.params.append(Param(pname, "bytes | IO[bytes] | None", None,
                                          doc=f"file part {f.key}"))
                else:
                    default = self.substitute(f.value or "")
                    m.params.append(Param(pname, "str | None", default,
                                          doc=_sample_doc(f)))
                m.form_fields.append((f.key, pname, f.kind))
        elif body.mode == "file":
            m.body_kind = "bytes"
            m.body_param = scope.claim("content")
            m.params.append(Param(m.body_param, "bytes", doc="request body"))
        elif body.mode == "graphql":
            m.body_kind = "graphql"
            q = scope.claim("query")
            v = scope.claim("variables")
            m.graphql = (q, v)
            m.params.append(Param(q, "str", body.graphql_query, doc="GraphQL query"))
            m.params.append(Param(v, "JsonValue", None, doc="GraphQL variables"))

    def body_template(self, raw: str, m: Method, scope: naming.Scope,
                      by_var: dict[str, str]) -> None:
        """The collection's JSON body as a template: its `{{variables}}` become
        keyword parameters, filled in when the caller passes no body."""
        parsed = parse_request_json(raw, keep_variables=True)
        if parsed.kind != "json":
            return
        found: dict[str, bool] = {}  # variable -> seen as a whole JSON value

        def walk(value: object) -> None:
            if isinstance(value, str):
                for match in VARIABLE_RE.finditer(value):
                    whole = match.group(0) == value
                    found[match.group(1)] = found.get(match.group(1), False) or whole
            elif isinstance(value, list):
                for v in value:
                    walk(v)
            elif isinstance(value, dict):
                for k, v in value.items():
                    walk(k)
                    walk(v)

        walk(parsed.value)
        params = []
        for var, whole in found.items():
            if var not in by_var:
                by_var[var] = scope.claim(naming.snake(var))
                params.append(Param(by_var[var], "JsonValue" if whole else "str | None",
                                    self.vars.get(var), doc=f"body variable {{{{{var}}}}}"))
            m.body_vars.append((var, by_var[var]))
        m.params.extend(params)
        m.body_template = parsed.value

def _claim_client(scope: naming.Scope, base: str) -> str:
    """A sub-client class name whose async twin (`Async` + name) is free as well."""
    name = scope.claim(base, sep="")
    while not scope.free("Async" + name):
        name = scope.claim(base, sep="")
    scope.claim("Async" + name)
    return name


def _order(source: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", source))


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
    if kv.value:
        parts.append(f"e.g. {kv.value}")
    return " ".join(parts)


def _name_from_url(req: Request) -> str:
    words = [req.method.lower()]
    for seg in req.url.path:
        if not seg.startswith((":", "{{")):
            words.append(seg)
    return naming.snake("_".join(words), fallback="request")


def plan(collection: Collection, variables: dict[str, str] | None = None,
         name: str | None = None, options: Options | None = None) -> Package:
    """The generated API of a collection."""
    p = _Planner(collection, variables or {})
    class_scope = naming.Scope(reserved=naming.CLASS_RESERVED)
    root = p.client(collection.root, (), "", class_scope)
    root.name = "Client"
    pkg_name = name or package_name(collection.name)
    p.types.type_roots(options, pkg_name)
    for kind, where in p.unsupported_auth.items():
        more = f" and {len(where) - 1} more" if len(where) > 1 else ""
        p.note(where[0] + more, f"auth type {kind!r} is not implemented by the generator: "
               "pass an httpx.Auth as `Client(auth=...)` (for example authlib's "
               "OAuth1Auth, a Hawk or AWS SigV4 httpx.Auth); the collection's "
               "Authorization header is not sent")
    methods: list[Method] = []

    def walk(c: ClientClass) -> None:
        methods.extend(c.methods)
        for child in c.children:
            walk(child)

    walk(root)
    classes, adapters = name_roots(methods, p.types.table, class_scope, options)
    base_url = None
    if p.main_host:
        base_url = p.substitute(p.main_host)
        if base_url is not None and "://" not in base_url:
            base_url = None
    stats = dict(p.stats)
    stats["requests"] = len(methods)
    return Package(
        name=pkg_name,
        title=collection.name,
        description=collection.description,
        source_file=collection.file,
        base_url=base_url,
        credentials=sorted(p.credentials),
        token_url=p.token_url,
        scope=p.scope,
        root=root,
        classes=classes,
        adapters=adapters,
        notices=p.notices,
        stats=stats,
        options=options or Options(),
    )


