"""The regex scanners of request bodies against a plain character-by-character
reading of the same rules (strings first, then comments or `{{variables}}`)."""

from __future__ import annotations

import json
import re

from hypothesis import given
from hypothesis import strategies as st

from postman_codegen.bodies import _replace_unquoted_vars, strip_comments

PIECES = ['"', "\\", "/", "*", "{", "}", "{{a}}", "\n", "a", " ", "//", "/*", "*/", "{{", "}}"]
texts = st.lists(st.sampled_from(PIECES), max_size=24).map("".join)


def _reference(text: str, on_code: object) -> str:
    """Walk `text`; inside strings copy; elsewhere let `on_code(text, i)` return
    (replacement, next index) or None to copy one character."""
    out: list[str] = []
    i, n, in_str = 0, len(text), False
    while i < n:
        c = text[i]
        if in_str:
            out.append(text[i:i + 2] if c == "\\" else c)
            in_str = c != '"'
            i += 2 if c == "\\" else 1
            continue
        got = on_code(text, i)  # type: ignore[operator]
        if got is not None and c != '"':
            out.append(got[0])
            i = got[1]
            continue
        in_str = c == '"'
        out.append(c)
        i += 1
    return "".join(out)


def _comment(text: str, i: int) -> tuple[str, int] | None:
    if text.startswith("//", i):
        end = text.find("\n", i)
        return "", len(text) if end < 0 else end
    if text.startswith("/*", i):
        end = text.find("*/", i + 2)
        return "", len(text) if end < 0 else end + 2
    return None


def _var(keep: bool) -> object:
    def on(text: str, i: int) -> tuple[str, int] | None:
        m = re.compile(r"\{\{[^{}]*\}\}").match(text, i)
        if m is None:
            return None
        return (json.dumps(m.group()) if keep else "null"), m.end()
    return on


@given(texts)
def test_comments_are_dropped_outside_strings_only(text: str) -> None:
    assert strip_comments(text) == _reference(text, _comment)


@given(texts, st.booleans())
def test_unquoted_variables_are_replaced_outside_strings_only(text: str, keep: bool) -> None:
    assert _replace_unquoted_vars(text, keep) == _reference(text, _var(keep))


def test_examples() -> None:
    assert strip_comments('{"a": "//x", // note\n "b": 1 /* c */}') == '{"a": "//x", \n "b": 1 }'
    assert _replace_unquoted_vars('{"id": {{id}}, "s": "{{id}}"}') == '{"id": null, "s": "{{id}}"}'
    assert strip_comments('"unterminated // still a string') == '"unterminated // still a string'
