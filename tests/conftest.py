"""Shared fixtures: the repository layout and the `--run-slow` switch."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from server import Server

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / "collections"
CORPUS = ROOT.parent / "shared" / "corpus"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true", help="also run tests marked slow")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (make test-corpus)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# -- the local test server (tests/server.py) ---------------------------------------


@pytest.fixture(scope="session")
def _servers() -> Iterator[tuple[Server, Server]]:
    first, second = Server(), Server()
    yield first, second
    first.close()
    second.close()


@pytest.fixture
def http_server(_servers: tuple[Server, Server]) -> Server:
    """A server on 127.0.0.1, reset for this test."""
    _servers[0].reset()
    return _servers[0]


@pytest.fixture
def other_server(_servers: tuple[Server, Server]) -> Server:
    """A second server (another origin), for redirects and foreign hosts."""
    _servers[1].reset()
    return _servers[1]
