"""Collection text that could mislead a reader is made visible in every generated text."""

from __future__ import annotations

import ast

import pytest

from postman_codegen.escape import code, docstring, fenced, md, visible
from postman_codegen.plan import package_name

TROJAN = ["\u202e", "\u2066", "\u2069", "\u200b", "\u200f", "\x1b", "\x85", "\u2028", "\x07"]


@pytest.mark.parametrize("char", TROJAN)
def test_docstrings_write_format_and_control_characters_as_escapes(char: str) -> None:
    lit = docstring(f"safe{char}text")
    assert char not in lit
    assert ast.literal_eval(lit) == f"safe{char}text"


@pytest.mark.parametrize("char", TROJAN)
def test_markdown_shows_format_and_control_characters(char: str) -> None:
    for out in (md(f"a{char}b"), code(f"a{char}b"), fenced(f"a{char}b")):
        assert char not in out
        # Line breaks inside an inline code span become spaces; all else is shown.
        assert "\\x" in out or "\\u" in out or out == "`a b`"


def test_terminal_escape_sequences_cannot_reach_a_terminal() -> None:
    osc52 = "\x1b]52;c;c2VjcmV0\x07"
    assert "\x1b" not in visible(osc52)
    assert visible("plain text\nsecond line") == "plain text\nsecond line"


def test_inline_markdown_cannot_open_markup() -> None:
    assert md("# [click](http://evil) | `x`") == "\\# \\[click\\]\\(http://evil\\) \\| \\`x\\`"
    assert code("a `b` c") == "``a `b` c``"


@pytest.mark.parametrize("name", ["json", "typing", "enum", "http", "email", "httpx", "sys"])
def test_package_names_never_shadow_the_standard_library_or_httpx(name: str) -> None:
    assert package_name(name) == f"api_{name}"
