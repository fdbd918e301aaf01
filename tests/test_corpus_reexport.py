"""A collection re-exported by Postman (other whitespace, other key order) is the same
input: its canonical hash is unchanged, so `check` passes without rendering.

Postman keeps item and array order; only object key order and layout vary between
exports, and the example bodies are strings, kept byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS_FILES
from postman_codegen.output import canonical_sha


def _reversed_keys(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _reversed_keys(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [_reversed_keys(v) for v in value]
    return value


@pytest.mark.skipif(not CORPUS_FILES, reason="../shared/corpus is not present")
@pytest.mark.parametrize("path", CORPUS_FILES, ids=lambda p: p.name.split(".")[0])
def test_a_canonical_reexport_of_every_corpus_collection_has_the_same_input_hash(
    path: Path,
) -> None:
    data = path.read_bytes()
    value = json.loads(data)
    for export in (
        json.dumps(_reversed_keys(value), indent="\t", ensure_ascii=True),
        json.dumps(value, separators=(",", ":"), ensure_ascii=False, sort_keys=True),
    ):
        assert export.encode() != data
        assert canonical_sha(export.encode()) == canonical_sha(data)


def test_a_changed_value_changes_the_input_hash() -> None:
    a = {"info": {"name": "x"}, "item": [{"name": "a"}, {"name": "b"}]}
    b = {"info": {"name": "x"}, "item": [{"name": "b"}, {"name": "a"}]}
    assert canonical_sha(json.dumps(a).encode()) != canonical_sha(json.dumps(b).encode())
    assert canonical_sha(json.dumps(a).encode()) == canonical_sha(json.dumps(a, indent=2).encode())
