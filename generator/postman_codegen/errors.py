"""Errors and warnings the generator reports to its user, and how they reach a terminal."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

# An error line quotes values from the collection; a 1 MB value must not flood it.
MAX_VALUE = 200


class GeneratorError(Exception):
    """A problem the user must fix; the CLI prints it and exits with code 2."""


class InputError(GeneratorError):
    """Bad input: names the file and the JSON path of the offending value."""

    def __init__(self, file: Path | str, path: str, message: str) -> None:
        self.file = str(file)
        self.path = path
        self.message = message
        super().__init__(f"{self.file}: {path}: {message}")


class ConfigError(GeneratorError):
    """Bad configuration: names the key, the file or the folder, exit code 2."""


@dataclass(frozen=True, slots=True)
class Notice:
    """Something skipped or guessed, reported once in the warning summary.

    `where` is the request's folder path and name (`Accounts / Get account`),
    filled in by the command line from the loaded collection; `path` stays the
    exact place in the file (`item[1].item[3].response[2]`)."""

    file: str
    path: str
    message: str
    where: str = ""

    def __str__(self) -> str:
        place = f"{self.where} ({self.path})" if self.where else self.path
        return f"{self.file}: {place}: {self.message}"


def _unsafe(ch: str) -> bool:
    """C0/C1 controls and Unicode format, line and paragraph separators."""
    code = ord(ch)
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return True
    return unicodedata.category(ch) in ("Cf", "Zl", "Zp", "Cs")


_CANDIDATES = re.compile(
    # Every character `_unsafe` accepts (Unicode 14), plus neighbours a later
    # Unicode may assign; `_unsafe` decides.
    "[\x00-\x1f\x7f-\x9f\xad\u0600-\u0605\u061c\u06dd\u070f\u0890-\u0891"
    "\u08e2\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ud800-\udfff\ufeff"
    "\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f\U0001bca0-\U0001bca3"
    "\U0001d173-\U0001d17a\U000e0001-\U000e007f]"
)


def terminal_safe(text: str, keep: str = "\n") -> str:
    """`text` with every control and format character shown as an escape (`\\x1b`,
    `\\u202e`), so collection text cannot move the cursor, set a window title
    (OSC), write the clipboard (OSC 52) or reorder what a reader sees (bidi)."""

    def repl(m: re.Match[str]) -> str:
        ch = m.group(0)
        if ch in keep or not _unsafe(ch):
            return ch
        code = ord(ch)
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"

    return _CANDIDATES.sub(repl, text)


def cut(text: str, limit: int = MAX_VALUE) -> str:
    """`text` shortened to about `limit` characters, saying how much was left out."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}... ({len(text) - limit} more characters)"


def cut_line(line: str, limit: int = 4 * MAX_VALUE) -> str:
    """One error line kept readable: long quoted values are cut, then the whole line."""
    line = re.sub(
        rf"('(?:[^'\\]|\\.){{{MAX_VALUE},}}'|\"(?:[^\"\\]|\\.){{{MAX_VALUE},}}\")",
        lambda m: m.group(0)[0] + cut(m.group(0)[1:-1]) + m.group(0)[-1],
        line,
    )
    return cut(line, limit)
