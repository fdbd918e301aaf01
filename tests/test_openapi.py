"""openapi.json: the inferred API of each package as a valid OpenAPI 3.1 document."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from conftest import COLLECTIONS, CORPUS_FILES, ROOT, corpus_param
from postman_codegen.collection import load, load_environment
from postman_codegen.config import environment_for, stem
from postman_codegen.openapi import component_key, dumps, openapi_document
from postman_codegen.plan import package_name, plan

FIXTURES = ROOT / "tests" / "fixtures" / "changes"
GENERATED = ROOT / "generated"


def document(path: Path) -> dict[str, Any]:
    env = environment_for(path)
    variables = load_environment(env) if env else {}
    return openapi_document(plan(load(path), variables, package_name(stem(path))))


@pytest.fixture(scope="module")
def shop() -> dict[str, Any]:
    return document(FIXTURES / "before.postman_collection.json")


@pytest.fixture(scope="module")
def shapes() -> dict[str, Any]:
    return document(FIXTURES / "shapes.postman_collection.json")


# -- validity -------------------------------------------------------------------


@pytest.mark.parametrize("name", ["before", "shapes", "after_many"])
def test_fixture_documents_are_valid_openapi_31(name: str) -> None:
    doc = document(FIXTURES / f"{name}.postman_collection.json")
    assert doc["openapi"] == "3.1.0"
    validate(doc, cls=OpenAPIV31SpecValidator)


@pytest.mark.parametrize("path", sorted(COLLECTIONS.glob("*.postman_collection.json")),
                         ids=lambda p: p.name)
def test_seed_document_is_valid_and_committed(path: Path) -> None:
    doc = document(path)
    validate(doc, cls=OpenAPIV31SpecValidator)
    committed = GENERATED / package_name(stem(path)) / "openapi.json"
    assert committed.read_text("utf-8") == dumps(doc)


@pytest.mark.skipif(not CORPUS_FILES, reason="corpus not present")
@pytest.mark.parametrize("path", [corpus_param(p) for p in CORPUS_FILES])
def test_corpus_document_is_valid_openapi_31(path: Path) -> None:
    doc = document(path)
    validate(doc, cls=OpenAPIV31SpecValidator)
    ids = [op["operationId"] for item in doc["paths"].values() for op in item.values()
           if isinstance(op, dict) and "operationId" in op]
    assert len(ids) == len(set(ids))


# -- determinism ------------------------------------------------------------------


def test_serialised_with_sorted_keys_two_space_indent_and_final_newline(
    shop: dict[str, Any],
) -> None:
    text = dumps(shop)
    assert text.endswith("}\n")
    assert text == json.dumps(json.loads(text), indent=2, sort_keys=True,
                              ensure_ascii=False) + "\n"
    assert dumps(document(FIXTURES / "before.postman_collection.json")) == text


def test_every_package_gets_openapi_json(tmp_path: Path) -> None:
    from helpers import generate

    out = tmp_path / "out"
    generate(FIXTURES / "before.postman_collection.json", out)
    written = (out / "before" / "openapi.json").read_text("utf-8")
    assert written == dumps(document(FIXTURES / "before.postman_collection.json"))


# -- what the document says -------------------------------------------------------


def test_base_url_is_the_server(shop: dict[str, Any]) -> None:
    assert shop["servers"] == [{"url": "https://api.example.com"}]
    assert shop["info"]["title"] == "Shop API"


def test_path_variables_become_templated_path_parameters(shop: dict[str, Any]) -> None:
    op = shop["paths"]["/users/{id}"]["get"]
    assert op["operationId"] == "users.get_user"
    assert op["tags"] == ["Users"]
    assert op["parameters"] == [
        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "e.g. 1"},
        {"name": "include", "in": "query", "required": False,
         "schema": {"type": "string", "default": "orders"}, "description": "e.g. orders"},
    ]


def test_response_schema_refs_the_model_with_required_and_nullable(
    shop: dict[str, Any],
) -> None:
    ok = shop["paths"]["/users/{id}"]["get"]["responses"]["200"]["content"]["application/json"]
    assert ok["schema"] == {"$ref": "#/components/schemas/GetUser"}
    assert ok["example"]["name"] == "Ann"  # the first success example
    user = shop["components"]["schemas"]["GetUser"]
    assert user["type"] == "object"
    assert user["required"] == ["address", "email", "id", "name", "score"]  # not nickname
    assert user["properties"]["email"] == {"type": ["string", "null"]}
    assert user["properties"]["id"] == {"type": "integer"}
    assert user["properties"]["address"] == {"$ref": "#/components/schemas/Address"}


def test_error_examples_give_the_error_schema(shop: dict[str, Any]) -> None:
    err = shop["paths"]["/users/{id}"]["get"]["responses"]["404"]
    assert err["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/GetUserError"}
    assert shop["components"]["schemas"]["GetUserError"]["required"] == ["code", "message"]


def test_json_request_body_and_status_codes(shop: dict[str, Any]) -> None:
    op = shop["paths"]["/users"]["post"]
    assert op["requestBody"] == {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/CreateUserRequest"}}}}
    assert list(op["responses"]) == ["201"]
    gone = shop["paths"]["/users/{id}"]["delete"]["responses"]
    assert gone == {"204": {"description": "Success, no content"}}


def test_array_response_of_a_model(shop: dict[str, Any]) -> None:
    schema = shop["paths"]["/orders"]["get"]["responses"]["200"]["content"][
        "application/json"]["schema"]
    assert schema == {"type": "array", "items": {"$ref": "#/components/schemas/ListOrder"}}
    assert shop["components"]["schemas"]["ListOrder"]["properties"]["total"] == {
        "type": "number"}


def test_form_and_multipart_bodies(shapes: dict[str, Any]) -> None:
    login = shapes["paths"]["/login"]["post"]["requestBody"]["content"]
    assert list(login) == ["application/x-www-form-urlencoded"]
    assert set(login["application/x-www-form-urlencoded"]["schema"]["properties"]) == {
        "username", "password"}
    upload = shapes["paths"]["/uploads"]["post"]
    parts = upload["requestBody"]["content"]["multipart/form-data"]["schema"]["properties"]
    assert parts["file"] == {"type": "string", "contentMediaType": "application/octet-stream"}
    assert parts["caption"] == {"type": "string"}


def test_header_variables_are_header_parameters(shapes: dict[str, Any]) -> None:
    params = shapes["paths"]["/uploads"]["post"]["parameters"]
    # an enabled header's unresolved variable is a required parameter
    assert params == [{"name": "X-Trace", "in": "header", "required": True,
                       "schema": {"type": "string"}, "x-python-name": "trace_id"}]


def test_text_bodies_and_text_responses(shapes: dict[str, Any]) -> None:
    note = shapes["paths"]["/notes/{note}"]["put"]
    assert note["requestBody"]["content"] == {"text/plain": {"schema": {"type": "string"}}}
    upload = shapes["paths"]["/uploads"]["post"]["responses"]["200"]["content"]
    assert upload == {"text/plain": {"schema": {"type": "string"}}}


def test_datetime_map_union_and_nullable_items(shapes: dict[str, Any]) -> None:
    schemas = shapes["components"]["schemas"]
    login = schemas["Login"]["properties"]
    assert login["expires_at"] == {"type": "string", "format": "date-time"}
    assert login["scopes"] == {"type": "object", "additionalProperties": {"type": "string"}}
    assert schemas["Note"]["properties"]["value"] == {
        "oneOf": [{"type": "integer"}, {"type": "string"}]}
    health = shapes["paths"]["/v1/health"]["get"]
    assert health["responses"]["200"]["content"]["application/json"]["schema"] == {
        "type": "array", "items": {"type": ["number", "null"]}}


def test_other_host_is_an_operation_server_with_variables(shapes: dict[str, Any]) -> None:
    health = shapes["paths"]["/v1/health"]["get"]
    assert health["servers"] == [{"url": "https://{region}.status.example.com",
                                  "variables": {"region": {"default": ""}}}]
    assert "parameters" not in health
    assert "security" not in health  # noauth


def test_api_key_auth_is_a_security_scheme(shapes: dict[str, Any]) -> None:
    assert shapes["components"]["securitySchemes"] == {
        "apikey_header_X-Api-Key": {"type": "apiKey", "in": "header", "name": "X-Api-Key"}}
    assert shapes["paths"]["/login"]["post"]["security"] == [{"apikey_header_X-Api-Key": []}]


def test_second_request_with_one_method_and_url_gets_its_own_key(
    shapes: dict[str, Any],
) -> None:
    assert shapes["paths"]["/notes/{note}"]["put"]["operationId"] == "note"
    again = shapes["paths"]["/notes/{note}#note_again"]["put"]
    assert again["operationId"] == "note_again"
    assert again["responses"] == {"2XX": {"description": "Success",
                                          "content": {"*/*": {"schema": {}}}}}


def test_invisible_characters_are_escaped_and_mean_the_same() -> None:
    data = {"na\u202eme": "a\u2028b\x1b[31m", "日本": "ok"}
    text = dumps(data)
    assert "\u202e" not in text and "\u2028" not in text and "\x1b" not in text
    assert '"na\\u202eme"' in text and '"日本"' in text
    assert json.loads(text) == data


HOSTILE = ROOT / "tests" / "fixtures" / "hostile"


@pytest.mark.parametrize("name", ["injection", "identifiers", "traversal", "runtime"])
def test_hostile_fixture_documents_are_valid_openapi_31(name: str) -> None:
    validate(document(HOSTILE / f"{name}.postman_collection.json"),
             cls=OpenAPIV31SpecValidator)


def test_non_ascii_class_names_get_ascii_keys_and_keep_their_title() -> None:
    doc = document(HOSTILE / "injection.postman_collection.json")
    schemas = doc["components"]["schemas"]
    titled = {k: s["title"] for k, s in schemas.items() if "title" in s}
    assert titled, "the fixture has a non-ASCII class name"
    for key, title in titled.items():
        assert key.isascii() and key != title
        assert key == component_key(title)


def test_example_with_a_number_json_cannot_hold_is_left_out() -> None:
    doc = document(FIXTURES / "huge_number.postman_collection.json")
    media = doc["paths"]["/n"]["get"]["responses"]["200"]["content"]["application/json"]
    assert "example" not in media
    json.loads(dumps(doc), parse_constant=lambda name: pytest.fail(name))
