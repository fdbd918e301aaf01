"""The msgspec model style: `msgspec.Struct` models decoded from the response bytes.

Packages of the seeds and of a few small corpus collections, generated with
`--model-style msgspec`, import, pass `mypy --strict` and `ruff check`, and give
back every JSON example exactly (`from_json` then `to_dict`, and msgspec's own
`json.decode(..., type=response_type)` then `to_builtins`). A client call
decodes the bytes into the Struct; a wrong shape is a ParseError naming the path.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import msgspec
import pytest

from conftest import COLLECTIONS, CORPUS, Trees
from helpers import (
    generate,
    has_placeholder,
    import_package,
    json_examples,
    load_collection,
    mypy,
    run_cli,
)
from postman_codegen.options import Options
from server import Server
from test_types_support import build, plan_dict

# Small corpus collections with nulls, absent keys, renamed keys and list bodies.
CORPUS_FILES = [CORPUS / f"{name}.postman_collection.json" for name in (
    "wise-payouts", "ms-identity-oauth2")]  # the others: make test-corpus (slow)
ZOHO = load_collection(COLLECTIONS / "zoho_crm.postman_collection.json")


@pytest.fixture(scope="session")
def msgspec_tree(trees: Trees) -> Callable[[Path], Path]:
    """`msgspec_tree(source)`: a collection (or folder) generated once in the msgspec style."""
    def get(source: Path) -> Path:
        key = "msgspec-" + source.name.removesuffix(".postman_collection.json")
        return trees.get(key, lambda out: generate(source, out, "--model-style", "msgspec"))
    return get


@pytest.fixture(scope="session")
def seeds(msgspec_tree: Callable[[Path], Path]) -> dict[str, ModuleType]:
    out = msgspec_tree(COLLECTIONS)
    return {p.name: import_package(p) for p in sorted(out.iterdir()) if p.is_dir()}


def _round_trip(package: ModuleType, collection: dict[str, Any]) -> int:
    """Every typed JSON example decoded from bytes and encoded back unchanged."""
    n = 0
    for ep, where, t, body in json_examples(package, collection):
        if has_placeholder(body):
            continue  # `"<integer>"` is a type hint, not sample data
        raw = json.dumps(body).encode()
        obj = t.from_json(raw)
        assert t.to_dict(obj) == body, where
        assert t.to_dict(t.from_dict(body)) == body, where
        plain = msgspec.json.decode(raw, type=getattr(t, "TYPE", t))
        assert msgspec.to_builtins(plain) == body, where
        assert msgspec.json.decode(msgspec.json.encode(obj)) == body, where
        n += 1
    return n


def _ruff(folder: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."],
                          cwd=folder, capture_output=True, text=True, check=False)


def test_seeds_type_check_lint_and_round_trip(
    msgspec_tree: Callable[[Path], Path], seeds: dict[str, ModuleType],
) -> None:
    out = msgspec_tree(COLLECTIONS)
    dirs = sorted(p for p in out.iterdir() if p.is_dir())
    result = mypy(dirs)
    assert result.returncode == 0, result.stdout[-3000:]
    assert _ruff(out).returncode == 0, _ruff(out).stdout[-3000:]
    counted = 0
    for name, package in seeds.items():
        collection = load_collection(COLLECTIONS / f"{name}.postman_collection.json")
        counted += _round_trip(package, collection)
        assert "msgspec" in (out / name / "README.md").read_text("utf-8")
    assert counted >= 4


def test_the_models_are_structs_with_the_same_names(seeds: dict[str, ModuleType]) -> None:
    zoho = seeds["zoho_crm"]
    assert issubclass(zoho.JobDetails, msgspec.Struct)
    fields = {f.name: f.encode_name for f in msgspec.structs.fields(zoho.JobDetails)}
    assert fields["created_by"] == "created_by"
    ep = next(e for e in zoho.ENDPOINTS if e.name == "job_details")
    assert ep.response_type is zoho.JobDetails
    body = ZOHO["item"][1]["item"][0]["response"][0]["body"].encode()
    assert isinstance(msgspec.json.decode(body, type=ep.response_type), zoho.JobDetails)
    listed = msgspec.json.decode(b"[" + body + b"]", type=list[ep.response_type])
    assert isinstance(listed[0], zoho.JobDetails)


def _tiny(tmp: Path) -> ModuleType:
    """A request whose examples differ (null, absent, a renamed date-time key) and
    one whose body is a list: planned, rendered and imported in-process."""
    first = {"id": 1, "note": None, "Created-At": "2024-01-02T03:04:05.000+00:00",
             "tags": {"a": 1}}
    second = {"id": 2, "Created-At": "2024-01-02T03:04:05Z", "tags": {}}
    items = [
        {"name": "get thing", "request": {"method": "GET", "url": "https://x.test/thing"},
         "response": [{"name": n, "code": 200, "body": json.dumps(b)}
                      for n, b in (("one", first), ("two", second))]},
        {"name": "list stamps", "request": {"method": "GET", "url": "https://x.test/stamps"},
         "response": [{"name": "ok", "code": 200, "body": json.dumps(
             ["2024-01-02T03:04:05+05:30", None])}]},
    ]
    data = {"info": {"name": "Tiny", "schema":
                     "https://schema.getpostman.com/json/collection/v2.1.0/"}, "item": items}
    return build(plan_dict(data, tmp, Options(model_style="msgspec")), tmp)


def test_null_absent_renamed_keys_and_date_time_text_survive(tmp_path: Path) -> None:
    tiny = _tiny(tmp_path)
    thing = next(e.response_type for e in tiny.ENDPOINTS if e.name == "get_thing")
    one = thing.from_json(b'{"id": 1, "note": null, "Created-At": "2024-01-02T03:04:05.000+00:00",'
                          b' "tags": {"a": 1}}')
    two = thing.from_json(b'{"id": 2, "Created-At": "2024-01-02T03:04:05Z", "tags": {}}')
    assert (one.note, two.note) == (None, msgspec.UNSET)
    assert tiny.UNSET is msgspec.UNSET and tiny.Unset is msgspec.UnsetType
    assert one.created_at == "2024-01-02T03:04:05.000+00:00"
    assert thing.to_dict(two) == {"id": 2, "Created-At": "2024-01-02T03:04:05Z", "tags": {}}
    assert b'"note":null' in msgspec.json.encode(one)
    # Keys the examples never showed are dropped (msgspec's speed; documented).
    three = thing.from_json(b'{"id": 3, "Created-At": "x", "tags": {}, "new": [1]}')
    assert "new" not in three.to_dict()
    stamps = next(e.response_type for e in tiny.ENDPOINTS if e.name == "list_stamps")
    body = ["2024-01-02T03:04:05+05:30", None]
    assert stamps.to_dict(stamps.from_json(json.dumps(body))) == body
    assert msgspec.json.decode(json.dumps(body), type=stamps.TYPE) == body
    with pytest.raises(tiny.ParseError, match=r"^\$\[1\]: expected string \| null, got integer$"):
        stamps.from_json(b'["a", 3]')


@pytest.mark.parametrize("optional", ["examples", "all"])
def test_keys_named_like_the_model_machinery_are_plain_fields(
    tmp_path: Path, optional: str,
) -> None:
    first = {"final": {"type_alias": 1}, "msgspec": 1, "from_json": "a", "to_dict": [1], "UNSET": None, "Unset": 2,
             'x"); import os #': {"str": "s", "int": 3}, "__class__": True}
    second = {"msgspec": 2, "to_dict": [], "UNSET": 1, 'x"); import os #': {"str": "t"}}
    data = {"info": {"name": "Odd", "schema":
                     "https://schema.getpostman.com/json/collection/v2.1.0/"},
            "item": [{"name": "odd", "request": {"method": "GET", "url": "https://x.test/o"},
                      "response": [{"name": str(i), "code": 200, "body": json.dumps(b)}
                                   for i, b in enumerate((first, second))]}]}
    odd = build(plan_dict(data, tmp_path, Options(model_style="msgspec", optional=optional)),
                tmp_path)
    t = odd.ENDPOINTS[0].response_type
    odd_key = 'x"); import os #'  # msgspec cannot name it: dropped, like unknown keys
    for body in (first, second):
        kept = {k: v for k, v in body.items() if k != odd_key}
        assert t.to_dict(t.from_json(json.dumps(body))) == kept
    assert callable(t.from_json) and callable(t.to_dict)
    assert json.dumps(odd_key) in t.__doc__
    assert not any("import" in f.encode_name for f in msgspec.structs.fields(t))
    assert mypy([tmp_path / "odd"]).returncode == 0


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name.split(".")[0])
def test_corpus_collection_type_checks_and_round_trips(
    path: Path, msgspec_tree: Callable[[Path], Path],
) -> None:
    out = msgspec_tree(path)
    (pkg_dir,) = [p for p in out.iterdir() if p.is_dir()]
    package = import_package(pkg_dir)
    assert _round_trip(package, load_collection(path)) > 0
    result = mypy([pkg_dir])
    assert result.returncode == 0, result.stdout[-3000:]
    assert _ruff(out).returncode == 0, _ruff(out).stdout[-3000:]


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", sorted(set(CORPUS.glob("*.postman_collection.json"))
                                        - set(CORPUS_FILES)),
                         ids=lambda p: p.name.split(".")[0])
def test_every_other_corpus_collection_in_the_msgspec_style(
    path: Path, msgspec_tree: Callable[[Path], Path],
) -> None:
    """`make test-corpus`: the whole corpus round-trips and type-checks in both styles."""
    out = msgspec_tree(path)
    (pkg_dir,) = [p for p in out.iterdir() if p.is_dir()]
    _round_trip(import_package(pkg_dir), load_collection(path))
    result = mypy([pkg_dir])
    assert result.returncode == 0, result.stdout[-3000:]


def test_a_client_call_decodes_the_struct(
    http_server: Server, seeds: dict[str, ModuleType],
) -> None:
    zoho = seeds["zoho_crm"]
    example = ZOHO["item"][1]["item"][0]["response"][0]
    http_server.example(example)
    with zoho.Client(http_server.url, access_token="t") as client:
        result = client.v2_1.job_details("42")
    assert isinstance(result, zoho.JobDetails)
    assert isinstance(result.resource[0].module, zoho.Module)
    assert result.to_dict() == json.loads(example["body"])

    async def call() -> Any:
        async with zoho.AsyncClient(http_server.url, access_token="t") as client:
            return await client.v2_1.job_details("42")

    assert asyncio.run(call()) == result


def test_an_error_status_decodes_the_error_struct(
    http_server: Server, seeds: dict[str, ModuleType],
) -> None:
    zoho = seeds["zoho_crm"]
    errors = [r for r in ZOHO["item"][0]["item"][0]["response"] if r["code"] >= 400]
    http_server.example(errors[0])
    with zoho.Client(http_server.url, access_token="t") as client, pytest.raises(
            zoho.ApiError) as err:
        client.v2.job_details("42")
    assert isinstance(err.value.body, zoho.JobDetailsError)
    assert err.value.body.to_dict() == json.loads(errors[0]["body"])


def test_a_wrong_shape_is_a_parse_error_naming_the_path(
    http_server: Server, seeds: dict[str, ModuleType],
) -> None:
    zoho = seeds["zoho_crm"]
    body = json.loads(ZOHO["item"][1]["item"][0]["response"][0]["body"])
    body["resource"][0]["file"]["added_count"] = "three"
    http_server.answer(200, body)
    with zoho.Client(http_server.url, access_token="t") as client, pytest.raises(
            zoho.ParseError) as err:
        client.v2_1.job_details("42")
    assert err.value.path == "$.resource[0].file.added_count"
    assert (err.value.expected, err.value.actual) == ("integer", "string")
    assert str(err.value).startswith(
        "$.resource[0].file.added_count: expected integer, got string (response to GET ")
    del body["resource"][0]["file"]["added_count"]
    with pytest.raises(zoho.ParseError, match=r"^\$\.resource\[0\]\.file\.added_count: "
                       r"expected a value, got nothing \(key missing\)$"):
        zoho.JobDetails.from_json(json.dumps(body))
    with pytest.raises(zoho.ParseError, match=r"^\$\.x\.resource: expected array, got "):
        zoho.JobDetails.from_dict({**body, "resource": {}}, "$.x")
    with pytest.raises(zoho.ParseError, match=r"^\$: expected a JSON body"):
        zoho.JobDetails.from_json(b"{not json")


def test_the_dataclass_style_stays_the_default(tmp_path: Path) -> None:
    source = COLLECTIONS / "zoho_crm.postman_collection.json"
    generate(source, tmp_path / "out")
    models = (tmp_path / "out" / "zoho_crm" / "models.py").read_text("utf-8")
    assert "msgspec" not in models and "_rt.Model" in models
    runtime = (tmp_path / "out" / "zoho_crm" / "_runtime.py").read_text("utf-8")
    assert "\nimport msgspec" not in runtime and "\n    import msgspec" in runtime


def test_the_style_is_chosen_by_the_flag(tmp_path: Path) -> None:
    result = run_cli("generate", "-q", "-o", tmp_path, "--model-style", "msgspec",
                     COLLECTIONS / "zoho_crm.postman_collection.json")
    assert result.exit_code == 0, result.output
    assert "class JobDetails(_Struct" in (tmp_path / "zoho_crm" / "models.py").read_text()


def test_decoding_pauses_the_collector_as_the_dataclass_style_does() -> None:
    import gc

    from postman_codegen import runtime as rt

    class Point(msgspec.Struct):
        a: int
        b: list[int]

    values = [{"a": n, "b": [n]} for n in range(20_000)]
    content = msgspec.json.encode(values)
    runs: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        runs.append(phase)

    def collections_during(call: Callable[[], object]) -> tuple[object, int]:
        gc.collect()
        runs.clear()
        result = call()
        seen = len(runs)  # read before anything allocates: the collector is back on
        return result, seen

    was = gc.isenabled()
    gc.enable()
    gc.callbacks.append(count)
    try:
        rt.struct_decode(b"[]", list[Point])  # the decoder is made (and kept) first
        decoded, seen = collections_during(lambda: rt.struct_decode(content, list[Point]))
        assert seen == 0 and gc.isenabled()  # 40,000 new objects, no collection
        converted, seen = collections_during(lambda: rt.struct_convert(values, list[Point]))
        assert seen == 0 and gc.isenabled()
        assert decoded == converted and converted[-1].b == [19_999]  # type: ignore[index]
        for bad in (b"{not json", b'[{"a": "x", "b": []}]'):
            with pytest.raises(rt.ParseError):
                rt.struct_decode(bad, list[Point])
            assert gc.isenabled()
        with pytest.raises(rt.ParseError):
            rt.struct_convert([{"a": 1}], list[Point])
        assert gc.isenabled()
        gc.disable()
        rt.struct_decode(content, list[Point])
        assert not gc.isenabled()  # off before: still off after
    finally:
        gc.callbacks.remove(count)
        (gc.enable if was else gc.disable)()


class _Item(msgspec.Struct):
    n: int
    when: str = msgspec.field(name="odd key")


class _Doc(msgspec.Struct):
    items: list[_Item] = msgspec.field(name="café")
    by_id: dict[str, _Item] = msgspec.field(name="by.id")
    plain: dict[str, int] = {}


@pytest.mark.parametrize(("body", "path", "expected", "actual"), [
    # a wrong kind under an odd and a non-ASCII key: the keys as the dataclass style spells them
    ({"café": [{"n": 1, "odd key": "x"}, {"n": 2, "odd key": 3}], "by.id": {}},
     '$["café"][1]["odd key"]', "string", "integer"),
    # a map's key is named, not msgspec's `[...]`: the first value of the wrong kind
    ({"café": [], "by.id": {"a": {"n": 1, "odd key": ""}, "b.c": {"n": "2", "odd key": ""}}},
     '$["by.id"]["b.c"].n', "integer", "string"),
    ({"café": [], "by.id": {}, "plain": {"x": 1, "y": None}}, "$.plain.y", "integer", "null"),
    # a missing key of a map's value, under a key that holds a dot
    ({"café": [], "by.id": {"k": {"n": 1, "odd key": ""}, "é": {"n": 1}}},
     '$["by.id"]["é"]["odd key"]', "a value", "nothing (key missing)"),
    ({"by.id": {}}, '$["café"]', "a value", "nothing (key missing)"),
])
def test_msgspec_errors_spell_paths_as_the_dataclass_style(
        body: dict[str, Any], path: str, expected: str, actual: str) -> None:
    from postman_codegen import runtime as rt

    for parse in (lambda: rt.struct_decode(json.dumps(body), _Doc),
                  lambda: rt.struct_decode(json.dumps(body).encode(), _Doc),
                  lambda: rt.struct_convert(body, _Doc)):
        with pytest.raises(rt.ParseError) as err:
            parse()
        assert (err.value.path, err.value.expected, err.value.actual) == (path, expected, actual)
        assert str(err.value) == f"{path}: expected {expected}, got {actual}"
    with pytest.raises(rt.ParseError) as err:
        rt.struct_convert(body, _Doc, "$.data[0]")
    assert err.value.path == "$.data[0]" + path[1:]


def test_msgspec_error_paths_without_the_data_keep_msgspec_s_words() -> None:
    from postman_codegen import runtime as rt

    # msgspec stops at the first wrong value; the rest of the text is not JSON
    text = '{"café": [{"n": "1", "odd key": ""}], "by.id": {} trailing'
    with pytest.raises(rt.ParseError) as err:
        rt.struct_decode(text, _Doc)
    assert err.value.path == "$.café[0].n"
    deep = '{"café": [{"n": "1", "odd key": ""}], "by.id": {}, "x": ' + "[" * 100_000
    with pytest.raises(rt.ParseError) as err:  # json.loads would go too deep
        rt.struct_decode(deep, _Doc)
    assert err.value.path == "$.café[0].n"
    error = rt.struct_error("Invalid value - at `$.by.id[...]`", "$", {"by.id": {"a": 1}})
    assert str(error) == "$.by.id[...]: Invalid value"  # no kind to tell which key
