"""Generated clients against hostile or careless servers: credential scope, redirects,
limits, full responses, error context, auth (digest, OAuth2, httpx.Auth).

The fixture collections in tests/fixtures/runtime/ are generated once per module and
called for real against the local server (tests/server.py)."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import logging
import re
import time
from collections.abc import Generator
from pathlib import Path
from types import ModuleType
from typing import Any
from urllib.parse import parse_qsl

import httpx
import pytest

from helpers import generate, import_package, run_cli
from server import Reply, Seen, Server

FIXTURES = Path(__file__).parent / "fixtures" / "runtime"
SECRET = "tok-Secret-123"


@pytest.fixture(scope="module")
def pkgs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, ModuleType]:
    out = tmp_path_factory.mktemp("runtime")
    generate(FIXTURES, out)
    return {p.name: import_package(p) for p in out.iterdir() if p.is_dir()}


@pytest.fixture
def shop(pkgs: dict[str, ModuleType]) -> ModuleType:
    return pkgs["shop"]


# -- full responses, bytes, empty bodies, error context ---------------------------


def test_with_response_gives_status_headers_value_and_bytes(
    http_server: Server, shop: ModuleType
) -> None:
    http_server.answer(200, {"id": 1, "name": "pen"}, {"ETag": '"v1"', "X-Rate-Left": "9"})
    with shop.Client(http_server.url, access_token=SECRET) as client:
        full = client.get_item_with_response("1")
        assert client.get_item("1") == full.parsed
    assert full.status == full.status_code == 200
    assert full.headers["ETag"] == '"v1"' and full.headers["x-rate-left"] == "9"
    assert isinstance(full.parsed, shop.GetItem) and full.parsed.name == "pen"
    assert json.loads(full.content) == {"id": 1, "name": "pen"}
    assert http_server.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"


def test_async_with_response(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(201, {"id": 2, "name": "pen"}, {"Location": "/items/2"})

    async def call() -> Any:
        async with shop.AsyncClient(http_server.url, access_token=SECRET) as client:
            return await client.create_item_with_response(body={"name": "pen"})

    full = asyncio.run(call())
    assert full.status == 201 and full.parsed.id == 2
    assert full.headers["Location"] == "/items/2"
    assert http_server.requests[-1].json() == {"name": "pen"}


def test_binary_response_is_bytes(http_server: Server, shop: ModuleType) -> None:
    pdf = b"%PDF-1.4\n\xff\xfe\x00\x81binary\r\n%%EOF"
    http_server.answer(200, pdf, {"Content-Type": "application/pdf"})
    with shop.Client(http_server.url) as client:
        assert client.invoice_pdf() == pdf


def test_empty_204_is_none(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(204, b"")
    with shop.Client(http_server.url, access_token=SECRET) as client:
        assert client.delete_item("1") is None
        assert client.delete_item_with_response("1").status == 204
    assert http_server.requests[-1].method == "DELETE"


def test_parse_error_carries_the_call_context(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": "one", "name": "pen"}, {"X-Request-Id": "r-7"})
    with (
        shop.Client(http_server.url, access_token=SECRET) as client,
        pytest.raises(shop.ParseError) as err,
    ):
        client.get_item("1")
    e = err.value
    assert (e.path, e.method, e.status) == ("$.id", "GET", 200)
    assert e.url == f"{http_server.url}/items/1"
    assert e.headers["X-Request-Id"] == "r-7"
    assert json.loads(e.text) == {"id": "one", "name": "pen"}
    message = str(e)
    assert "$.id: expected integer, got string" in message
    assert f"GET {http_server.url}/items/1: HTTP 200" in message and '"one"' in message
    assert SECRET not in message + repr(e)


def test_api_error_keeps_typed_body(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(404, {"message": "no such item"})
    with shop.Client(http_server.url) as client, pytest.raises(shop.ApiError) as err:
        client.get_item("9")
    assert err.value.status == 404 and err.value.body.message == "no such item"


# -- deep nesting, limits, deadline --------------------------------------------------

DEEP = "[" * 100_000 + "]" * 100_000


def test_deep_nesting_on_success_is_a_parse_error(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, DEEP, {"Content-Type": "application/json"})
    with shop.Client(http_server.url) as client, pytest.raises(shop.ParseError) as err:
        client.tree()
    assert "nested less than" in str(err.value) and err.value.status == 200


def test_deep_nesting_on_error_is_an_api_error_without_body(
    http_server: Server, shop: ModuleType
) -> None:
    http_server.answer(500, DEEP, {"Content-Type": "application/json"})
    with shop.Client(http_server.url) as client, pytest.raises(shop.ApiError) as err:
        client.get_item("1")
    assert err.value.status == 500 and err.value.body is None


def test_response_size_limit(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": 1, "name": "x" * 5000})
    with shop.Client(http_server.url, max_response_bytes=1000) as client:
        with pytest.raises(shop._runtime.ResponseTooLarge, match=r"max_response_bytes \(1000\)"):
            client.get_item("1")
        http_server.answer(200, {"id": 1, "name": "x" * 900})
        assert client.get_item("1").id == 1
    with shop.Client(http_server.url) as client:
        assert client._t.config.max_response_bytes == 64 * 1024 * 1024


def test_deadline_covers_the_whole_call(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": 1, "name": "pen", "pad": "x" * 20}, drip=0.4)
    start = time.monotonic()
    with (
        shop.Client(http_server.url, timeout=1.0) as client,
        pytest.raises(httpx.TimeoutException),
    ):
        client.get_item("1")
    assert time.monotonic() - start < 2.5


def test_deadline_async(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": 1, "name": "pen", "pad": "x" * 20}, drip=0.4)

    async def call() -> None:
        async with shop.AsyncClient(http_server.url, timeout=1.0) as client:
            await client.get_item("1")

    start = time.monotonic()
    with pytest.raises(httpx.TimeoutException):
        asyncio.run(call())
    assert time.monotonic() - start < 2.5


# -- caller-owned objects ---------------------------------------------------------------


def test_caller_http_client_is_not_closed_and_timeout_applies(
    http_server: Server, shop: ModuleType
) -> None:
    http_server.answer(200, {"id": 1, "name": "pen", "pad": "x" * 20}, drip=0.4)
    own = httpx.Client(timeout=60)
    start = time.monotonic()
    with (
        shop.Client(http_server.url, http=own, timeout=1.0) as client,
        pytest.raises(httpx.TimeoutException),
    ):
        client.get_item("1")
    assert time.monotonic() - start < 2.5
    assert not own.is_closed
    http_server.answer(200, {"id": 1, "name": "pen"})
    with shop.Client(http_server.url, http=own) as client:
        assert client.get_item("1").id == 1
    assert not own.is_closed
    own.close()
    client = shop.Client(http_server.url)
    client.close()
    assert client._t.http.is_closed


def test_caller_async_client_is_not_closed(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": 1, "name": "pen"})

    async def call() -> bool:
        own = httpx.AsyncClient()
        async with shop.AsyncClient(http_server.url, http=own) as client:
            await client.get_item("1")
        closed = own.is_closed
        await own.aclose()
        return closed

    assert asyncio.run(call()) is False


def test_bad_limits_are_refused(shop: ModuleType) -> None:
    with pytest.raises(ValueError, match="timeout"):
        shop.Client("http://127.0.0.1:9", timeout=0)
    with pytest.raises(ValueError, match="max_response_bytes"):
        shop.Client("http://127.0.0.1:9", max_response_bytes=0)


# -- credentials stay with their origin -------------------------------------------------


def _redirect(to: str, status: int = 302) -> Any:
    return lambda seen: Reply(status, headers={"Location": to})


def test_redirect_to_another_origin_drops_credentials(
    http_server: Server, other_server: Server, shop: ModuleType
) -> None:
    http_server.route("/items/1", _redirect(other_server.url + "/landing"))
    other_server.answer(200, {"id": 1, "name": "elsewhere"})
    headers = {"X-Tenant-Secret": "tenant-s3cret"}
    with shop.Client(http_server.url, access_token=SECRET, headers=headers) as client:
        assert client.get_item("1").name == "elsewhere"
    first, there = http_server.requests[-1], other_server.requests[-1]
    assert first.headers["Authorization"] == f"Bearer {SECRET}"
    assert first.headers["X-Tenant-Secret"] == "tenant-s3cret"
    assert there.path == "/landing" and there.headers["Accept"] == "application/json"
    for name in ("Authorization", "X-Tenant-Secret", "Cookie"):
        assert name not in there.headers
    assert SECRET not in repr(there)


def test_same_origin_redirect_keeps_credentials(http_server: Server, shop: ModuleType) -> None:
    http_server.route("/items/1", _redirect("/items/2", 301))
    http_server.answer(200, {"id": 2, "name": "moved"}, path="/items/2")
    with shop.Client(http_server.url, access_token=SECRET) as client:
        assert client.get_item("1").id == 2
    assert http_server.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"


def test_307_body_is_resent_only_to_the_same_origin(
    http_server: Server, other_server: Server, shop: ModuleType
) -> None:
    http_server.route("/items", _redirect("/items-v2", 307))
    http_server.answer(201, {"id": 3, "name": "pen"}, path="/items-v2")
    with shop.Client(http_server.url, access_token=SECRET) as client:
        assert client.create_item(body={"name": "pen"}).id == 3
        moved = http_server.requests[-1]
        assert (moved.method, moved.path, moved.json()) == ("POST", "/items-v2", {"name": "pen"})
        for status in (307, 308):
            http_server.route("/items", _redirect(other_server.url + "/steal", status))
            with pytest.raises(shop._runtime.RedirectRefused, match="another origin"):
                client.create_item(body={"name": "secret plan"})
    assert other_server.requests == []


def test_303_to_another_origin_becomes_a_get_without_body(
    http_server: Server, other_server: Server, shop: ModuleType
) -> None:
    http_server.route("/items", _redirect(other_server.url + "/done", 303))
    other_server.answer(200, {"id": 4, "name": "pen"})
    with shop.Client(http_server.url, access_token=SECRET) as client:
        client.create_item(body={"name": "pen"})
    there = other_server.requests[-1]
    assert (there.method, there.body) == ("GET", b"")
    assert "Authorization" not in there.headers and "Content-Type" not in there.headers


def test_redirect_back_to_the_origin_does_not_regain_credentials(
    http_server: Server, other_server: Server, shop: ModuleType
) -> None:
    http_server.route("/items/1", _redirect(other_server.url + "/bounce"))
    other_server.route("/bounce", _redirect(http_server.url + "/items/2"))
    http_server.answer(200, {"id": 2, "name": "pen"}, path="/items/2")
    with shop.Client(http_server.url, access_token=SECRET) as client:
        client.get_item("1")
    assert "Authorization" not in http_server.requests[-1].headers


def test_a_request_on_another_host_gets_no_credentials(
    tmp_path: Path, http_server: Server, other_server: Server
) -> None:
    col = json.loads((FIXTURES / "shop.postman_collection.json").read_text())
    col["variable"] = [{"key": "baseUrl", "value": http_server.url}]
    col["item"] = [col["item"][0], {"name": "Foreign", "request": {
        "method": "GET", "url": other_server.url + "/foreign"}, "response": []}]
    (tmp_path / "two.postman_collection.json").write_text(json.dumps(col))
    generate(tmp_path / "two.postman_collection.json", tmp_path / "out")
    two = import_package(tmp_path / "out" / "two")
    http_server.answer(200, {"id": 1, "name": "pen"})
    with two.Client(access_token=SECRET, headers={"X-Secret": "h-secret"}) as client:
        client.get_item("1")
        client.foreign()
    assert http_server.requests[-1].headers["Authorization"] == f"Bearer {SECRET}"
    there = other_server.requests[-1]
    assert there.path == "/foreign"
    assert "Authorization" not in there.headers and "X-Secret" not in there.headers


def test_api_key_in_query_is_redacted_and_stays_home(
    http_server: Server, other_server: Server, pkgs: dict[str, ModuleType],
    caplog: pytest.LogCaptureFixture,
) -> None:
    keys = pkgs["keys"]
    key = "k3y/with space+plus"
    http_server.answer(500, {"error": f"bad key {key}"})
    caplog.set_level(logging.INFO, logger="httpx")
    with keys.Client(http_server.url, api_key=key) as client, pytest.raises(keys.ApiError) as err:
        client.search(q="pen")
    assert dict(http_server.requests[-1].query) == {"q": "pen", "api_key": key}
    e = err.value
    assert "***" in e.url and "api_key=***" in str(e)
    logs = caplog.text
    assert "api_key=***" in logs
    encoded = httpx.URL("http://x/", params={"k": key}).query.decode()[2:]
    for text in (str(e), repr(e), e.url, e.text, logs):
        assert key not in text and encoded not in text
    http_server.route("/search", _redirect(other_server.url + "/search?q=pen"))
    other_server.answer(200, [])
    with keys.Client(http_server.url, api_key=key) as client:
        client.search(q="pen")
    assert dict(other_server.requests[-1].query) == {"q": "pen"}


def test_api_key_header_replaces_the_static_one_and_stays_home(
    http_server: Server, other_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    keys = pkgs["keys"]
    with keys.Client(http_server.url, api_key="live-key") as client:
        client.by_header.lookup()
        assert http_server.requests[-1].headers.get_all("X-API-Key") == ["live-key"]
        assert "api_key" not in http_server.requests[-1].raw_query
        http_server.route("/lookup", _redirect(other_server.url + "/lookup", 308))
        client.by_header.lookup()
    assert "X-API-Key" not in other_server.requests[-1].headers


def test_noauth_request_sends_no_token(http_server: Server, shop: ModuleType) -> None:
    with shop.Client(http_server.url, access_token=SECRET) as client:
        client.public_status()
    assert "Authorization" not in http_server.requests[-1].headers


def test_token_callable(http_server: Server, shop: ModuleType) -> None:
    http_server.answer(200, {"id": 1, "name": "pen"})
    tokens = iter(["first", "second"])
    with shop.Client(http_server.url, access_token=lambda: next(tokens)) as client:
        client.get_item("1")
        client.get_item("1")
    assert [s.headers["Authorization"] for s in http_server.requests] == [
        "Bearer first", "Bearer second"]


# -- digest, OAuth2 client credentials, any httpx.Auth ---------------------------------


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


def digest_checker(user: str, password: str) -> Any:
    """A route that answers 401 with a challenge unless the digest is right."""
    challenge = Reply(401, {"error": "auth"}, {
        "WWW-Authenticate": 'Digest realm="test", nonce="n0nce", qop="auth", algorithm=MD5'})

    def route(seen: Seen) -> Reply:
        header = seen.headers.get("Authorization") or ""
        if not header.startswith("Digest "):
            return challenge
        f = dict(re.findall(r'(\w+)="?([^",]*)"?', header[7:]))
        ha1 = _md5(f"{user}:test:{password}")
        ha2 = _md5(f"{seen.method}:{f.get('uri')}")
        want = _md5(f"{ha1}:{f.get('nonce')}:{f.get('nc')}:{f.get('cnonce')}:auth:{ha2}")
        ok = f.get("username") == user and f.get("nonce") == "n0nce" and f.get("response") == want
        return Reply(200, {"authenticated": True}) if ok else challenge

    return route


def test_digest_auth_against_a_checking_server(
    http_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    digest = pkgs["digest"]
    http_server.route("/secret", digest_checker("ada", "lovelace"))
    with digest.Client(http_server.url, username="ada", password="lovelace") as client:
        assert client.secret().authenticated is True
    first, second = http_server.requests[-2:]
    assert "Authorization" not in first.headers  # the stale collection header is not sent
    assert second.headers["Authorization"].startswith('Digest username="ada"')
    with (
        digest.Client(http_server.url, username="ada", password="wrong") as client,
        pytest.raises(digest.ApiError) as err,
    ):
        client.secret()
    assert err.value.status == 401 and "wrong" not in str(err.value)


def test_digest_auth_async(http_server: Server, pkgs: dict[str, ModuleType]) -> None:
    digest = pkgs["digest"]
    http_server.route("/secret", digest_checker("ada", "lovelace"))

    async def call() -> Any:
        async with digest.AsyncClient(http_server.url, username="ada",
                                      password="lovelace") as client:
            return await client.secret()

    assert asyncio.run(call()).authenticated is True


class TokenServer:
    """A token endpoint (client credentials) and a resource that checks the token."""

    def __init__(self, server: Server, lifetime: float = 60) -> None:
        self.issued: list[str] = []
        self.lifetime = lifetime
        server.route("/token", self.token)
        server.route("/me", self.me)

    def token(self, seen: Seen) -> Reply:
        basic = base64.b64encode(b"app:app-s3cret").decode()
        form = dict(parse_qsl(seen.body.decode()))
        if seen.headers.get("Authorization") != f"Basic {basic}" or form != {
            "grant_type": "client_credentials", "scope": "read write"}:
            return Reply(401, {"error": "invalid_client"})
        self.issued.append(f"tok-{len(self.issued) + 1}")
        return Reply(200, {"access_token": self.issued[-1], "token_type": "Bearer",
                           "expires_in": self.lifetime})

    def me(self, seen: Seen) -> Reply:
        if self.issued and seen.headers.get("Authorization") == f"Bearer {self.issued[-1]}":
            return Reply(200, {"name": "ada"})
        return Reply(401, {"error": "invalid_token"})


def test_oauth2_client_credentials_fetch_reuse_refresh(
    http_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    oauth = pkgs["oauth"]
    tokens = TokenServer(http_server, lifetime=1)
    with oauth.Client(http_server.url, client_id="app", client_secret="app-s3cret",
                      token_url=http_server.url + "/token") as client:
        assert client.me().name == "ada"
        assert client.me().name == "ada"
        assert tokens.issued == ["tok-1"]
        time.sleep(1.0)
        assert client.me().name == "ada"
    assert tokens.issued == ["tok-1", "tok-2"]
    assert [s.path for s in http_server.requests] == ["/token", "/me", "/me", "/token", "/me"]


def test_oauth2_token_url_and_scope_come_from_the_collection(
    pkgs: dict[str, ModuleType],
) -> None:
    import inspect

    params = inspect.signature(pkgs["oauth"].Client).parameters
    assert params["token_url"].default == "http://127.0.0.1:9/token"
    assert params["scope"].default == "read write"
    assert params["client_secret"].default is None


def test_oauth2_async_fetches_one_token_for_concurrent_calls(
    http_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    oauth = pkgs["oauth"]
    tokens = TokenServer(http_server)

    async def calls() -> list[Any]:
        async with oauth.AsyncClient(http_server.url, client_id="app",
                                     client_secret="app-s3cret",
                                     token_url=http_server.url + "/token") as client:
            return await asyncio.gather(*(client.me() for _ in range(5)))

    assert [r.name for r in asyncio.run(calls())] == ["ada"] * 5
    assert tokens.issued == ["tok-1"]


def test_oauth2_bad_client_secret_is_an_api_error_without_the_secret(
    http_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    oauth = pkgs["oauth"]
    TokenServer(http_server)
    with (
        oauth.Client(http_server.url, client_id="app", client_secret="wrong-s3cret",
                     token_url=http_server.url + "/token") as client,
        pytest.raises(oauth.ApiError) as err,
    ):
        client.me()
    assert err.value.status == 401 and "wrong-s3cret" not in str(err.value)


class FreshHawk(httpx.Auth):
    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["Authorization"] = 'Hawk id="fresh"'
        yield request


def test_any_httpx_auth_for_kinds_the_generator_does_not_implement(
    http_server: Server, other_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    hawk = pkgs["hawk"]
    with hawk.Client(http_server.url) as client:
        client.signed()
    assert "Authorization" not in http_server.requests[-1].headers
    with hawk.Client(http_server.url, auth=FreshHawk()) as client:
        client.signed()
        assert http_server.requests[-1].headers["Authorization"] == 'Hawk id="fresh"'
        http_server.route("/signed", _redirect(other_server.url + "/signed"))
        client.signed()
    assert "Authorization" not in other_server.requests[-1].headers


def test_unsupported_auth_warning_says_what_to_do(tmp_path: Path) -> None:
    result = run_cli("generate", "-j", "1", "-o", tmp_path, FIXTURES / "hawk.postman_collection.json")
    assert result.exit_code == 0
    assert ("auth type 'hawk' is not implemented by the generator: pass an httpx.Auth as "
            "`Client(auth=...)`") in result.output
    assert "headers=" not in result.output


def test_full_response_twins_never_collide_with_request_names(tmp_path: Path) -> None:
    items = [{"name": n, "request": {"method": "GET", "url": f"http://x.example/{i}"},
              "response": []}
             for i, n in enumerate(["Get with response", "Get", "Get with response"])]
    col = {"info": {"name": "Twin", "schema": "https://schema.getpostman.com/json/"
                    "collection/v2.1.0/collection.json"}, "item": items}
    (tmp_path / "twin.postman_collection.json").write_text(json.dumps(col))
    generate(tmp_path / "twin.postman_collection.json", tmp_path / "out")
    twin = import_package(tmp_path / "out" / "twin")
    names = {n for n in dir(twin.Client) if n.startswith("get")}
    assert names == {"get_with_response", "get_with_response_with_response", "get_2",
                     "get_2_with_response", "get_with_response_2",
                     "get_with_response_2_with_response"}
    assert [e.name for e in twin.ENDPOINTS] == ["get_with_response", "get_2",
                                                "get_with_response_2"]


def test_oauth2_token_refused_before_expiry_is_fetched_again_once(
    http_server: Server, pkgs: dict[str, ModuleType]
) -> None:
    oauth = pkgs["oauth"]
    tokens = TokenServer(http_server)
    settings = {"client_id": "app", "client_secret": "app-s3cret",
                "token_url": http_server.url + "/token"}
    with oauth.Client(http_server.url, **settings) as a, oauth.Client(http_server.url,
                                                                      **settings) as b:
        a.me()
        b.me()  # the server now accepts only b's token: a's was revoked
        assert a.me().name == "ada"
        assert tokens.issued == ["tok-1", "tok-2", "tok-3"]
        http_server.route("/me", lambda seen: Reply(401, {"error": "invalid_token"}))
        with pytest.raises(oauth.ApiError):
            a.me()
    assert tokens.issued == ["tok-1", "tok-2", "tok-3", "tok-4"]
