"""Regeneration after a small collection change gives a small diff.

Deleting one request from twitter-v2 must give exactly the old output minus that
request's code: its methods (sync and async), its ENDPOINTS entry, its README section
and its OpenAPI operation; later siblings only move up one `source` index. The
expected output is computed from the old output, so any other change fails.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import CORPUS
from helpers import copy_tree, generate, tree_bytes, with_secrets

TWITTER = CORPUS / "twitter-v2.postman_collection.json"
FOLDER, INDEX = "Likes", 1  # the second request of the "Likes" folder


def _without_lines(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` without the 1-based inclusive line spans and the blank lines before each."""
    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    for first, last in spans:
        start = first - 1
        while start > 0 and not lines[start - 1].strip():
            start -= 1
        drop.update(range(start, last))
    return "".join(line for i, line in enumerate(lines) if i not in drop)


def _expected_client(before: str, name: str, folder: int, index: int) -> str:
    """The old client.py without the description of request `name`, its methods, their
    `_with_response` twins and its Endpoint entry, later sources shifted down by one."""
    spans = []
    for node in ast.walk(ast.parse(before)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name in (
            name, f"_{name}",
        ) or isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == f"{name}_with_response":
            first = min([d.lineno for d in getattr(node, "decorator_list", [])] + [node.lineno])
            spans.append((first, node.end_lineno or node.lineno))
        elif isinstance(node, ast.Call) and any(
            k.arg == "name" and isinstance(k.value, ast.Constant) and k.value.value == name
            for k in node.keywords
        ):
            spans.append((node.lineno, node.end_lineno or node.lineno))
    assert len(spans) >= 6, f"{name}: expected its description, sync, async, their twins and ENDPOINTS code"

    def shift(m: re.Match[str]) -> str:
        k = int(m.group(1))
        return f'source="item[{folder}].item[{k - 1 if k > index else k}]'

    pattern = rf'source="item\[{folder}\]\.item\[(\d+)\]'
    return re.sub(pattern, shift, _without_lines(before, spans))


def _expected_readme(before: str, qualname: str) -> str:
    heading = f"### `client.{qualname}`"
    out, skipping = [], False
    for line in before.splitlines(keepends=True):
        if line.startswith("#"):
            skipping = line.strip() == heading
        if not skipping and f"`client.{qualname}(" not in line:
            out.append(line)
    return "".join(out)


def _expected_openapi(before: dict[str, Any], qualname: str) -> dict[str, Any]:
    paths = {}
    for path, item in before["paths"].items():
        ops = {k: v for k, v in item.items()
               if not (isinstance(v, dict) and v.get("operationId") == qualname)}
        if any(isinstance(v, dict) and "operationId" in v for v in ops.values()):
            paths[path] = ops
    return {**before, "paths": paths}


@pytest.mark.skipif(not TWITTER.exists(), reason="corpus not present")
def test_deleting_a_request_only_removes_its_code(
    tmp_path: Path, corpus_tree: Callable[[Path], Path],
) -> None:
    data = json.loads(TWITTER.read_text("utf-8"))
    folder = next(i for i, f in enumerate(data["item"]) if f["name"] == FOLDER)
    data["item"][folder]["item"].pop(INDEX)

    shared = corpus_tree(TWITTER)  # the corpus test's tree: every variable secret
    (name,) = [p.name for p in shared.iterdir() if p.is_dir()]
    out = copy_tree(shared, tmp_path / "out")
    before = tree_bytes(out / name)
    # Same folder and file names, same environment beside it: only the request differs.
    src = with_secrets(TWITTER, tmp_path / f"{shared.name}.src", json.dumps(data))
    generate(src, out)  # into the old output, as a user regenerates
    after = tree_bytes(out / name)

    old_client = before["client.py"].decode()
    (entry,) = [e for e in re.findall(r"_rt\.Endpoint\((.*?)\n    \)", old_client, re.DOTALL)
                if f'source="item[{folder}].item[{INDEX}]"' in e]
    method = re.search(r'\bname="(\w+)"', entry)
    qualname = re.search(r'qualname="([\w.]+)"', entry)
    assert method and qualname
    assert "response_type=None" in entry and "error_type=None" in entry, (
        "the removed request has a model of its own: models.py would change too")

    assert after["client.py"].decode() == _expected_client(
        old_client, method.group(1), folder, INDEX)
    assert after["README.md"].decode() == _expected_readme(
        before["README.md"].decode(), qualname.group(1))
    assert json.loads(after["openapi.json"]) == _expected_openapi(
        json.loads(before["openapi.json"]), qualname.group(1))
    changed = {"client.py", "README.md", "openapi.json"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed}
