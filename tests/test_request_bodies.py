"""Request bodies: JSON templates with variables, comments, forms, GraphQL."""

from __future__ import annotations

import json
from typing import Any

import pytest

from helpers import generate, import_package, mypy
from server import Server

COLLECTION = {
    "info": {"name": "Bodies", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
    "variable": [{"key": "base", "value": "http://placeholder"}, {"key": "unit", "value": "eu"}],
    "item": [
        {
            "name": "Create thing",
            "request": {
                "method": "POST",
                "url": "{{base}}/things",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": {
                    "mode": "raw",
                    "raw": '{\n  // the version is a number\n  "version": {{business-unit-version}},\n'
                           '  "unit": "{{unit}}",\n  "label": "thing of {{unit}}",\n  "tags": ["a"]\n}',
                    "options": {"raw": {"language": "json"}},
                },
            },
            "response": [],
        },
        {
            "name": "Login",
            "request": {
                "method": "POST",
                "url": "{{base}}/login",
                "body": {"mode": "urlencoded", "urlencoded": [
                    {"key": "grant_type", "value": "password"},
                    {"key": "username", "value": "{{user}}"},
                    {"key": "old", "value": "x", "disabled": True},
                ]},
            },
            "response": [],
        },
        {
            "name": "Query",
            "request": {
                "method": "POST",
                "url": "{{base}}/graphql",
                "body": {"mode": "graphql", "graphql": {"query": "{ me { id } }", "variables": ""}},
            },
            "response": [],
        },
    ],
}


@pytest.fixture(scope="module")
def pkg(tmp_path_factory: pytest.TempPathFactory) -> Any:
    tmp = tmp_path_factory.mktemp("bodies")
    src = tmp / "bodies.postman_collection.json"
    src.write_text(json.dumps(COLLECTION))
    generate(src, tmp / "out")
    assert mypy([tmp / "out" / "bodies"]).returncode == 0
    return import_package(tmp / "out" / "bodies")


def test_body_variables_become_parameters_filled_into_the_collection_body(
    pkg: Any, http_server: Server
) -> None:
    with pkg.Client(http_server.url) as client:
        client.create_thing(business_unit_version=3)
    sent = http_server.requests[-1].json()
    # unquoted {{var}} takes any JSON value; "{{unit}}" defaults to the collection value
    assert sent == {"version": 3, "unit": "eu", "label": "thing of eu", "tags": ["a"]}


def test_body_variables_are_required_unless_they_have_a_value(
    pkg: Any, http_server: Server
) -> None:
    with pkg.Client(http_server.url) as client:
        with pytest.raises(TypeError, match="business_unit_version"):
            client.create_thing()
        with pytest.raises(TypeError, match="body=.*unit"):
            client.create_thing(body={"version": 1}, unit="us")
    assert http_server.requests == []


def test_a_body_passed_explicitly_is_sent_as_is(pkg: Any, http_server: Server) -> None:
    model = pkg.CreateThingRequest.from_dict(
        {"version": None, "unit": "us", "label": "l", "tags": ["b"]})
    with pkg.Client(http_server.url) as client:
        client.create_thing(body=model)
    assert http_server.requests[-1].json() == {
        "version": None, "unit": "us", "label": "l", "tags": ["b"]}


def test_urlencoded_fields_are_keyword_parameters(pkg: Any, http_server: Server) -> None:
    with pkg.Client(http_server.url) as client:
        client.login(user="ann")  # the variable {{user}} names it
        client.login(user="bo", old="y")
    first, second = http_server.requests
    assert first.body == b"grant_type=password&username=ann"
    assert second.body == b"grant_type=password&username=bo&old=y"  # disabled: optional


def test_graphql_sends_query_and_variables(pkg: Any, http_server: Server) -> None:
    with pkg.Client(http_server.url) as client:
        client.query(variables={"n": 1})
    assert http_server.requests[-1].json() == {"query": "{ me { id } }", "variables": {"n": 1}}
