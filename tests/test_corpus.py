"""Every real collection in ../shared/corpus generates, imports, type-checks and round-trips.

The counters are derived, not written down: MANIFEST.tsv states what each file holds,
`count_collection` counts it again from the JSON, and the `stats` table and the
generated package must agree with both.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import CORPUS_FILES, corpus_manifest, corpus_param
from helpers import (
    Counts,
    check_example,
    count_collection,
    has_placeholder,
    import_package,
    json_examples,
    load_collection,
    mypy,
    run_cli,
)

MANIFEST = corpus_manifest()


def _stats_row(path: Path) -> dict[str, int]:
    """The numbers `postman-codegen stats` prints for one collection."""
    result = run_cli("stats", path)
    assert result.exit_code == 0, result.output
    header, _, row = result.stdout.splitlines()
    names = [c.strip() for c in header.strip("|").split("|")]
    cells = [c.strip() for c in row.strip("|").split("|")]
    return {n: int(c) for n, c in zip(names[1:], cells[1:], strict=True)}


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
def test_every_corpus_file_is_in_the_manifest() -> None:
    assert {p.name.removesuffix(".postman_collection.json") for p in CORPUS_FILES} == set(MANIFEST)


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", [corpus_param(p) for p in CORPUS_FILES])
def test_corpus_collection_generates_typechecks_lints_and_round_trips(
    path: Path, corpus_tree: Callable[[Path], Path],
) -> None:
    collection = load_collection(path)
    counts = count_collection(collection)
    row = MANIFEST[path.name.removesuffix(".postman_collection.json")]
    assert counts == Counts(
        int(row["n_requests"]), int(row["n_examples"]), int(row["n_json_examples"]),
        counts.typed_examples, int(row["n_folders"]),
    ), "the file no longer holds what MANIFEST.tsv says"

    stats = _stats_row(path)
    assert (stats["requests"], stats["examples"], stats["JSON typed"]) == (
        counts.requests, counts.examples, counts.typed_examples)

    (pkg_dir,) = [p for p in corpus_tree(path).iterdir() if p.is_dir()]
    package = import_package(pkg_dir)
    assert len(package.ENDPOINTS) == counts.requests
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
    # Every JSON example the generator counts as typed has a model that parses it.
    assert typed + skipped == counts.typed_examples
    result = mypy([pkg_dir])
    assert result.returncode == 0, result.stdout[-3000:]
    lint = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--isolated", "--no-cache", str(pkg_dir)],
        check=False, capture_output=True, text=True,
    )
    assert lint.returncode == 0, lint.stdout[-3000:]
