"""Code in the form the pinned black leaves unchanged, and a recognizer for it.

black costs most of a cold run, and most of what it does to our output is
undo the renderer's own choices (quotes, long lines). So the renderer writes
black's form: strings quoted as black quotes them (`quote`), docstrings as black
writes them (`docstring_body`), and a statement longer than black's 88 columns
exploded at its last bracket, one element per line with a trailing comma
(`fold`), which black keeps as it is ("magic trailing comma").

`settled(block)` says that black would leave a top-level block unchanged. It is
conservative: it vouches only for ASCII text made of the constructs whose
black form it knows (spacing, quoting, numbers, blank lines, docstrings,
exploded brackets after a small set of statement heads), and anything else
goes to black. tests/test_blackform.py holds it to black itself on every block
of the seeds and the corpus and on hand-made hard cases.
"""

from __future__ import annotations

import itertools
import re
from functools import cache, lru_cache

LINE_WIDTH = 88

# --- strings ---------------------------------------------------------------------

_ESCAPED = {q: re.compile(rf"([^\\]|^)\\((?:\\\\)*){q}") for q in "'\""}
_UNESCAPED = {q: re.compile(rf"(([^\\]|^)(\\\\)*){q}") for q in "'\""}


def _sub_twice(regex: re.Pattern[str], repl: str, text: str) -> str:
    return regex.sub(repl, regex.sub(repl, text))


def _black_quotes(token: str) -> str | None:
    """What black's `normalize_string_quotes` makes of a one-line string with no
    prefix or `f` (a port of it), or None when black would first drop an
    escape it finds unneeded."""
    prefix = "f" if token[0] == "f" else ""
    orig = token[len(prefix)]
    new = "'" if orig == '"' else '"'
    body = token[len(prefix) + 1:-1]
    if _sub_twice(_ESCAPED[new], rf"\1\2{new}", body) != body:
        return None
    new_body = _sub_twice(_ESCAPED[orig], rf"\1\2{orig}", body)
    new_body = _sub_twice(_UNESCAPED[new], rf"\1\\{new}", new_body)
    if prefix and any("\\" in m for m in _FIELD.findall(new_body)):
        return token
    if new_body.count("\\") > body.count("\\"):
        return token
    if new_body.count("\\") == body.count("\\") and orig == '"':
        return token
    return f"{prefix}{new}{new_body}{new}"


_FIELD = re.compile(r"(?:(?<!\{)|^)\{([^{].*?)\}(?:(?!\})|$)")


def quote(text: str) -> str:
    """`text` as a Python string literal quoted as black quotes it: double quotes
    unless they cost more backslashes."""
    lit = repr(text)
    if lit[0] == '"':
        return lit  # repr chose double quotes: the text has ' and no "
    if "'" not in text and '"' not in text:
        return f'"{lit[1:-1]}"'  # the usual case: black only swaps the quotes
    return _black_quotes(lit) or lit


# A string black leaves alone: plain double-quoted, or as black would quote it
# with only escapes black does not rewrite (hex digits in lower case).
_PLAIN = re.compile(r'f?"[^"\\\']*"\Z')
_ESCAPE = re.compile(r"\\(?:[\\nrt'\"]|x[0-9a-f]{2}|u[0-9a-f]{4}|U[0-9a-f]{8})")


def _string_ok(token: str) -> bool:
    if _PLAIN.match(token):
        return True
    if "\\" in _ESCAPE.sub("", token):
        return False
    return _black_quotes(token) == token


# --- docstrings ----------------------------------------------------------------

def docstring_body(body: str, indent: str) -> str:
    """A docstring's text (between the quotes) as black writes it at `indent`:
    continuation lines re-indented, trailing spaces stripped, closing quotes
    on their own line when the last line would overflow. `body` holds no
    backslash-newline, tab or carriage return."""
    lines = body.split("\n")
    if len(lines) == 1:
        text = body.strip()
    else:
        rest = lines[1:]
        common = min((len(x) - len(x.lstrip()) for x in rest if x.strip()), default=None)
        out = [lines[0].strip()]
        if common is not None:
            last = len(rest) - 1
            for i, x in enumerate(rest):
                stripped = x[common:].rstrip()
                out.append(indent + stripped if stripped or i == last else "")
        text = "\n".join(out)
    if not text:
        return " " if body else ""
    if text[0] == '"':
        text = " " + text
    if text[-1] == '"':
        text += " "
    if text[-1] == "\\" and (len(text) - len(text.rstrip("\\"))) % 2:
        return text + " "
    lines = text.splitlines()
    last = len(lines[-1]) if not text.endswith("\n") else 0
    if len(lines) > 1 and last + 3 > LINE_WIDTH:
        return text + "\n" + indent
    return text


_TRIPLE = re.compile(r'^( *)"""((?:[^"\\]|\\[^\n]|"(?!""))*)"""\n', re.MULTILINE)


def _docstring_ok(indent: str, body: str) -> bool:
    if "\\" in _ESCAPE.sub("", body) or "\t" in body or "\r" in body:
        return False
    return docstring_body(body, indent) == body


# --- lines -----------------------------------------------------------------------

_STRING = re.compile(r"""(?<![\w])f?(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
_NAME = re.compile(
    r"\b(?!(?:and|as|assert|async|await|class|def|del|elif|else|except|finally|for|"
    r"from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|"
    r"with|yield|break|continue)\b)[A-Za-z_]\w*")
# Numbers, once names are placeholders (so every digit left is in a number).
_NUMBER = re.compile(r"\d[\w.]*(?:(?<=[eE])[-+]\d+)?")
_GOOD_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:e-?\d+)?\Z")
_TOKEN = re.compile(r' |""|\w+|\.\.\.|->|\*\*|//|<<|>>|<=|>=|==|!=|:=|[-+*/%@&|^~<>]=?|[=.,:()\[\]{}]')
_ATOM_END = frozenset(('a', '0', '""', ")", "]", "}", "..."))
_OPEN = {"(": ")", "[": "]", "{": "}"}
_CLOSE = frozenset(")]}")
_PAREN_KEYWORDS = frozenset(
    ["return", "if", "elif", "while", "for", "in", "del", "assert", "await", "with", "except", "not", "else", "raise", "and", "or", "is", "async"])
_IMPORT = re.compile(r"(from \.*a(\.a)*|from \.+) import (a( as a)?(, a( as a)?)*|\()"
                     r"|import a(\.a)*( as a)?")
_NAME_LIST = re.compile(r"a( as a)?,")
_CALLEE = r"a(?:\.a)*"
_ANNOT = r"a(?:\.a)*(?:\[[a., |\[\]\"]*\])?(?: \| a(?:\.a)*(?:\[[a., |\[\]\"]*\])?)*"
_STMT_HEAD = re.compile(
    rf"(?:return |raise |{_CALLEE}(?:\[\"\"\])? = |{_CALLEE}: {_ANNOT} = )?"
    rf"(?:{_CALLEE}\(|\[|\{{)")
_STMT_TUPLE_HEAD = re.compile(rf"(?:return |{_CALLEE} = |{_CALLEE}: {_ANNOT} = )\(")
_DEF_HEAD = re.compile(r"(?:async )?def a\(")
_DEF_TAIL = re.compile(rf"\)(?: -> {_ANNOT})?:")
# Heads after which black hugs a comprehension with its brackets.
_HUG_HEAD = re.compile(rf"(?:return |{_CALLEE} = |{_CALLEE}: {_ANNOT} = |a=|\"\": )?[\[{{]")
_ELEMENT_HEAD = re.compile(rf"(?:a=|\"\": )?(?:{_CALLEE}\(|\[|\{{|\()")
# A call whose exploded brackets are followed by `.attr`: black omits the optional
# parentheses around the value when one dot is its only delimiter.
_TRAILER_HEAD = re.compile(rf"(?:return |{_CALLEE} = ){_CALLEE}\(")
_TERNARY_HEAD = re.compile(rf"(?:return |{_CALLEE} = |{_CALLEE}: {_ANNOT} = )\(")
_LONG_HEAD = re.compile(rf"{_CALLEE} = {_CALLEE}\(")
# A parameter whose annotation black wraps in parentheses: `name: (` ... `) = x,`.
_ANNOT_TAIL = re.compile(r'\) = (?:a(?:\.a)*|""|-?0),')
_WRAP_HEAD = re.compile(rf"{_CALLEE} = \(")
_COND_HEAD = re.compile(r"(?:if|elif|while) \(")
_AWAIT_HEAD = re.compile(rf"await {_CALLEE}\(")
# An element black cannot split (no bracket, no operator): kept however long.
_UNSPLITTABLE = re.compile(r'(?:"": |a=|a: a = )?(?:""|a),')


class _Line:
    """What the structure check needs to know of one physical line (by shape)."""

    __slots__ = ("clause", "closes", "colons", "commas", "ends_comma", "kind", "lead", "level",
                 "opener", "opens")

    def __init__(self) -> None:
        self.closes = False  # starts by closing the bracket a line above opened
        self.opens = ""  # the kind of bracket it leaves open at its end ("" if none)
        self.kind = ""  # def | decorator | class | docstring | import | compound | ""
        self.commas = 0  # commas at its own level, a trailing one excluded
        self.colons = 0  # colons at statement level
        self.ends_comma = False
        self.opener = False  # ends with ":" (opens an indented block)
        self.lead = ""  # "+" for `+ operand`, a line of a sum black split at its `+`
        self.clause = ""  # its first word: for | if (a comprehension clause) | ...
        self.level: frozenset[str] = frozenset()  # operators, keywords at its own level


_COMPOUND = frozenset(["if", "elif", "else", "for", "while", "with", "try", "except", "finally", "def", "class", "async"])
_ATOMS = frozenset(("a", "0", '""'))
# After a parenthesized expression: it was the whole expression (black drops the
# parentheses) unless an operator or a trailer follows.
_WHOLE_END = frozenset((":", ",", ")", "]", "}", "=", "as", "else", "if", "in"))
# What black may split a line at (or that makes it an expression of that kind).
_DELIMITERS = frozenset(
    ["and", "or", "not", "in", "is", "if", "else", "for", "lambda", "await", "+", "-", "*", "/", "//", "%", "|", "&", "^", "<<", ">>", "==", "!=", "<", ">", "<=", ">=", "@", "**", "~", ":="])
_NO_SPACE_BEFORE = frozenset((")", "]", "}", ",", ":", "."))


def _no_gap_equal(kind: str, annotated: bool) -> bool:
    """`=` of a keyword argument or an unannotated default: no spaces around."""
    return kind == "call" or (kind == "def" and not annotated)


def _spacing(tokens: list[str], ctx: str, line: _Line) -> bool:
    """Whether the gaps between `tokens` (single spaces are tokens) are black's,
    for a line that starts inside an exploded bracket of kind `ctx` ("" at
    statement level); records the line's facts in `line`."""
    # Open brackets: [kind, annotated (a def parameter with ":" so far)].
    stack: list[list[object]] = [[ctx, False]] if ctx else []
    base = len(stack)
    prev = ""
    prev_unary = False
    gap = ""
    is_def = tokens[:1] == ["def"] or tokens[:3] == ["async", " ", "def"]
    def_paren = False
    checks: list[int] = []  # depths of parens black would drop unless a trailer follows
    level: set[str] = set()
    for tok in tokens:
        if tok == " ":
            if gap or not prev:
                return False
            gap = " "
            continue
        top = stack[-1] if stack else None
        kind = str(top[0]) if top else ""
        annotated = bool(top[1]) if top else False
        if checks and checks[-1] == len(stack) + 1:
            checks.pop()
            if tok in _WHOLE_END:
                return False  # black drops parentheses around a whole expression
        if not prev or tok in _NO_SPACE_BEFORE or prev in _OPEN or prev in (".", "@") or prev_unary or tok in ("(", "[") and prev in _ATOM_END or (tok == "=" or prev == "=") and _no_gap_equal(kind, annotated):
            want = ""
        else:
            want = " "
        if gap != want:
            return False
        if tok in _ATOMS and prev in _ATOM_END:
            return False  # soft keywords, implicit concatenation: not vouched for
        if (tok == "0" and prev == ".") or (tok == "." and prev == "0"):
            return False  # `.5`, `1 .real`: numbers black respells
        unary = False
        if tok in _DELIMITERS and len(stack) == base:
            level.add(tok)
        if tok in _OPEN:
            if tok == "(" and prev == "(":
                return False
            if tok == "(":
                if is_def and not def_paren and not stack:
                    new, def_paren = "def", True
                elif prev in _ATOM_END:
                    new = "call"
                else:
                    new = "paren"
                    if (prev in _PAREN_KEYWORDS or prev.endswith("=") or prev == "->"
                            or (not prev and not ctx)):
                        checks.append(len(stack) + 1)
            elif tok == "[":
                new = "sub" if prev in _ATOM_END else "list"
            else:
                new = "dict"
            stack.append([new, False])
        elif tok in _CLOSE:
            if len(stack) > base:
                if prev == ",":
                    return False  # a magic trailing comma: black would explode it
                stack.pop()
            elif base and not prev:
                line.closes = True  # closes the exploded bracket this line sits in
                stack.pop()
                base = 0
            else:
                return False
        elif tok == ",":
            if top:
                top[1] = False
            if len(stack) == base:
                line.commas += 1
        elif tok == ":":
            if kind in ("sub", "call", "paren", "list"):
                return False  # slices, lambdas: not vouched for
            if kind == "def" and top:
                top[1] = True
            if not stack:
                line.colons += 1
        elif tok == "=":
            if kind in ("sub", "list", "dict", "paren"):
                return False
        elif tok in ("-", "+", "~", "*", "**"):
            if prev not in _ATOM_END:
                unary = True
                if tok in ("*", "**") and prev not in ("(", ",", "{", ""):
                    return False
            elif tok == "**":
                return False  # black hugs simple power operands
        elif tok == "@":
            if prev:
                return False  # matrix product: not vouched for
        elif tok == "...":
            if kind != "sub":
                return False  # a stub body: black may join it to its header
        elif tok in ("lambda", "yield", "global", "nonlocal", "del"):
            return False
        prev, prev_unary, gap = tok, unary, ""
    if gap or prev_unary:
        return False
    if checks and checks[-1] == len(stack) + 1:
        return False
    line.ends_comma = prev == ","
    if line.ends_comma and len(stack) == base:
        line.commas -= 1
    if len(stack) > base:
        if len(stack) > base + 1 or prev not in _OPEN or line.closes:
            return False  # only the last token may stay open
        line.opens = str(stack[-1][0])
    line.opener = prev == ":"
    line.level = frozenset(level)
    return True


def _line_kind(tokens: list[str], content: str, line: _Line) -> bool:
    """Sets the kind of a statement's first line; False for a compound statement
    with its body on the header's line (black moves it) or other shapes the
    recognizer does not vouch for."""
    first = tokens[0]
    if first == "@":
        line.kind = "decorator"
    elif first == "def" or tokens[:3] == ["async", " ", "def"]:
        line.kind = "def"
    elif first == "class":
        line.kind = "class"
        if "()" in content:
            return False  # black drops empty class parentheses
    elif first in _COMPOUND:
        line.kind = "compound"
    if line.kind in ("def", "class", "compound"):
        return bool(line.opens or (line.opener and line.colons == 1))
    return not line.opener and line.colons <= 1


def _head_ok(content: str, ctx: str, line: _Line) -> bool:
    """A line that leaves a bracket open: one of the heads black splits there."""
    if ctx:
        return bool(_ELEMENT_HEAD.fullmatch(content)
                    or ctx == "paren" and _AWAIT_HEAD.fullmatch(content)
                    or ctx == "def" and content == "a: (")
    if line.kind == "def":
        return bool(_DEF_HEAD.fullmatch(content))
    if line.opens == "paren":
        return bool(_STMT_TUPLE_HEAD.fullmatch(content) or _COND_HEAD.fullmatch(content))
    return bool(_STMT_HEAD.fullmatch(content))


@lru_cache(maxsize=16384)
def _shape(content: str, ctx: str) -> _Line | None:
    """The facts of one physical line (names, numbers and strings replaced by
    placeholders) inside an exploded bracket of kind `ctx`, or None when black
    might write it otherwise."""
    tokens = _TOKEN.findall(content)
    if sum(map(len, tokens)) != len(content) or not tokens:
        return None  # a character the recognizer does not know
    line = _Line()
    if ctx == "import":
        if content == ")":
            line.closes = True
        elif _NAME_LIST.fullmatch(content):
            line.ends_comma = True
        else:
            return None
        return line
    if ctx and content.startswith("+ "):
        line.lead = "+"
        tokens = tokens[2:]
        if not tokens:
            return None
    elif ctx == "paren" and tokens[0] in ("and", "or", "if", "else") and len(tokens) > 2:
        line.lead = tokens[0]
        tokens = tokens[2:]
    if tokens[0] in ("for", "if"):
        line.clause = tokens[0]
    if tokens[0] in ("import", "from") and not ctx:
        if not _IMPORT.fullmatch(content):
            return None
        line.kind = "import"
        line.opens = "import" if content.endswith("(") else ""
        return line
    if not _spacing(tokens, ctx, line):
        return None
    if not ctx and not _line_kind(tokens, content, line):
        return None
    if line.opens and not _head_ok(content, ctx, line):
        return None  # black might split this statement elsewhere
    if line.closes:
        if ctx == "def":
            return line if _DEF_TAIL.fullmatch(content) else None
        if content not in (")", "]", "}", "),", "],", "},", ").a", "):") and not (
                ctx == "paren" and _ANNOT_TAIL.fullmatch(content)):
            return None
    return line


def _skeleton(text: str) -> str | None:
    """`text` with every string a placeholder, or None for a string black might
    rewrite (or one the recognizer does not read)."""
    if "\\" not in text and "'" not in text:  # only plain double-quoted strings: the usual case
        out = _STRING.sub('""', text)
        # (A prefixed string left over, b"", shows as a name before "": refused later.)
        return None if out.count('"') != 2 * out.count('""') else out
    bad = False

    def one(m: re.Match[str]) -> str:
        nonlocal bad
        if not _string_ok(m.group()):
            bad = True
        return '""'

    out = _STRING.sub(one, text)
    if bad or "'" in out or out.count('"') != 2 * out.count('""'):
        return None
    return out


# black counts every character below U+1100 one column wide (its width table starts
# there), so up to it the length of a line is its width; beyond, not vouched for
# (but in docstrings, whose lines black does not measure).
_WIDE = 0x1100
_DOC_LINE = _Line()
_DOC_LINE.kind = "docstring"


def _strange(skeleton: str) -> bool:
    """A comment, `;`, a backslash or a character the recognizer does not read
    outside strings (a line that is a docstring's `$` mark excepted)."""
    if "$" in skeleton and skeleton.lstrip(" ") != "$":
        return True
    return (any(c in skeleton for c in "#;\\`?")
            or skeleton.count("!") != skeleton.count("!="))



def settled(block: str) -> bool:
    """True only if black would leave this top-level block exactly as it is."""
    if ("\\\n" in block or not block.endswith("\n")
            or any(c in block for c in "\t\r\f\v")):
        return False
    docs: list[tuple[str, str]] = []

    def doc(m: re.Match[str]) -> str:
        docs.append((m.group(1), m.group(2)))
        return m.group(1) + "$\n"  # a mark no name or string placeholder can be

    text = _TRIPLE.sub(doc, block)
    if '"""' in text or "'''" in text:
        return False
    if not text.isascii() and max(map(ord, text)) >= _WIDE:
        return False  # a wide character outside docstrings (whose width black ignores)
    if not all(_docstring_ok(indent, body) for indent, body in docs):
        return False
    lines = text[:-1].split("\n")
    shaped: list[str] = []
    marks = 0
    for line in lines:
        shape = _line_shape(line)
        if shape is None:
            return False
        shaped.append(shape)
        marks += "$" in shape  # a docstring's mark (`_strange` allows no other)
    return marks == len(docs) and _structure(shaped, lines)


@cache
def _line_shape(line: str) -> str | None:
    """One line (docstrings already `$` marks) with its strings `""`, its names
    `a` and its numbers `0`, or None for a string or number black might
    rewrite or a character the recognizer does not read. Strings, names and
    numbers never span lines here, so a block's shape is its lines' shapes;
    generated files repeat most lines (client.py: one line in eight is new),
    so each is shaped once per run."""
    skeleton = _skeleton(line)
    if skeleton is None or not skeleton.isascii() or _strange(skeleton):
        return None
    named = _NAME.sub("a", skeleton)
    if not all(_GOOD_NUMBER.match(n) for n in _NUMBER.findall(named)):
        return None
    return _NUMBER.sub("0", named)


class _Bracket:
    """An exploded bracket being read: where it opened and what is inside so far."""

    __slots__ = ("count", "ends_bracket", "head", "head_len", "indent", "kind", "long", "mode",
                 "parts", "widest")

    def __init__(self, indent: int, kind: str, head: str, head_len: int) -> None:
        self.indent = indent
        self.kind = kind
        self.head = head  # the shape of the line that opened it
        self.head_len = head_len
        self.count = 0  # complete elements
        # A multi-line element being read: "" (none), "first" (one line without a
        # comma: a sum or a comprehension follows), "sum", "comp" (comprehension).
        self.mode = ""
        self.parts: list[tuple[_Line, int]] = []  # its lines and their lengths
        self.ends_bracket = False  # its last line ends with a closing bracket
        self.long = False  # it holds a line longer than black's limit
        self.widest = 0  # its longest line


class _Walk:
    """The state of `_structure` between lines."""

    def __init__(self) -> None:
        self.brackets: list[_Bracket] = []
        self.defs: list[int] = []  # indentation of the def/class headers around
        self.prev: _Line | None = None  # the last logical line (its head's kind)
        self.prev_indent = 0
        self.class_doc = False  # the last logical line is a class docstring
        self.blank = 0
        self.head = _Line()  # the first line of the logical line being read
        self.unwrappable = False  # its `x = (` alone would be too long


def _structure(lines: list[str], originals: list[str]) -> bool:
    """Blank lines, indentation and exploded brackets as black leaves them
    (`lines` are shapes, `originals` the lines they were made from)."""
    w = _Walk()
    for raw, original in zip(lines, originals, strict=True):
        length = len(original)
        if not raw:
            if w.brackets:
                return False  # black drops blank lines inside brackets
            w.blank += 1
            continue
        content = raw.lstrip(" ")
        indent = len(raw) - len(content)
        if not content:
            return False
        if w.brackets:
            if not _continuation(w, content, indent, length):
                return False
            continue
        line = _DOC_LINE if content == "$" else _shape(content, "")
        if line is None or length > LINE_WIDTH and not _long_head_ok(content, original):
            return False
        w.unwrappable = original.find(" = ") + 4 > LINE_WIDTH  # `x = (` would not fit
        if not _logical_start(w, line, indent, content, length):
            return False
    return not w.brackets and not w.blank


def _long_head_ok(content: str, original: str) -> bool:
    """A first line longer than black's limit that black keeps: `def name(` (it
    cannot be shortened), or `x = call(` when `x = (` does not fit either (the
    rest is checked when its bracket closes: wrapping in parentheses must not
    make every line fit)."""
    return bool(_DEF_HEAD.fullmatch(content) or _LONG_HEAD.fullmatch(content))


def _continuation(w: _Walk, content: str, indent: int, length: int) -> bool:
    """One line inside an exploded bracket: an element (or part of one), or the
    closing bracket."""
    b = w.brackets[-1]
    line = _shape(content, b.kind)
    if line is None:
        return False
    if line.closes:
        if indent != b.indent or length > LINE_WIDTH or not _closing(b, length):
            return False
        if content.startswith(").") and not (
                _TRAILER_HEAD.fullmatch(b.head) or b.mode in ("await", "await1")):
            return False
        if (content == "):") != (b.mode in ("cond1", "cond")):
            return False
        w.brackets.pop()
        if w.brackets:
            outer = w.brackets[-1]
            if outer.mode == "await":
                outer.count += 1
                return content == ")"
            if content == ")" and outer.kind in ("list", "dict") and not outer.count:
                outer.mode = "compx"  # the exploded element of a comprehension
                return True
            if (content == ")" and outer.kind == "paren" and not outer.count
                    and _WRAP_HEAD.fullmatch(outer.head)):
                outer.mode, outer.count = "wrapped", 1  # `x = (` call `)`
                outer.parts = [(line, b.head_len)]
                return True
            outer.count += 1
            return line.ends_comma and not line.opens
        if (b.head_len > LINE_WIDTH and not _DEF_HEAD.fullmatch(b.head)
                and not w.unwrappable and b.widest + 4 <= LINE_WIDTH):
            return False  # black would wrap the value in parentheses instead
        done = _Line()
        done.kind, done.opener = w.head.kind, line.opener
        w.prev = done
        return True
    if indent != b.indent + 4:
        return False
    for outer in w.brackets:
        outer.widest = max(outer.widest, length)
    if length > LINE_WIDTH:
        if b.mode or not _UNSPLITTABLE.fullmatch(content):
            return False
        for outer in w.brackets:
            outer.long = True  # black weighs its splits differently then
    if b.head == "a: (":
        if b.parts or line.opens or line.ends_comma or line.commas or line.level != {"|"}:
            return False
        b.mode, b.parts = "annot", [(line, length)]
        return True
    if _COND_HEAD.fullmatch(b.head):
        return _condition(b, line, content, length)
    if b.kind == "paren" and _TERNARY_HEAD.fullmatch(b.head) and (
            b.mode in ("tern1", "tern") or not (b.mode or b.count or line.ends_comma
                                                or line.opens or content.startswith("await "))):
        return _ternary(b, line, content, length)
    if b.mode:
        return _part(b, line, length)
    if b.head == "return (" and content.startswith("await "):
        return _awaited(w, b, line, content, length)
    if line.lead or line.commas and not _comp_line(line):
        return False
    if line.opens:
        w.brackets.append(_Bracket(indent, line.opens, content, length))
    elif line.ends_comma:
        b.count += 1
    else:
        b.mode, b.parts = "first", [(line, length)]
    return True


def _awaited(w: _Walk, b: _Bracket, line: _Line, content: str, length: int) -> bool:
    """`return (` then `await call(...)` on one line or exploded, then `).attr`:
    black's form of `return (await call(...)).attr` too long for one line."""
    if b.count or line.lead or line.ends_comma:
        return False
    if line.opens:
        b.mode = "await"
        w.brackets.append(_Bracket(b.indent + 4, line.opens, content, length))
        return True
    if line.level != {"await"} or line.commas:
        return False
    b.mode, b.parts = "await1", [(line, length)]
    return True


# What a condition black wraps in parentheses may hold at its own level: no
# comma, conditional expression, comprehension or lambda (other split points).
_NOT_IN_CONDITION = frozenset(("if", "else", "for", "lambda", "await"))


def _condition(b: _Bracket, line: _Line, content: str, length: int) -> bool:
    """A line of `if (` ... `):`: the condition on one line, or its operands
    split before each `and`/`or`."""
    if line.opens or line.ends_comma or line.commas or line.level & _NOT_IN_CONDITION:
        return False
    first = not b.parts
    if first == bool(line.lead) or line.lead and line.level & {"and", "or"}:
        return False  # the first line has no `and`; a later one holds no other
    if content[:1] in _OPEN or (b.parts and b.parts[0][0].lead):
        return False
    b.parts.append((line, length))
    b.mode = "cond1" if first else "cond"
    b.ends_bracket = content[-1:] in _CLOSE
    return True


def _ternary(b: _Bracket, line: _Line, content: str, length: int) -> bool:
    """A line of `x = (` ... `)` holding a conditional expression black keeps in
    parentheses: on one line, or split before its `if` and its `else`."""
    if line.opens or line.ends_comma or line.commas or line.level & {"for", "lambda"}:
        return False
    leads = ("", "if", "else")
    if len(b.parts) >= len(leads) or line.lead != leads[len(b.parts)] or b.mode == "tern1":
        return False
    if not b.parts and line.level >= {"if", "else"}:
        b.mode = "tern1"
    elif line.level & {"if", "else"}:
        return False
    else:
        b.mode = "tern"
    b.parts.append((line, length))
    return content[:1] not in _OPEN or b.mode == "tern"


def _comp_line(line: _Line) -> bool:
    """The one line of a whole comprehension: `x for y in z [if c]`."""
    return "for" in line.level and "else" not in line.level and not line.ends_comma


def _part(b: _Bracket, line: _Line, length: int) -> bool:
    """A further line of a multi-line element: `+ operand` of a sum black split
    at its `+`, or a `for`/`if` clause of a comprehension split at its clauses."""
    if line.opens or b.mode.startswith("await"):
        return False
    b.parts.append((line, length))
    if line.lead == "+":
        if b.mode not in ("first", "sum") or line.level or line.commas:
            return False
        b.mode = "sum"
        if line.ends_comma:  # the sum is complete
            first = b.parts[0][0]
            joined = sum(n - b.indent - 4 for _, n in b.parts) + len(b.parts) - 1
            if first.level or first.lead or b.indent + 4 + joined <= LINE_WIDTH:
                return False  # black would join it (or split it elsewhere)
            b.count += 1
            b.mode, b.parts = "", []
        return True
    if (b.mode not in ("first", "comp", "compx") or line.ends_comma
            or line.clause not in ("for", "if")):
        return False
    if b.mode == "compx":
        if b.parts[0][0].clause != "for":
            return False
    elif b.parts[0][0].level & {"for", "if", "else", "lambda"} or b.parts[1][0].clause != "for":
        return False
    rest = line.level - {line.clause}
    b.mode = "compx" if b.mode == "compx" else "comp"
    return not rest & {"for", "if", "else", "lambda"} and (line.clause == "for" or not line.commas)


def _closing(b: _Bracket, length: int) -> bool:
    """Whether the bracket's content is complete and black would keep it so."""
    if b.mode == "":
        return b.count >= (2 if b.kind == "paren" else 1)
    if b.mode == "await":
        return b.count == 1
    if b.mode == "annot":  # black joins it back if it fits on one line
        return b.head_len - 1 + b.parts[0][1] - b.indent - 4 + length - b.indent - 1 > LINE_WIDTH
    if b.mode == "wrapped":  # kept in parentheses: `x = call(` would not fit
        return not b.long and b.head_len - 1 + b.parts[0][1] - b.indent - 4 > LINE_WIDTH
    if b.mode in ("cond1", "cond"):
        return _condition_kept(b, length)
    if b.mode == "tern1":  # black joins it back if it fits on one line
        return b.head_len - 1 + b.parts[0][1] - b.indent - 4 > LINE_WIDTH
    if b.mode == "tern":
        body = sum(n - b.indent - 4 for _, n in b.parts) + len(b.parts) - 1
        return len(b.parts) == 3 and b.indent + 4 + body > LINE_WIDTH
    if b.mode == "await1":  # black joins it back if it fits on one line
        return b.head_len + (b.parts[0][1] - b.indent - 4) + (length - b.indent) > LINE_WIDTH
    if b.count or b.kind not in ("list", "dict") or not _HUG_HEAD.fullmatch(b.head):
        return False
    if b.mode == "first":  # one comprehension on one line, hugged by its brackets
        line, n = b.parts[0]
        if not _comp_line(line):
            return False
        return b.head_len + (n - b.indent - 4) + (length - b.indent) > LINE_WIDTH
    if b.mode == "compx":  # its element exploded (a magic comma): split it must be
        return bool(b.parts)
    if b.mode == "comp":  # split at its clauses: it must not fit on one line
        joined = sum(n - b.indent - 4 for _, n in b.parts) + len(b.parts) - 1
        return b.indent + 4 + joined > LINE_WIDTH
    return False


def _condition_kept(b: _Bracket, length: int) -> bool:
    """A condition black keeps in parentheses: too long for the header's line,
    not ending with a bracket (black would split there instead), on one line
    only if it fits, split at `and`/`or` only if it does not."""
    if b.ends_bracket:
        return False
    body = sum(n - b.indent - 4 for _, n in b.parts) + len(b.parts) - 1
    if b.mode == "cond1":
        if not b.parts[0][0].level:
            return False  # no operator: black would not keep the parentheses
        return b.head_len - 1 + body + (length - b.indent) - 1 > LINE_WIDTH
    return b.indent + 4 + body > LINE_WIDTH and all(
        not (line.level & {"and", "or"}) for line, _ in b.parts)


def _logical_start(w: _Walk, line: _Line, indent: int, content: str, length: int) -> bool:
    """The first line of a logical line: indentation and the blank lines before."""
    prev = w.prev
    if line is _DOC_LINE and (prev is None or not prev.opener
                              or prev.kind not in ("def", "class")):
        return prev is None and indent == 0 and w.blank == 0 and _module_doc(w)
    if prev is not None:
        if prev.opener:
            if indent != w.prev_indent + 4:
                return False
        elif indent > w.prev_indent or indent % 4:
            return False
        want = _blank_lines(w, prev, line, indent)
        if want is None or w.blank not in want:
            return False
    elif indent or w.blank:
        return False
    w.class_doc = line is _DOC_LINE and prev is not None and prev.kind == "class"
    if line.kind in ("def", "class"):
        w.defs.append(indent)
    w.blank = 0
    w.prev_indent = indent
    w.head = line
    w.prev = line
    if line.opens:
        w.brackets.append(_Bracket(indent, line.opens, content, length))
    return True


def _module_doc(w: _Walk) -> bool:
    w.prev = _DOC_LINE
    return True


def _blank_lines(w: _Walk, prev: _Line, line: _Line, indent: int) -> tuple[int, ...] | None:
    """The blank line counts black keeps before `line` (black's EmptyLineTracker
    at depth > 0, non-stub mode), or None where the recognizer does not know."""
    popped = False
    while w.defs and w.defs[-1] >= indent:
        w.defs.pop()
        popped = True
    if w.class_doc:
        return (1,)
    if prev.opener:
        return (0,)
    if popped:
        return (1,)
    if line.kind in ("def", "class", "decorator"):
        return (0,) if prev.kind == "decorator" else (1,)
    if line.kind == "import" or prev.kind == "import":
        return None
    return (0, 1)


# --- folding long lines -----------------------------------------------------------

_SCAN = re.compile(r"[()\[\]{},#]|\b(?:for|lambda|if|else|and|or)\b|\+")
_BLANK = re.compile(r"""[rRbBuUfF]{0,2}(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')""")
_TAILS = frozenset((")", "]", "}", "),", "],", "},"))
# Operators and keywords that make a statement an expression black splits at them
# (or wraps in parentheses), not at its last bracket.
_LEVEL_OPS = re.compile(
    r"[-+*/%@&|^~<>!]|==|\b(?:and|or|not|in|is|if|else|for|lambda|await|yield)\b")


class _Scan:
    """Brackets, commas and keywords of one line (strings blanked out)."""

    def __init__(self, content: str) -> None:
        if '"' in content or "'" in content:
            self.blanked = _BLANK.sub(lambda m: '"' * len(m.group()), content)
        else:
            self.blanked = content
        self.pairs: dict[int, int] = {}  # opening bracket offset -> closing offset
        commas: dict[int, list[int]] = {-1: []}  # bracket (-1: none) -> own commas
        words: dict[int, list[int]] = {-1: []}  # bracket -> own for/if/+ offsets
        self.commas, self.words = commas, words
        self.top: list[int] = []  # brackets at the line's own level
        self.ok = True
        pairs, top = self.pairs, self.top
        stack: list[int] = []
        owner = -1
        for m in _SCAN.finditer(self.blanked):
            tok, at = m.group(), m.start()
            if tok == ",":
                commas[owner].append(at)
            elif tok in _OPEN:
                if not stack:
                    top.append(at)
                stack.append(at)
                commas[at], words[at] = [], []
                owner = at
            elif tok in _CLOSE:
                if not stack:
                    self.ok = False
                    break
                pairs[stack.pop()] = at
                owner = stack[-1] if stack else -1
            elif tok in ("#", "lambda"):
                self.ok = False
            else:
                words[owner].append(at)
        if stack:
            self.ok = False

    def level(self) -> str:
        """The line with the insides of its brackets (and its strings) emptied."""
        out, at = [], 0
        for o in self.top:
            out.append(self.blanked[at:o + 1])
            at = self.pairs[o]
        out.append(self.blanked[at:])
        return "".join(out)


def fold(text: str) -> str:
    """`text` with every line longer than black's limit that is a whole statement
    or a whole element of an exploded bracket written exploded at its last
    bracket (a def at its parameters): one element per line and a trailing
    comma, the form black keeps. Lines it cannot fold stay as they are (black
    formats their block). Lines of triple-quoted strings (docstrings) are text
    and stay as they are."""
    if not any(len(line) > LINE_WIDTH for line in text.split("\n")):
        return text
    out: list[str] = []
    in_string = False
    for line in text.split("\n"):
        quotes = line.count('"""') + line.count("'''")
        if in_string or quotes:  # a line of a triple-quoted string: text, not code
            in_string ^= quotes % 2 == 1
            out.append(line)
        elif len(line) > LINE_WIDTH:
            out.extend(_folded_line(line))
        else:
            out.append(line)
    return "\n".join(out)


@lru_cache(maxsize=1 << 16)
def _folded_line(line: str) -> tuple[str, ...]:
    """One long line folded (a client repeats many: commercetools-api's 24,000
    long lines are 14,000 distinct ones)."""
    content = line.lstrip(" ")
    return tuple(_fold(line[:len(line) - len(content)], content) or [line])


def _fold(indent: str, content: str, force: bool = False,
          param: bool = False) -> list[str] | None:
    """The lines black keeps for `content` (a statement, or an element of an
    exploded bracket when it ends with a comma) when it is too long (or `force`),
    or None."""
    if len(indent) + len(content) <= LINE_WIDTH and not force:
        return [indent + content]
    if not content.isascii() and max(map(ord, content)) >= _WIDE:
        return None
    if param:
        return _fold_annotation(indent, content)
    if "(" not in content and "[" not in content and "{" not in content:
        return None  # nothing black could split at a bracket
    scan = _Scan(content)
    if not scan.ok:
        return None
    rest = scan.level()
    if content.endswith(",") and {content[i] for i in scan.words[-1]} == {"+"}:
        if _LEVEL_OPS.search(rest.replace("+", "")):
            return None
        return _fold_sum(indent, content, scan)
    head = _COND_LINE.match(content)
    if head:
        return _fold_condition(indent, content, scan, len(head.group()))
    ternary = _fold_ternary(indent, content, scan, rest)
    if ternary:
        return ternary
    is_def = content.startswith(("def ", "async def "))
    value = rest.partition(" = ")[2] or rest  # an annotation may hold `|`
    if not scan.top or (not is_def and _LEVEL_OPS.search(value)):
        return None  # black splits such a statement at its operators
    opening = min(scan.top) if is_def else max(scan.top)
    closing = scan.pairs[opening]
    if content[opening] == "[" and re.search(r"[\w)\]\"']\Z", content[:opening]):
        return None  # a subscript: a trailing comma would make its key a tuple
    if (len(indent) + opening >= LINE_WIDTH and not is_def
            and _WRAPPED.fullmatch(rest) and content[closing:] == ")"):
        wrapped = _fold_wrapped(indent, content, rest)
        if wrapped:
            return wrapped
    if _AWAITED.fullmatch(rest):
        return _fold_awaited(indent, content, scan)
    if not is_def and content[closing:] not in _TAILS and not _TRAILED.fullmatch(rest):
        return None
    if any(content[w] == "f" for w in scan.words[opening]):
        return _fold_comprehension(indent, content, scan, opening)
    cuts = [opening, *scan.commas[opening], closing]
    parts = [content[a + 1:b].strip() for a, b in itertools.pairwise(cuts)]
    if parts and not parts[-1]:
        parts.pop()
    if not parts or not all(parts):
        return None
    if (content[opening] == "(" and len(parts) == 1 and not is_def
            and not re.search(r"[\w)\]]\Z", content[:opening])):
        return None  # a one-tuple: black would not keep it exploded
    inner = indent + "    "
    lines = [indent + content[:opening + 1]]
    for part in parts:
        lines.extend(_fold(inner, part + ",", param=is_def) or [inner + part + ","])
    lines.append(indent + content[closing:])
    return lines


# `return call(...).attr` and `return (await call(...)).attr` (strings blanked).
_TRAILED = re.compile(r"(?:return |[\w.]+ = )[\w.]+\(\)\.\w+")
_AWAITED = re.compile(r"return \(\)\.\w+")


def _fold_awaited(indent: str, content: str, scan: _Scan) -> list[str] | None:
    """`return (await call(...)).attr` as black writes it when too long: the
    awaited call inside the parentheses, on one line or exploded."""
    opening = scan.top[0]
    closing = scan.pairs[opening]
    body = content[opening + 1:closing]
    if not body.startswith("await "):
        return None
    inner = indent + "    "
    if len(inner) + len(body) <= LINE_WIDTH:
        middle = [inner + body]
    else:
        call = _fold(inner, body[len("await "):], force=True)
        if not call or len(call) < 3:
            return None
        middle = [inner + "await " + call[0].lstrip(), *call[1:]]
        if len(middle[0]) > LINE_WIDTH:
            return None
    return [indent + content[:opening + 1], *middle, indent + content[closing:]]


_COND_LINE = re.compile(r"(?:if|elif|while) (?=.*:\Z)")


def _fold_condition(indent: str, content: str, scan: _Scan, start: int) -> list[str] | None:
    """`if <condition>:` too long: the condition inside parentheses, on one line
    if it fits, else split before each `and`/`or` (as black writes it)."""
    cond = content[start:-1]
    words = [w for w in scan.words[-1] if w >= start]
    if (scan.commas[-1] or cond[:1] in "([{" or cond[-1:] in ")]}" or not cond
            or any(content[w] in "fie+" for w in words)):
        return None  # black would split it elsewhere
    inner = indent + "    "
    if len(inner) + len(cond) <= LINE_WIDTH:
        middle = [inner + cond]
    else:
        cuts = [start, *words, len(content) - 1]
        middle = [inner + content[a:b].strip() for a, b in itertools.pairwise(cuts)]
        if not words or max(map(len, middle)) > LINE_WIDTH:
            return None
    return [indent + content[:start] + "(", *middle, indent + "):"]


def _fold_ternary(indent: str, content: str, scan: _Scan, rest: str) -> list[str] | None:
    """`x = a if b else c` too long: the value inside parentheses, on one line if
    it fits, else split before `if` and `else` (as black writes it)."""
    target, eq, _ = rest.partition(" = ")
    words = [w for w in scan.words[-1] if w > len(target)]
    kinds = [content[w] for w in words]
    if (not eq or kinds != ["i", "e"] or scan.commas[-1]
            or not re.fullmatch(r"(?:return )?[\w.]+(?:: .+)?", target)):
        return None
    start = len(target) + len(eq)
    value = content[start:]
    inner = indent + "    "
    if len(inner) + len(value) <= LINE_WIDTH:
        middle = [inner + value]
    else:
        cuts = [start, *words, len(content)]
        middle = [inner + content[a:b].strip() for a, b in itertools.pairwise(cuts)]
        if max(map(len, middle)) > LINE_WIDTH:
            return None
    return [indent + content[:start] + "(", *middle, indent + ")"]


_WRAPPED = re.compile(r"[\w.]+ = [\w.]+\(\)")


def _fold_wrapped(indent: str, content: str, rest: str) -> list[str] | None:
    """`x = call(...)` whose `x = call(` alone is too long: black keeps the value
    in parentheses, the call exploded inside."""
    start = rest.index(" = ") + 3
    if len(indent) + start + 1 > LINE_WIDTH:
        return None  # `x = (` does not fit either: black leaves `x = call(` long
    inner = _fold(indent + "    ", content[start:], force=True)
    if not inner or max(map(len, inner)) > LINE_WIDTH:
        return None  # black wraps it only if that makes every line fit
    return [indent + content[:start] + "(", *inner, indent + ")"]


_PARAM = re.compile(r"(\w+): ([^=]+?)( = [^=]+)?,")


def _fold_annotation(indent: str, content: str) -> list[str] | None:
    """A parameter `name: A | B = x,` too long: black wraps the annotation in
    parentheses on its own line (when it fits there)."""
    m = _PARAM.fullmatch(content)
    if not m or " | " not in m.group(2) or "(" in m.group(2):
        return None
    lines = [f"{indent}{m.group(1)}: (", f"{indent}    {m.group(2)}",
             f"{indent}){m.group(3) or ''},"]
    return lines if max(map(len, lines)) <= LINE_WIDTH else None


def _fold_sum(indent: str, content: str, scan: _Scan) -> list[str] | None:
    """An element `a + b + c,` split before each `+`, as black splits it."""
    cuts = [0, *scan.words[-1], len(content)]
    lines = [indent + content[a:b].strip() for a, b in itertools.pairwise(cuts)]
    return lines if max(map(len, lines)) <= LINE_WIDTH else None


def _fold_comprehension(indent: str, content: str, scan: _Scan,
                        opening: int) -> list[str] | None:
    """`[x for y in z]` too long: the comprehension on one line inside the
    brackets if it fits, else split before its `for` and `if` clauses."""
    closing = scan.pairs[opening]
    words = scan.words[opening]
    if content[opening] not in "[{" or scan.commas[opening] and not all(
            any(w < c for w in words) for c in scan.commas[opening]):
        return None  # a comma before the first clause: not one comprehension
    if any(content[w] in "+e" for w in words):
        return None  # a sum or a conditional expression at that level
    inner = indent + "    "
    body = content[opening + 1:closing].strip()
    if len(inner) + len(body) <= LINE_WIDTH:
        middle = [inner + body]
    else:
        cuts = [opening + 1, *words, closing]
        middle = [inner + content[a:b].strip() for a, b in itertools.pairwise(cuts)]
        if len(middle[0]) > LINE_WIDTH:  # the element too: exploded, as black would
            element = _fold(inner, middle[0].strip(), force=True)
            if not element or element[-1] != inner + ")":
                return None
            middle[:1] = element
        if max(map(len, middle)) > LINE_WIDTH:
            return None
    return [indent + content[:opening + 1], *middle, indent + content[closing:]]
