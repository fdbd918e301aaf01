"""The one local HTTP server of the test suite (127.0.0.1, a thread per server).

Generated clients are called for real against it; it records what went over the
wire and answers with what the test queued:

    http_server.answer(200, {"id": 1}, headers={"ETag": "x"})      # every path
    http_server.answer(404, b"", path="/missing")                  # one path
    http_server.route("/token", lambda seen: Reply(200, {...}))    # computed
    client.things.get("42")
    seen = http_server.requests[-1]
    seen.method, seen.path, seen.query, seen.headers["Authorization"], seen.body

`Reply(drip=0.2)` sends the body one byte at a time (timeouts); a reply to a
redirect is `Reply(302, headers={"Location": other.url + "/x"})`.
Fixtures (conftest.py): `http_server`, and `other_server` for a second origin.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Body = bytes | str | dict[str, Any] | list[Any] | None


def _bytes(body: Body) -> bytes:
    if body is None:
        return b""
    if isinstance(body, bytes):
        return body
    if isinstance(body, str):
        return body.encode("utf-8")
    return json.dumps(body).encode("utf-8")


@dataclass
class Reply:
    """What the server answers: status, headers and body (dict/list -> JSON)."""

    status: int = 200
    body: Body = None
    headers: dict[str, str] | list[tuple[str, str]] = field(default_factory=dict)
    drip: float = 0.0  # seconds between body bytes; 0 sends it at once

    def header_pairs(self) -> list[tuple[str, str]]:
        pairs = list(self.headers.items()) if isinstance(self.headers, dict) else list(
            self.headers)
        if isinstance(self.body, dict | list) and not any(
            k.lower() == "content-type" for k, _ in pairs
        ):
            pairs.append(("Content-Type", "application/json"))
        return pairs


class Headers:
    """Request headers as received: case-insensitive, repeated keys kept."""

    def __init__(self, pairs: list[tuple[str, str]]) -> None:
        self.pairs = pairs

    def __getitem__(self, key: str) -> str:
        for k, v in self.pairs:
            if k.lower() == key.lower():
                return v
        raise KeyError(key)

    def get(self, key: str, default: str | None = None) -> str | None:
        try:
            return self[key]
        except KeyError:
            return default

    def get_all(self, key: str) -> list[str]:
        return [v for k, v in self.pairs if k.lower() == key.lower()]

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and any(k.lower() == key.lower() for k, _ in self.pairs)

    def keys(self) -> list[str]:
        return [k for k, _ in self.pairs]

    def __repr__(self) -> str:
        return f"Headers({self.pairs!r})"


@dataclass
class Seen:
    """One request as it arrived."""

    method: str
    target: str  # the raw request target: path and query, as sent
    headers: Headers
    body: bytes

    @property
    def path(self) -> str:
        """The raw path (percent-encoding kept), without the query."""
        return urlsplit(self.target).path

    @property
    def raw_query(self) -> str:
        return urlsplit(self.target).query

    @property
    def query(self) -> list[tuple[str, str]]:
        """Decoded query pairs in order; `?flag` gives ("flag", "")."""
        return parse_qsl(self.raw_query, keep_blank_values=True)

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type") or ""

    def json(self) -> Any:
        return json.loads(self.body)

    def form(self) -> list[tuple[str, str]]:
        """An urlencoded body's pairs."""
        return parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)

    def multipart(self) -> list[tuple[str, str | None, str | None, bytes]]:
        """A multipart body's parts: (name, filename, content type, content).

        Parsed with the boundary from the Content-Type header, so a body whose
        header lacks the boundary parses to nothing."""
        msg = Message()
        msg["Content-Type"] = self.content_type
        boundary = msg.get_param("boundary")
        if not isinstance(boundary, str):
            return []
        parts = []
        for chunk in self.body.split(b"--" + boundary.encode())[1:]:
            if chunk.startswith(b"--"):
                break
            head, _, content = chunk.partition(b"\r\n\r\n")
            part = Message()
            for line in head.decode("utf-8").strip().split("\r\n"):
                key, _, value = line.partition(":")
                part[key.strip()] = value.strip()
            name = part.get_param("name", header="Content-Disposition")
            filename = part.get_param("filename", header="Content-Disposition")
            parts.append((
                str(name) if name is not None else "",
                str(filename) if filename is not None else None,
                part.get("Content-Type"),
                content[:-2] if content.endswith(b"\r\n") else content,
            ))
        return parts


class Server:
    """A server on 127.0.0.1 answering with queued replies; see the module doc."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self._default = Reply(200, {})
        self._routes: dict[str, Callable[[Seen], Reply]] = {}
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                seen = Seen(self.command, self.path, Headers(list(self.headers.items())),
                            self.rfile.read(length) if length else b"")
                server.requests.append(seen)
                route = server._routes.get(seen.path)
                reply = route(seen) if route else server._default
                body = _bytes(reply.body)
                self.send_response(reply.status)
                for k, v in reply.header_pairs():
                    if k.lower() not in ("content-length", "transfer-encoding", "connection"):
                        self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if reply.drip and body:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(reply.drip)
                elif self.command != "HEAD":
                    self.wfile.write(body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _serve

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()

    def answer(self, status: int = 200, body: Body = None,
               headers: dict[str, str] | list[tuple[str, str]] | None = None, *,
               path: str | None = None, drip: float = 0.0) -> None:
        """Answer every request (or those for `path`) with this reply from now on."""
        reply = Reply(status, body, headers or {}, drip)
        if path is None:
            self._default = reply
        else:
            self._routes[path] = lambda seen: reply

    def example(self, ex: dict[str, Any]) -> None:
        """Answer with a Postman saved example (code, header, body)."""
        headers = [(h["key"], h["value"]) for h in ex.get("header") or []
                   if h["key"].lower() != "content-encoding"]
        self.answer(ex.get("code") or 200, (ex.get("body") or "").encode(), headers)

    def route(self, path: str, handler: Callable[[Seen], Reply]) -> None:
        """Compute the reply for `path` from the request (tokens, digests, redirects)."""
        self._routes[path] = handler

    def reset(self) -> None:
        self.requests.clear()
        self._routes.clear()
        self._default = Reply(200, {})

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def serve() -> Iterator[Server]:
    """A fixture body: one server for the session, reset around every test."""
    server = Server()
    try:
        yield server
    finally:
        server.close()
