"""Property tests (hypothesis): any body, any key, any name or description.

Whatever a collection holds, the generated package compiles, imports without side
effects, keeps the collection's text as data and gives every example body back
exactly; and every input, however broken, ends in exit 0 (a package that compiles and
imports) or exit 2 with `file: $.path: message`, never a traceback. Example counts
come from the hypothesis profile (conftest.py: `suite` for `make test`, `full` for
`make test-corpus`, `fuzz` for a longer run); each example runs black and an import,
`mypy --strict` runs on a tenth of them (at least two).
"""

from __future__ import annotations

import copy
import dataclasses
import inspect
import json
import keyword
import re
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from conftest import COLLECTIONS
from helpers import has_placeholder, import_package, mypy, run_cli
from postman_codegen.collection import load
from postman_codegen.errors import GeneratorError, InputError
from postman_codegen.plan import plan
from postman_codegen.plan_values import is_credential, is_placeholder, typed_value
from postman_codegen.render import render_package

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
CANARY = "PWNED"
PAYLOADS = [
    '"', "'", '"""', "'''", "\\", "\n", "\r\n", "\t", "\x00", "{{", "}}", "{{ x }}", "{%",
    "%}", "{# #}", "#", "\u2028", "\x85", "\ufeff", "é", "日本", "🎉",
    "__import__('pathlib').Path('PWNED').touch()",
    '"""; __import__(\'pathlib\').Path(\'PWNED\').touch(); """',
    "'); __import__('pathlib').Path('PWNED').touch(); ('",
]
NAMES = [
    "class", "def", "None", "True", "self", "cls", "str", "int", "list", "dict", "frozenset",
    "datetime", "httpx", "JsonValue", "Unset", "Client", "AsyncClient", "from_dict",
    "to_dict", "close", "_extra", "_KEYS", "_rt", "__init__", "__class__", "__dict__", "",
    " ", "_", "a", "A", "a-b", "a_b", "aB", "2fa", "@odata.type", "Content-Type", "x" * 80,
]
DATES = ["2021-05-11T12:38:29+05:30", "2024-02-29T23:59:59.999999Z", "2021-05-11T12:38:29Z"]

hostile_text = st.one_of(
    st.text(max_size=16),
    st.sampled_from(PAYLOADS + NAMES),
    st.lists(st.sampled_from(PAYLOADS + NAMES) | st.text(max_size=4), max_size=5).map("".join),
)
keys = st.one_of(st.sampled_from(NAMES), st.text(max_size=10), hostile_text)
strings = st.one_of(hostile_text, st.sampled_from(DATES))
scalars = st.one_of(
    st.none(), st.booleans(),
    st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=False, allow_infinity=False), st.sampled_from([-0.0, 1e300, 5e-324]),
    strings,
)
json_values = st.recursive(
    scalars,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=5),
    max_leaves=24,
)
objects = st.dictionaries(keys, json_values, min_size=1, max_size=8)

# Budgets relative to the loaded profile: `suite` keeps `make test` fast.
BUDGET = settings.default.max_examples
FAST = settings(max_examples=BUDGET)


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One folder for all examples (so unchanged files are not re-formatted), and the
    working directory, where a payload that ran would leave PWNED."""
    path = tmp_path_factory.mktemp("properties")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path)
        yield path
    assert not (path / CANARY).exists()


def exact(value: Any) -> str:
    """JSON text of a value, key order aside: tells 1 from 1.0 and -0.0 from 0.0."""
    return json.dumps(value, sort_keys=True)


def collection(items: list[dict[str, Any]], name: str = "prop",
               description: Any = "") -> dict[str, Any]:
    return {"info": {"name": name, "description": description, "schema": SCHEMA},
            "item": items}


def request_item(name: str, bodies: list[Any], url: Any = "https://api.example.com/things",
                 **request: Any) -> dict[str, Any]:
    return {
        "name": name,
        "request": {"method": "GET", "url": url, **request},
        "response": [{"code": 200, "body": json.dumps(b)} for b in bodies],
    }


def build(workspace: Path, data: dict[str, Any], package: str = "prop") -> ModuleType:
    """Generate `data` into the workspace and import it; no payload may have run."""
    src = workspace / "src" / f"{package}.postman_collection.json"
    src.parent.mkdir(exist_ok=True)
    src.write_text(json.dumps(data))
    result = run_cli("generate", "-q", "-j", "1", "-o", workspace / "out", src)
    assert result.exit_code == 0, result.output
    pkg = workspace / "out" / package
    for path in pkg.glob("*.py"):
        compile(path.read_text("utf-8"), str(path), "exec")
    module = import_package(pkg)
    assert not (workspace / CANARY).exists()
    return module


def only_endpoint(module: ModuleType) -> Any:
    (ep,) = module.ENDPOINTS
    return ep


@FAST
@given(bodies=st.lists(json_values, min_size=1, max_size=3))
def test_any_json_bodies_round_trip_exactly(workspace: Path, bodies: list[Any]) -> None:
    assume(not any(has_placeholder(b) for b in bodies))
    module = build(workspace, collection([request_item("things", bodies)]))
    t = only_endpoint(module).response_type
    for body in bodies:
        if t is None:  # only `null` bodies: returned as the JSON that came
            assert body is None
            continue
        assert exact(t.to_dict(t.from_dict(body))) == exact(body)


@pytest.mark.parametrize("bodies", [
    [["2021-05-11T12:38:29Z", "2024-02-29T23:59:59.999999Z"]],
    [[["2021-05-11T12:38:29Z", None]], [[-167, "2021-05-11T12:38:29.100Z"]]],
    [{"a": ["2021-05-11T12:38:29Z"]}, ["2021-05-11T12:38:29Z", "2022-01-01T00:00:00Z"]],
])
def test_date_times_in_a_body_that_is_not_one_object_come_back_as_written(
    workspace: Path, bodies: list[Any],
) -> None:
    """A bare list (or union) body is parsed by an adapter, which has no model to keep
    a date-time's text in: its date-times stay strings (`Z` does not become `+00:00`)."""
    module = build(workspace, collection([request_item("things", bodies)]))
    t = only_endpoint(module).response_type
    for body in bodies:
        assert exact(t.to_dict(t.from_dict(body))) == exact(body)


@FAST
@given(body=objects)
def test_any_key_names_give_distinct_valid_fields(workspace: Path, body: dict[str, Any]) -> None:
    assume(not has_placeholder(body))
    module = build(workspace, collection([request_item("things", [body])]))
    t = only_endpoint(module).response_type
    assert exact(t.to_dict(t.from_dict(body))) == exact(body)
    if not dataclasses.is_dataclass(t):
        return  # keys that look like data (ids, dates) make a dict, not a class
    fields = dataclasses.fields(t)
    assert {f.metadata.get("json_key", f.name) for f in fields} == set(body)
    names = [f.name for f in fields]
    assert len(set(names)) == len(names)
    for name in names:
        assert name.isidentifier() and not keyword.iskeyword(name)
        assert not name.startswith("_")


@FAST
@given(
    title=hostile_text,
    folder=hostile_text,
    names=st.lists(hostile_text, min_size=1, max_size=3),
    description=hostile_text,
    markdown=st.booleans(),
    query=st.tuples(hostile_text, hostile_text),
    header=hostile_text,
)
def test_any_names_and_descriptions_compile_import_and_stay_data(
    workspace: Path, title: str, folder: str, names: list[str], description: str,
    markdown: bool, query: tuple[str, str], header: str,
) -> None:
    key, value = query
    doc: Any = {"content": description, "type": "text/markdown"} if markdown else description
    items = [
        request_item(
            n, [{"ok": True}], url={
                "raw": f"https://api.example.com/things/{i}",
                "host": ["https://api.example.com"], "path": ["things", str(i)],
                "query": [{"key": key, "value": value}],
            },
            description=doc,
            header=[{"key": "X-Test", "value": header}],
        )
        for i, n in enumerate(names)
    ]
    module = build(workspace, collection(
        [{"name": folder, "description": doc, "item": items}], name=title, description=doc))
    client = module.Client()
    words = " ".join(description.split())
    assert len(module.ENDPOINTS) == len(names)
    assert len({ep.qualname for ep in module.ENDPOINTS}) == len(names)
    for i, ep in enumerate(module.ENDPOINTS):
        assert ep.url == f"https://api.example.com/things/{i}"
        method = client
        for attr in ep.qualname.split("."):
            method = getattr(method, attr)
        doc_words = " ".join((method.__doc__ or "").split())
        assert words in doc_words
        if (key and "{{" not in value and "}}" not in value and value
                and not is_placeholder(value) and not is_credential(key)):
            # real data is a default (typed: "1" -> 1); samples and credentials never are
            defaults = [p.default for p in inspect.signature(method).parameters.values()]
            assert typed_value(value) in defaults
    client_doc = " ".join((module.Client.__doc__ or "").split())
    assert (words or " ".join(title.split())) in client_doc


@settings(max_examples=max(2, BUDGET // 10))
@given(body=objects, names=st.lists(hostile_text, min_size=2, max_size=3), other=json_values)
def test_a_drawn_package_passes_mypy_strict(
    workspace: Path, body: dict[str, Any], names: list[str], other: Any,
) -> None:
    items = [request_item(n, [body] if i % 2 == 0 else [other, body])
             for i, n in enumerate(names)]
    build(workspace, collection(items), package="typed")
    result = mypy([workspace / "out" / "typed"])
    assert result.returncode == 0, result.stdout[-3000:]


# -- malformed collections: a clear error or a package, never a crash -------------

SEEDS = [json.loads((COLLECTIONS / name).read_text()) for name in
         ("zoho_crm.postman_collection.json", "salesforce_bulk.postman_collection.json")]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


@st.composite
def mutated_collections(draw: st.DrawFn) -> dict[str, Any]:
    """A seed collection with a few values replaced by arbitrary JSON (or removed)."""
    doc = copy.deepcopy(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        if isinstance(parent, dict) and draw(st.booleans()):
            del parent[path[-1]]
        else:
            parent[path[-1]] = draw(json_values)
    return doc


@settings(max_examples=BUDGET * 5)  # plans and renders only: no black, no import
@given(doc=mutated_collections())
def test_a_malformed_collection_fails_with_a_located_error_or_generates(
    tmp_path_factory: pytest.TempPathFactory, doc: dict[str, Any],
) -> None:
    path = tmp_path_factory.getbasetemp() / "mutated.postman_collection.json"
    path.write_text(json.dumps(doc))
    try:
        render_package(plan(load(path), {}, "mutated"))
    except InputError as exc:
        assert exc.file == str(path) and exc.path.startswith("$"), exc
    except GeneratorError as exc:  # pragma: no cover - no other kind is raised today
        assert str(path) in str(exc), exc


# -- the mutation kinds of the attack run: exit 0 or 2, never a traceback ------------

BIG = "__BIG_NUMBER__"  # replaced by `1e400` in the JSON text (json.dumps cannot write it)
SURROGATES = st.sampled_from(["\ud800", "\udfff", "a\udc80b"])
JAMO = st.sampled_from(["\u1100", "\u1161", "\u11a8", "\u1100\u1161", "\u1100 \u1161"])
FORMAT = st.sampled_from(["\u202e", "\u2066", "\u2069", "\u200b", "\u200d", "\ufeff",
                          "\u2028", "\x1b]0;t\x07"])
odd_text = st.lists(st.one_of(SURROGATES, JAMO, FORMAT, hostile_text), min_size=1,
                    max_size=4).map("".join)
# Bodies nested at most 19 levels: beyond that the generator is still wrong (the
# strict xfail test below pins it); when it passes, draw depths up to 40.
name_text = odd_text
MAX_DEPTH = 19
odd_status = st.sampled_from(["²", "٢٠٠", "２００", "200", "", "OK", "¹⁰⁰", "𝟐𝟎𝟎"])


def nested(depth: int, keyed: bool) -> Any:
    """A body nested `depth` levels: arrays, or objects keyed by ids (a data map)."""
    value: Any = {"id": 1, "name": "leaf"}
    for level in range(depth):
        value = {str(1000 + level): value} if keyed else [value]
    return value


@st.composite
def odd_collections(draw: st.DrawFn) -> str:
    """Collection JSON text with the shapes that broke the generator once: lone
    surrogates, Hangul jamo, bidi and zero-width characters in names, keys, URLs and
    examples; 1e400 beside a `{{variable}}`; status codes in non-ASCII digits; deep
    nesting."""
    body = draw(st.one_of(
        st.builds(nested, st.integers(MAX_DEPTH - 4, MAX_DEPTH), st.booleans()),
        st.dictionaries(name_text, json_values, min_size=1, max_size=4),
    ))
    code = draw(st.one_of(st.just(200), odd_status))
    request: dict[str, Any] = {
        "method": "POST",
        "url": "https://api.example.com/" + draw(odd_text | st.just("things")),
        "header": [{"key": draw(odd_text), "value": draw(odd_text)}],
    }
    if draw(st.booleans()):
        request["body"] = {"mode": "raw", "raw": f'{{"a": "{BIG}", "b": "{{{{value}}}}"}}',
                           "options": {"raw": {"language": "json"}}}
    example = {"name": draw(odd_text), "code": code, "status": draw(odd_status),
               "body": json.dumps(body)}
    item = {"name": draw(odd_text), "request": request, "response": [example]}
    folder = {"name": draw(name_text), "item": [item]}
    return json.dumps(collection([folder], name=draw(name_text))).replace(f'"{BIG}"', "1e400")


ERROR_LINE = re.compile(r"^error: odd\.postman_collection\.json: \$[^:]*: .+", re.MULTILINE)


def ends_in_a_package_or_a_located_error(workspace: Path, text: str) -> None:
    src = workspace / "odd" / "odd.postman_collection.json"
    src.parent.mkdir(exist_ok=True)
    src.write_text(text, "utf-8")
    out = workspace / "odd-out"
    result = run_cli("generate", "-q", "-j", "1", "-o", out, src)  # raises on a crash
    assert "Traceback" not in result.output
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert ERROR_LINE.search(result.stderr), result.stderr
        return
    (pkg,) = [p for p in out.iterdir() if p.is_dir()]
    for path in pkg.glob("*.py"):
        compile(path.read_text("utf-8"), str(path), "exec")
    assert import_package(pkg).ENDPOINTS
    assert not (workspace / CANARY).exists()


@FAST
@given(text=odd_collections())
def test_every_input_ends_in_a_package_or_a_located_error(workspace: Path, text: str) -> None:
    ends_in_a_package_or_a_located_error(workspace, text)


@pytest.mark.parametrize("where", ["folder", "title", "key"])
def test_a_lone_surrogate_in_a_folder_or_collection_name(workspace: Path, where: str) -> None:
    body = {"\ud800": {"class": None}} if where == "key" else {"a": 1}
    folder = {"name": "\ud800" if where == "folder" else "f",
              "item": [request_item("things", [body])]}
    text = json.dumps(collection([folder], name="\ud800" if where == "title" else "t"))
    ends_in_a_package_or_a_located_error(workspace, text)


@pytest.mark.parametrize("keyed", [False, True])
def test_a_body_nested_40_levels(workspace: Path, keyed: bool) -> None:
    text = json.dumps(collection([request_item("things", [nested(40, keyed)])]))
    ends_in_a_package_or_a_located_error(workspace, text)
