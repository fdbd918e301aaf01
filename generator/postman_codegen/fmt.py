"""Black-exact formatting one top-level statement at a time, reusing earlier results.

black formats each top-level statement of a module independently; what links
them is only the number of blank lines between them, which black decides from
the two statements' kinds and the blank lines the input had (its
`EmptyLineTracker`, non-stub mode, depth 0). So a rendered file is split into
its top-level statements ("blocks"), each block is formatted alone (or taken
from a cache keyed by the hash of its rendered text), and the blocks are joined
with the blank lines black would have put between them. When one example of a
collection changes, one model class changes: black then runs on that class, not
on the whole file.

Exactness is the contract: the result equals `black.format_str` of the whole
file, byte for byte (tests/test_format_blocks.py checks it on the seeds and on
the whole corpus). Whatever this module cannot vouch for sends the file back to
whole-file black: a top-level comment, a `# fmt:` directive, a bare string that
is not the module docstring, two statements on one line, a statement whose
formatted form ends in a stub body (`...`), a compound statement with a
definition inside, a piece that does not compile alone, or black failing on a
block alone.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

# Keys are this many hex digits of sha256: collisions are as unlikely as in git.
KEY_LENGTH = 20

Formatter = Callable[[str], str]


@dataclass(frozen=True, slots=True)
class Block:
    """One top-level statement of a rendered file."""

    key: str  # hash of `text`
    kind: str  # docstring | import | def | decorated | other
    blank: int  # blank lines before it in the rendered text, at most 2
    text: str


@dataclass(frozen=True, slots=True)
class Formatted:
    """A formatted file and the record that lets the next run reuse its blocks:
    one `key:blank_lines_before:line_count` entry per block (empty for a file
    formatted whole)."""

    text: str
    blocks: list[str]


def block_key(text: str, salt: str = "") -> str:
    """The cache key of a block: its rendered text and `salt` (black's version and
    mode, so a cache never outlives the formatter that filled it)."""
    return hashlib.sha256((salt + "\0" + text).encode("utf-8")).hexdigest()[:KEY_LENGTH]


# A line at column 0 starts a top-level statement unless it continues one.
_CONTINUES = re.compile(r"[)\]}]|(else|elif|except|finally)\b")
_DEF = re.compile(r"(async[ \t]+def|def|class)[ \t]")
_NESTED_DEF = re.compile(r"^[ \t]+(async[ \t]+def|def|class)[ \t]", re.MULTILINE)
_IMPORT = re.compile(r"(import|from)[ \t]")
_STRING = re.compile(r"[rRbBuUfF]{0,2}['\"]")
_DOCSTRING = re.compile(r'[rRuU]?("""|\'\'\')(?:(?!\1).)*\1\s*', re.DOTALL)


def _kind(text: str, first: bool, blocks: list[Block]) -> str | None:
    """The kind that decides the blank lines around a statement; None if unsafe."""
    if text.startswith("@"):
        return "decorated"
    if _DEF.match(text):
        return "def"
    if _STRING.match(text):
        # The module docstring (one string literal) is black's; any other bare
        # string at the top level black treats apart.
        return "docstring" if first and _DOCSTRING.fullmatch(text) else None
    if any(";" in line for line in text.splitlines() if line[:1] not in (" ", "\t")):
        return None  # two statements on a line: the second one's kind would count
    if text.startswith(("global", "nonlocal")):
        return None  # checked across statements by the compiler
    if _IMPORT.match(text):
        if text.startswith("from __future__") and any(
                b.kind != "docstring" and not b.text.startswith("from __future__")
                for b in blocks):
            return None  # only whole-file compilation reports a late future import
        return "import"
    if _NESTED_DEF.search(text):
        return None  # blank lines after a definition nested in `if`/`try` differ
    return "other"


_TOKEN = re.compile(r"""#[^\n]*|[rRbBuUfF]{0,2}("{3}|'{3}|"|')|[(\[{]|[)\]}]|\\\n""")
_FAR = 1 << 62


def _string_end(text: str, at: int, quote: str) -> int:
    """Where a string whose body starts at `at` ends (after its closing quote)."""
    while True:
        end = text.find(quote, at)
        if end < 0 or (len(quote) == 1 and "\n" in text[at:end]):
            return len(text)  # unterminated: the piece will not compile
        back = end
        while back > at and text[back - 1] == "\\":
            back -= 1
        if (end - back) % 2 == 0:
            return end + len(quote)
        at = end + 1


def _inside(text: str) -> list[tuple[int, int]]:
    """Spans of `text` inside a string, a bracket or a line continuation at the top
    level, where a line at column 0 does not start a statement. A light scanner:
    where it errs, a piece does not compile alone and the file goes whole."""
    spans: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    pos = 0
    while (m := _TOKEN.search(text, pos)) is not None:
        token, pos = m.group(0), m.end()
        if token[0] == "#":
            continue
        if m.group(1):
            end = _string_end(text, pos, m.group(1))
            if depth == 0:
                spans.append((m.start(), end))
            pos = end
        elif token in "([{":
            depth += 1
            if depth == 1:
                opened = m.start()
        elif token in ")]}":
            depth = max(depth - 1, 0)
            if depth == 0:
                spans.append((opened, m.end()))
        elif depth == 0:  # a backslash continuation
            spans.append((m.start(), m.end()))
    if depth:
        spans.append((opened, len(text)))
    return spans


def _within(spans: list[tuple[int, int]], at: int) -> bool:
    """Whether offset `at` lies strictly inside one of the sorted `spans`."""
    i = bisect.bisect_right(spans, (at, _FAR)) - 1
    return i >= 0 and spans[i][0] < at < spans[i][1]


def _leading_docstring(text: str) -> list[tuple[int, int]]:
    """The span of a module docstring at the very start (its lines may sit at
    column 0): all `split` needs to skip when it trusts the layout."""
    m = re.match(r'[rRuU]?("""|\'\'\')', text)
    return [(0, _string_end(text, m.end(), m.group(1)))] if m else []


def split(text: str, salt: str = "", precise: bool = True) -> list[Block] | None:
    """The top-level statements of `text`, or None when the file must be formatted
    whole; `salt` goes into the keys.

    The split is textual (a line at column 0 starts a statement unless it
    closes a bracket, is a clause such as `else:`, or follows a decorator), so
    it costs no parse. A line at column 0 inside a string or a bracket would
    cut a statement in two, and a piece ending inside an open string, bracket
    or line continuation does not compile alone: `check_compiles` compiles
    every piece not taken from the cache (cached pieces compiled when they
    were made), and a piece that does not compile sends the file to whole-file
    compile and black. Not `precise`, only a leading module docstring is
    scanned: in black's layout (what the renderer writes) nothing else puts a
    line at column 0 inside a string or bracket, and where something does, a
    piece does not compile and the caller splits again, precisely."""
    if "fmt:" in text or "\f" in text or "\r" in text:
        return None
    lines = text.splitlines(keepends=True)
    inside = _inside(text) if precise else _leading_docstring(text)
    starts: list[int] = []
    after_decorator = False
    offset = 0
    for i, line in enumerate(lines):
        head = line[:1]
        at, offset = offset, offset + len(line)
        if head in ("", " ", "\t", "\n") or _CONTINUES.match(line) or _within(inside, at):
            continue
        if head == "#":
            return None  # a top-level comment: black attaches it to what follows
        if not after_decorator:
            starts.append(i)
        after_decorator = head == "@" or (after_decorator and not _DEF.match(line))
    blocks: list[Block] = []
    blank = 0
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        piece = lines[start:end]
        trailing = 0
        while piece and not piece[-1].strip():
            piece.pop()
            trailing += 1
        body = "".join(piece)
        if not body.endswith("\n"):
            body += "\n"
        kind = _kind(body, n == 0, blocks)
        if kind is None:
            return None
        blocks.append(Block(block_key(body, salt), kind, min(blank, 2), body))
        blank = trailing
    if any(line.strip() for line in lines[:starts[0] if starts else len(lines)]):
        return None
    return blocks


def blank_lines(prev: Block, cur: Block, prev_is_first: bool) -> int:
    """Blank lines black puts between two top-level statements (black 24-26,
    non-stub mode; tests/test_format_blocks.py holds it to black itself)."""
    if prev_is_first and prev.kind == "docstring" and cur.kind != "def":
        return 1  # one blank line after a module docstring, unless a bare def/class
    if cur.kind in ("def", "decorated") or prev.kind in ("def", "decorated"):
        return 2
    if prev.kind == "import" and cur.kind != "import":
        return 1
    return cur.blank


def format_blocks(text: str, cache: Mapping[str, str], black: Formatter,
                  salt: str = "") -> Formatted | None:
    """`text` formatted block by block (blocks found in `cache` are not formatted
    again), or None when the file must go to whole-file black. `salt` names the
    formatter (version and mode) for the cache keys."""
    blocks = split(text, salt=salt)
    return format_split(blocks, cache, black) if blocks else None


def format_split(blocks: list[Block], cache: Mapping[str, str], black: Formatter,
                 report: Callable[[int], None] | None = None) -> Formatted | None:
    """The blocks of a file (`split`), formatted and joined as black would;
    `report` is told the characters done after each block black formats."""
    out: list[str] = []
    record: list[str] = []
    chars = 0
    for i, block in enumerate(blocks):
        text = cache.get(block.key)
        if text is None:
            chars += len(block.text)
            try:
                text = black(block.text)
            except Exception:  # noqa: BLE001 - black refuses the block alone: format whole
                return None
            if report:
                report(chars)
        if text.rstrip().endswith("...") or not text.endswith("\n"):
            return None  # a stub body changes the blank lines after it
        sep = blank_lines(blocks[i - 1], block, i == 1) if i else 0
        out.append("\n" * sep + text)
        record.append(f"{block.key}:{sep}:{text.count(chr(10))}")
    return Formatted("".join(out), record)


def cached_blocks(formatted: str, record: object) -> dict[str, str]:
    """The formatted text of each block of a file written by an earlier run, from
    the file's bytes and its `record` in the lock; empty if they do not agree."""
    if not isinstance(record, list):
        return {}
    lines = formatted.splitlines(keepends=True)
    found: dict[str, str] = {}
    at = 0
    for entry in record:
        parts = entry.split(":") if isinstance(entry, str) else []
        if len(parts) != 3 or not parts[1].isdigit() or not parts[2].isdigit():
            return {}
        at += int(parts[1])
        count = int(parts[2])
        if at + count > len(lines):
            return {}
        found[parts[0]] = "".join(lines[at:at + count])
        at += count
    return found if at == len(lines) else {}
