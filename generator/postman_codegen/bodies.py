"""Classify example and request bodies: JSON, text, or empty.

Labels lie (`_postman_previewlanguage: Text` on JSON, `json` on HTML), so the
decision is made by parsing, never by the label.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

_VAR_VALUE = re.compile(r"\{\{[^{}]*\}\}")


@dataclass(frozen=True, slots=True)
class Parsed:
    kind: str  # "json", "text", "empty"
    value: Any = None
    reason: str = ""


def _reject(name: str) -> Any:
    raise ValueError(name)


def parse_body(text: str | None) -> Parsed:
    """A response body as JSON when it is JSON, else text (or empty)."""
    if text is None or not text.strip():
        return Parsed("empty")
    try:
        return Parsed("json", json.loads(text, parse_constant=_reject))
    except RecursionError:
        return Parsed("text", reason="JSON nested too deeply")
    except ValueError as exc:
        stripped = text.lstrip()
        if stripped.startswith("<"):
            what = "XML/HTML"
        elif stripped[:1] in "{[":
            what = f"JSON-like but invalid ({exc})"
        else:
            what = "text"
        return Parsed("text", reason=what)


# A JSON string (to its closing quote, or the end of an unterminated one), a `//`
# comment to the end of its line, or a `/* */` comment (to the end if unclosed).
_STRING = r'"(?:[^"\\]+|\\.|\\\Z)*(?:"|\Z)'
_COMMENT = re.compile(_STRING + r"|//[^\n]*|/\*.*?(?:\*/|\Z)", re.DOTALL)


def strip_comments(text: str) -> str:
    """Drop `//` and `/* */` comments outside JSON strings."""
    if "/" not in text:
        return text
    return _COMMENT.sub(lambda m: m.group() if m.group()[0] == '"' else "", text)


def parse_request_json(text: str, keep_variables: bool = False) -> Parsed:
    """A raw request body as JSON, tolerating what Postman users write.

    `// comments` are dropped and unquoted `{{variables}}` read as null (a
    value of unknown type), so a request model can still be inferred. With
    `keep_variables` they read as the string `"{{name}}"` instead (a template).
    """
    first = parse_body(text)
    if first.kind != "text":
        return first
    cleaned = strip_comments(text)
    cleaned = _replace_unquoted_vars(cleaned, keep_variables)
    second = parse_body(cleaned)
    return second if second.kind == "json" else first


_UNQUOTED_VAR = re.compile(_STRING + "|" + _VAR_VALUE.pattern, re.DOTALL)


def _replace_unquoted_vars(text: str, keep: bool = False) -> str:
    """`{{name}}` outside JSON strings as null (or, with `keep`, the string `"{{name}}"`)."""
    def one(m: re.Match[str]) -> str:
        token = m.group()
        if token[0] == '"':
            return token
        return json.dumps(token) if keep else "null"

    return _UNQUOTED_VAR.sub(one, text)
