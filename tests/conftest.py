"""Shared fixtures: the repository layout, the `--run-slow` switch, the hypothesis
profiles, output trees generated once per test session, and the local test server.

Generating is the expensive step of this suite (black formats every file), so a tree
that several tests read is generated once per session, shared by the xdist workers,
and copied by any test that changes it (`copy_tree`); and each worker remembers what
black made of a text (`_black_memo`).
"""

from __future__ import annotations

import csv
import fcntl
import functools
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, is_hypothesis_test, settings

import helpers
from server import Server

ROOT = Path(__file__).resolve().parent.parent
COLLECTIONS = ROOT / "collections"
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_FILES = sorted(CORPUS.glob("*.postman_collection.json")) if CORPUS.is_dir() else []
# Corpus files above either size run only with --run-slow (make test-corpus): the time
# to generate one grows with its requests (their client code) and its bytes (examples).
SLOW_BYTES = 1_000_000
SLOW_REQUESTS = 90
# Larger, but in `make test` all the same: the corpus's only `file` request bodies.
ALWAYS_FAST = {"salesforce-platform"}


@functools.cache
def corpus_manifest() -> dict[str, dict[str, str]]:
    """MANIFEST.tsv of the corpus: a row per collection, by its short name."""
    path = CORPUS / "MANIFEST.tsv"
    if not path.is_file():
        return {}
    with path.open(encoding="utf-8") as f:
        return {row["short_name"]: row for row in csv.DictReader(f, delimiter="\t")}


def corpus_param(path: Path) -> object:
    """A corpus file as a test parameter, marked slow above `SLOW_BYTES` or
    `SLOW_REQUESTS` (but `ALWAYS_FAST`): every test of the corpus splits it the same
    way, so `make test` builds nine trees holding every auth and body kind of the
    corpus but apikey (the fixtures have it), and `make test-corpus` the others."""
    name = path.name.removesuffix(".postman_collection.json")
    requests = int(corpus_manifest().get(name, {}).get("n_requests", 0))
    slow = name not in ALWAYS_FAST and (
        path.stat().st_size > SLOW_BYTES or requests > SLOW_REQUESTS)
    return pytest.param(path, id=name, marks=[pytest.mark.slow] if slow else [])


# Hypothesis profiles: `suite` for `make test`, `full` (four times the examples) with
# --run-slow (`make test-corpus` runs every property test again with it), `fuzz` by hand:
# `HYPOTHESIS_PROFILE=fuzz pytest -p no:xdist tests/test_properties.py`. No deadline
# (an example formats code with black; its time depends on the machine, not on the
# input). No shrinking but in `fuzz`: each example runs black, and shrinking a failure
# can take minutes; `fuzz` shrinks to the smallest failing collection.
settings.register_profile(
    "suite", max_examples=15, deadline=None, print_blob=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    phases=[Phase.explicit, Phase.reuse, Phase.generate],
)
settings.register_profile("full", settings.get_profile("suite"), max_examples=60)
settings.register_profile("fuzz", settings.get_profile("suite"), max_examples=400,
                          phases=list(Phase))


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--run-slow", action="store_true",
                     help="also run tests marked slow, and property tests at the full budget")


def pytest_configure(config: pytest.Config) -> None:
    """The profile is loaded before the test modules, whose budgets derive from it."""
    default = "full" if config.getoption("--run-slow") else "suite"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", default))


@pytest.hookimpl(tryfirst=True)  # before `-m slow` selects
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--run-slow"):
        for item in items:  # `make test-corpus` runs them again, at the full budget
            if is_hypothesis_test(getattr(item, "obj", None)):
                item.add_marker(pytest.mark.slow)
        return
    skip = pytest.mark.skip(reason="slow: run with --run-slow (make test-corpus)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


# -- trees generated once per session ------------------------------------------------


class Trees:
    """Output folders built once per session, under a lock, for every xdist worker.

    Each tree is built with its own empty working directory, so a tree's bytes never
    depend on the test that asked first, and a build that leaves any file there (a
    payload that ran) fails. Trees are read-only by agreement: copy before changing."""

    def __init__(self, root: Path) -> None:
        self.root = root / "trees"
        self.root.mkdir(exist_ok=True)

    def get(self, key: str, build: Callable[[Path], object]) -> Path:
        out = self.root / key
        cwd = self.root / f"{key}.cwd"
        with (self.root / f"{key}.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if not (self.root / f"{key}.done").exists():
                shutil.rmtree(out, ignore_errors=True)
                shutil.rmtree(cwd, ignore_errors=True)
                cwd.mkdir()
                with pytest.MonkeyPatch.context() as mp:
                    mp.chdir(cwd)
                    build(out)
                assert list(cwd.iterdir()) == [], f"building {key} wrote into its cwd"
                (self.root / f"{key}.done").touch()
        return out


@pytest.fixture(scope="session")
def trees(tmp_path_factory: pytest.TempPathFactory) -> Trees:
    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker has its own basetemp; their parent is the session's.
    return Trees(base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base)


@pytest.fixture(scope="session")
def seeds_out(trees: Trees) -> Path:
    """collections/ generated once: the folder holding `salesforce_bulk/`, `zoho_crm/`."""
    return trees.get("seeds", lambda out: helpers.generate(COLLECTIONS, out))


@pytest.fixture(scope="session")
def generated_tree(trees: Trees) -> Callable[[Path], Path]:
    """`generated_tree(source)`: the output folder of one collection file, built once."""
    def get(source: Path) -> Path:
        key = f"{source.parent.name}-{source.name.removesuffix('.postman_collection.json')}"
        return trees.get(key, lambda out: helpers.generate(source, out))
    return get


@pytest.fixture(scope="session")
def corpus_tree(trees: Trees) -> Callable[[Path], Path]:
    """`corpus_tree(source)`: a corpus collection generated once, with an environment
    that marks every variable secret (`helpers.generate_with_secrets`). The round-trip
    and type-check tests and the secret scan read the same tree."""
    def get(source: Path) -> Path:
        key = f"secrets-{source.name.removesuffix('.postman_collection.json')}"
        return trees.get(key, lambda out: helpers.generate_with_secrets(source, out))
    return get


@pytest.fixture(scope="session", autouse=True)
def _black_memo() -> Iterator[None]:
    """`black.format_str` remembered per worker, by text and mode.

    black is a pure function of its input: a block it formatted once (the 55 KB
    runtime every package holds, the seeds' models) gives the same bytes every
    time, so this suite's hundred generations run black only on text it has not
    seen. Every file is still exactly black's output; the generator's own block
    cache (fmt.py) is above this one and its tests count the calls it makes. The
    subprocess tests (byte identity under another hash seed, the wheel, the 50 MB
    input) run black itself."""
    import black

    real = black.format_str

    @functools.lru_cache(maxsize=8192)
    def format_str(src_contents: str, *, mode: black.Mode) -> str:
        return real(src_contents, mode=mode)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(black, "format_str", format_str)
        yield


@pytest.fixture(scope="session", autouse=True)
def _mypy_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """One mypy cache per worker: typeshed and httpx are analysed once, not per call."""
    helpers.MYPY_CACHE = tmp_path_factory.getbasetemp() / "mypy-cache"


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
