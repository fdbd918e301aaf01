"""Hostile collections: text stays data, names stay valid, output stays inside, limits hold.

The fixtures in tests/fixtures/hostile/ carry payloads in every place a collection
holds text. Each payload that could run would create a file named `PWNED` in the
working directory, so "no side effect" is checked by that file never appearing: after
every test of this module (fixture teardown, so it holds on whichever xdist worker
the test runs) and after every generation (the shared trees are built in an empty
working directory that must stay empty). Calls go over real HTTP to tests/server.py,
which records what arrived.
"""

from __future__ import annotations

import ast
import dataclasses
import inspect
import io
import json
import keyword
import math
import re
import shutil
import subprocess
import sys
import textwrap
import tokenize
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import unquote

import pytest

from conftest import ROOT
from helpers import (
    check_example,
    count_collection,
    generate,
    import_package,
    item_at,
    json_examples,
    load_collection,
    mypy,
    run_cli,
)
from postman_codegen import naming
from postman_codegen.plan import RESERVED_FILE_NAMES
from server import Server

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "hostile"
INJECTION = FIXTURES / "injection.postman_collection.json"
IDENTIFIERS = FIXTURES / "identifiers.postman_collection.json"
TRAVERSAL = FIXTURES / "traversal.postman_collection.json"
LIMITS = FIXTURES / "limits.postman_collection.json"
RUNTIME = FIXTURES / "runtime.postman_collection.json"
CANARY = "PWNED"  # what every payload in the fixtures tries to create
# Names generated code must never call: a payload that reached code as code would.
FORBIDDEN_NAMES = {"__import__", "eval", "exec", "compile", "system", "touch", "open", "cycler"}
STRING_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The working directory of this module's tests: where a payload would leave PWNED."""
    path = tmp_path_factory.mktemp("hostile")
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(path)
        yield path


@pytest.fixture(autouse=True)
def no_payload_ran(workdir: Path) -> Iterator[None]:
    """After each test, wherever it ran: no payload left its file behind."""
    yield
    for folder in (workdir, Path.cwd()):
        assert not (folder / CANARY).exists(), f"a payload ran: {folder / CANARY}"


Tree = Callable[[Path], Path]


def _package(generated_tree: Tree, collection: Path) -> Path:
    (pkg,) = [p for p in generated_tree(collection).iterdir() if p.is_dir()]
    return pkg


@pytest.fixture(scope="module")
def injection_dir(generated_tree: Tree) -> Path:
    return _package(generated_tree, INJECTION)


@pytest.fixture(scope="module")
def injection(injection_dir: Path) -> ModuleType:
    return import_package(injection_dir)


@pytest.fixture(scope="module")
def identifiers_dir(generated_tree: Tree) -> Path:
    return _package(generated_tree, IDENTIFIERS)


@pytest.fixture(scope="module")
def identifiers(identifiers_dir: Path) -> ModuleType:
    return import_package(identifiers_dir)


@pytest.fixture(scope="module")
def limits(generated_tree: Tree) -> ModuleType:
    return import_package(_package(generated_tree, LIMITS))


@pytest.fixture(scope="module")
def runtime(generated_tree: Tree) -> ModuleType:
    return import_package(_package(generated_tree, RUNTIME))


def payloads() -> list[str]:
    """The hostile strings of the injection fixture: the name of each top folder."""
    return [f["name"] for f in load_collection(INJECTION)["item"] if f["name"] != "bodies"]


def exact(value: Any) -> str:
    """JSON text of a value, key order aside: tells 1 from 1.0 and -0.0 from 0.0."""
    return json.dumps(value, sort_keys=True)


def python_files(pkg: Path) -> list[Path]:
    return sorted(pkg.glob("*.py"))


def method_of(client: Any, qualname: str) -> Callable[..., Any]:
    target = client
    for attr in qualname.split("."):
        target = getattr(target, attr)
    return target  # type: ignore[no-any-return]


def endpoint_at(package: ModuleType, source: str) -> Any:
    (ep,) = [e for e in package.ENDPOINTS if e.source == source]
    return ep


def answer_json(server: Server, body: str | bytes) -> None:
    """Answer every request with this JSON text (status 200)."""
    server.answer(200, body.encode() if isinstance(body, str) else body,
                  {"Content-Type": "application/json"})


def client_of(package: ModuleType, server: Server, **kwargs: Any) -> Any:
    """A generated client talking to the local test server."""
    return package.Client(server.url, **kwargs)


def sendable_header(value: str) -> bool:
    """What the runtime sends as a header value: printable ASCII and tabs, without
    leading or trailing space (HTTP would strip it)."""
    return value == value.strip(" \t") and all(c == "\t" or " " <= c <= "~" for c in value)


def literal_headers(item: dict[str, Any]) -> list[str]:
    """The enabled header values of an item that hold no `{{variable}}`."""
    return [h["value"] for h in item["request"].get("header") or []
            if isinstance(h, dict) and not h.get("disabled")
            and isinstance(h.get("value"), str) and "{{" not in h["value"]]


def sample_arguments(method: Callable[..., Any]) -> tuple[list[Any], dict[str, Any]]:
    """Values for the required parameters of a generated method."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for p in inspect.signature(method).parameters.values():
        if p.default is not inspect.Parameter.empty:
            continue
        value: Any = b"" if "bytes" in str(p.annotation) else (
            {} if "JsonValue" in str(p.annotation) else "x")
        if p.kind is inspect.Parameter.KEYWORD_ONLY:
            kwargs[p.name] = value
        else:
            args.append(value)
    return args, kwargs


# -- injection: every string from the collection stays data ------------------


def test_hostile_text_generates_python_that_compiles(injection_dir: Path) -> None:
    for path in python_files(injection_dir):
        compile(path.read_text("utf-8"), str(path), "exec")


def test_payloads_reach_the_code_only_inside_string_literals(injection_dir: Path) -> None:
    for path in python_files(injection_dir):
        source = path.read_text("utf-8")
        for tok in tokenize.generate_tokens(io.StringIO(source).readline):
            if tok.type not in STRING_TOKENS:
                assert CANARY not in tok.string, (path.name, tok)
                assert "__import__" not in tok.string, (path.name, tok)


def test_generated_code_never_names_a_payload_function(injection_dir: Path) -> None:
    for path in python_files(injection_dir):
        tree = ast.parse(path.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Name):
                assert node.id not in FORBIDDEN_NAMES, (path.name, node.id, node.lineno)
            elif isinstance(node, ast.Attribute):
                assert node.attr not in FORBIDDEN_NAMES, (path.name, node.attr, node.lineno)


def test_generation_and_import_run_no_payload(
    workdir: Path, injection_dir: Path, injection: ModuleType,
) -> None:
    before = sorted(p.name for p in workdir.iterdir())
    import_package(injection_dir)
    assert not (workdir / CANARY).exists()
    assert sorted(p.name for p in workdir.iterdir()) == before, "import created files"


def test_calling_every_method_runs_no_payload(
    injection: ModuleType, http_server: Server,
) -> None:
    """Every method is called. A call is refused before anything goes over the wire
    only for a header the collection gives a value HTTP cannot carry (a control
    character, non-ASCII text), literally or as a `{{variable}}` default."""
    collection = load_collection(INJECTION)
    # No API key: the collection's apikey header name is itself a payload, not an
    # HTTP token, so no request could carry it.
    client = client_of(injection, http_server)
    refused: set[str] = set()
    must_refuse: set[str] = set()
    for ep in injection.ENDPOINTS:
        item = item_at(collection, ep.source)
        headers = {h["key"]: h["value"] for h in item["request"].get("header") or []}
        if not all(sendable_header(v) for v in literal_headers(item)):
            must_refuse.add(ep.qualname)
        ok = [r for r in item.get("response", []) if r.get("code") == 200]
        answer_json(http_server, ok[0]["body"] if ok else "{}")
        method = method_of(client, ep.qualname)
        args, kwargs = sample_arguments(method)
        sent = len(http_server.requests)
        try:
            method(*args, **kwargs)
        except ValueError as exc:
            refused.add(ep.qualname)
            assert len(http_server.requests) == sent, "a refused call sent a request"
            if isinstance(exc, UnicodeEncodeError):  # httpx refuses non-ASCII text
                value = str(exc.object)
                assert value in headers.values(), exc
            elif named := re.search(r"header '([^']+)'", str(exc)):
                assert named.group(1) in headers, exc
                value = headers[named.group(1)]
            else:  # a header parameter: its value comes from a `{{variable}}`
                assert re.search(r"header parameter '\w+'", str(exc)), exc
                value = next(v for v in headers.values() if "{{" in v)
            assert "{{" in value or not sendable_header(value), (ep.qualname, exc)
        else:
            assert len(http_server.requests) == sent + 1
    assert must_refuse and must_refuse <= refused
    assert len(refused) < len(injection.ENDPOINTS)


def test_endpoint_urls_keep_the_collection_text_verbatim(injection: ModuleType) -> None:
    collection = load_collection(INJECTION)
    for ep in injection.ENDPOINTS:
        request = item_at(collection, ep.source)["request"]
        url = request["url"]
        assert ep.url == (url["raw"] if isinstance(url, dict) else url)


def test_query_and_path_defaults_hold_the_payload_verbatim(injection: ModuleType) -> None:
    client = injection.Client()  # only signatures are read: nothing is sent
    for i, payload in enumerate(payloads()):
        ep = endpoint_at(injection, f"item[{i}].item[0]")
        defaults = [p.default for p in inspect.signature(method_of(client, ep.qualname))
                    .parameters.values()]
        if "{{" in payload:
            assert payload not in defaults  # an unresolved `{{variable}}` is never a default
            continue
        assert payload in defaults, (payload, defaults)  # the query value and `{{var}}`


def test_payload_header_values_are_sent_verbatim_or_refused(
    injection: ModuleType, http_server: Server,
) -> None:
    client = client_of(injection, http_server)
    checked = 0
    with_variable = [p for p in payloads() if "{{" in p]  # the header is a parameter
    for i, payload in enumerate(payloads()):
        if payload in with_variable:
            continue
        ep = endpoint_at(injection, f"item[{i}].item[0]")
        method = method_of(client, ep.qualname)
        args, kwargs = sample_arguments(method)
        answer_json(http_server, json.dumps(
            {payload: payload, "nested": {payload: [payload, i]}, "n": i}))
        http_server.requests.clear()
        if not sendable_header(payload):
            with pytest.raises(ValueError):
                method(*args, **kwargs)
            assert http_server.requests == [], "a refused header was sent"
        else:
            method(*args, **kwargs)
            (seen,) = http_server.requests
            assert seen.headers.get_all(f"X-Payload-{i}") == [payload]
            assert dict(seen.query)[payload] == payload
        checked += 1
    assert checked == len(payloads()) - len(with_variable) > 0


def test_descriptions_become_docstrings_holding_the_text(injection: ModuleType) -> None:
    client = injection.Client()  # only docstrings are read: nothing is sent
    # Control characters are escaped; the rest is checked verbatim.
    verbatim = [(i, p) for i, p in enumerate(payloads()) if p.isprintable() and "\\" not in p]
    assert verbatim
    for i, payload in verbatim:
        ep = endpoint_at(injection, f"item[{i}].item[0]")
        folder = getattr(client, ep.qualname.split(".")[0])
        assert payload.strip() in inspect.getdoc(method_of(client, ep.qualname)), payload
        assert payload.strip() in inspect.getdoc(type(folder)), payload
    assert "__import__('pathlib')" in (injection.Client.__doc__ or "")


def test_a_blank_description_falls_back_to_the_name(tmp_path: Path) -> None:
    src = tmp_path / "blank.postman_collection.json"
    src.write_text(json.dumps({
        "info": {"name": "Title", "description": {"content": " \u2028\n\t"}},
        "item": [{"name": "f", "description": "  ", "item": [
            {"name": "r", "request": {"url": "https://x.example/r", "description": "\n"},
             "description": "the item's"}]}],
    }))
    generate(src, tmp_path / "out")
    blank = import_package(tmp_path / "out" / "blank")
    assert inspect.getdoc(blank.Client).startswith("Title")
    assert inspect.getdoc(blank.client.FClient).startswith("Requests of the folder f")
    assert inspect.getdoc(blank.client.FClient.r).startswith("the item's")


def test_hostile_keys_and_values_round_trip(injection: ModuleType) -> None:
    collection = load_collection(INJECTION)
    n = 0
    for _ep, where, t, body in json_examples(injection, collection):
        check_example(t, body)
        assert exact(t.to_dict(t.from_dict(body))) == exact(body), where
        n += 1
    assert n == count_collection(collection).typed_examples > 0


def test_hostile_packages_pass_mypy_strict(injection_dir: Path, identifiers_dir: Path) -> None:
    result = mypy([injection_dir, identifiers_dir])  # one process for both packages
    assert result.returncode == 0, result.stdout[-3000:]


# -- identifiers: keywords, builtins, dunders, blanks and near-duplicates -----


def _defined_names(tree: ast.Module) -> Iterator[tuple[str, str, str]]:
    """(scope, kind, name) for every class, method, argument and field defined."""
    for node in tree.body:
        if not isinstance(node, ast.ClassDef):
            continue
        yield "<module>", "class", node.name
        for stmt in node.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield node.name, "method", stmt.name
                args = stmt.args
                for a in (*args.posonlyargs, *args.args, *args.kwonlyargs):
                    yield f"{node.name}.{stmt.name}", "arg", a.arg
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
                yield node.name, "field", stmt.target.id


def test_every_generated_name_is_a_valid_identifier(identifiers_dir: Path) -> None:
    allowed_dunders = {"__init__", "__enter__", "__exit__", "__aenter__", "__aexit__"}
    for path in (identifiers_dir / "client.py", identifiers_dir / "models.py"):
        for scope, kind, name in _defined_names(ast.parse(path.read_text("utf-8"))):
            assert name.isidentifier() and not keyword.iskeyword(name), (scope, name)
            if kind == "class":
                assert name in ("Client", "AsyncClient") or name not in naming.CLASS_RESERVED
            elif name not in ("self", "cls") and name not in allowed_dunders:
                assert not name.startswith("__"), (scope, name)
                if kind != "field" or not name.startswith("_"):
                    assert name not in naming.RESERVED or (kind, name) in {
                        ("method", "close"), ("method", "aclose"),
                        ("method", "from_dict"), ("method", "to_dict"),
                    }, (scope, kind, name)


def test_no_two_definitions_in_one_scope_share_a_name(identifiers_dir: Path) -> None:
    for path in (identifiers_dir / "client.py", identifiers_dir / "models.py"):
        seen: dict[tuple[str, str], str] = {}
        for scope, kind, name in _defined_names(ast.parse(path.read_text("utf-8"))):
            key = (scope, name.casefold()) if kind != "arg" else (scope, name)
            if kind == "class" or kind == "method" or kind == "field":
                assert key not in seen, f"{path.name}: {scope}.{name} defined twice"
                seen[key] = kind


def test_names_differing_only_by_case_or_punctuation_get_distinct_methods(
    identifiers: ModuleType, http_server: Server,
) -> None:
    collection = load_collection(IDENTIFIERS)
    variants = {"Get User", "get_user", "get-user", "GET USER", "getUser", "get.user",
                "_getUser", "get__user"}
    eps = [ep for ep in identifiers.ENDPOINTS
           if "." not in ep.qualname and item_at(collection, ep.source)["name"] in variants]
    assert len(eps) == len(variants)
    assert len({ep.name for ep in eps}) == len(variants)
    answer_json(http_server, '{"n": 1}')
    client = client_of(identifiers, http_server)
    for ep in eps:
        method_of(client, ep.qualname)()
        assert unquote(http_server.requests[-1].path) == "/" + ep.url.split("/", 3)[3]


def test_blank_item_names_get_a_name_from_the_url(identifiers: ModuleType) -> None:
    collection = load_collection(IDENTIFIERS)
    blank = [ep for ep in identifiers.ENDPOINTS if "." not in ep.qualname
             and not any(c.isalnum() for c in item_at(collection, ep.source)["name"])]
    in_collection = [i for i in collection["item"]
                     if "request" in i and not any(c.isalnum() for c in i["name"])]
    assert len(blank) == len(in_collection) > 0  # "", " ", "_", "__", "-", "@"
    for ep in blank:
        assert ep.name.startswith("get_things"), ep.name


def test_every_endpoint_reaches_its_method_by_qualname(identifiers: ModuleType) -> None:
    """Names in strings (ENDPOINTS) equal names in code, even where Python normalizes
    identifiers (NFKC: Hangul jamo, ligatures)."""
    client = identifiers.Client()  # only attributes are read: nothing is sent
    for ep in identifiers.ENDPOINTS:
        assert method_of(client, ep.qualname).__name__ == ep.name


def test_a_bare_date_time_response_is_returned_as_it_was_written(
    identifiers: ModuleType, http_server: Server,
) -> None:
    """A body that is one date-time string has no model to keep its text in, so it
    stays a `str`: `Z` is not rewritten as `+00:00` on the way back out."""
    answer_json(http_server, '"2021-05-11T12:38:29Z"')
    when = client_of(identifiers, http_server).when
    assert inspect.signature(when).return_annotation == "str"
    assert when() == "2021-05-11T12:38:29Z"
    (ep,) = [e for e in identifiers.ENDPOINTS if e.qualname == "when"]
    assert ep.response_type.to_dict(ep.response_type.from_dict(when())) == when()


def test_folders_named_like_runtime_classes_get_distinct_client_classes(
    identifiers: ModuleType, identifiers_dir: Path,
) -> None:
    tree = ast.parse((identifiers_dir / "client.py").read_text("utf-8"))
    classes = [n.name for n in tree.body if isinstance(n, ast.ClassDef)]
    assert len(classes) == len(set(classes))
    client = identifiers.Client()  # only attributes are read: nothing is sent
    sync = {type(v).__name__ for v in vars(client).values()
            if type(v).__module__ == client.__module__}
    aclient = identifiers.AsyncClient()
    asynchronous = {type(v).__name__ for v in vars(aclient).values()
                    if type(v).__module__ == client.__module__}
    # One per top-level folder, the folders named "Client" and "AsyncClient" too.
    folders = [i for i in load_collection(IDENTIFIERS)["item"] if "item" in i]
    assert len(sync) == len(asynchronous) == len(folders) > 0
    assert not sync & asynchronous
    assert not (sync | asynchronous) & {"Client", "AsyncClient"}


def test_a_model_named_like_an_async_client_gets_its_own_name(identifiers: ModuleType) -> None:
    aclient = identifiers.AsyncClient()
    assert type(aclient.things).__name__ == "AsyncThingsClient"
    (annotation,) = [f.type for f in dataclasses.fields(endpoint_at(identifiers, "item[0]")
                     .response_type) if f.metadata.get("json_key", f.name) == "async_things_client"]
    assert annotation != "AsyncThingsClient" and annotation in identifiers.__all__


def test_every_odd_json_key_gets_its_own_field(identifiers: ModuleType) -> None:
    body = json.loads(load_collection(IDENTIFIERS)["item"][0]["response"][0]["body"])
    ep = endpoint_at(identifiers, "item[0]")
    model = ep.response_type
    fields = dataclasses.fields(model)
    assert {f.metadata.get("json_key", f.name) for f in fields} == set(body)
    assert len({f.name for f in fields}) == len(fields)
    check_example(model, body)


def test_keys_named_like_internals_do_not_replace_them(identifiers: ModuleType) -> None:
    body = json.loads(load_collection(IDENTIFIERS)["item"][0]["response"][0]["body"])
    obj = endpoint_at(identifiers, "item[0]").response_type.from_dict(body)
    assert type(obj).__name__ != "Field" and callable(obj.to_dict)
    assert obj.to_dict()["__class__"] == body["__class__"]
    assert obj.to_dict()["_extra"] == body["_extra"]
    assert obj.to_dict()["frozenset"] == body["frozenset"]


def test_query_and_header_parameters_named_like_keywords_are_sent_by_their_key(
    identifiers: ModuleType, http_server: Server,
) -> None:
    client = client_of(identifiers, http_server)
    ep = endpoint_at(identifiers, "item[0]")
    method = method_of(client, ep.qualname)
    args, kwargs = sample_arguments(method)
    for p in inspect.signature(method).parameters.values():
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default == 0:
            kwargs[p.name] = "sent"  # the query parameter `class`
    answer_json(http_server, load_collection(IDENTIFIERS)["item"][0]["response"][0]["body"])
    method(*args, **kwargs)
    assert dict(http_server.requests[-1].query)["class"] == "sent"


# -- output paths: nothing is written outside the output folder ---------------


def _all_files(root: Path) -> set[str]:
    return {p.relative_to(root).as_posix() for p in root.rglob("*")}


def test_a_collection_named_dot_dot_writes_only_inside_the_output_folder(
    tmp_path: Path,
) -> None:
    box = tmp_path / "a" / "b" / "c"
    box.mkdir(parents=True)
    src = box / "traversal.postman_collection.json"
    shutil.copy(TRAVERSAL, src)
    generate(src, box / "generated")
    outside = {f for f in _all_files(tmp_path) if not f.startswith("a/b/c/generated")}
    assert outside == {"a", "a/b", "a/b/c", "a/b/c/traversal.postman_collection.json"}
    assert (box / "generated" / "traversal" / "client.py").is_file()


@pytest.mark.parametrize("stem", [
    "con", "NUL", "aux", "com1", "LPT9", "import", "class", "..", "__init__", "_runtime",
    "postman-codegen.lock", "日本", "2fa",
])
def test_file_names_that_map_to_reserved_names_get_safe_package_names(
    tmp_path: Path, stem: str,
) -> None:
    src = tmp_path / "src" / f"{stem}.postman_collection.json"
    src.parent.mkdir()
    shutil.copy(TRAVERSAL, src)
    out = tmp_path / "generated"
    generate(src, out)
    (pkg,) = [p for p in out.iterdir() if p.is_dir()]
    assert pkg.parent == out
    assert pkg.name.isidentifier() and pkg.name.isascii() and not keyword.iskeyword(pkg.name)
    assert pkg.name.lower() not in RESERVED_FILE_NAMES
    assert {f.split("/")[0] for f in _all_files(tmp_path)} == {"src", "generated"}
    assert import_package(pkg).Client is not None


def test_package_names_from_configuration_cannot_leave_the_output_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    project = tmp_path / "project"
    (project / "apis").mkdir(parents=True)
    shutil.copy(TRAVERSAL, project / "apis" / "traversal.postman_collection.json")
    (project / "pyproject.toml").write_text(
        '[tool.postman-codegen]\nsources = ["apis"]\noutput = "clients"\n'
        '[tool.postman-codegen.packages]\ntraversal = "../../evil"\n'
    )
    monkeypatch.chdir(project)
    result = run_cli("generate", "-q", "-j", "1")
    assert result.exit_code == 0, result.output
    assert {f.split("/")[0] for f in _all_files(tmp_path)} == {"project"}
    assert [p.name for p in (project / "clients").iterdir() if p.is_dir()] == ["evil"]


# -- resource limits ------------------------------------------------------------


def test_huge_numbers_round_trip_exactly(limits: ModuleType) -> None:
    ep = endpoint_at(limits, "item[0]")
    body = json.loads(load_collection(LIMITS)["item"][0]["response"][0]["body"])
    out = ep.response_type.to_dict(ep.response_type.from_dict(body))
    assert exact(out) == exact(body)
    assert out["big"] == 123456789012345678901234567890 and type(out["big"]) is int
    assert out["huge"] == 1e300 and out["tiny"] == 5e-324
    assert math.copysign(1.0, out["negative_zero"]) == -1.0


def test_huge_numbers_are_sent_and_received_exactly(
    limits: ModuleType, http_server: Server,
) -> None:
    text = load_collection(LIMITS)["item"][0]["response"][0]["body"]
    answer_json(http_server, text)
    client = client_of(limits, http_server)
    model = endpoint_at(limits, "item[0]").response_type
    result = client.numbers(body=model.from_dict(json.loads(text)))
    assert exact(http_server.requests[-1].json()) == exact(json.loads(text))
    assert exact(result.to_dict()) == exact(json.loads(text))


def test_bodies_nested_320_levels_round_trip(limits: ModuleType) -> None:
    ep = endpoint_at(limits, "item[1]")
    body = json.loads(load_collection(LIMITS)["item"][1]["response"][0]["body"])
    check_example(ep.response_type, body)
    assert exact(ep.response_type.to_dict(ep.response_type.from_dict(body))) == exact(body)


def test_a_body_nested_too_deeply_to_parse_is_a_warning_not_a_crash(tmp_path: Path) -> None:
    result = run_cli("generate", "-j", "1", "-o", tmp_path / "out", LIMITS)
    assert result.exit_code == 0, result.output
    assert "item[2].response[0]" in result.stderr
    assert "nested too deeply" in result.stderr


def _big_collection(path: Path, megabytes: int) -> None:
    """A collection of `megabytes` MB: 40 requests with one large example each."""
    per_request = megabytes * 1_000_000 // 40
    row = {"id": 0, "name": "row", "price": 1.5, "tags": ["a", "b"], "active": True,
           "created": "2021-05-11T12:38:29+05:30", "owner": {"id": "7", "email": "u@x.io"}}
    rows = json.dumps([dict(row, id=i) for i in range(per_request // len(json.dumps(row)))])
    with path.open("w") as f:
        f.write('{"info": {"name": "big", "schema": "https://schema.getpostman.com/json/'
                'collection/v2.1.0/collection.json"}, "item": [')
        for r in range(40):
            item = {"name": f"list things {r}",
                    "request": {"method": "GET", "url": f"https://api.example.com/t{r}/:id"},
                    "response": [{"code": 200, "body": '{"count": 1, "data": ' + rows + "}"}]}
            f.write(("," if r else "") + json.dumps(item))
        f.write("]}")


@pytest.mark.parametrize("megabytes", [10, pytest.param(50, marks=pytest.mark.slow)])
def test_a_large_collection_generates_in_bounded_memory_and_time(
    tmp_path: Path, megabytes: int,
) -> None:
    """50 MB in `make test-corpus`, 10 MB in `make test`, under the same rule: 20 s
    and 100 MB (Python, black, the generator) plus 2 s and 14 MB per MB of input."""
    src = tmp_path / "big.postman_collection.json"
    _big_collection(src, megabytes)
    assert src.stat().st_size > megabytes * 900_000
    args = ["generate", "-q", "-j", "1", "-o", str(tmp_path / "out"), str(src)]
    script = textwrap.dedent(f"""
        import resource, sys, time
        from click.testing import CliRunner
        from postman_codegen.cli import main
        start = time.monotonic()
        result = CliRunner().invoke(main, {args!r})
        seconds = time.monotonic() - start
        try:  # Linux: the peak of this program alone (ru_maxrss keeps the pytest
            # worker's peak across fork and exec)
            with open("/proc/self/status") as status:
                (kib,) = [line.split()[1] for line in status if line.startswith("VmHWM:")]
            peak = int(kib) // 1024
        except OSError:
            unit = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes or KiB
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // unit
        print(result.exit_code, seconds, peak)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          check=False, cwd=ROOT, timeout=300)
    code, seconds, peak_mb = proc.stdout.split()
    assert code == "0", proc.stderr
    assert float(seconds) < 20 + 2 * megabytes, f"took {seconds} s"
    assert int(peak_mb) < 100 + 14 * megabytes, f"peak memory {peak_mb} MB for {megabytes} MB"
    assert (tmp_path / "out" / "big" / "models.py").is_file()


# -- runtime safety of generated clients ----------------------------------------

# The enabled headers `X-Trace: {{trace_id}}`, `X-Tenant: tenant-{{tenant}}` are required.
HEADERS = {"trace_id": "t", "tenant": "a"}


def job_status(client: Any, *args: Any, **kwargs: Any) -> Any:
    """`client.job_status(...)` with any other required parameter given a plain value,
    so these tests keep to what they check when a header becomes a parameter."""
    method = client.job_status
    for p in list(inspect.signature(method).parameters.values())[len(args):]:
        if p.default is inspect.Parameter.empty and p.name not in kwargs:
            kwargs[p.name] = HEADERS.get(p.name, "x")
    return method(*args, **kwargs)


def runtime_server(server: Server) -> Server:
    """The server answering with the runtime fixture's saved example."""
    answer_json(server, load_collection(RUNTIME)["item"][0]["response"][0]["body"])
    return server


@pytest.mark.parametrize(("job_id", "raw_path"), [
    ("../admin", "/v2/jobs/..%2Fadmin/status"),
    ("..", "/v2/jobs/%2E%2E/status"),
    (".", "/v2/jobs/%2E/status"),
    ("a/b?c=d#e", "/v2/jobs/a%2Fb%3Fc%3Dd%23e/status"),
    ("%2e%2e", "/v2/jobs/%252e%252e/status"),
    ("é 日本", "/v2/jobs/%C3%A9%20%E6%97%A5%E6%9C%AC/status"),
])
def test_path_parameters_are_percent_encoded(
    runtime: ModuleType, http_server: Server, job_id: str, raw_path: str,
) -> None:
    job_status(client_of(runtime, runtime_server(http_server)), job_id)
    assert http_server.requests[-1].path == raw_path


def test_a_parameter_inside_a_segment_cannot_add_segments(
    runtime: ModuleType, http_server: Server,
) -> None:
    job_status(client_of(runtime, runtime_server(http_server)), "1", version="2/../../admin")
    assert http_server.requests[-1].path.startswith("/v2%2F..%2F..%2Fadmin/jobs/1/")


def test_query_values_cannot_add_query_parameters(
    runtime: ModuleType, http_server: Server,
) -> None:
    job_status(client_of(runtime, runtime_server(http_server)), "1", filter="a&admin=1#frag")
    assert http_server.requests[-1].query == [("filter", "a&admin=1#frag")]


@pytest.mark.parametrize("kwargs", [
    {"trace_id": "x\r\nX-Evil: 1"},
    {"trace_id": "x\nX-Evil: 1"},
    {"trace_id": "x\0"},
    {"tenant": "a\r\nX-Evil: 1"},
])
def test_header_parameters_cannot_inject_headers(
    runtime: ModuleType, http_server: Server, kwargs: dict[str, str],
) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        job_status(client_of(runtime, http_server), "1", **kwargs)
    assert http_server.requests == [], "nothing may be sent"


def test_credentials_cannot_inject_headers(runtime: ModuleType, http_server: Server) -> None:
    with pytest.raises(ValueError, match="CR, LF or NUL"):
        job_status(client_of(runtime, http_server, access_token="t\r\nX-Evil: 1"), "1")
    assert http_server.requests == []


def test_header_parameters_are_sent_as_given(runtime: ModuleType, http_server: Server) -> None:
    job_status(client_of(runtime, runtime_server(http_server), access_token="tok"),
               "1", trace_id="t: 1; x=\"y\"", tenant="acme")
    headers = http_server.requests[-1].headers
    assert headers.get_all("X-Trace") == ['t: 1; x="y"']
    assert headers.get_all("X-Tenant") == ["tenant-acme"]
    assert headers.get_all("Authorization") == ["Bearer tok"]


def _answer(runtime: ModuleType, server: Server,
            mutate: Callable[[dict[str, Any]], Any]) -> Any:
    """The ParseError raised for the saved example changed by `mutate` (or replaced by
    what it returns)."""
    body = json.loads(load_collection(RUNTIME)["item"][0]["response"][0]["body"])
    replaced = mutate(body)
    answer_json(server, json.dumps(body if replaced is None else replaced))
    with pytest.raises(runtime.ParseError) as err:
        job_status(client_of(runtime, server), "1")
    return err.value


def test_a_response_of_the_wrong_type_raises_parse_error_naming_the_path(
    runtime: ModuleType, http_server: Server,
) -> None:
    err = _answer(runtime, http_server, lambda b: b["items"][1].update(id="2"))
    assert err.path == "$.items[1].id"
    assert (err.expected, err.actual) == ("integer", "string")
    assert "$.items[1].id" in str(err)


def test_a_response_missing_a_required_key_raises_parse_error(
    runtime: ModuleType, http_server: Server,
) -> None:
    err = _answer(runtime, http_server, lambda b: b["owner"].clear())
    assert err.path == "$.owner.email"
    assert "missing" in err.actual


def test_a_response_of_the_wrong_kind_raises_parse_error_at_the_root(
    runtime: ModuleType, http_server: Server,
) -> None:
    err = _answer(runtime, http_server, lambda b: [b])
    assert err.path == "$"
    assert (err.expected, err.actual) == ("object", "array")


def test_a_non_json_response_raises_parse_error(runtime: ModuleType, http_server: Server) -> None:
    answer_json(http_server, b"<html>oops</html>")
    with pytest.raises(runtime.ParseError) as err:
        job_status(client_of(runtime, http_server), "1")
    assert err.value.path == "$"


def test_the_async_client_encodes_and_checks_the_same_way(
    runtime: ModuleType, http_server: Server,
) -> None:
    import asyncio

    runtime_server(http_server)

    async def call() -> None:
        async with runtime.AsyncClient(http_server.url) as client:
            await job_status(client, "../admin")
            with pytest.raises(ValueError, match="CR, LF or NUL"):
                await job_status(client, "1", trace_id="a\r\nb: c")

    asyncio.run(call())
    (seen,) = http_server.requests
    assert seen.path == "/v2/jobs/..%2Fadmin/status"
