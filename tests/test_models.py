"""Generated models: deep nesting, date-times, extra keys, integral floats, the
lean shape of the code and the model-style seam. Each test plans a tiny
collection in-process and imports the package it renders."""

from __future__ import annotations

import copy
import json
import pickle
import re
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from postman_codegen.emitters import CodeWriter, Context, JsonPath
from postman_codegen.errors import GeneratorError
from postman_codegen.naming import Scope
from postman_codegen.options import Options
from postman_codegen.render_models import STYLES, runtime_model_names, style_for
from test_types_support import build, models_source, plan_dict


def _col(*bodies: tuple[str, Any], name: str = "Tiny") -> dict[str, Any]:
    items = [{"name": n, "request": {"method": "GET", "url": f"https://api.example.com/v1/{n}"},
              "response": [{"name": "ok", "code": 200, "body": json.dumps(b)}]}
             for n, b in bodies]
    return {"info": {"name": name,
                     "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
            "item": items}


def _package(tmp: Path, *bodies: tuple[str, Any]) -> ModuleType:
    return build(plan_dict(_col(*bodies), tmp), tmp)


def _type(mod: ModuleType, name: str) -> Any:
    return next(ep.response_type for ep in mod.ENDPOINTS if ep.name == name)


# -- nesting deeper than CPython's 20 nested blocks -----------------------------


def _nested_arrays(depth: int) -> Any:
    value: Any = "leaf"
    for n in range(depth):
        value = [value, [f"at {n}"]] if n % 5 == 0 else [value]
    return value


def _nested_ids(depth: int) -> Any:
    value: Any = "leaf"
    for level in range(depth, 0, -1):
        value = {str(level): value, str(level + 1000): {"9": "x"}} if level % 5 == 0 else {
            str(level): value}
    return value


@pytest.mark.parametrize("body", [
    {"grid": _nested_arrays(24)},
    {"tree": _nested_ids(24)},
    {"mixed": [_nested_ids(12), {"1": _nested_arrays(12)}]},
], ids=["arrays", "id-keyed-objects", "mixed"])
def test_values_nested_21_levels_and_more_import_and_round_trip(body: Any,
                                                                tmp_path: Path) -> None:
    pkg = plan_dict(_col(("deep", body)), tmp_path)
    source = models_source(pkg)
    compile(source, "models.py", "exec", dont_inherit=True)
    # Parsed by helper functions (the signature may be folded as black folds it).
    assert re.search(r"def _parse_1\(\s*data: Any,\s*path: str \| None", source)
    mod = build(pkg, tmp_path)
    t = _type(mod, "deep")
    assert t.from_dict(body).to_dict() == body


def test_a_wrong_leaf_deep_down_names_its_whole_path(tmp_path: Path) -> None:
    body = {"grid": _nested_arrays(22)}
    t = _type(_package(tmp_path, ("deep", body)), "deep")
    bad: Any = 5
    for _ in range(22):
        bad = [bad]
    with pytest.raises(ValueError, match=r"^\$\.grid" + r"\[0\]" * 22 + ": expected string"):
        t.from_dict({"grid": bad})


# -- date-times -------------------------------------------------------------------

STAMPS = {"created_at": "2024-01-02T03:04:05Z",
          "times": ["2024-01-02T03:04:05.000Z", "2024-05-06T07:08:09+02:00"],
          "updated_at": None}
STAMPS_TOO = {"created_at": "2024-02-02T03:04:05Z",
              "times": [], "updated_at": "2024-03-02T03:04:05.5+01:00"}


@pytest.fixture()
def stamps(tmp_path: Path) -> Any:
    mod = _package(tmp_path, ("stamps", STAMPS), ("stamps", STAMPS_TOO))
    return _type(mod, "stamps")


def test_parsed_date_times_are_plain_datetimes_and_keep_their_text(stamps: Any) -> None:
    m = stamps.from_dict(STAMPS)
    assert type(m.created_at) is datetime and type(m.times[0]) is datetime
    assert repr(m.created_at) == repr(datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC))
    assert "datetime.datetime(2024, 1, 2, 3, 4, 5" in repr(m)
    assert m.to_dict() == STAMPS
    assert stamps.from_dict(STAMPS_TOO).to_dict() == STAMPS_TOO


@pytest.mark.parametrize("how", ["copy", "deepcopy", "pickle"])
def test_copied_or_pickled_models_and_values_keep_the_text(stamps: Any, how: str) -> None:
    dup = {"copy": copy.copy, "deepcopy": copy.deepcopy,
           "pickle": lambda v: pickle.loads(pickle.dumps(v))}[how]
    m = stamps.from_dict(STAMPS)
    assert dup(m).to_dict() == STAMPS
    m.created_at = dup(m.created_at)
    m.times = [dup(t) for t in m.times]
    assert m.to_dict() == STAMPS


def test_changed_date_times_are_written_afresh(stamps: Any) -> None:
    m = stamps.from_dict(STAMPS)
    m.created_at = m.created_at.replace(year=2025)
    m.times[1] = m.times[1] + timedelta(hours=1)
    m.updated_at = datetime(2024, 1, 1, tzinfo=UTC)
    out = m.to_dict()
    assert out["created_at"] == "2025-01-02T03:04:05+00:00"
    assert out["times"] == ["2024-01-02T03:04:05.000Z", "2024-05-06T08:08:09+02:00"]
    assert out["updated_at"] == "2024-01-01T00:00:00+00:00"


def test_the_same_moment_at_another_offset_is_not_the_original_text(stamps: Any) -> None:
    m = stamps.from_dict(STAMPS)
    m.created_at = m.created_at.astimezone(timezone(timedelta(hours=1)))
    assert m.to_dict()["created_at"] == "2024-01-02T04:04:05+01:00"
    m.times.insert(0, datetime(2020, 1, 1, tzinfo=UTC))  # positions shift
    assert m.to_dict()["times"] == ["2020-01-01T00:00:00+00:00", "2024-01-02T03:04:05+00:00",
                                    "2024-05-06T07:08:09+02:00"]


def test_a_model_built_in_code_writes_iso_8601(stamps: Any) -> None:
    m = stamps(created_at=datetime(2024, 1, 2, tzinfo=UTC), times=[], updated_at=None)
    assert m.to_dict() == {"created_at": "2024-01-02T00:00:00+00:00", "times": [],
                           "updated_at": None}


# -- unknown keys ------------------------------------------------------------------


def test_unknown_keys_are_public_through_extra(tmp_path: Path) -> None:
    mod = _package(tmp_path, ("item", {"id": 1, "extra": "a field named extra"}))
    t = _type(mod, "item")
    body = {"id": 1, "extra": "x", "new": [1, 2], "also": None}
    m = t.from_dict(body)
    assert m.extra == {"new": [1, 2], "also": None}
    assert m.extra_ == "x"  # the JSON key `extra` does not hide the accessor
    assert mod.models._rt.extra(m) == m.extra
    m.extra["new"] = "not kept"  # a copy: the model is unchanged
    assert m.to_dict() == body
    assert t.from_dict({"id": 2, "extra": "y"}).extra == {}
    assert t(id=3, extra_="z").extra == {}


def test_the_base_model_names_no_field_may_take_come_from_the_runtime() -> None:
    assert {"extra", "from_dict", "to_dict"} <= runtime_model_names()
    src = "class Model:\n    @property\n    def raw(self) -> int: ...\n    _x: int\n    y: int\n"
    assert runtime_model_names(src) == {"raw", "y", "from_dict", "to_dict"}


# -- numbers ------------------------------------------------------------------------


def test_an_int_field_accepts_an_integral_float_as_pydantic_does(tmp_path: Path) -> None:
    body = {"api_version": 58, "counts": [1, 2], "limit": None, "by_id": {"1": 1},
            "either": 3}
    other = {"api_version": 59, "counts": [], "limit": 5, "by_id": {}, "either": "x"}
    t = _type(_package(tmp_path, ("job", body), ("job", other)), "job")
    m = t.from_dict({"api_version": 58.0, "counts": [1, 2.0], "limit": 7.0,
                     "by_id": {"1": 1.0}, "either": 4.0})
    assert (m.api_version, m.counts, m.limit, m.by_id, m.either) == (58, [1, 2], 7, {"1": 1}, 4)
    assert all(type(v) is int for v in (m.api_version, *m.counts, m.limit, m.by_id["1"],
                                        m.either))
    for bad, where in (({"api_version": 58.5}, "api_version"), ({"counts": [1, 2.5]}, r"counts\[1\]"),
                       ({"api_version": True}, "api_version"), ({"limit": "7"}, "limit")):
        with pytest.raises(ValueError, match=rf"^\$\.{where}: expected integer"):
            t.from_dict({**body, **bad})


# -- the shape of the code ------------------------------------------------------------


def _formatted(source: str) -> str:
    import black

    return black.format_str(source, mode=black.Mode())


def test_json_keys_are_stated_only_where_they_differ_from_the_field(tmp_path: Path) -> None:
    source = _formatted(models_source(plan_dict(_col(("job", {"id": "1", "createdById": "2",
                                                   "object": "x"})), tmp_path)))
    assert "    id: str\n" in source
    assert 'created_by_id: str = _field(metadata={"json_key": "createdById"})' in source
    assert 'object_: str = _field(metadata={"json_key": "object"})' in source
    assert "_KEYS" not in source.split("def _from")[0]  # derived from the fields
    assert "v0" not in source and 'id_ = data["id"]' in source


def test_keys_are_derived_from_the_fields(tmp_path: Path) -> None:
    t = _type(_package(tmp_path, ("job", {"id": "1", "createdById": "2"})), "job")
    assert t._KEYS == frozenset({"id", "createdById"})


def test_root_docstrings_name_the_request(tmp_path: Path) -> None:
    source = _formatted(models_source(plan_dict(_col(("job_details", {"id": "1"})), tmp_path)))
    assert '"""Success body of `job_details` (GET .../v1/job_details)."""' in source


def test_lists_and_maps_are_not_copied_on_the_way_out(tmp_path: Path) -> None:
    t = _type(_package(tmp_path, ("job", {"tags": ["a"], "meta": {"10": 1, "11": 2}})), "job")
    m = t.from_dict({"tags": ["a"], "meta": {"10": 1, "11": 2}})
    out = m.to_dict()
    assert out["tags"] is m.tags and out["meta"] is m.meta


# -- emitters and the model-style seam ------------------------------------------------------


def test_json_paths_are_code_that_keeps_hostile_keys_as_data() -> None:
    path = JsonPath.of("path").step('["{__import__(\'os\')}\\""]').index("i", array=True)
    code = path.code()
    assert code.startswith("f")
    assert eval(code, {"path": "$", "i": 3}) == '$["{__import__(\'os\')}\\""][3]'
    assert JsonPath.of("path").step(".id").code() == 'f"{path}.id"'  # quoted as black quotes
    # Handed down to a nested parse, a path is built only on the second pass.
    lazy = JsonPath.of("path").step(".id").lazy()
    assert lazy == 'path and path + ".id"'
    assert eval(lazy, {"path": None}) is None and eval(lazy, {"path": "$"}) == "$.id"
    lazy = path.lazy()
    assert eval(lazy, {"path": None, "i": 3}) is None
    assert eval(lazy, {"path": "$", "i": 3}) == eval(code, {"path": "$", "i": 3})


def test_a_lone_check_folds_into_its_guard() -> None:
    w = CodeWriter(Context({}), Scope())
    body = w.child()
    body.check("type(x) is not str", "raise E")
    w.guard("x is not None", body)
    assert w.lines() == ["if x is not None and type(x) is not str:", "    raise E"]


def test_model_styles_are_picked_by_name() -> None:
    assert style_for("dataclass") is STYLES["dataclass"]
    assert style_for("msgspec") is STYLES["msgspec"]
    with pytest.raises(GeneratorError, match="model style 'pydantic' is not available"):
        style_for("pydantic")


def test_an_unavailable_model_style_is_a_usage_error(tmp_path: Path) -> None:
    pkg = plan_dict(_col(("a", {"id": 1})), tmp_path, Options(model_style="pydantic"))
    with pytest.raises(GeneratorError):
        models_source(pkg)


# -- the runtime's model helpers ------------------------------------------------------------


def test_format_datetime_keeps_the_text_only_while_it_denotes_the_value() -> None:
    from postman_codegen import runtime as rt

    text = "2024-01-02T03:04:05.000Z"
    value = datetime.fromisoformat(text)
    assert rt.format_datetime(value, text) == text
    assert rt.format_datetime(value.replace(tzinfo=None), text) == "2024-01-02T03:04:05"
    assert rt.format_datetime(value, "not a date") == value.isoformat()
    assert rt.format_datetime(value, None) == value.isoformat()
    assert list(rt.paired([value], [text, "x"])) == [(value, None)]  # lengths differ
    assert list(rt.paired_map({"a": value}, {"a": text})) == [("a", value, text)]


def test_as_int_takes_only_integral_floats() -> None:
    from postman_codegen import runtime as rt

    assert rt.as_int(58.0, "$") == 58 and type(rt.as_int(58.0, "$")) is int
    for bad in (58.5, True, "58", None, float("inf")):
        with pytest.raises(rt.ParseError, match=r"^\$\.x: expected integer"):
            rt.as_int(bad, "$.x")


# -- parse speed paths: no JSON path built on success, objects built without __init__ ----


def test_a_failed_parse_names_the_full_path_though_the_first_pass_builds_none(
        tmp_path: Path) -> None:
    user = {"id": 1, "tags": ["a"], "address": {"city": "x", "geo": {"lat": 1.5}}}
    mod = _package(tmp_path, ("users", [user, user]))
    t = _type(mod, "users")
    assert [u.address.geo.lat for u in t.from_dict([user, user])] == [1.5, 1.5]
    bad = copy.deepcopy(user)
    bad["address"]["geo"]["lat"] = "north"
    with pytest.raises(mod.ParseError) as err:
        t.from_dict([user, bad])
    assert err.value.path == "$[1].address.geo.lat"
    assert str(err.value) == "$[1].address.geo.lat: expected number, got string"
    with pytest.raises(mod.ParseError) as err:
        t.from_dict([user, bad], "$.data")
    assert err.value.path == "$.data[1].address.geo.lat"
    bad["tags"] = ["a", 7]
    with pytest.raises(mod.ParseError, match=r"^\$\[1\]\.tags\[1\]: expected string"):
        t.from_dict([user, bad])


def test_keys_the_examples_never_showed_are_kept_whether_or_not_fields_are_optional(
        tmp_path: Path) -> None:
    closed = {"a": 1, "b": "x"}  # every field required: extras found by counting keys
    mod = _package(tmp_path, ("closed", closed),
                   ("open", [{"a": 1, "b": "x"}, {"a": 2}]))  # `b` optional
    for name, body in (("closed", {"a": 1, "b": "x", "new": [1]}),
                       ("open", [{"a": 2, "new": None}, {"a": 1, "b": "y", "c": {}}])):
        t = _type(mod, name)
        parsed = t.from_dict(body)
        assert t.to_dict(parsed) == body if name == "open" else parsed.to_dict() == body
    plain = _type(mod, "closed").from_dict(closed)
    assert plain.extra == {} and plain.to_dict() == closed
    assert plain == _type(mod, "closed")(a=1, b="x")  # same value as built by __init__


def test_a_missing_required_key_is_named_by_its_path_even_an_odd_one(tmp_path: Path) -> None:
    body = {"id": 1, "odd key": "x", "nested": {"ok": True}}
    mod = _package(tmp_path, ("things", [body]))
    t = _type(mod, "things")
    for gone, path in (("id", "$[1].id"), ("odd key", '$[1]["odd key"]')):
        bad = {k: v for k, v in body.items() if k != gone}
        with pytest.raises(mod.ParseError) as err:
            t.from_dict([body, bad])
        assert (err.value.path, err.value.actual) == (path, "nothing (key missing)")
        assert str(err.value) == f"{path}: expected a value, got nothing (key missing)"
    with pytest.raises(mod.ParseError, match=r"^\$\[0\]\.nested\.ok: expected a value"):
        t.from_dict([{**body, "nested": {}}])


# -- the garbage collector during a parse ----------------------------------------------


@pytest.fixture()
def collector_on() -> Any:
    """The collector on (as programs run it), and as it was afterwards."""
    import gc

    was = gc.isenabled()
    gc.enable()
    yield gc
    (gc.enable if was else gc.disable)()


def test_a_parse_pauses_the_collector_and_resumes_it_only_if_it_was_on(
        collector_on: Any) -> None:
    from postman_codegen import runtime as rt

    gc = collector_on
    seen: list[bool] = []

    def routine(data: object, path: str | None) -> object:
        seen.append(gc.isenabled())
        if data == "bad":  # both passes fail (the second one with the path)
            raise rt.ParseError(path, "x", data)
        if data == "worse":
            raise KeyError(data)
        return data

    assert rt.parse(routine, 1) == 1 and seen == [False] and gc.isenabled()
    with pytest.raises(rt.ParseError, match=r"^\$: expected x"):
        rt.parse(routine, "bad")
    assert seen[1:] == [False, False] and gc.isenabled()
    with pytest.raises(KeyError):
        rt.parse(routine, "worse")
    assert gc.isenabled()
    gc.disable()  # off before: still off after, and not turned on meanwhile
    assert rt.parse(routine, 2) == 2 and seen[-1] is False and not gc.isenabled()


def test_parsing_many_objects_runs_no_collection_and_leaves_them_collectable(
        tmp_path: Path, collector_on: Any) -> None:
    gc = collector_on
    user = {"id": 1, "name": "a", "when": "2024-01-02T03:04:05Z",
            "address": {"city": "x", "geo": {"lat": 1.5, "lng": 2}}}
    mod = _package(tmp_path, ("users", [user, {**user, "when": "2024-02-02T03:04:05Z"}]))
    t = _type(mod, "users")
    data = [{**user, "id": n} for n in range(20_000)]
    runs: list[str] = []

    def count(phase: str, info: dict[str, int]) -> None:
        runs.append(phase)

    gc.collect()
    gc.callbacks.append(count)
    try:
        users = t.from_dict(data)  # 60,000 new objects: ~85 collections unpaused
    finally:
        gc.callbacks.remove(count)
    assert runs == [] and len(users) == 20_000 and users[-1].address.geo.lng == 2
    assert t.to_dict(users) == data
    users[0].address.geo.lat = users  # a cycle through the new objects ...
    del users
    assert gc.collect() > 60_000  # ... is found by the collector as usual
