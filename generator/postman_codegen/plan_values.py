"""What a collection's variables and sample values may put into generated code.

Three rules live here, so the request planner never decides them ad hoc:
- a value is a default only when it is real data: placeholders (`<string>`,
  `sessionId_example`), empty text and unresolved `{{variables}}` never are;
- no secret is written into code: values of variables marked `secret`, and of
  any variable used for auth or in a credential-like header, query key or body
  field, are dropped (and named once in the warnings);
- an environment supplies base URLs only, unless `environment_defaults` is set.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .bodies import Parsed, parse_request_json
from .collection import VARIABLE_RE, Collection, Environment, Request
from .infer import placeholder_kind
from .options import Options

# Header, query and field keys (and variable names) that carry credentials.
CREDENTIAL_RE = re.compile(
    r"authori[sz]ation|token|secret|passw|credential|signature|cookie|apikey"
    r"|api[-_ .]?key|(?:^|[-_ .])key$|(?<=[a-z0-9])Key$",
    re.IGNORECASE,
)
_PLACEHOLDER_RE = re.compile(r"<[^<>\s][^<>]{0,40}>|\w+_example")
_INT_RE = re.compile(r"-?(?:0|[1-9]\d{0,17})")


@functools.lru_cache(maxsize=1 << 14)
def is_credential(key: str) -> bool:
    """Cached: the same JSON keys and header names come back in every request."""
    return bool(key) and CREDENTIAL_RE.search(key) is not None


def is_placeholder(text: str) -> bool:
    """`<string>`, `<integer>`, `<object>`, `id_example`, or a JSON array/object
    made only of those: an OpenAPI export's type hint, not data."""
    text = text.strip()
    if _PLACEHOLDER_RE.fullmatch(text):
        return True
    if text[:1] in "[{":
        try:
            value = json.loads(text)
        except ValueError:
            return False
        return _only_placeholders(value)
    return False


def _only_placeholders(value: object) -> bool:
    if isinstance(value, str):
        return is_placeholder(value)
    if isinstance(value, list):
        return bool(value) and all(_only_placeholders(v) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(_only_placeholders(v) for v in value.values())
    return False


def scalar_type(text: str) -> str:
    """`int`, `bool`, `float` or `str`: what a placeholder stands for, or what
    a literal unmistakably is (`42`, `true`); anything else is text."""
    kind = placeholder_kind(text.strip())
    if kind in ("int", "bool", "float"):
        return kind
    if _INT_RE.fullmatch(text):
        return "int"
    if text in ("true", "false"):
        return "bool"
    return "str"


def typed_value(text: str) -> object:
    """A literal as the Python value of its `scalar_type`."""
    kind = scalar_type(text)
    if kind == "int":
        return int(text)
    if kind == "bool":
        return text == "true"
    return text


def variables_in(text: str | None) -> list[str]:
    return [m.group(1) for m in VARIABLE_RE.finditer(text or "")]


def whole_variable(text: str | None) -> str | None:
    """`name` when the text is exactly `{{name}}`."""
    m = VARIABLE_RE.fullmatch((text or "").strip())
    return m.group(1) if m else None


# Auth settings that are not secrets (a token URL holds the base URL variable).
PUBLIC_AUTH_PARAMS = frozenset({"accessTokenUrl", "authUrl", "scope", "grant_type",
                                "client_authentication"})


def credential_variables(requests: list[Request],
                         templates: dict[str, Parsed] | None = None) -> set[str]:
    """Variables used for auth or in a credential-like header, query key or field.
    `templates` is given every JSON body text parsed with its variables kept."""
    found: set[str] = set()
    templates = {} if templates is None else templates
    for req in requests:
        for key, value in req.auth.params:
            if key not in PUBLIC_AUTH_PARAMS:
                found.update(variables_in(value))
        places = [*req.headers, *req.url.query, *(req.body.fields if req.body else ())]
        for kv in places:
            if is_credential(kv.key):
                found.update(variables_in(kv.value))
        for text, json_text in _body_texts(req):
            parsed = None
            if json_text:
                parsed = templates[text] = parse_request_json(text, keep_variables=True)
            if parsed is not None and parsed.kind == "json":
                found.update(_credential_members(parsed.value, False))
            else:  # SOAP `<Password>{{pw}}</Password>`, `password={{pw}}`
                found.update(m.group(2) for m in _KEYED_VARIABLE_RE.finditer(text)
                             if is_credential(m.group(1)))
    return found


# A `{{variable}}` right after a key in text: an XML element or attribute,
# `key=`, `key:` (the value of `password` in `<a:password>{{pw}}</a:password>`).
_KEYED_VARIABLE_RE = re.compile(
    r"([A-Za-z_][\w.-]*)(?:(?:\s[^<>]*)?>\s*|[\"']?\s*[:=]\s*[\"']?)"
    r"\{\{\s*([^{}]+?)\s*\}\}")


def _body_texts(req: Request) -> Iterator[tuple[str, bool]]:
    """The texts of a request body that hold `{{variables}}`, each with whether it
    is JSON: a raw body, a GraphQL query and its variables."""
    body = req.body
    if body is None:
        return
    texts = {"raw": [(body.raw, True)],
             "graphql": [(body.graphql_query, False), (body.graphql_variables, True)]}
    yield from ((text, json_text) for text, json_text in texts.get(body.mode, [])
                if "{{" in text)


def _credential_members(value: object, inside: bool) -> Iterator[str]:
    if isinstance(value, str):
        if inside:
            yield from variables_in(value)
    elif isinstance(value, list):
        for v in value:
            yield from _credential_members(v, inside)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _credential_members(v, inside or is_credential(str(k)))


def uses(req: Request) -> tuple[set[str], set[str]]:
    """(variables a request's parameters may take, variables it uses as a whole
    path segment): the host and auth are not parameters."""
    found: set[str] = set()
    whole: set[str] = set()
    for seg in req.url.path:
        found.update(variables_in(seg))
        name = whole_variable(seg)
        if name is not None:
            whole.add(name)
    for kv in (*req.url.query, *req.headers, *(req.body.fields if req.body else ())):
        found.update(variables_in(kv.value))
    for text, _ in _body_texts(req):
        found.update(variables_in(text))
    return found, whole


@dataclass(frozen=True, slots=True)
class Skipped:
    variable: str
    reason: str


class Values:
    """The values of a collection's variables that code may hold, decided once.

    Every value not written into code is named once, by `report`, at the end:
    a host variable may be declined as a parameter default yet taken as a base URL.
    """

    def __init__(self, collection: Collection, env: Environment, options: Options,
                 note: Callable[[str, str], None]) -> None:
        self.collection = {v.key: v for v in collection.variables}
        self.env = env
        self.options = options
        self.note = note
        # Bodies parsed with their variables kept (the planner's body templates).
        self.templates: dict[str, Parsed] = {}
        self.credentials = credential_variables(collection.requests(), self.templates)
        self._declined: set[str] = set()  # variables whose value some place refused
        self._taken: set[str] = set()  # variables whose environment value code holds

    def template(self, text: str) -> Parsed:
        """A JSON body text parsed with its `{{variables}}` kept as strings (parsed
        once: finding credentials parsed it already). Callers do not mutate it."""
        parsed = self.templates.get(text)
        if parsed is None:
            parsed = self.templates[text] = parse_request_json(text, keep_variables=True)
        return parsed

    def secret(self, var: str) -> bool:
        col = self.collection.get(var)
        return (var in self.credentials or var in self.env.secrets or is_credential(var)
                or (col is not None and col.secret))

    def default(self, var: str) -> str | None:
        """The value a parameter for `var` may default to, or None."""
        col = self.collection.get(var)
        if self.secret(var) or (var in self.env.values
                                and not self.options.environment_defaults):
            self._declined.add(var)
            return None if self.secret(var) else _real(col.value if col else None)
        if var in self.env.values:
            self._taken.add(var)
            return _real(self.env.values[var])
        return _real(col.value if col is not None else None)

    def base(self, var: str) -> str | None:
        """The value of a host variable: a base URL, taken from the environment too."""
        if self.secret(var):
            self._declined.add(var)
            return None
        col = self.collection.get(var)
        self._taken.add(var)
        return _real(self.env.values.get(var) or (col.value if col is not None else None))

    def report(self) -> None:
        """Name, once each, the values no parameter or base URL took."""
        for var in sorted(self._declined | set(self.env.values)):
            col = self.collection.get(var)
            had = bool(self.env.values.get(var) or (col is not None and col.value))
            if not had or var in self._taken:
                continue
            if self.secret(var):
                reason = "is a secret or used for credentials"
            elif var in self.env.values:
                reason = ("comes from the environment (set environment_defaults = true "
                          "to take environment values as defaults)")
            else:
                continue  # a collection value that was taken where it was asked for
            self.note("$", f"the value of {{{{{var}}}}} {reason}: "
                           "it is not written into the generated code")


def _real(value: str | None) -> str | None:
    if value is None or value == "" or is_placeholder(value) or "{{" in value:
        return None
    return value
