"""Inference across a whole collection: pooled evidence, date-times, overrides,
`optional = "all"`. Each test plans a tiny collection and reads the models."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from postman_codegen.errors import GeneratorError
from postman_codegen.options import Options
from test_types_support import (
    build,
    class_lines,
    models_source,
    plan_dict,
    read_fixture,
)


def _req(name: str, body: Any, code: int = 200) -> dict[str, Any]:
    return {"name": name, "request": {"method": "GET", "url": f"https://api.example.com/{name}"},
            "response": [{"name": "ok", "code": code, "body": json.dumps(body)}]}


def _col(*items: dict[str, Any], name: str = "Tiny") -> dict[str, Any]:
    return {"info": {"name": name, "schema": "https://schema.getpostman.com/json/collection/v2.1.0/"},
            "item": list(items)}


def test_one_object_in_many_requests_is_one_class_with_pooled_evidence(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    # get_account, list_accounts[].balances and get_balances: one class, named by its field.
    assert [n for n in classes if n.endswith("Balances")] == ["Balances", "GetBalances"]
    assert classes["Balances"] == [
        "available: float",  # 110.25 in list_accounts
        "booked: int | None",  # null in list_accounts
        "pending: int | Unset",  # absent in get_balances
        "reserved: int",
        "currency: str",
    ]
    assert "balances: Balances" in classes["GetAccount"]
    assert "balances: Balances" in classes["Account"]
    assert "balances: Balances" in classes["GetBalances"]


def test_pooled_model_round_trips_every_example(tmp_path: Path) -> None:
    data = read_fixture("bank")
    pkg = build(plan_dict(data, tmp_path), tmp_path)
    bodies = {
        "get_account": {"id": "a1", "balances": {"available": 110, "booked": 5, "pending": 0,
                                                 "reserved": 0, "currency": "EUR"}},
        "get_balances": {"balances": {"available": 3.5, "booked": None, "reserved": 1,
                                      "currency": "EUR"}},
    }
    for ep in pkg.ENDPOINTS:
        if ep.name in bodies:
            body = bodies[ep.name]
            assert ep.response_type.from_dict(body).to_dict() == body


def test_float_evidence_in_one_request_widens_the_field_in_another(tmp_path: Path) -> None:
    data = _col(_req("first", {"price": {"value": 1, "currency": "EUR", "tax": 0, "net": 1}}),
                _req("second", {"items": [{"price": {"value": 2.5, "currency": "EUR", "tax": 0,
                                                     "net": 2}}]}))
    classes = class_lines(models_source(plan_dict(data, tmp_path)))
    assert classes["Price"][0] == "value: float"
    assert "price: Price" in classes["First"]
    assert "price: Price" in classes["Item"]


def test_same_structure_under_two_field_names_is_named_for_each_field(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    assert classes["Transaction"][1:3] == ["amount: Amount", "booked_balance: BookedBalance"]
    assert classes["Amount"] == classes["BookedBalance"] == ["value: float", "currency: str"]
    assert "amount: Amount" in classes["GetRates"]


def test_objects_whose_shared_key_disagrees_in_kind_stay_apart(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    # `owner.id` is a number for users and a string for teams: two classes, both
    # qualified by their request (neither keeps `Owner` by coming first).
    assert "Owner" not in classes
    assert classes["GetUserOwner"][0] == "id: int"
    assert classes["GetTeamOwner"][0] == "id: str"


def test_small_objects_with_some_keys_in_common_are_not_merged(tmp_path: Path) -> None:
    data = _col(_req("a", {"thing": {"id": 1, "name": "x", "size": 2}}),
                _req("b", {"thing": {"id": 2, "name": "y", "colour": "red"}}))
    classes = class_lines(models_source(plan_dict(data, tmp_path)))
    assert classes["AThing"] == ["id: int", "name: str", "size: int"]
    assert classes["BThing"] == ["id: int", "name: str", "colour: str"]


def test_requests_with_one_response_shape_are_each_named_after_themselves(tmp_path: Path) -> None:
    pkg = plan_dict(read_fixture("bank"), tmp_path)
    returns = {m.name: m.response.name for m in pkg.methods() if m.response}
    assert returns["basic_auth"] == "BasicAuth"
    assert returns["digest_auth"] == "DigestAuth"
    assert returns["hawk_auth"] == "HawkAuth"
    assert returns["o_auth1_0_verify_signature"] == "OAuth10VerifySignature"


def test_error_objects_pool_with_the_whole_collection(tmp_path: Path) -> None:
    pkg = plan_dict(read_fixture("bank"), tmp_path)
    classes = class_lines(models_source(pkg))
    errors = {m.name: m.error.name for m in pkg.methods() if m.error}
    assert errors == {"get_user": "GetUserError", "get_team": "GetTeamError"}
    assert classes["GetUserError"] == classes["GetTeamError"] == ["error: Error"]
    assert classes["Error"] == ["code: int", "message: str"]


# -- date-times ---------------------------------------------------------------


def test_a_single_date_time_sample_under_a_plain_key_is_a_string(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    assert "cursor: str" in classes["GetRates"]
    assert "checked: str" in classes["GetRates"]


def test_a_date_like_key_or_two_distinct_samples_make_a_date_time(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("bank"), tmp_path)))
    assert "booked_at: datetime" in classes["Transaction"]  # `*_at`, one sample
    assert "when: datetime" in classes["Event"]  # two distinct samples


@pytest.mark.parametrize("key", ["created_at", "createdAt", "birthdate", "updateTime",
                                 "timestamp", "Date"])
def test_date_like_keys(key: str, tmp_path: Path) -> None:
    data = _col(_req("a", {key: "2024-01-02T03:04:05Z"}))
    assert ": datetime" in class_lines(models_source(plan_dict(data, tmp_path)))["A"][0]


def test_two_equal_samples_are_one_sample(tmp_path: Path) -> None:
    data = _col(_req("a", {"next": ["2024-01-02T03:04:05Z", "2024-01-02T03:04:05Z"]}))
    assert class_lines(models_source(plan_dict(data, tmp_path)))["A"] == ["next: list[str]"]


# -- user corrections ---------------------------------------------------------

JOBS_TYPES = {"jobs.job_details": {
    "resource[].field_mappings[].index": "float | None",
    "api_version": "float",
    "next": "str | None",
}}


def test_overrides_set_field_types_by_jmespath(tmp_path: Path) -> None:
    pkg = plan_dict(read_fixture("jobs"), tmp_path, Options(types=JOBS_TYPES))
    classes = class_lines(models_source(pkg))
    assert "index: float | None" in classes["FieldMapping"]
    assert "api_version: float" in classes["JobDetails"]
    assert "next: str | None" in classes["JobDetails"]
    mod = build(pkg, tmp_path)
    live = {"resource": [{"status": "ok", "field_mappings": [
        {"api_name": "Name", "index": 1.5, "format": None}, {"api_name": "X", "index": None,
                                                             "format": None}]}],
        "next": None, "api_version": 58.5}
    job_details = next(ep for ep in mod.ENDPOINTS if ep.name == "job_details")
    assert job_details.response_type.from_dict(live).to_dict() == live


def test_without_overrides_the_example_types_stand(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("jobs"), tmp_path)))
    assert "index: int" in classes["FieldMapping"]
    assert "next: str" in classes["JobDetails"]


@pytest.mark.parametrize("path", ["resource[].field_mapping[].index", "nxt", "resource.status",
                                  "resource[].status.deeper"])
def test_an_override_path_that_matches_nothing_is_an_error_naming_it(path: str,
                                                                     tmp_path: Path) -> None:
    opts = Options(types={"jobs.job_details": {path: "int"}})
    with pytest.raises(GeneratorError) as err:
        plan_dict(read_fixture("jobs"), tmp_path, opts)
    assert "'jobs.job_details'" in str(err.value) or "jobs.job_details" in str(err.value)
    assert repr(path) in str(err.value)


def test_an_override_of_an_unknown_method_is_an_error_with_a_suggestion(tmp_path: Path) -> None:
    opts = Options(types={"jobs.job_detail": {"next": "str | None"}})
    with pytest.raises(GeneratorError, match=r"'jobs.job_detail'.*did you mean jobs.job_details"):
        plan_dict(read_fixture("jobs"), tmp_path, opts)


@pytest.mark.parametrize("text", ["float | int", "decimal", "None", "list[", "str | datetime"])
def test_an_override_type_that_is_not_a_type_is_an_error(text: str, tmp_path: Path) -> None:
    opts = Options(types={"jobs.job_details": {"next": text}})
    with pytest.raises(GeneratorError, match=r"'jobs.job_details': path 'next': not a type"):
        plan_dict(read_fixture("jobs"), tmp_path, opts)


def test_overrides_of_other_packages_are_left_alone(tmp_path: Path) -> None:
    opts = Options(types={"zoho_crm.job_details": {"no.such.path": "int"}})
    plan_dict(read_fixture("jobs"), tmp_path, opts)


def test_override_of_a_root_array_item_field(tmp_path: Path) -> None:
    opts = Options(types={"jobs.job_list": {"[].id": "int | str", "[].name": "JsonValue"}})
    pkg = plan_dict(read_fixture("jobs"), tmp_path, opts)
    classes = class_lines(models_source(pkg))
    assert classes["JobList"] == ["id: int | str", "name: JsonValue"]


def test_an_override_through_the_cli_exits_2(tmp_path: Path) -> None:
    """The planner's GeneratorError is the CLI's usage error (exit 2)."""
    from postman_codegen import cli

    def boom(*_: object, **__: object) -> int:
        raise GeneratorError("[tool.postman-codegen.types] 'jobs.x': path 'y' matches nothing")

    assert cli._guard(False, boom) == 2


# -- optional = "all" ----------------------------------------------------------


def test_optional_all_makes_every_field_tolerate_null_and_absence(tmp_path: Path) -> None:
    pkg = plan_dict(read_fixture("jobs"), tmp_path, Options(optional="all"))
    classes = class_lines(models_source(pkg))
    assert classes["JobDetails"] == [
        "resource: list[Resource] | None | Unset",
        "next: str | None | Unset",
        "api_version: int | None | Unset",
    ]
    assert all(line.endswith(("| None | Unset", "JsonValue | Unset"))
               for lines in classes.values() for line in lines)
    mod = build(pkg, tmp_path)
    job_details = next(ep for ep in mod.ENDPOINTS if ep.name == "job_details")
    for body in ({}, {"resource": None, "next": None, "api_version": None},
                 {"resource": [{"field_mappings": [{}]}]}):
        assert job_details.response_type.from_dict(copy.deepcopy(body)).to_dict() == body


def test_optional_examples_is_the_default(tmp_path: Path) -> None:
    classes = class_lines(models_source(plan_dict(read_fixture("jobs"), tmp_path)))
    assert classes["JobDetails"] == ["resource: list[Resource]", "next: str", "api_version: int"]
