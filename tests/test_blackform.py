"""The renderer writes black's form and `blackform.settled` vouches for blocks black
would leave unchanged: a block it calls settled is never sent to black, so it must
be a black fixed point. Checked on every block of the seeds and of the corpus
(large files with --run-slow) and on hand-made hard cases."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import CORPUS_FILES, corpus_param
from postman_codegen.blackform import fold, quote, settled
from postman_codegen.escape import docstring, literal
from postman_codegen.fmt import split
from postman_codegen.output import format_python
from test_format_blocks import ROOT, rendered


def check_blocks(files: dict[str, str]) -> tuple[int, int]:
    """Asserts that every settled block is a black fixed point; returns (settled,
    blocks) over the Python files black formats block by block."""
    vouched = total = 0
    for rel, text in files.items():
        for block in split(text) or ():
            total += 1
            if settled(block.text):
                vouched += 1
                assert format_python(block.text) == block.text, (
                    f"{rel}: settled, but black changes it:\n{block.text[:2000]}")
    return vouched, total


def test_settled_seed_blocks_are_black_fixed_points() -> None:
    vouched, total = check_blocks(rendered(ROOT / "collections"))
    # The point of rendering black's form: black runs on few blocks.
    assert vouched >= 0.8 * total, (vouched, total)


@pytest.mark.parametrize("source", [corpus_param(p) for p in CORPUS_FILES])
def test_settled_corpus_blocks_are_black_fixed_points(source: Path) -> None:
    vouched, total = check_blocks(rendered(source))
    assert vouched >= 0.6 * total, (vouched, total)


# Blocks black changes: the recognizer must not vouch for any of them.
CHANGED = [
    "x = 'a'\n",
    'x = "a\\\'b"\n',
    "x = u\"a\"\n",
    'x = "\\xAB"\n',
    "x = 1E5\n",
    "x = 1e+5\n",
    "x = 0XFF\n",
    "x = 1.\n",
    "x = .5\n",
    "x = f(.5)\n",
    "x = [1., 2]\n",
    "x = 1 if a else .5\n",
    "x = f(a,)\n",
    "x = [1, 2,]\n",
    "x = (1)\n",
    "if (x):\n    pass\n",
    "for (x) in y:\n    pass\n",
    "return_value = (yield)\n",
    "def f(a = 1):\n    pass\n",
    "def f(a: int=1):\n    pass\n",
    "f(a = 1)\n",
    "x=1\n",
    "x = a[1 : 2]\n",
    "x = a[b + 1:]\n",
    "x = a ** b\n",
    "x = a**b()\n",
    "x = lambda a = 1: a\n",
    "x = -  1\n",
    "x = not(a)\n",
    "print(* a)\n",
    "class A():\n    pass\n",
    "class A: pass\n",
    "if x: y = 1\n",
    "def f(): return 1\n",
    "class A:\n    x = 1\n    def f(self):\n        pass\n",
    "class A:\n    def f(self):\n        pass\n    def g(self):\n        pass\n",
    "class A:\n    def f(self):\n        pass\n    x = 1\n",
    'class A:\n    """Doc."""\n    x = 1\n',
    'class A:\n\n    """Doc."""\n\n    x = 1\n',
    'def f():\n    """  Doc."""\n',
    'def f():\n    """Doc.  """\n',
    'def f():\n    """Doc.\n\nMore.\n"""\n',
    'def f():\n    """Doc.\n    More.   \n    """\n',
    'def f():\n    """Doc."""\n\n\n    return 1\n',
    "x = [\n    1,\n\n    2,\n]\n",
    "x = [\n    1,\n    2\n]\n",
    "x = [\n  1,\n]\n",
    "x = (\n    1,\n)\n",
    "x = y[\n    1,\n]\n",
    "x = f(\n)\n",
    "x = f(\n    a, b,\n)\n",
    "x = [\n    a for a in b\n]\n",
    "x = [\n    a\n    for a in b\n]\n",
    "x = f(\n    'a',\n)\n",
    "x = f(\n    aaaa\n    + bbbb,\n)\n",
    "x = {  'a': 1}\n",
    "x = 1;\n",
    "x = 1 \n",
    "async def f():\n    return (await (g()))\n",
    "def f(*, a):\n    pass\n\n\n\n",
    "x = '" + "a" * 100 + "'\n",
    "x = f(\"" + "a" * 100 + "\", b)\n",
    "if a:\n    pass\nelse: pass\n",
    "x = 'a' 'b'\n",
    "with (a):\n    pass\n",
    "def f() -> (int):\n    pass\n",
    "def f():\n    ...\n",
    "x = [\n    " + "a" * 80 + " + b,\n]\n",
    "async def f():\n    return (\n        await g(a)\n    ).b\n",
    "def f():\n    return self.a(\n        b\n    ).c\n",
    "def f():\n    return self.a().b(\n        c,\n    ).d\n",
    "x = ff(\"" + "\u4e2d" * 40 + "\", b)\n",
    "if (\n    a is not b and c\n):\n    pass\n",
    "if (\n    a_long_name_here is not b_long_name_here\n    and c_long_name_here(d_long_name_here, e)\n):\n    pass\n",
    "if (\n    a\n    and b\n):\n    pass\n",
    "x = (\n    a if b else c\n)\n",
    "def f(\n    a: (\n        int | None\n    ) = None,\n):\n    pass\n",
    "x = (\n    f(\n        a,\n    )\n)\n",
    ("class A:\n    " + "h" * 60 + "_with_response = _rt.with_response(\n        _" + "x" * 70
     + ",\n        b,\n    )\n"),
    ("class A:\n    eps_ext_profile_create_rq_stateful_ath_create_profile_with_response = (\n"
     "        _rt.with_response(\n            _" + "x" * 90 + ",\n            b,\n        )\n    )\n"),
    "x = [\n    f(\n        a,\n    ),\n    for a in b\n]\n",
    "x = (\n    a\n    if b\n    else c\n)\n",
]


@pytest.mark.parametrize("block", CHANGED)
def test_blocks_black_changes_are_not_settled(block: str) -> None:
    try:
        changed = format_python(block) != block
    except Exception:  # noqa: BLE001 - black refuses it: must not be settled either
        changed = True
    assert changed, f"not a hard case: black leaves it\n{block}"
    assert not settled(block)


# Blocks black leaves as they are: the recognizer should vouch for these shapes.
KEPT = [
    'x = "a"\n',
    "x = 'a\"b'\n",
    'x = f"{a}.b[{i}]"\n',
    "x = -1\n",
    "x = [1, 2]\n",
    "x = {\"a\": -1, **b}\n",
    "x: dict[str, int] | None = None\n",
    "def f(a, *args, b: int = 1, c=2, **kw) -> int:\n    return a\n",
    "f(a=1)(b)[c].d\n",
    "x = (await g()).h\n",
    "if type(u := d.get(\"u\", U)) is not str:\n    raise e(p + \".u\", \"s\", u)\n",
    "x = f(\n    a,\n)\n",
    "def f(\n    self,\n    *,\n    a: int = 1,\n) -> dict[str, int]:\n    pass\n",
    ('class A:\n    """Doc."""\n\n    x: int\n\n    def f(self) -> None:\n        """Doc.\n\n'
    '        More.\n        """\n        return None\n\n    g = f\n'),
    "x = {\n    \"a\": (\n        1,\n        2,\n    ),\n}\n",
    "from .models import (\n    A,\n    B,\n)\n",
    "x = {\"caf\u00e9\": \"\u00fcber\"}\n",
    "def f():\n    \"\"\"" + "\u4e2d" * 60 + "\"\"\"\n",
    "x = f(\n    \"" + "\u00e9" * 84 + "\",\n)\n",
    "@dataclass(frozen=True)\nclass A(B):\n    x: int = 1\n",
    ("class A:\n    " + "h" * 60 + "_with_response = _rt.with_response(\n        _" + "x" * 75
     + ",\n        b,\n    )\n"),
]


# Black leaves these, but they are outside what the recognizer vouches for.
OUTSIDE = [
    "def f():\n\n    return 1\n",
    "x = f(\n    a,\n)[0]\n",
    "x = a + f(\n    b,\n)\n",
    "x = 1  # comment\n",
    "x = (a) if b else c\n",
    "x = {\"\u4e2d\": 1}\n",
    "match x:\n    case 1:\n        pass\n",
    "type X = int\n",
    "del (a), b\n",
    "x = b\"\"\n",
    "x = rb\"a\"\n",
    "def f():\n    return self.a(\n        b,\n    )[0]\n",
    "x = [\n    f(\n        a,\n    )\n]\n",
]


@pytest.mark.parametrize("block", OUTSIDE)
def test_shapes_outside_the_recognizer_are_not_settled(block: str) -> None:
    assert not settled(block)


@pytest.mark.parametrize("block", KEPT)
def test_black_fixed_points_of_known_shapes_are_settled(block: str) -> None:
    assert format_python(block) == block, "not a fixed point"
    assert settled(block)


LONG = [
    "x = some_function(argument_one, argument_two, argument_three, argument_four_long)\n",
    ("def method_with_a_long_name(self, first: int, second: str = \"x\", *, third: bool = False) -> int:\n"
    "    return 1\n"),
    ("async def method_with_a_long_name(self, first: int, second: str = \"x\", *, third: bool) -> int:\n"
    "    return 1\n"),
    "items = [Detail.from_dict(x, f\"{path}.details[{i}]\") for i, x in enumerate(details)]\n",
    ("items = [SomeLongModelName.from_dict(xxxxxx, f\"{path}.details[{i}]\") for i, xxxxxx in "
    "enumerate(details)]\n"),
    ("obj = cls(a=[SomeLongModelName.from_dict(xxxxxx, f\"{path}.details[{i}]\") for i, xxxxxx in "
    "enumerate(details)], b=1)\n"),
    ("call = _rt.Call(\n    \"POST\",\n    \"/v1/customer/disputes/\" + _rt.segment(args[\"dispute_id\"], "
    "\"dispute_id\") + \"/provide-evidence\",\n)\n"),
    ("out: dict[str, Any] = {\"start\": self.start, \"end\": self.end, \"url\": self.url, "
    "\"expanded\": self.expanded_url}\n"),
    ("name_of_field: str | Unset = _field(default=_rt.UNSET, metadata={\"json_key\": "
    "\"nameOfField\"})\n"),
    ("def f():\n    if a:\n        obj.time_processed = _rt.UNSET if time_processed is _rt.UNSET "
     "else _rt.parse_datetime(time_processed, path)\n"),
    ("def f():\n    obj.time_processed = _rt.UNSET if time_processed is _rt.UNSET else "
     "_rt.parse_datetime(t)\n"),
    ("def f():\n    result: list[PartiallyUpdateDisputeRequest] = [PartiallyUpdateDisputeRequest."
     "_from(x, path and f\"{path}[{i}]\") for i, x in enumerate(data)]\n"),
    ("def f():\n    if a:\n        obj.primary_recipients = [TemplatesTemplateInfoPrimaryRecipient._from"
     "(x, path and f\"{path}.primary_recipients[{i}]\") for i, x in enumerate(primary_recipients)]\n"),
    ("class A:\n    check_if_attribute_group_exists_by_query_predicate_with_response = "
     "_rt.with_response(_check_if_attribute_group_exists_by_query_predicate, "
     "check_if_attribute_group_exists_by_query_predicate)\n"
     "    check_if_attribute_group_exists_by_query_predi_with_response = _rt.with_response("
     "_check_if_attribute_group_exists_by_query_predicate, "
     "check_if_attribute_group_exists_by_query_predicate)\n"),
    ("class A:\n    " + "h" * 68 + "_with_response = _rt.with_response(_" + "x" * 80 + ", b)\n"),
    ("class A:\n    " + "h" * 60 + "_with_response = _rt.with_response(_" + "x" * 70 + ", b)\n"),
    ("class A:\n    def f(self, *, body: ApplyDeltaToCustomLineItemShippingDetailsTargetsRequest | "
     "JsonValue | None = None, headers: Mapping[str, str] | None = None) -> JsonValue:\n"
     "        pass\n"),
    ("def f():\n    if location is not _rt.UNSET and location is not None and type(locationsss) is "
     "not str:\n        pass\n"),
    ("def f():\n    if location_xxxxxxxxxxxxxxxxxxxx is not _rt.UNSET and type(location_xxxxxxxxxxxxxxxx) "
     "is not str:\n        pass\n    elif a:\n        pass\n"),
    ("class A:\n    def lookup_spaces_created_by_one_or_more_users(self) -> int:\n"
     "        return self._t.send(_lookup_spaces_created_by_one_or_more_users, locals()).parsed\n"),
    ("class A:\n    async def lookup_spaces_created_by_one_or_more_users(self) -> int:\n"
     "        return (await self._t.send(_lookup_spaces_created_by_one_or_more, locals())).parsed\n"),
    ("class A:\n    async def lookup_spaces_created_by_one_or_more_users(self) -> int:\n"
     "        return (await self._t.send(_lookup_spaces_created_by_one_or_more_users_and_more, "
     "locals())).parsed\n"),
]


@pytest.mark.parametrize("block", LONG)
def test_folded_long_statements_are_black_fixed_points(block: str) -> None:
    folded = fold(block)
    ast.parse(folded)
    assert format_python(folded) == folded
    assert settled(folded)


STRINGS = ["", "a", "it's", 'say "hi"', "both ' and \"", "'\"'\"", "back\\slash", "tab\there",
           "new\nline", "\x00\x7f", "\u200b", "é", "\\'", '\\"', "{braces}", "'''", '"""']


@pytest.mark.parametrize("text", STRINGS)
def test_literals_are_quoted_as_black_quotes_them(text: str) -> None:
    lit = literal(text)
    assert ast.literal_eval(lit) == text
    assert quote(text) == lit
    assert format_python(f"x = {lit}\n") == f"x = {lit}\n"
    assert literal(1e20) == "1e20"
    assert format_python(f"x = {literal(1.5e-7)}\n") == f"x = {literal(1.5e-7)}\n"


DOCS = ["One line.", "Title.\n\nBody\n  indented\nlast", "  padded  ", 'ends with "quote"',
        "ends with \\", "x" * 100 + "\nsecond line that is long " + "y" * 70, "a\n\n\n\nb",
        '"starts with a quote', "tab\tinside"]


@pytest.mark.parametrize("text", DOCS)
@pytest.mark.parametrize("indent", [4, 8])
def test_docstrings_are_laid_out_as_black_lays_them_out(text: str, indent: int) -> None:
    block = "class A:\n    def f(self) -> None:\n" if indent == 8 else "class A:\n"
    block += " " * indent + docstring(text, indent) + "\n"
    assert format_python(block) == block
    assert settled(block) == block.isascii()


def _unfolded(source: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    import postman_codegen.render

    monkeypatch.setattr(postman_codegen.render, "fold", lambda text: text)
    return rendered(source)


@pytest.mark.parametrize("source", [ROOT / "collections", *(corpus_param(p) for p in CORPUS_FILES)])
def test_folding_changes_only_the_layout(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """fold() rewrites long lines: the code must mean the same (a trailing comma in
    a subscript, for one, would turn its key into a tuple)."""
    for rel, text in _unfolded(source, monkeypatch).items():
        assert ast.dump(ast.parse(fold(text))) == ast.dump(ast.parse(text)), rel


def test_a_long_subscript_is_not_folded() -> None:
    line = '    x = {"k": args["' + "a" * 90 + '"]}\n'
    assert ast.dump(ast.parse(fold(line.strip() + "\n"))) == ast.dump(ast.parse(line.strip() + "\n"))


def test_docstring_lines_are_never_folded() -> None:
    text = ('def f():\n    """Doc.\n\n    ' + "word (a, b) " * 10 + '\n    """\n'
            "    return g(" + "a, " * 40 + "b)\n")
    folded = fold(text)
    assert ast.get_docstring(ast.parse(folded).body[0]) == ast.get_docstring(ast.parse(text).body[0])  # type: ignore[arg-type]
    assert folded.count("\n") > text.count("\n")
