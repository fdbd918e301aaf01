"""The runtime module as ordinary code: generator/postman_codegen/runtime.py, imported
directly and driven through httpx.MockTransport (no network)."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from postman_codegen import runtime as rt

BASE = "https://api.example.com/v1"
Handler = Callable[[httpx.Request], httpx.Response]


def transport(handler: Handler, **config: Any) -> rt.SyncTransport:
    creds = config.pop("credentials", {"access_token": "s3cret-token"})
    cfg = rt.Config(BASE, creds, config.pop("headers", None), config.pop("timeout", None),
                    **config)
    return rt.SyncTransport(cfg, httpx.Client(transport=httpx.MockTransport(handler)))


def ok(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"path": request.url.path})


def test_origin_and_trust() -> None:
    assert rt.origin("https://api.example.com/x") == ("https", "api.example.com", 443)
    assert rt.origin("http://api.example.com:8080") == ("http", "api.example.com", 8080)
    cfg = rt.Config(BASE, {}, bases={"rest_base_url": "https://rest.example.com/", "x": None})
    assert cfg.trusted("https://api.example.com:443/other")
    assert cfg.trusted("https://rest.example.com/v2/items")
    assert not cfg.trusted("http://api.example.com/x")  # scheme downgrade
    assert not cfg.trusted("https://api.example.com.evil.net/x")
    bare = rt.Config("https://api.example.com", {})
    assert bare.trusted("https://api.example.com/x") and bare.trusted("https://api.example.com")
    for url in ("https://api.example.com.evil.net/x", "https://api.example.com@evil.net/x",
                "https://api.example.com:8443/x", "http://api.example.com/x"):
        assert not bare.trusted(url), url


def sent(creds: dict[str, Any], url: str = "/a", **call: Any) -> httpx.Request:
    """The request a call puts on the wire."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport(handler, credentials=creds, headers={"X-Tenant": "t"}).call(
        "GET", url, parse=rt.any_json, **call)
    return seen[-1]


def test_credentials_only_for_trusted_origins() -> None:
    key = {"api_key": "k"}
    home = sent(key, auth=rt.API_KEY_QUERY, auth_key="key")
    assert home.url.params["key"] == "k" and home.headers["X-Tenant"] == "t"
    away = sent(key, "https://other.example.com/a", base="", auth=rt.API_KEY_QUERY,
                auth_key="key")
    assert "key" not in away.url.params and "X-Tenant" not in away.headers
    assert "key" not in sent(key, auth=rt.NOAUTH, auth_key="key").url.params
    header = sent(key, auth=rt.API_KEY_HEADER, auth_key="X-Key")
    assert header.headers["X-Key"] == "k"


@pytest.mark.parametrize(("kind", "creds", "header"), [
    (rt.BEARER, {"access_token": "t"}, "Bearer t"),
    (rt.BEARER, {"access_token": lambda: "fresh"}, "Bearer fresh"),
    (rt.BASIC, {"username": "u", "password": "p"}, "Basic dTpw"),
    (rt.NONE, {"access_token": "t"}, None),
    (rt.OTHER, {"access_token": "t"}, None),
])
def test_authorize(kind: rt.AuthKind, creds: dict[str, Any], header: str | None) -> None:
    assert sent(creds, auth=kind).headers.get("Authorization") == header


def test_client_auth_replaces_the_collection_scheme() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={})

    transport(handler, auth=httpx.BasicAuth("a", "b")).call(
        "GET", "/a", parse=rt.any_json, auth=rt.BEARER)
    assert seen[-1].headers["Authorization"] == "Basic YTpi"
    cfg = rt.Config(BASE, {"access_token": "t"}, auth=httpx.BasicAuth("a", "b"))
    assert cfg.http_auth(rt.BEARER, httpx.URL(BASE)) is cfg.auth
    assert cfg.http_auth(rt.NONE, httpx.URL(BASE)) is cfg.auth
    assert cfg.http_auth(rt.NOAUTH, httpx.URL(BASE)) is None
    assert cfg.http_auth(rt.BEARER, httpx.URL("https://evil.example.com")) is None
    digest = rt.Config(BASE, {"username": "u", "password": "p"})
    assert isinstance(digest.http_auth(rt.DIGEST, httpx.URL(BASE)), httpx.DigestAuth)


def test_redact_hides_every_form_of_a_secret() -> None:
    secret = "a b/c+d"
    cfg = rt.Config(BASE, {"api_key": secret, "username": "ada", "scope": "read"},
                    {"X-Tenant": "tenant-1", "Accept": "application/json"})
    url = httpx.URL(BASE, params={"key": secret, "q": "x"})
    text = cfg.redact(f"{url} {secret} tenant-1 ada read application/json")
    assert text == f"{BASE}?key=***&q=x *** *** ada read application/json"


def test_decode() -> None:
    assert rt.decode(b"%PDF\xff", None, rt.raw, "bytes") == b"%PDF\xff"
    assert rt.decode("é".encode("latin-1"), "latin-1", rt.text, "text") == "é"
    assert rt.decode(b"", None, rt.or_none(rt.any_json), "json_or_empty") is None
    assert rt.decode(b"<html>", None, rt.any_json, "any") == "<html>"
    assert rt.decode(b'{"a": 1}', None, rt.any_json, "json") == {"a": 1}
    with pytest.raises(rt.ParseError, match="a JSON body"):
        rt.decode(b"", None, rt.any_json, "json")
    with pytest.raises(rt.ParseError, match="nested less than"):
        rt.decode(b"[" * 100_000 + b"]" * 100_000, None, rt.any_json, "json")


def test_response_and_parse_error_context() -> None:
    sent: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"id": "x"}, headers={"ETag": "e"})

    t = transport(handler)
    full = t.call("GET", "/a", parse=rt.any_json, auth=rt.BEARER)
    assert (full.status, full.headers["ETag"], full.parsed) == (200, "e", {"id": "x"})
    assert sent[-1].headers["Authorization"] == "Bearer s3cret-token"

    def parse(value: Any, path: str) -> int:
        raise rt.error(path + ".id", "integer", value["id"])

    with pytest.raises(rt.ParseError) as err:
        t.call("GET", "/a", parse=parse, auth=rt.BEARER)
    e = err.value
    assert (e.method, e.url, e.status, e.text) == ("GET", BASE + "/a", 200, '{"id":"x"}')
    assert str(e).startswith("$.id: expected integer, got string (response to GET")
    assert "s3cret-token" not in str(e)


def test_api_error_message_is_redacted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(403, text=f"bad key in {request.url}")

    t = transport(handler, credentials={"api_key": "k-123456"})
    with pytest.raises(rt.ApiError) as err:
        t.call("GET", "/a", parse=rt.any_json, auth=rt.API_KEY_QUERY, auth_key="key")
    for text in (str(err.value), repr(err.value), err.value.url, err.value.text):
        assert "k-123456" not in text and "***" in text


def test_streamed_body_over_the_limit_without_content_length() -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(100):
            yield b"x" * 100

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=chunks())

    t = transport(handler, max_response_bytes=1000)
    with pytest.raises(rt.ResponseTooLarge, match="1000"):
        t.call("GET", "/a", parse=rt.text, expect="text")


def test_redirect_rules() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if request.url.path == "/v1/loop":
            return httpx.Response(302, headers={"Location": "/v1/loop"})
        if request.url.path == "/v1/ftp":
            return httpx.Response(302, headers={"Location": "ftp://files.example.com/x"})
        if request.url.path == "/v1/post":
            return httpx.Response(303, headers={"Location": "https://other.example.com/r"})
        return ok(request)

    t = transport(handler, headers={"X-Tenant": "t"})
    t.http.headers["X-Caller-Key"] = "c"
    with pytest.raises(rt.RedirectRefused, match="more than 20 redirects"):
        t.call("GET", "/loop", parse=rt.any_json)
    with pytest.raises(rt.RedirectRefused, match="'ftp' URL"):
        t.call("GET", "/ftp", parse=rt.any_json)
    seen.clear()
    t.call("POST", "/post", parse=rt.any_json, auth=rt.BEARER, json_body={"a": 1},
           headers=[("X-Session-Id", "s"), ("X-Request-Id", "r")])
    there = seen[-1]
    assert (there.method, there.url.host, there.content) == ("GET", "other.example.com", b"")
    assert there.headers["Host"] == "other.example.com"
    assert there.headers["X-Request-Id"] == "r"
    for name in ("Authorization", "X-Tenant", "X-Caller-Key", "Content-Type",
                 "Content-Length", "X-Session-Id"):
        assert name not in there.headers
    assert seen[-2].headers["X-Caller-Key"] == "c" and "User-Agent" in there.headers


def test_owned_and_caller_clients() -> None:
    own = httpx.Client()
    t = rt.SyncTransport(rt.Config(BASE, {}), own)
    t.close()
    assert not own.is_closed and t._deadline().end is None
    own.close()
    made = rt.SyncTransport(rt.Config(BASE, {}), None)
    assert made._deadline().seconds == rt.DEFAULT_TIMEOUT
    made.close()
    assert made.http.is_closed
    with pytest.raises(ValueError, match="timeout"):
        rt.Config(BASE, {}, None, -1)


def test_client_credentials_token_lifetime(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [100.0]
    monkeypatch.setattr(rt.time, "monotonic", lambda: now[0])
    cc = rt.ClientCredentials("https://auth.example.com/token", "id", "sec ret", "read")
    request = cc.request()
    assert request.headers["Authorization"] == "Basic aWQ6c2VjJTIwcmV0"
    assert dict(httpx.QueryParams(request.content.decode())) == {
        "grant_type": "client_credentials", "scope": "read"}
    fetched: list[int] = []

    def send(r: httpx.Request) -> bytes:
        fetched.append(1)
        return json.dumps({"access_token": f"t{len(fetched)}", "expires_in": 100}).encode()

    assert cc.fetch(send) == "t1" and cc.fetch(send) == "t1"
    now[0] += 91
    assert cc.fetch(send) == "t2"
    assert "sec ret" not in repr(cc)
    with pytest.raises(rt.ParseError, match="token"):
        cc.store(b'{"token_type": "bearer"}')


def test_client_credentials_async_lock() -> None:
    cc = rt.ClientCredentials("https://auth.example.com/token", "id", "secret")
    calls: list[int] = []

    async def send(r: httpx.Request) -> bytes:
        calls.append(1)
        await asyncio.sleep(0.01)
        return b'{"access_token": "t", "expires_in": 3600}'

    async def many() -> list[str]:
        return await asyncio.gather(*(cc.afetch(send) for _ in range(10)))

    assert asyncio.run(many()) == ["t"] * 10 and calls == [1]


def test_httpx_log_lines_are_redacted(caplog: pytest.LogCaptureFixture) -> None:
    cfg = rt.Config(BASE, {"api_key": "log-secret-1"})
    caplog.set_level(logging.INFO, logger="httpx")
    logging.getLogger("httpx").info("HTTP Request: %s %s", "GET", f"{BASE}?k=log-secret-1")
    assert "log-secret-1" not in caplog.text and "k=***" in caplog.text
    del cfg
