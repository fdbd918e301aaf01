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


def strip_comments(text: str) -> str:
    """Drop `//` and `/* */` comments outside JSON strings."""
    out: list[str] = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            i = n if end < 0 else end + 2
            continue
        out.append(c)
        i += 1
    return "".join(out)


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


def _replace_unquoted_vars(text: str, keep: bool = False) -> str:
    out: list[str] = []
    i, n = 0, len(text)
    in_str = False
    while i < n:
        c = text[i]
        if in_str:
            out.append(c)
            if c == "\\" and i + 1 < n:
                out.append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_str = False
            i += 1
            continue
        if c == '"':
            in_str = True
            out.append(c)
            i += 1
            continue
        m = _VAR_VALUE.match(text, i)
        if m:
            out.append(json.dumps(m.group(0)) if keep else "null")
            i = m.end()
            continue
        out.append(c)
        i += 1
    return "".join(out)
