"""Body templates beyond JSON: GraphQL variables and queries, and raw text bodies
(SOAP envelopes, text/plain) with `{{variables}}`, called for real against the
local server. Each `{{var}}` is a keyword, filled at call time; the whole-body
parameter (`variables=`, `query=`, `content=`) replaces the template, and mixing
it with the keywords is a TypeError. No secret value is written into code.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from helpers import generate, import_package, mypy, run_cli
from postman_codegen import runtime as rt
from postman_codegen.collection import load, load_environment
from postman_codegen.options import Options
from postman_codegen.plan import plan
from postman_codegen.plan_values import credential_variables
from postman_codegen.render import render_package
from server import Server

SCHEMA = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"
USER_QUERY = "query($id: ID!, $first: Int) { user(id: $id) { posts(first: $first) { id } } }"


def _graphql(name: str, query: str, variables: str) -> dict[str, Any]:
    return {"name": name, "response": [], "request": {
        "method": "POST", "url": "{{base}}/graphql",
        "header": [{"key": "Content-Type", "value": "application/json"}],
        "body": {"mode": "graphql", "graphql": {"query": query, "variables": variables}}}}


def _raw(name: str, raw: str, headers: list[dict[str, str]], language: str = "") -> dict[str, Any]:
    body: dict[str, Any] = {"mode": "raw", "raw": raw}
    if language:
        body["options"] = {"raw": {"language": language}}
    return {"name": name, "response": [], "request": {
        "method": "POST", "url": "{{base}}/soap", "header": headers, "body": body}}


GRAPHQL = {
    "info": {"name": "GraphQL API", "schema": SCHEMA},
    "variable": [{"key": "base", "value": "http://placeholder"},
                 {"key": "tenant", "value": "t-1"}, {"key": "org", "value": "acme"},
                 {"key": "limit", "value": "25"}, {"key": "pages", "value": "2"}],
    "item": [
        _graphql("User", USER_QUERY, json.dumps({
            "id": "{{userId}}", "first": 10, "after": "<string>", "label": "user {{userId}}",
            "tenant": "{{tenant}}"})),
        _graphql("Search", "query($term: JSON) { search(term: $term) { id } }",
                 '{\n  "term": {{term}},\n  "limit": {{limit}},\n  "tenant": "{{tenant}}"\n}'),
        _graphql("Org", '{ org(slug: "{{org}}") { name } }', ""),
        _graphql("Team", 'query { team(id: "{{teamId}}") { id } }',
                 '{"team": "{{teamId}}", "tenant": "{{tenant}}"}'),
        _graphql("Plain", "{ me { id } }", '{"n": 5}'),
        {"name": "Report", "response": [], "request": {
            "method": "POST", "url": "{{base}}/reports", "body": {
                "mode": "raw", "raw": '{"pages": {{pages}}, "title": "{{org}} report"}',
                "options": {"raw": {"language": "json"}}}}},
    ],
}

ENVELOPE = (
    '<?xml version="1.0" encoding="utf-8"?>\n'
    '<soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">'
    "<soap:Body><Login><Username>{{username}}</Username><Password>{{password}}</Password>"
    "<Note><![CDATA[{{note}}]]></Note></Login></soap:Body></soap:Envelope>")

SOAP = {
    "info": {"name": "Soap Service", "schema": SCHEMA},
    "variable": [{"key": "base", "value": "http://placeholder"},
                 {"key": "mood", "value": "fine"}, {"key": "lang", "value": "en"},
                 {"key": "pw", "value": "collection-pw-0004"},
                 {"key": "note", "value": "COLLECTION-SECRET-0007", "type": "secret"}],
    "item": [
        _raw("Login", ENVELOPE, [{"key": "Content-Type", "value": "text/xml; charset=utf-8"},
                                 {"key": "SOAPAction", "value": "urn:Login"}]),
        _raw("Greet", "Hello {{name}}, you are <b>{{mood}}</b>", [], "text"),
        _raw("Legacy login", "<Auth><Password>{{pw}}</Password><Lang>{{lang}}</Lang></Auth>",
             [], "xml"),
        {"name": "Echo", "response": [], "request": {
            "method": "POST", "header": [], "body": {"mode": "raw", "raw": "trace {{trace}}"},
            "url": {"raw": "{{base}}/echo?trace={{trace}}", "host": ["{{base}}"], "path": ["echo"],
                    "query": [{"key": "trace", "value": "{{trace}}", "disabled": True}]}}},
        _raw("Session close", '{{header}}\n<CloseRQ><POS pcc="{{pcc}}"/></CloseRQ>\n{{footer}}', [], "xml"),
    ],
}

ENVIRONMENTS = {
    "graphql_api": [("userId", "USER-SECRET-0005", "secret"), ("teamId", "team-env-0008", "")],
    "soap_service": [("username", "env-user-0001", ""), ("password", "S3cret-PASS-0002", "secret"),
                     ("name", "NAME-SECRET-0003", "secret"), ("mood", "env-mood-0006", "")],
}
# Secrets (typed so, or used in a credential-like XML element) and plain environment
# values: none is written by default; with `environment_defaults`, only the plain ones.
SECRETS = ("USER-SECRET-0005", "S3cret-PASS-0002", "NAME-SECRET-0003", "collection-pw-0004",
           "COLLECTION-SECRET-0007")
PLAIN = ("env-user-0001", "env-mood-0006", "team-env-0008")


def _write(folder: Path, environments: bool) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for stem, collection in (("graphql_api", GRAPHQL), ("soap_service", SOAP)):
        (folder / f"{stem}.postman_collection.json").write_text(json.dumps(collection))
        if environments:
            values = [{"key": k, "value": v, "enabled": True, **({"type": t} if t else {})}
                      for k, v, t in ENVIRONMENTS[stem]]
            (folder / f"{stem}.postman_environment.json").write_text(
                json.dumps({"name": stem, "values": values}))
    return folder


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("templates")
    generate(_write(tmp / "src", environments=False), tmp / "out")
    return tmp / "out"


@pytest.fixture(scope="module")
def gql(out: Path) -> ModuleType:
    return import_package(out / "graphql_api")


@pytest.fixture(scope="module")
def soap(out: Path) -> ModuleType:
    return import_package(out / "soap_service")


def test_generated_packages_pass_mypy_strict_and_ruff(out: Path) -> None:
    packages = [out / "graphql_api", out / "soap_service"]
    result = mypy(packages)
    assert result.returncode == 0, result.stdout[-3000:]
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *map(str, packages)],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout[-3000:]


# -- GraphQL -------------------------------------------------------------------------


def test_graphql_variables_are_a_template_of_keywords(gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url) as client:
        client.user(user_id="42")
        client.user(user_id=42, tenant="t-2")
    first, second = http_server.requests
    assert (first.method, first.path, first.content_type) == ("POST", "/graphql",
                                                               "application/json")
    # "{{userId}}" alone is the value itself; inside text it is text; `<string>` never sent
    assert first.json() == {"query": USER_QUERY, "variables": {
        "id": "42", "first": 10, "label": "user 42", "tenant": "t-1"}}
    assert second.json()["variables"] == {"id": 42, "first": 10, "label": "user 42",
                                          "tenant": "t-2"}
    assert b"<string>" not in first.body + second.body


def test_the_async_client_fills_the_same_templates(
        gql: ModuleType, soap: ModuleType, http_server: Server) -> None:
    async def calls() -> None:
        async with gql.AsyncClient(http_server.url) as client:
            await client.user(user_id="a")
        async with soap.AsyncClient(http_server.url) as client:
            await client.legacy_login(pw="&")

    asyncio.run(calls())
    user, login = http_server.requests
    assert user.json()["variables"]["id"] == "a"
    assert login.body == b"<Auth><Password>&amp;</Password><Lang>en</Lang></Auth>"


def test_graphql_variables_need_their_keywords_or_a_whole_variables(
        gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url) as client:
        with pytest.raises(TypeError, match="user_id"):
            client.user()
        with pytest.raises(TypeError, match=r"variables=.*user_id"):
            client.user(variables={"id": "1"}, user_id="2")
        assert http_server.requests == []
        client.user(variables={"id": "1"})
        client.search(term=["a", {"b": None}])  # a bare {{term}} takes any JSON
    whole, search = http_server.requests
    assert whole.json() == {"query": USER_QUERY, "variables": {"id": "1"}}
    # a bare {{limit}} with the value `25` is the number, as Postman's text substitution gives
    assert search.json()["variables"] == {"term": ["a", {"b": None}], "limit": 25,
                                          "tenant": "t-1"}


def test_a_variable_most_graphql_requests_use_is_a_client_setting(
        gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url, tenant="acme-tenant") as client:
        client.search(term=1)
    assert http_server.requests[0].json()["variables"]["tenant"] == "acme-tenant"
    with gql.Client(http_server.url, tenant=None) as client, pytest.raises(TypeError,
                                                                         match="tenant"):
        client.search(term=1)


def test_variables_in_the_graphql_query_are_text_keywords(
        gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url) as client:
        client.org()
        client.org(org="x-y")
        client.team(team_id="T1")  # one keyword fills the query and the variables
        with pytest.raises(TypeError, match=r"query=.*org"):
            client.org(query="{ me { id } }", org="z")
        client.org(query="{ me { id } }")
    org, org2, team, replaced = http_server.requests
    assert org.json() == {"query": '{ org(slug: "acme") { name } }', "variables": {}}
    assert org2.json()["query"] == '{ org(slug: "x-y") { name } }'
    assert team.json() == {"query": 'query { team(id: "T1") { id } }',
                           "variables": {"team": "T1", "tenant": "t-1"}}
    assert replaced.json()["query"] == "{ me { id } }"


def test_graphql_without_variables_keeps_the_collections_defaults(
        gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url) as client:
        client.plain()
        client.plain(variables={"n": 1})
    assert [s.json() for s in http_server.requests] == [
        {"query": "{ me { id } }", "variables": {"n": 5}},
        {"query": "{ me { id } }", "variables": {"n": 1}}]


def test_a_bare_json_variable_defaults_to_its_value_as_json(
        gql: ModuleType, http_server: Server) -> None:
    with gql.Client(http_server.url) as client:
        client.report()
    assert http_server.requests[0].json() == {"pages": 2, "title": "acme report"}


# -- raw text bodies ---------------------------------------------------------------


def test_a_soap_envelope_escapes_its_values_as_xml(soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        client.login(username="ann", password="p&<'\"x>", note="a]]>b<&")
    seen = http_server.requests[0]
    assert seen.content_type == "text/xml; charset=utf-8"  # the collection's header
    assert seen.headers["SOAPAction"] == "urn:Login"
    assert seen.body.decode() == ENVELOPE.replace("{{username}}", "ann").replace(
        "{{password}}", "p&amp;&lt;&apos;&quot;x&gt;").replace(
        "{{note}}", "a]]]]><![CDATA[>b<&")  # CDATA: as given, `]]>` cannot end it


def test_a_text_body_needs_its_keywords_or_content(soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        with pytest.raises(TypeError, match="username, password, note"):
            client.login()
        with pytest.raises(TypeError, match=r"content=.*username"):
            client.login(content="<x/>", username="a")
        assert http_server.requests == []
        client.login(content="<x>&</x>")
    assert http_server.requests[0].body == b"<x>&</x>"  # a whole body is sent as given


def test_a_plain_text_body_inserts_values_as_given_in_one_pass(
        soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        client.greet(name="Ann")
        client.greet(name="A&B <{{mood}}>", mood="glad")
    first, second = http_server.requests
    assert (first.body, first.content_type) == (b"Hello Ann, you are <b>fine</b>", "text/plain")
    assert second.body == b"Hello A&B <{{mood}}>, you are <b>glad</b>"


def test_an_xml_language_body_escapes_too(soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        client.legacy_login(pw="<&>")
    seen = http_server.requests[0]
    assert (seen.body, seen.content_type) == (
        b"<Auth><Password>&lt;&amp;&gt;</Password><Lang>en</Lang></Auth>", "application/xml")


def test_variables_outside_the_xml_elements_hold_xml_inserted_as_given(
        soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        client.session_close(header="<Envelope><Body>", footer="</Body></Envelope>", pcc="A&B")
    assert http_server.requests[0].body == (
        b'<Envelope><Body>\n<CloseRQ><POS pcc="A&amp;B"/></CloseRQ>\n</Body></Envelope>')


def test_a_variable_optional_elsewhere_is_required_when_the_body_needs_it(
        soap: ModuleType, http_server: Server) -> None:
    with soap.Client(http_server.url) as client:
        with pytest.raises(TypeError, match="trace"):
            client.echo()
        client.echo(trace="t1")
    seen = http_server.requests[0]
    assert (seen.query, seen.body) == ([("trace", "t1")], b"trace t1")


# -- secrets ----------------------------------------------------------------------------


def test_no_secret_used_in_a_text_or_graphql_body_is_written(tmp_path: Path) -> None:
    result = run_cli("generate", "-j", "1", "-o", tmp_path / "out",
                     _write(tmp_path / "src", environments=True))
    assert result.exit_code == 0, result.output
    files = [p for p in (tmp_path / "out").rglob("*") if p.is_file()]
    assert len(files) > 6
    for value in SECRETS + PLAIN:
        assert not [p.name for p in files if value in p.read_text("utf-8")], value
    for var in ("userId", "password", "name", "note", "pw", "username"):
        assert result.output.count(f"{{{{{var}}}}}") == 1, (var, result.output)


def test_environment_defaults_take_plain_values_never_secrets(tmp_path: Path) -> None:
    src = _write(tmp_path, environments=True)
    rendered = {}
    for stem in ("graphql_api", "soap_service"):
        path = src / f"{stem}.postman_collection.json"
        env = load_environment(src / f"{stem}.postman_environment.json")
        rendered[stem] = render_package(plan(load(path), env, stem,
                                             Options(environment_defaults=True)))
    for value in PLAIN:  # the opt-in works
        assert any(value in pkg["client.py"] for pkg in rendered.values()), value
    for value in SECRETS:
        assert not any(value in text for pkg in rendered.values() for text in pkg.values()), value


# -- the runtime helpers ---------------------------------------------------------------


def test_fill_text_is_one_pass_and_leaves_unknown_variables() -> None:
    assert rt.fill_text("{{a}}-{{ b }}-{{c}}", {"a": "{{b}}", "b": 2}) == "{{b}}-2-{{c}}"
    assert rt.fill_text("x={{v}}", {"v": None}) == "x="
    assert rt.fill_text("{{v}}", {"v": {"k": [True]}}) == '{"k": [true]}'


def test_fill_xml_escapes_outside_cdata_only() -> None:
    template = "<a t='{{v}}'>{{v}}</a><![CDATA[{{v}}]]>"
    assert rt.fill_xml(template, {"v": "<'&\"]]>"}) == (
        "<a t='&lt;&apos;&amp;&quot;]]&gt;'>&lt;&apos;&amp;&quot;]]&gt;</a>"
        "<![CDATA[<'&\"]]]]><![CDATA[>]]>")


def test_fill_xml_keeps_markup_variables_as_given() -> None:
    fill = rt.fill_xml_keeping("head")
    assert fill("{{head}}<a>{{v}}</a>", {"head": "<x>", "v": "<y>"}) == "<x><a>&lt;y&gt;</a>"


def test_fill_json_inserts_a_value_containing_a_variable_as_text() -> None:
    filled = rt.fill_json({"a": "{{x}}", "b": "<{{x}}|{{y}}>"}, {"x": "{{y}}", "y": 1})
    assert filled == {"a": "{{y}}", "b": "<{{y}}|1>"}


def test_credential_keys_in_graphql_and_text_bodies_mark_their_variables(tmp_path: Path) -> None:
    collection = {"info": {"name": "Creds", "schema": SCHEMA}, "item": [
        _graphql("Login", 'mutation { login(password: "{{p}}", user: "{{u}}") { ok } }',
                 '{"input": {"apiKey": "{{k}}", "page": "{{page}}"}}'),
        _raw("Auth", "<a:Token kind='x'>{{t}}</a:Token><Lang>{{lang}}</Lang>", [], "xml"),
        _raw("Form", "secret={{s}}&q={{q}}", [], "text"),
    ]}
    path = tmp_path / "creds.postman_collection.json"
    path.write_text(json.dumps(collection))
    found = credential_variables(load(path).requests())
    assert found == {"p", "k", "t", "s"}
