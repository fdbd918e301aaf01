"""Python identifiers from arbitrary collection text.

Every name that reaches generated code passes through `snake`, `pascal` or a
`Scope`; the result is always a valid, non-reserved identifier.
"""

from __future__ import annotations

import builtins
import functools
import keyword
import re
import unicodedata

MAX_NAME = 60

# Names a class body or a method signature of generated code relies on
# (annotations, decorators): a field, method or parameter never takes them.
RESERVED = frozenset(
    set(keyword.kwlist)
    | {
        "str", "int", "float", "bool", "list", "dict", "object", "bytes", "tuple",
        "classmethod", "staticmethod", "property", "datetime", "self", "cls",
        "from_dict", "to_dict", "close", "aclose", "frozenset", "httpx",
        "l", "O", "I",  # ambiguous names (ruff E741)
    }
)
# Class names live at module level beside the builtins and runtime names.
CLASS_RESERVED = frozenset(
    set(keyword.kwlist)
    | set(dir(builtins))
    | {
        "JsonValue", "ParseError", "ApiError", "Unset", "UNSET", "Client", "AsyncClient",
        "Endpoint", "ENDPOINTS", "Model", "Any", "ClassVar", "Mapping", "Callable", "IO",
        "Self",
    }
)

_CAMEL_RE = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


_SEPARATORS = re.compile(r"[^\w]+|_+")


def words(text: str) -> list[str]:
    """Split any text into lowercase words: `createdById` -> created, by, id."""
    return list(_words(text))


@functools.lru_cache(maxsize=1 << 16)
def _words(text: str) -> tuple[str, ...]:
    # The same keys and names come back for every request and class of a
    # collection: each text is split once.
    if text.isascii():  # no normalization to do; chunks hold only [A-Za-z0-9]
        return tuple(w.lower() for chunk in _SEPARATORS.split(text) if chunk
                     for w in _CAMEL_RE.split(chunk) if w)
    text = unicodedata.normalize("NFKC", text)
    ascii_text = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in ascii_text if not unicodedata.combining(c))
    out: list[str] = []
    for chunk in _SEPARATORS.split(ascii_text):
        if not chunk:
            continue
        for w in _CAMEL_RE.split(chunk):
            w = "".join(c for c in w if ("a" + c).isidentifier())
            if w:
                # NFKC, as Python reads identifiers: Hangul jamo left by NFKD
                # recompose, so the name in code is the name in strings.
                out.append(unicodedata.normalize("NFKC", w.lower()))
    return tuple(out)


def _fit(parts: list[str], sep: str = "", limit: int = MAX_NAME) -> str:
    """Join parts, dropping whole parts from the end past `limit` characters
    (a name is cut at a word boundary; only a single overlong word is cut)."""
    out = ""
    for part in parts:
        longer = out + sep + part if out else part
        if len(longer) > limit:
            if not out:
                out = unicodedata.normalize("NFKC", part[:limit])
            break
        out = longer
    return out


def _cap(word: str) -> str:
    return word[:1].upper() + word[1:]


@functools.lru_cache(maxsize=1 << 16)
def snake(text: str, fallback: str = "value") -> str:
    """A snake_case identifier for a field, parameter or method (cached, as names
    are asked for again and again: every class name candidate of every round)."""
    name = _fit(words(text), "_") or fallback
    if not name:  # nothing usable and no fallback: the caller picks a name
        return ""
    if name[0].isdigit():
        name = f"{fallback}_{name}" if fallback else ""
    if not name.isidentifier():  # e.g. leftover non-identifier unicode
        name = fallback
    if name in RESERVED:
        name += "_"
    return name


@functools.lru_cache(maxsize=1 << 16)
def pascal(text: str, fallback: str = "Model") -> str:
    """A PascalCase identifier for a class."""
    return _class_name(_fit([_cap(w) for w in words(text)]), fallback)


def qualified_pascal(trail: tuple[str, ...] | list[str], fallback: str = "Model") -> str:
    """A class name from a trail of hints (`single_tweet`, `data`, `entities` ->
    `SingleTweetDataEntities`); past `MAX_NAME` the qualifying words go first,
    at a word boundary, so the last hint (what the class is) stays whole."""
    return _qualified_pascal(tuple(trail), fallback)


@functools.lru_cache(maxsize=1 << 16)
def _qualified_pascal(trail: tuple[str, ...], fallback: str) -> str:
    if not trail:
        return _class_name("", fallback)
    leaf = _fit([_cap(w) for w in words(trail[-1])])
    qual = [_cap(w) for t in trail[:-1] for w in words(t)]
    return _class_name(_fit(qual, limit=MAX_NAME - len(leaf)) + leaf, fallback)


def _class_name(name: str, fallback: str) -> str:
    name = name or fallback
    if name[0].isdigit():
        name = f"{fallback}{name}"
    if not name.isidentifier():
        name = fallback
    if name == name.lower():  # uncased script (`가`): keep it apart from snake_case names
        name += fallback
    if name in CLASS_RESERVED:
        name += "_"
    return name


_IRREGULAR = {"data": "data", "status": "status", "address": "address", "news": "news",
              "series": "series", "species": "species", "children": "child",
              "people": "person", "men": "man", "women": "woman", "indices": "index",
              "analyses": "analysis", "aliases": "alias", "statuses": "status"}


def singular(word: str) -> str:
    """English singular of the last word of a snake_case name (`field_mappings`)."""
    head, _, last = word.rpartition("_")
    lower = last.lower()
    if lower in _IRREGULAR:
        s = _IRREGULAR[lower]
    elif lower.endswith("ies") and len(lower) > 4:
        s = lower[:-3] + "y"
    elif lower.endswith(("sses", "shes", "ches", "xes", "zzes")):
        s = lower[:-2]
    elif lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(lower) > 2:
        s = lower[:-1]
    else:
        s = lower
    if last != lower:  # keep the original casing of the first letter
        s = last[: len(s)] if last.lower().startswith(s) else s
    return f"{head}_{s}" if head else s


class Scope:
    """Allocates distinct identifiers within one namespace, deterministically."""

    def __init__(
        self, taken: set[str] | frozenset[str] = frozenset(),
        reserved: frozenset[str] = RESERVED,
    ) -> None:
        self._reserved = reserved
        self._taken = set(taken)
        self._folded = {t.casefold() for t in taken}

    def claim(self, base: str, sep: str = "_") -> str:
        name = base
        n = 2
        while name in self._taken or name.casefold() in self._folded or name in self._reserved:
            name = f"{base}{sep}{n}"
            n += 1
        self._taken.add(name)
        self._folded.add(name.casefold())
        return name

    def free(self, name: str) -> bool:
        """True if `claim(name)` would give `name` itself."""
        return not (name in self._taken or name.casefold() in self._folded
                    or name in self._reserved)

    def __contains__(self, name: str) -> bool:
        return name in self._taken
