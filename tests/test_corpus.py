"""Every real collection in ../shared/corpus generates, imports, type-checks and round-trips."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CORPUS
from helpers import (
    check_example,
    generate,
    has_placeholder,
    import_package,
    json_examples,
    load_collection,
    mypy,
)

# Files above this size run only with --run-slow (make test-corpus).
SLOW_BYTES = 1_000_000

FILES = sorted(CORPUS.glob("*.postman_collection.json")) if CORPUS.is_dir() else []


def _param(path: Path) -> object:
    marks = [pytest.mark.slow] if path.stat().st_size > SLOW_BYTES else []
    return pytest.param(path, id=path.name.removesuffix(".postman_collection.json"), marks=marks)


@pytest.mark.skipif(not FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", [_param(p) for p in FILES])
def test_corpus_collection_generates_typechecks_and_round_trips(path: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    generate(path, out)
    (pkg_dir,) = [p for p in out.iterdir() if p.is_dir()]
    package = import_package(pkg_dir)
    collection = load_collection(path)
    typed = skipped = 0
    for ep, where, t, body in json_examples(package, collection):
        if has_placeholder(body):
            skipped += 1  # `"<integer>"` is a type hint, not sample data
            continue
        try:
            check_example(t, body)
        except Exception as exc:  # pragma: no cover - the message is the point
            raise AssertionError(f"{where} ({ep.qualname}): {exc}") from exc
        typed += 1
    result = mypy([pkg_dir])
    assert result.returncode == 0, result.stdout[-3000:]
