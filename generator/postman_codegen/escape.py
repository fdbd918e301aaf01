"""The one funnel through which collection text enters generated files.

Every value from a collection reaches generated code through exactly one of
these: `literal` (a Python literal), `ident` (a checked identifier),
`docstring` (a docstring literal) or `fenced` (a Markdown code block).
"""

from __future__ import annotations

import ast
import keyword
import re
import unicodedata

MAX_DOC = 2000


def literal(value: object) -> str:
    """A Python literal for a JSON-like value: the one way data enters code."""
    if isinstance(value, str):
        return repr(value)
    if value is None or isinstance(value, (bool, int)):
        return repr(value)
    if isinstance(value, float):
        text = repr(value)
        if text in ("inf", "-inf", "nan"):
            raise ValueError(f"no literal for {value}")
        return text
    if isinstance(value, (list, tuple)):
        inner = ", ".join(literal(v) for v in value)
        if isinstance(value, tuple):
            return f"({inner},)" if len(value) == 1 else f"({inner})"
        return f"[{inner}]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{literal(k)}: {literal(v)}" for k, v in value.items()) + "}"
    raise TypeError(f"no literal for {type(value).__name__}")


def ident(name: str) -> str:
    """Pass through an identifier, refusing anything that is not one."""
    if (not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name)
            or unicodedata.normalize("NFKC", name) != name):  # Python would read another name
        raise ValueError(f"not a safe identifier: {name!r}")
    return name


_DOC_ESCAPES = {
    "\\": "\\\\", "\r": "\\r", "\x0b": "\\x0b", "\x0c": "\\x0c", "\x1c": "\\x1c",
    "\x1d": "\\x1d", "\x1e": "\\x1e", "\x85": "\\x85", "\u2028": "\\u2028",
    "\u2029": "\\u2029", "\t": "    ",
}


def hidden(c: str) -> bool:
    """A character a reader cannot see or that reorders what they see.

    C0/C1 controls, Unicode format characters (bidi overrides and isolates,
    zero-width spaces: the Trojan-Source class), line/paragraph separators
    and lone surrogates.
    """
    return unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp", "Cs")


def _notation(c: str) -> str:
    o = ord(c)
    return f"\\x{o:02x}" if o < 256 else f"\\u{o:04x}"


def visible(text: str, keep: str = "\n") -> str:
    """`text` with every hidden character written as `\\uXXXX` (those in `keep` stay)."""
    probe = text
    for c in keep:
        probe = probe.replace(c, "")
    if probe.isprintable():  # a hidden character is never printable
        return text
    return "".join(_notation(c) if c not in keep and hidden(c) else c for c in text)


def md(text: str) -> str:
    """Inline Markdown text: one line, hidden characters visible, no markup."""
    text = visible(text.replace("\r\n", " ").replace("\n", " ").replace("\r", " "), keep="")
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~])", r"\\\1", text)


def code(text: str) -> str:
    """An inline Markdown code span holding `text` on one line, hidden characters visible."""
    text = visible(" ".join(text.splitlines()), keep="")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


_QUOTE_RUN = re.compile(r'"{3,}|"+\Z')


def _escape_quotes(match: re.Match[str]) -> str:
    return '\\"' * len(match.group())


def docstring(text: str) -> str:
    """A triple-quoted docstring literal holding `text` as data."""
    text = text.strip()
    if len(text) > MAX_DOC:
        text = text[:MAX_DOC].rstrip() + " ..."
    if "\\" not in text and text.replace("\n", "").isprintable():
        # Nothing to escape (a hidden character is never printable): the usual case.
        return _doc_literal(text)
    out = []
    for c in text:
        if c in _DOC_ESCAPES:
            out.append(_DOC_ESCAPES[c])
        elif unicodedata.category(c) == "Cs":
            # A class's __doc__ must encode as UTF-8 (CPython refuses to create
            # the class otherwise): the lone surrogate stays visible text.
            out.append("\\" + _notation(c))
        elif c != "\n" and hidden(c):
            out.append(_notation(c))
        else:
            out.append(c)
    return _doc_literal("".join(out))


def _doc_literal(text: str) -> str:
    """The literal of docstring text whose characters are all escaped already."""
    lines = [line.rstrip() for line in text.split("\n")]
    # A run of three quotes, or quotes at the very end, would close the literal.
    body = _QUOTE_RUN.sub(_escape_quotes, "\n".join(lines))
    if not body:
        body = "-"
    lit = f'"""{body}"""' if "\n" not in body else f'"""{body}\n"""'
    ast.literal_eval(lit)  # must be one valid literal, whatever the text
    return lit


def fenced(text: str, lang: str = "", limit: int = 1500) -> str:
    """A Markdown code block that no content can close early."""
    if len(text) > limit:
        text = text[:limit].rstrip() + "\n..."
    text = visible(text, keep="\n\t")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{lang}\n{text}\n{fence}"
