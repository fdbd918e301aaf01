"""`postman-codegen diff`: API-level changes, each breaking or compatible for a caller."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from conftest import ROOT
from helpers import generate, run_cli
from postman_codegen.changes import (
    compare,
    render_json,
    render_markdown,
    render_text,
    summary_for_check,
    summary_for_output,
)
from postman_codegen.collection import load
from postman_codegen.config import stem
from postman_codegen.openapi import dumps, openapi_document
from postman_codegen.plan import package_name, plan

FIXTURES = ROOT / "tests" / "fixtures" / "changes"
BEFORE = FIXTURES / "before.postman_collection.json"


def after(case: str) -> Path:
    return FIXTURES / f"after_{case}.postman_collection.json"


def doc(path: Path) -> dict[str, Any]:
    return openapi_document(plan(load(path), None, package_name(stem(path))))


def report_json(case: str) -> dict[str, Any]:
    """The JSON report of `diff before after_<case>`, through the CLI."""
    result = run_cli("diff", BEFORE, after(case), "--format", "json")
    assert result.exit_code == 0, result.output
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def items(case: str) -> list[tuple[str, str, str, str]]:
    """(kind, severity, request, path) of every change."""
    return [(c["kind"], c["severity"], c["request"], c["path"])
            for c in report_json(case)["changes"]]


# -- one hand-made before/after pair per classification -------------------------


def test_optional_response_field_added_is_compatible() -> None:
    assert items("field_added_optional") == [
        ("response_field_added", "compatible", "users.get_user", "$.phone")]


def test_required_response_field_added_is_breaking() -> None:
    data = report_json("field_added_required")
    assert [(c["kind"], c["severity"], c["path"], c["new"]) for c in data["changes"]] == [
        ("response_field_added", "breaking", "$.phone", "str")]
    assert "responses without it are rejected" in data["changes"][0]["message"]
    assert (data["breaking"], data["compatible"]) == (1, 0)


def test_response_field_removed_is_breaking() -> None:
    assert items("field_removed") == [
        ("response_field_removed", "breaking", "users.get_user", "$.score")]


def test_response_field_widened_is_breaking_for_code_reading_it() -> None:
    data = report_json("field_widened")
    assert [(c["kind"], c["severity"], c["path"], c["old"], c["new"])
            for c in data["changes"]] == [
        ("response_field_widened", "breaking", "$.score", "int", "float")]


def test_response_field_narrowed_is_breaking_for_the_parser() -> None:
    data = report_json("field_narrowed")
    assert [(c["kind"], c["severity"], c["path"], c["old"], c["new"])
            for c in data["changes"]] == [
        ("response_field_narrowed", "breaking", "$.email", "str | None", "str")]


def test_response_field_of_another_kind_is_breaking() -> None:
    data = report_json("field_changed")
    assert [(c["kind"], c["severity"], c["path"], c["old"], c["new"])
            for c in data["changes"]] == [
        ("response_field_changed", "breaking", "$.address", "Address", "str")]


def test_response_field_made_required_is_breaking() -> None:
    assert items("field_made_required") == [
        ("response_field_required", "breaking", "users.get_user", "$.nickname")]


def test_response_field_made_optional_is_breaking() -> None:
    assert items("field_made_optional") == [
        ("response_field_optional", "breaking", "users.get_user", "$.name")]


def test_request_renamed_at_same_method_and_url_renames_its_classes() -> None:
    data = report_json("request_renamed")
    assert [(c["kind"], c["severity"], c["old"], c["new"]) for c in data["changes"]] == [
        ("request_renamed", "breaking", "users.get_user", "users.fetch_user"),
        ("class_renamed", "breaking", "GetUser", "FetchUser"),
        ("class_renamed", "breaking", "GetUserError", "FetchUserError"),
    ]
    assert data["changes"][0]["endpoint"] == "GET /users/{id}"


def test_request_added_is_compatible_and_removed_is_breaking() -> None:
    assert items("request_added_removed") == [
        ("request_removed", "breaking", "users.delete_user", ""),
        ("request_added", "compatible", "get_order", ""),
    ]


def test_request_moved_to_another_url_keeps_its_name_and_is_compatible() -> None:
    data = report_json("request_moved")
    assert [(c["kind"], c["severity"], c["old"], c["new"]) for c in data["changes"]] == [
        ("request_moved", "compatible", "GET /orders", "GET /v2/orders")]


def test_parameter_added_optional_is_compatible_required_is_breaking() -> None:
    assert items("parameter_added") == [
        ("parameter_added", "breaking", "users.get_user", "fields"),
        ("parameter_added", "compatible", "users.get_user", "verbose"),
    ]


def test_parameter_made_required_is_breaking() -> None:
    assert items("parameter_required") == [
        ("parameter_required", "breaking", "users.get_user", "include")]


def test_parameter_removed_is_breaking() -> None:
    assert items("parameter_removed") == [
        ("parameter_removed", "breaking", "users.get_user", "include")]


def test_error_model_changes_are_reported_as_errors() -> None:
    data = report_json("error_changed")
    assert [(c["group"], c["kind"], c["severity"], c["path"], c["old"], c["new"])
            for c in data["changes"]] == [
        ("errors", "error_field_changed", "breaking", "$.code", "str", "int"),
        ("errors", "error_field_added", "breaking", "$.trace", "", "str"),
    ]


def test_required_request_body_field_added_is_breaking() -> None:
    assert items("request_field_added") == [
        ("request_field_added", "breaking", "users.create_user", "$.age")]


def test_same_collection_has_no_changes() -> None:
    result = run_cli("diff", BEFORE, BEFORE, "--format", "json", "--fail-on", "any")
    assert result.exit_code == 0
    assert json.loads(result.stdout) == {"breaking": 0, "compatible": 0, "changes": []}
    assert run_cli("diff", BEFORE, BEFORE).stdout == "No API changes.\n"


# -- the classification table, on hand-made documents ------------------------------


def _api(body: dict[str, Any] | None = None, ok: dict[str, Any] | None = None,
         error: dict[str, Any] | None = None, params: list[dict[str, Any]] | None = None,
         ok_media: str = "application/json") -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": "make", "responses": {}}
    op["responses"]["200"] = {"description": "ok", "content": {ok_media: {"schema": ok or {}}}}
    if error is not None:
        op["responses"]["400"] = {"description": "e", "content": {
            "application/json": {"schema": error}}}
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {
            "schema": body}}}
    if params is not None:
        op["parameters"] = params
    return {"openapi": "3.1.0", "info": {"title": "t", "version": "0"},
            "paths": {"/things": {"post": op}}}


def _obj(props: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"type": "object", "properties": props, "required": required}


def _kinds(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c.kind, c.severity) for c in compare(old, new).changes]


def test_request_field_widened_is_compatible_narrowed_is_breaking() -> None:
    narrow = _api(body=_obj({"n": {"type": "integer"}}, ["n"]))
    wide = _api(body=_obj({"n": {"type": ["number", "null"]}}, ["n"]))
    assert _kinds(narrow, wide) == [("request_field_widened", "compatible")]
    assert _kinds(wide, narrow) == [("request_field_narrowed", "breaking")]


def test_request_field_optional_is_compatible_required_is_breaking() -> None:
    opt = _api(body=_obj({"n": {"type": "string"}}, []))
    req = _api(body=_obj({"n": {"type": "string"}}, ["n"]))
    assert _kinds(req, opt) == [("request_field_optional", "compatible")]
    assert _kinds(opt, req) == [("request_field_required", "breaking")]


def test_unknown_json_that_gains_a_type_is_compatible_in_a_response() -> None:
    old = _api(ok=_obj({"x": {}}, ["x"]))
    new = _api(ok=_obj({"x": {"type": "string", "format": "date-time"}}, ["x"]))
    assert _kinds(old, new) == [("response_field_narrowed", "compatible")]
    assert _kinds(new, old) == [("response_field_widened", "breaking")]


def test_error_model_added_is_compatible_removed_is_breaking() -> None:
    err = _obj({"code": {"type": "string"}}, ["code"])
    assert _kinds(_api(), _api(error=err)) == [("error_model_added", "compatible")]
    assert _kinds(_api(error=err), _api()) == [("error_model_removed", "breaking")]


def test_response_kind_change_is_breaking() -> None:
    text = _api(ok={"type": "string"}, ok_media="text/plain")
    assert [(c.kind, c.severity, c.old, c.new) for c in compare(_api(), text).changes] == [
        ("response_type_changed", "breaking", "JsonValue", "str (text)")]


def test_parameter_made_optional_is_compatible() -> None:
    def p(required: bool) -> list[dict[str, Any]]:
        return [{"name": "q", "in": "query", "required": required,
                 "schema": {"type": "string"}}]

    assert _kinds(_api(params=p(True)), _api(params=p(False))) == [
        ("parameter_optional", "compatible")]


def test_nested_fields_are_named_by_json_path() -> None:
    inner_old = {"type": "array", "items": _obj({"a": {"type": "integer"}}, ["a"])}
    inner_new = {"type": "array", "items": _obj({}, [])}
    old = _api(ok=_obj({"list": inner_old}, ["list"]))
    new = _api(ok=_obj({"list": inner_new}, ["list"]))
    assert [(c.kind, c.path) for c in compare(old, new).changes] == [
        ("response_field_removed", "$.list[*].a")]


# -- renderers --------------------------------------------------------------------


@pytest.fixture(scope="module")
def many() -> Any:
    return compare(doc(BEFORE), doc(after("many")))


def test_text_report(many: Any, snapshot: SnapshotAssertion) -> None:
    assert render_text(many) == snapshot


def test_markdown_report(many: Any, snapshot: SnapshotAssertion) -> None:
    assert render_markdown(many) == snapshot


def test_json_report_counts(many: Any) -> None:
    data = json.loads(render_json(many))
    assert (data["breaking"], data["compatible"]) == (9, 2)
    assert {c["group"] for c in data["changes"]} == {
        "requests", "parameters", "request bodies", "responses", "errors", "classes"}


def test_text_report_lists_breaking_before_compatible_in_each_group(many: Any) -> None:
    lines = render_text(many).splitlines()
    params = lines.index("Parameters:")
    assert lines[params + 1].startswith("  BREAKING")
    assert lines[params + 2].startswith("  compatible")


def test_summary_for_check() -> None:
    old, new = doc(BEFORE), doc(after("field_removed"))
    assert summary_for_check(old, old) == ""
    assert summary_for_check(old, new) == (
        "API changes: 1 breaking, 0 compatible\n\nResponses:\n"
        "  BREAKING    `users.get_user`: response field `$.score` was removed\n")


# -- the command -------------------------------------------------------------------


def test_fail_on_breaking_exits_1_only_for_breaking_changes() -> None:
    hit = run_cli("diff", BEFORE, after("field_removed"), "--fail-on", "breaking")
    assert hit.exit_code == 1
    assert "BREAKING    `users.get_user`: response field `$.score` was removed" in hit.stdout
    miss = run_cli("diff", BEFORE, after("field_added_optional"), "--fail-on", "breaking")
    assert miss.exit_code == 0


def test_fail_on_any_exits_1_for_a_compatible_change() -> None:
    result = run_cli("diff", BEFORE, after("field_added_optional"), "--fail-on", "any")
    assert result.exit_code == 1


def test_without_fail_on_changes_exit_0() -> None:
    assert run_cli("diff", BEFORE, after("many")).exit_code == 0


def test_markdown_format_through_the_cli() -> None:
    result = run_cli("diff", BEFORE, after("field_removed"), "--format", "markdown")
    assert result.stdout.startswith("### API changes\n\n**1 breaking, 0 compatible**\n")
    assert "| :boom: breaking | `users.get_user`: response field `$.score` was removed |" in (
        result.stdout)


def test_one_file_compares_with_what_the_output_folder_was_built_from(
    tmp_path: Path,
) -> None:
    project = tmp_path / "project"
    project.mkdir()
    source = project / "shop.postman_collection.json"
    source.write_bytes(BEFORE.read_bytes())
    out = project / "generated"
    generate(source, out)
    assert (out / "shop" / "openapi.json").is_file()
    source.write_bytes(after("field_removed").read_bytes())
    result = run_cli("diff", source, "-o", out, "--fail-on", "breaking")
    assert result.exit_code == 1
    assert "response field `$.score` was removed" in result.stdout


def test_openapi_json_files_are_compared_as_they_are(tmp_path: Path) -> None:
    old, new = tmp_path / "old.json", tmp_path / "new.json"
    old.write_text(json.dumps(doc(BEFORE)))
    new.write_text(json.dumps(doc(after("field_removed"))))
    result = run_cli("diff", old, new, "--format", "json")
    assert [c["kind"] for c in json.loads(result.stdout)["changes"]] == [
        "response_field_removed"]


def test_one_file_without_a_built_package_exits_2(tmp_path: Path) -> None:
    result = run_cli("diff", BEFORE, "-o", tmp_path / "nothing")
    assert result.exit_code == 2
    assert "openapi.json: not found" in result.stderr
    assert "postman-codegen generate" in result.stderr


def test_broken_collection_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.postman_collection.json"
    bad.write_text("{not json")
    result = run_cli("diff", BEFORE, bad)
    assert result.exit_code == 2
    assert "bad.postman_collection.json" in result.stderr


def test_missing_file_exits_2(tmp_path: Path) -> None:
    result = run_cli("diff", BEFORE, tmp_path / "missing.json")
    assert result.exit_code == 2
    assert "does not exist" in result.stderr


def test_unknown_format_exits_2() -> None:
    assert run_cli("diff", BEFORE, BEFORE, "--format", "html").exit_code == 2


def test_reports_escape_invisible_characters_from_the_collection() -> None:
    old = _api(ok=_obj({"a\u202eb": {"type": "string"}, "c`d": {"type": "string"}}, []))
    new = _api(ok=_obj({}, []))
    report = compare(old, new)
    for text in (render_text(report), render_markdown(report), render_json(report)):
        assert "\u202e" not in text
        assert "\\u202e" in text
    assert '`` $["c`d"] ``' in render_markdown(report)


def test_summary_for_output_names_the_package(tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(BEFORE, out)
    new = dumps(doc(after("field_removed")))
    summary = summary_for_output(out, {"before/openapi.json": new, "before/client.py": ""})
    assert summary == (
        "before: API changes: 1 breaking, 0 compatible\n\nResponses:\n"
        "  BREAKING    `users.get_user`: response field `$.score` was removed\n")
    same = (out / "before" / "openapi.json").read_text("utf-8")
    assert summary_for_output(out, {"before/openapi.json": same}) == ""
    assert summary_for_output(out, {"other/openapi.json": new}) == ""


ZOHO = ROOT / "collections" / "zoho_crm.postman_collection.json"


def test_zoho_v2_example_replaced_by_v21_reports_module_narrowed_once(
    tmp_path: Path,
) -> None:
    """The motivating case: one example changed; the breaking `module` change is
    one line naming both requests that share the model, not line 340 of a diff."""
    data = json.loads(ZOHO.read_text("utf-8"))
    v2, v21 = (folder["item"][0] for folder in data["item"])
    v2["response"][0]["body"] = v21["response"][0]["body"]
    new = tmp_path / "zoho_crm.postman_collection.json"
    new.write_text(json.dumps(data))
    result = run_cli("diff", ZOHO, new, "--fail-on", "breaking")
    assert result.exit_code == 1
    assert ("  BREAKING    `v2.job_details`, `v2_1.job_details`: response field "
            "`$.resource[*].module` type narrowed from str | Module to Module\n") in result.stdout
    assert result.stdout.startswith("API changes: 5 breaking, 0 compatible\n")
    modules = [c for c in json.loads(run_cli("diff", ZOHO, new, "--format", "json").stdout)[
        "changes"] if c["path"] == "$.resource[*].module"]
    assert [c["request"] for c in modules] == ["v2.job_details", "v2_1.job_details"]


FOREIGN = {
    "openapi": "3.1.0", "info": {"title": "x", "version": "1"},
    "paths": {"/a": {"get": {
        "operationId": "a", "parameters": [{"$ref": "#/components/parameters/P"}],
        "responses": {"200": {"$ref": "#/components/responses/R"}}}}},
    "components": {"parameters": {"P": {"name": "p", "in": "query"}},
                   "responses": {"R": {"description": "r"}}},
}


def test_hand_written_openapi_with_refs_is_compared(tmp_path: Path) -> None:
    old = tmp_path / "old.json"
    old.write_text(json.dumps(FOREIGN))
    result = run_cli("diff", old, BEFORE, "--format", "json")
    assert result.exit_code == 0
    kinds = [(c["kind"], c["request"]) for c in json.loads(result.stdout)["changes"]]
    assert ("request_removed", "a") in kinds
    assert ("request_added", "users.get_user") in kinds


def test_document_that_cannot_be_compared_exits_2(tmp_path: Path) -> None:
    broken = json.loads(json.dumps(FOREIGN))
    broken["paths"]["/a"]["get"]["responses"]["400"] = "oops"
    path = tmp_path / "broken.json"
    path.write_text(json.dumps(broken))
    result = run_cli("diff", path, path)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: cannot compare these documents")


SEEDS = sorted((ROOT / "collections").glob("*.postman_collection.json"))


@pytest.mark.parametrize("old", SEEDS, ids=lambda p: p.name)
@pytest.mark.parametrize("new", SEEDS, ids=lambda p: p.name)
def test_seed_pairs_compare_and_a_collection_equals_itself(old: Path, new: Path) -> None:
    report = compare(doc(old), doc(new))
    assert report.empty == (old == new)
    for render in (render_text, render_markdown, render_json):
        assert render(report).endswith("\n")
