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
from collections.abc import Mapping
from dataclasses import dataclass

from . import naming
from .collection import VARIABLE_RE, Collection, Environment, Folder, Request
from .errors import Notice
from .options import Options
from .plan_request import Context, RequestPlanner
from .plan_types import (
    ABSENT,
    REQUIRED,
    Auth,
    AuthKind,
    Body,
    BodyKind,
    BodyVar,
    ClientClass,
    FormField,
    Header,
    Method,
    Package,
    Param,
    Piece,
    PieceKind,
    QueryParam,
    Setting,
    Template,
)
from .plan_values import Values, uses
from .typeplan import Typer, name_roots

__all__ = [
    "ABSENT", "REQUIRED", "Auth", "AuthKind", "Body", "BodyKind", "BodyVar", "ClientClass",
    "FormField", "Header", "Method", "Package", "Param", "Piece", "PieceKind", "QueryParam",
    "Setting", "Template", "package_name", "plan",
]
# Names `Client.__init__` takes besides the settings.
CLIENT_RESERVED = frozenset({"base_url", "headers", "timeout", "http", "self", "auth",
                             "max_response_bytes"})
# The `Client(...)` credential keywords each auth type brings.
AUTH_CREDENTIALS = {"bearer": ("access_token",),
                    "oauth2": ("access_token", "client_id", "client_secret", "token_url",
                               "scope"),
                    "digest": ("username", "password"),
                    "basic": ("username", "password"), "apikey": ("api_key",)}
# Modules a generated package imports at run time (httpx and what it imports).
RUNTIME_MODULES = frozenset(
    {"httpx", "httpcore", "h11", "h2", "anyio", "sniffio", "idna", "certifi", "msgspec"}
)
# Device names Windows reserves in every folder: no file or folder may take them.
RESERVED_FILE_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}
)


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


@dataclass(slots=True)
class _Note:
    """Records a warning about the collection. Not a method of the planner: what
    the planner hands it to would then point back at the planner, a cycle that
    only the garbage collector frees (and cli.py runs planning with it held)."""

    file: str
    notices: list[Notice]

    def __call__(self, path: str, message: str) -> None:
        self.notices.append(Notice(self.file, path, message))


class _Planner:
    """Walks the folders: one sub-client per folder, one method per request."""

    def __init__(self, collection: Collection, env: Environment, options: Options) -> None:
        self.col = collection
        self.notices: list[Notice] = list(collection.notices)
        self.note = _Note(collection.file, self.notices)
        self.stats: Counter[str] = Counter()
        requests = collection.requests()
        hosts = Counter(r.url.host for r in requests)
        main_host = hosts.most_common(1)[0][0] if hosts else ""
        values = Values(collection, env, options, self.note)
        bases = _bases(requests, main_host, values)
        settings = _settings(requests, values, {b.name for b in bases.values()})
        self.ctx = Context(values, Typer(self.note, self.stats), main_host, settings, bases)

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
        r = RequestPlanner(self.ctx, req, name).plan()
        method = Method(
            name=name, qualname=qualname, source=req.source, http_method=req.method,
            url_template=req.url.raw, description=req.description, params=r.params,
            base=r.base, url=r.url, query=r.query, headers=r.headers, auth=r.auth,
            body=r.body, request=r.request,
        )
        self.ctx.types.examples(req, method)
        return method


def _settings(requests: list[Request], values: Values, taken: set[str]) -> dict[str, Setting]:
    """Variables at least half the requests (and two or more) use, none of them as a
    whole path segment (that names a resource, not a setting): client settings."""
    count: Counter[str] = Counter()
    segments: set[str] = set()
    for req in requests:
        found, whole = uses(req)
        count.update(found)
        segments |= whole
    credentials = {c for r in requests for c in AUTH_CREDENTIALS.get(r.auth.type, ())}
    scope = naming.Scope(taken, reserved=naming.RESERVED | CLIENT_RESERVED | credentials)
    out: dict[str, Setting] = {}
    for var, n in sorted(count.items()):
        if n >= 2 and 2 * n >= len(requests) and var not in segments:
            out[var] = Setting(scope.claim(naming.snake(var)), var, values.default(var))
    return out


def _bases(requests: list[Request], main_host: str, values: Values) -> dict[str, Setting]:
    """One base-URL setting per host variable: `base_url` for the main host's,
    then `<name>_base_url`."""
    out: dict[str, Setting] = {}
    main = _host_variable(main_host)
    if main is not None:
        out[main] = Setting("base_url", main, None)
    scope = naming.Scope({"base_url"}, reserved=naming.RESERVED | CLIENT_RESERVED)
    for req in requests:
        var = _host_variable(req.url.host)
        if var is None or var in out:
            continue
        stem = re.sub(r"_?(base_url|endpoint|url|host|domain|base|server)$", "",
                      naming.snake(var)) or naming.snake(var)
        value = values.base(var)
        out[var] = Setting(scope.claim(stem + "_base_url"), var,
                           value if value is not None and "://" in value else None)
    return out


def _host_variable(host: str) -> str | None:
    m = VARIABLE_RE.match(host)
    return m.group(1) if m else None


def _claim_client(scope: naming.Scope, base: str) -> str:
    """A sub-client class name whose async twin (`Async` + name) is free as well."""
    name = scope.claim(base, sep="")
    while not scope.free("Async" + name):
        name = scope.claim(base, sep="")
    scope.claim("Async" + name)
    return name


def _order(source: str) -> tuple[int, ...]:
    return tuple(int(n) for n in re.findall(r"\[(\d+)\]", source))


def _name_from_url(req: Request) -> str:
    words = [req.method.lower()]
    for seg in req.url.path:
        if not seg.startswith((":", "{{")):
            words.append(seg)
    return naming.snake("_".join(words), fallback="request")


def plan(collection: Collection, variables: Environment | Mapping[str, str] | None = None,
         name: str | None = None, options: Options | None = None) -> Package:
    """The generated API of a collection (`variables`: its environment)."""
    env = variables if isinstance(variables, Environment) else Environment(dict(variables or {}))
    options = options or Options()
    p = _Planner(collection, env, options)
    class_scope = naming.Scope(reserved=naming.CLASS_RESERVED)
    root = p.client(collection.root, (), "", class_scope)
    root.name = "Client"
    pkg_name = name or package_name(collection.name)
    p.ctx.types.type_roots(options, pkg_name)
    base_url = _base_url(p.ctx.main_host, p.ctx.values)
    p.ctx.values.report()
    for kind, where in p.ctx.unsupported_auth.items():
        more = f" and {len(where) - 1} more" if len(where) > 1 else ""
        p.note(where[0] + more, f"auth type {kind!r} is not implemented by the generator: "
               "pass an httpx.Auth as `Client(auth=...)` (for example authlib's "
               "OAuth1Auth, a Hawk or AWS SigV4 httpx.Auth); the collection's "
               "Authorization header is not sent")
    methods = root_methods(root)
    classes, adapters = name_roots(methods, p.ctx.types.table, class_scope, options)
    stats = dict(p.stats)
    stats["requests"] = len(methods)
    return Package(
        name=pkg_name,
        title=collection.name,
        description=collection.description,
        source_file=collection.file,
        base_url=base_url,
        bases=[b for b in p.ctx.bases.values() if b.name != "base_url"],
        settings=list(p.ctx.settings.values()),
        credentials=sorted(p.ctx.credentials),
        token_url=p.ctx.token_url,
        scope=p.ctx.scope,
        root=root,
        classes=classes,
        adapters=adapters,
        notices=p.notices,
        stats=stats,
        options=options,
    )


def root_methods(root: ClientClass) -> list[Method]:
    """Every method of a client class tree, depth first, each class before its
    children (a loop: a recursive closure is a cycle only the collector frees)."""
    methods: list[Method] = []
    stack = [root]
    while stack:
        c = stack.pop()
        methods.extend(c.methods)
        stack.extend(reversed(c.children))
    return methods


def _base_url(host: str, values: Values) -> str | None:
    """The main host with its variables filled in, when all have a value."""
    missing = False

    def fill(match: re.Match[str]) -> str:
        nonlocal missing
        value = values.base(match.group(1))
        missing = missing or value is None
        return value or ""

    url = VARIABLE_RE.sub(fill, host)
    return url if url and not missing and "://" in url else None
