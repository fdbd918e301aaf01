"""Regeneration after a small collection change gives a small diff."""

from __future__ import annotations

import difflib
import json
from pathlib import Path

import pytest

from conftest import CORPUS
from helpers import generate

TWITTER = CORPUS / "twitter-v2.postman_collection.json"


def _insertions(before: str, after: str) -> list[str]:
    sm = difflib.SequenceMatcher(a=before.splitlines(), b=after.splitlines(), autojunk=False)
    return [line for tag, _, _, j1, j2 in sm.get_opcodes() if tag in ("insert", "replace")
            for line in after.splitlines()[j1:j2]]


@pytest.mark.skipif(not TWITTER.exists(), reason="corpus not present")
def test_deleting_a_request_only_removes_its_code(tmp_path: Path) -> None:
    data = json.loads(TWITTER.read_text())
    generate(TWITTER, tmp_path / "before")
    # "Likes" folder, second request: delete it and regenerate.
    folder = next(f for f in data["item"] if f["name"] == "Likes")
    removed = folder["item"].pop(1)
    src = tmp_path / "twitter_v2.postman_collection.json"
    src.write_text(json.dumps(data))
    generate(src, tmp_path / "after")
    before = tmp_path / "before" / "twitter_v2"
    after = tmp_path / "after" / "twitter_v2"
    for name in ("client.py", "models.py"):
        old, new = (before / name).read_text(), (after / name).read_text()
        assert new != old or name == "models.py"
        # Later siblings move up one place: only their `source` paths may change.
        changed = [line for line in _insertions(old, new) if "source=" not in line]
        assert changed == [], f"{name}: unrelated code changed"
    assert removed["name"]
