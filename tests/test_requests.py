"""What generated clients send, called for real against the local server.

One fixture collection per case (tests/fixtures/requests/): forms and bodies as
Postman sends them, sample values never sent, secrets never written into code,
one parameter per variable, client settings and base URLs, headers.
"""

from __future__ import annotations

import asyncio
import inspect
import io
import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from conftest import CORPUS_FILES, corpus_param
from helpers import generate, import_package, mypy, run_cli, secret_values
from postman_codegen.collection import load, load_environment
from postman_codegen.options import Options
from postman_codegen.plan import plan
from postman_codegen.render import render_package
from server import Server

FIXTURES = Path(__file__).parent / "fixtures" / "requests"
NAMES = ("bodies", "samples", "api_secrets", "settings", "headers")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("requests") / "out"
    generate(FIXTURES, out)
    return out


@pytest.fixture(scope="module")
def pkgs(out: Path) -> dict[str, ModuleType]:
    return {name: import_package(out / name) for name in NAMES}


def test_generated_clients_pass_mypy_strict_and_ruff(out: Path) -> None:
    result = mypy([out / name for name in NAMES])
    assert result.returncode == 0, result.stdout[-3000:]
    files = [str(out / n / f) for n in NAMES for f in ("client.py", "_runtime.py", "__init__.py")]
    lint = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", *files],
                          capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout[-3000:]


def _signature(method: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(method).parameters)


# -- 1 and 7: forms and bodies as Postman sends them ----------------------------


def test_disabled_form_fields_are_optional_keywords_not_sent(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    sig = _signature(pkgs["bodies"].Client.create_customer)
    assert sig["description"].default is None and sig["balance"].default is None
    assert sig["name"].default is inspect.Parameter.empty  # `<string>`: required
    with pkgs["bodies"].Client(http_server.url) as client:
        client.create_customer(name="Ann")
        client.create_customer(name="Bo", description="vip", balance=3, metadata_vip=True)
    first, second = http_server.requests
    assert first.content_type == "application/x-www-form-urlencoded"
    assert first.form() == [("email", "ann@example.com"), ("name", "Ann")]
    assert second.form() == [("email", "ann@example.com"), ("name", "Bo"),
                             ("description", "vip"), ("balance", "3"), ("metadata[vip]", "true")]


def test_formdata_is_multipart_with_the_boundary_in_the_header(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["bodies"].Client(http_server.url) as client:
        client.upload(file=b"PNG")
        client.upload(file=("a.txt", io.BytesIO(b"text"), "text/plain"), note="n")
        client.text_fields()
    first, second, third = http_server.requests
    assert first.headers.get_all("Content-Type") == [first.content_type]
    assert first.content_type.startswith("multipart/form-data; boundary=")
    assert first.multipart() == [("purpose", None, None, b"avatar"),
                                 ("file", "photo.png", "image/png", b"PNG")]
    assert second.multipart() == [("purpose", None, None, b"avatar"),
                                  ("file", "a.txt", "text/plain", b"text"),
                                  ("note", None, None, b"n")]
    # formdata without a file part is multipart too
    assert third.multipart() == [("a", None, None, b"1")]


def test_raw_bodies_keep_their_content_type_and_an_empty_object_is_optional(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    sig = _signature(pkgs["bodies"].Client.ping)
    assert sig["body"].default is None
    with pkgs["bodies"].Client(http_server.url) as client:
        client.ping()
        client.touch(body={"a": 1})
        client.soap(content="<a>2</a>")
        client.typed_text(content="x,y")
    ping, touch, soap, typed = http_server.requests
    assert (ping.method, ping.body, ping.content_type) == ("GET", b"{}", "application/json")
    assert touch.json() == {"a": 1}
    assert (soap.body, soap.content_type) == (b"<a>2</a>", "application/xml")
    assert (typed.body, typed.content_type) == (b"x,y", "text/csv")  # the collection's header


def test_a_text_body_with_variables_is_a_template_too(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["bodies"].Client(http_server.url) as client:
        client.soap_call(ref="r1")
        with pytest.raises(TypeError, match="content=.*ref"):
            client.soap_call(content="<x/>", ref="r2")
        client.soap_call(content="<x/>")
    first, second = http_server.requests
    assert (first.body, first.content_type) == (b"<a>r1</a><u>eu</u>", "application/xml")
    assert second.body == b"<x/>"


def test_graphql_uses_the_collections_variables_by_default(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["bodies"].Client(http_server.url) as client:
        client.query()
        client.query(variables={"n": 1})
    assert [s.json()["variables"] for s in http_server.requests] == [{"n": 5}, {"n": 1}]
    assert http_server.requests[0].json()["query"].startswith("query($n: Int)")


def test_query_flags_are_sent_without_equals(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["bodies"].Client(http_server.url) as client:
        client.search()
        client.search(debug=True, q="b c")
    assert [s.raw_query for s in http_server.requests] == ["verbose&q=a", "verbose&q=b%20c&debug"]


# -- 2 and 8: samples and placeholders are never sent ------------------------------


def test_placeholders_type_parameters_and_are_never_defaults(pkgs: dict[str, ModuleType]) -> None:
    sig = _signature(pkgs["samples"].Client.find)
    for name in ("query", "limit", "exact", "session", "cursor", "code"):
        assert sig[name].default is inspect.Parameter.empty, name
    assert (sig["limit"].annotation, sig["exact"].annotation) == ("int", "bool")
    assert (sig["page"].default, sig["active"].default) == (2, True)
    assert sig["ids"].default is None
    assert _signature(pkgs["samples"].Client.order)["items_0_quantity"].annotation == "int"


def test_query_values_are_typed_on_the_wire(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["samples"].Client(http_server.url) as client:
        client.find(query="q", limit=5, exact=False, session="s", cursor="c", code="")
    assert http_server.requests[0].query == [
        ("query", "q"), ("limit", "5"), ("exact", "false"), ("page", "2"), ("active", "true"),
        ("session", "s"), ("cursor", "c"), ("code", "")]


def test_a_json_template_needs_its_variables_and_never_sends_placeholders(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["samples"].Client(http_server.url) as client:
        with pytest.raises(TypeError, match="merchant_account, amount"):
            client.pay()
        client.pay(merchant_account="M", amount=10)
        with pytest.raises(TypeError, match=r"body=.*amount"):
            client.pay(body={"x": 1}, amount=1)
        client.pay(body={"x": 1})
    first, second = http_server.requests
    assert first.json() == {"merchantAccount": "M", "amount": {"value": 10, "currency": "EUR"}}
    assert second.json() == {"x": 1}


# -- 3: no secret in generated code -------------------------------------------------


def _secret_values() -> list[str]:
    env = json.loads((FIXTURES / "secrets.postman_environment.json").read_text())
    return [v["value"] for v in env["values"] if v["key"] != "base"] + [
        "collection-plain", "hunter2-literal"]


def test_no_secret_or_environment_value_is_written(out: Path) -> None:
    texts = {p: p.read_text("utf-8") for p in (out / "api_secrets").rglob("*") if p.is_file()}
    for value in _secret_values():
        assert not [p.name for p, t in texts.items() if value in t], value


def test_each_skipped_value_is_named_once(tmp_path: Path) -> None:
    result = run_cli("generate", "-j", "1", "-o", tmp_path / "out",
                     FIXTURES / "secrets.postman_collection.json")
    for var in ("token", "apiKey", "session", "plain", "client_secret", "client_id", "region",
                "hidden"):
        assert result.output.count(f"{{{{{var}}}}}") == 1, var


def test_environment_defaults_is_an_opt_in_that_never_takes_secrets() -> None:
    path = FIXTURES / "secrets.postman_collection.json"
    env = load_environment(FIXTURES / "secrets.postman_environment.json")
    plain = render_package(plan(load(path), env, "s"))["client.py"]
    opted = render_package(plan(load(path), env, "s", Options(environment_defaults=True)))
    assert "eu-west-0006" not in plain and "client-id-visible-0004" not in plain
    assert re.search(r"region: str = ['\"]eu-west-0006", opted["client.py"])
    for value in _secret_values()[:3] + ["client-secret-REAL-0005", "collection-plain"]:
        assert not any(value in text for text in opted.values()), value


def test_environment_defaults_is_a_configuration_key(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("secrets.postman_collection.json", "secrets.postman_environment.json"):
        shutil.copy(FIXTURES / name, tmp_path / name)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.postman-codegen]\nsources = ["."]\noutput = "out"\nenvironment_defaults = true\n')
    monkeypatch.chdir(tmp_path)
    assert run_cli("generate", "-q", "-j", "1").exit_code == 0
    client = (tmp_path / "out" / "api_secrets" / "client.py").read_text("utf-8")
    assert 'region: str = "eu-west-0006"' in client
    assert "client-secret-REAL-0005" not in client and "eyJ-REAL-TOKEN-0001" not in client


def test_credentials_go_where_the_collection_says(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with pkgs["api_secrets"].Client(http_server.url, access_token="t") as client:
        client.me(api_key="k", region="r", session="s", plain="p")
    seen = http_server.requests[0]
    assert seen.query == [("key", "k"), ("region", "r")]
    assert (seen.headers["Authorization"], seen.headers["X-Session-Token"]) == ("Bearer t", "s")


# -- 4, 5, 6: one parameter per variable, settings, base URLs, host parts -----------


def test_a_variable_most_requests_use_is_a_client_setting(
        pkgs: dict[str, ModuleType], http_server: Server, other_server: Server) -> None:
    init = _signature(pkgs["settings"].Client.__init__)
    assert init["merchant_account"].default == "TestMerchant"
    assert init["rest_base_url"].default == "https://rest.test.example"
    assert init["base_url"].default == "https://soap.test.example"
    with pkgs["settings"].Client(http_server.url, rest_base_url=other_server.url) as client:
        client.authorise()
        client.authorise(merchant_account="Call")
        client.capture(ref="r")
        client.token(client_secret="S")
    with pkgs["settings"].Client(http_server.url, merchant_account="Mine") as client:
        client.refund()
    a, b, capture, refund = http_server.requests
    assert (a.query, a.headers["X-Merchant"]) == ([("merchant", "TestMerchant")], "TestMerchant")
    assert (b.query, b.headers["X-Merchant"]) == ([("merchant", "Call")], "Call")
    assert capture.json() == {"merchantAccount": "TestMerchant", "ref": "r"}
    assert refund.query == [("m", "Mine")]
    (token,) = other_server.requests
    assert (token.path, token.query, token.headers["X-Client-Secret"]) == (
        "/token", [("client_secret", "S")], "S")


def test_async_client_uses_settings_too(pkgs: dict[str, ModuleType], http_server: Server) -> None:
    async def run() -> None:
        async with pkgs["settings"].AsyncClient(http_server.url, merchant_account="A") as c:
            await c.refund()

    asyncio.run(run())
    assert http_server.requests[0].query == [("m", "A")]


def test_an_unset_second_base_url_fails_before_sending(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with (pkgs["settings"].Client(http_server.url, rest_base_url=None) as client,
          pytest.raises(ValueError, match="rest_base_url")):
        client.token(client_secret="S")
    assert http_server.requests == []


def test_a_path_prefix_after_a_base_url_cannot_change_the_host(
        pkgs: dict[str, ModuleType], other_server: Server) -> None:
    """`{{rest_endpoint}}{{site}}/site`: `site` is a path prefix, empty by default."""
    with pkgs["settings"].Client("http://unused.invalid", rest_base_url=other_server.url) as c:
        c.site()
        c.site("/portal")
        for bad in ("@evil.example", ".evil.example", "x", "/a?b", "/../admin"):
            with pytest.raises(ValueError, match="site"):
                c.site(bad)
    assert [s.path for s in other_server.requests] == ["/site", "/portal/site"]


def test_host_parts_are_validated(pkgs: dict[str, ModuleType], http_server: Server) -> None:
    port = http_server.url.rsplit(":", 1)[1]
    with pkgs["settings"].Client("http://unused.invalid") as client:
        client.tenant("1", port)
        for bad in ("evil.example.net/steal?x=", "a@b", "", "x:1"):
            with pytest.raises(ValueError, match="octet"):
                client.tenant(bad, port)
    assert [s.path for s in http_server.requests] == ["/tenant"]


# -- headers -------------------------------------------------------------------------


def test_header_precedence_call_over_client_over_collection(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    http_server.answer(200, {"名前": {"a": 1}})
    with pkgs["headers"].Client(http_server.url) as client:
        client.get_item("1", 名前="v", trace="t")
        client.get_item("1", 名前="v", trace="t", headers={"X-Env": "call"})
    with pkgs["headers"].Client(http_server.url, headers={"X-Env": "client"}) as client:
        client.get_item("1", 名前="v", trace="t")
        client.get_item("1", 名前="v", trace="t", headers={"x-env": "call"})
    assert [s.headers.get_all("X-Env") for s in http_server.requests] == [
        ["collection"], ["call"], ["client"], ["call"]]
    first = http_server.requests[0]
    assert first.headers.get_all("X-Dup") == ["a", "b"]  # duplicate keys are all sent
    assert (first.path, first.query) == ("/items/1", [("名前", "v")])


@pytest.mark.parametrize("bad", ["a\r\nX-Evil: 1", "caf\u00e9", " lead", "trail "])
def test_invalid_header_values_name_the_parameter(
        pkgs: dict[str, ModuleType], http_server: Server, bad: str) -> None:
    with (pkgs["headers"].Client(http_server.url) as client,
          pytest.raises(ValueError, match="'trace'")):
        client.get_item("1", 名前="v", trace=bad)
    assert http_server.requests == []


def test_empty_path_parameter_is_an_error(pkgs: dict[str, ModuleType], http_server: Server) -> None:
    with (pkgs["headers"].Client(http_server.url) as client,
          pytest.raises(ValueError, match="'id'")):
        client.get_item("", 名前="v", trace="t")
    assert http_server.requests == []


def test_caseless_parameter_never_takes_a_model_class_name(
        pkgs: dict[str, ModuleType], http_server: Server) -> None:
    """`名前` is a query parameter and a response key: the class is `名前Model`."""
    assert "名前" in _signature(pkgs["headers"].Client.get_item)
    assert not hasattr(pkgs["headers"], "名前") and hasattr(pkgs["headers"], "名前Model")
    http_server.answer(200, {"名前": {"a": 1}})
    with pkgs["headers"].Client(http_server.url) as client:
        assert client.get_item("1", 名前="v", trace="t").名前.a == 1


def test_every_method_takes_per_call_headers(pkgs: dict[str, ModuleType]) -> None:
    for pkg in pkgs.values():
        for name, method in inspect.getmembers(pkg.Client, inspect.isfunction):
            if not name.startswith("_") and name not in ("close",):
                assert "headers" in _signature(method), name


# -- 3: the secret scan over the corpus ------------------------------------------------

@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", [corpus_param(p) for p in CORPUS_FILES])
def test_corpus_secret_scan(path: Path, corpus_tree: Callable[[Path], Path]) -> None:
    """Every variable gets a secret value in an environment: none may be written."""
    text = path.read_text("utf-8-sig")
    scanned = {k: v for k, v in secret_values(path).items()
               if v not in text}  # in the collection itself: not ours to hide
    out = corpus_tree(path)
    leaks = []
    for file in out.rglob("*"):
        if file.is_file():
            content = file.read_text("utf-8", errors="replace")
            leaks += [f"{file.name}: {k}" for k, v in scanned.items() if v in content]
    assert not leaks, leaks[:20]
