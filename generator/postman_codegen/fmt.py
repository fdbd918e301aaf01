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
definition inside, or black failing on a block alone.
"""

from __future__ import annotations

import ast
import hashlib
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


_COMPOUND = (ast.If, ast.For, ast.AsyncFor, ast.While, ast.Try, ast.TryStar, ast.With,
             ast.AsyncWith, ast.Match)


def _kind(node: ast.stmt, first: bool) -> str | None:
    """The kind that decides the blank lines around a statement; None if unsafe."""
    if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return "decorated" if node.decorator_list else "def"
    if isinstance(node, ast.Import | ast.ImportFrom):
        return "import"
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant) \
            and isinstance(node.value.value, str | bytes):
        return "docstring" if first else None  # a later bare string black treats apart
    if isinstance(node, _COMPOUND) and any(
        isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for n in ast.walk(node)
    ):
        return None  # black's blank lines after a nested definition differ
    return "other"


def split(text: str, tree: ast.Module | None = None, salt: str = "") -> list[Block] | None:
    """The top-level statements of `text`, or None when the file must be formatted
    whole. `tree` is its AST when the caller already has it; `salt` goes into the keys."""
    if "fmt:" in text or "\f" in text or "\r" in text:
        return None
    if tree is None:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return None
    lines = text.splitlines(keepends=True)
    blocks: list[Block] = []
    end = 0  # last line (1-based) of the previous statement
    for index, node in enumerate(tree.body):
        start = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
        kind = _kind(node, index == 0)
        if isinstance(node, ast.ImportFrom) and node.module == "__future__" and any(
            b.kind != "docstring" and not b.text.startswith("from __future__")
            for b in blocks
        ):
            return None  # only whole-file compile reports a late future import
        gap = lines[end:start - 1]
        if kind is None or start <= end or node.end_lineno is None \
                or any(line.strip() for line in gap):
            return None  # a comment between statements, or two on one line
        body = "".join(lines[start - 1:node.end_lineno])
        if not body.endswith("\n"):
            body += "\n"
        blocks.append(Block(block_key(body, salt), kind, min(len(gap), 2), body))
        end = node.end_lineno
    if any(line.strip() for line in lines[end:]):
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
        chars += len(block.text)
        text = cache.get(block.key)
        if text is None:
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
