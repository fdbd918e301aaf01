"""Helpers for tests: run the CLI in-process, import generated packages, walk models."""

from __future__ import annotations

import ast
import dataclasses
import hashlib
import importlib.util
import itertools
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import jmespath
from click.testing import CliRunner, Result
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from postman_codegen.bodies import parse_body
from postman_codegen.cli import main
from postman_codegen.collection import status_from_text
from postman_codegen.infer import placeholder_kind

GENERATOR = Path(__file__).resolve().parent.parent / "generator"
_counter = itertools.count()
# Set per session by conftest.py: one incremental mypy cache per xdist worker.
MYPY_CACHE: Path | None = None


def run_cli(*args: str | Path) -> Result:
    """`postman-codegen ARGS` in-process; the result has exit_code, stdout, stderr."""
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def generate(sources: list[Path] | Path, out: Path, *extra: str) -> Result:
    srcs = sources if isinstance(sources, list) else [sources]
    result = run_cli("generate", "-q", "-j", "1", "-o", out, *extra, *srcs)
    assert result.exit_code == 0, result.output + (result.stderr or "")
    return result


def import_package(path: Path) -> ModuleType:
    """Import a generated package folder under a fresh, unique module name."""
    name = f"gen_{path.name}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)]
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def item_at(collection: dict[str, Any], source: str) -> dict[str, Any]:
    """The item at an ENDPOINTS `source` path such as `item[1].item[0]`."""
    node: Any = collection
    if source.startswith("collection."):
        node = node["collection"]
    for index in re.findall(r"item\[(\d+)\]", source):
        node = node["item"][int(index)]
    if "request" not in node and "item" in node and len(node["item"]) == 1:
        node = node["item"][0]
    return node


def load_collection(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text("utf-8-sig"))
    if "info" not in data and "request" in data:
        data = {"item": [data]}
    return data


def has_placeholder(value: Any) -> bool:
    """True if an OpenAPI placeholder (`"<integer>"`) stands in for a non-string value."""
    if isinstance(value, str):
        kind = placeholder_kind(value)
        return kind is not None and kind != "str"
    if isinstance(value, list):
        return any(has_placeholder(v) for v in value)
    if isinstance(value, dict):
        return any(has_placeholder(v) for v in value.values())
    return False


def json_examples(package: ModuleType, collection: dict[str, Any]) -> Iterator[tuple[Any, str, Any, Any]]:
    """(endpoint, example name, parse type, body) for every JSON example with a type."""
    for ep in package.ENDPOINTS:
        item = item_at(collection, ep.source)
        for i, ex in enumerate(item.get("response") or []):
            if not isinstance(ex, dict):
                continue
            parsed = parse_body(ex.get("body") if isinstance(ex.get("body"), str) else None)
            if parsed.kind != "json":
                continue
            code = ex.get("code")
            status = code if isinstance(code, int) else status_from_text(ex.get("status"))
            if status is None or 200 <= status < 300:
                t = ep.response_type
            elif status >= 400:
                t = ep.error_type
            else:
                continue
            if t is not None:
                yield ep, f"{ep.source}.response[{i}]", t, parsed.value


@dataclasses.dataclass(frozen=True)
class Counts:
    """What a collection file holds, counted from its JSON alone (no generator code)."""

    requests: int
    examples: int
    json_examples: int  # a body `json.loads` accepts
    typed_examples: int  # of those, the ones with a 2xx, 4xx/5xx or no status code
    folders: int


def _is_json(body: object) -> bool:
    if not isinstance(body, str) or not body.strip():
        return False
    try:
        json.loads(body)
    except ValueError:
        return False
    return True


def count_collection(data: dict[str, Any]) -> Counts:
    requests = examples = json_bodies = typed = folders = 0
    stack = list(data.get("item") or [])
    while stack:
        item = stack.pop()
        if not isinstance(item, dict):
            continue
        if "item" in item:
            folders += 1
            stack.extend(item["item"] or [])
        if "request" not in item:
            continue
        requests += 1
        for ex in item.get("response") or []:
            examples += 1
            if _is_json(ex.get("body")):
                json_bodies += 1
                code = ex.get("code")
                typed += not isinstance(code, int) or not (100 <= code < 200 or 300 <= code < 400)
    return Counts(requests, examples, json_bodies, typed, folders)


def quote_key(key: str) -> str:
    return json.dumps(key)


def leaves(value: Any, expr: str) -> Iterator[tuple[str, Any]]:
    """(jmespath expression, Python leaf value) for every leaf of a parsed value."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            key = f.metadata.get("json_key", f.name)
            child = getattr(value, f.name)
            step = f"{expr}.{quote_key(key)}" if expr else quote_key(key)
            if type(child).__name__ == "Unset":
                yield step, child
                continue
            yield from leaves(child, step)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, f"{expr}[{i}]" if expr else f"[{i}]")
    elif isinstance(value, dict) and not dataclasses.is_dataclass(value):
        for k, item in value.items():
            yield from leaves(item, f"{expr}.{quote_key(k)}" if expr else quote_key(k))
    else:
        yield expr or "@", value


def check_example(t: Any, body: Any) -> int:
    """Round-trip one body and check every leaf against jmespath; returns leaves checked."""
    obj = t.from_dict(body)
    assert t.to_dict(obj) == body, "to_dict(from_dict(body)) != body"
    n = 0
    for expr, leaf in leaves(obj, ""):
        expected = jmespath.search(expr, body)
        if type(leaf).__name__ == "Unset":
            assert expected is None, expr
            continue
        if isinstance(leaf, datetime):  # the text it came from denotes the same moment
            assert isinstance(expected, str), expr
            parsed = datetime.fromisoformat(expected)
            assert (parsed, parsed.utcoffset()) == (leaf, leaf.utcoffset()), expr
            n += 1
            continue
        assert leaf == expected and type(leaf) is type(expected), (expr, leaf, expected)
        n += 1
    return n


def mypy(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """`mypy --strict` over generated packages; give it all of a module's packages at
    once (one process, one analysis of the runtime and httpx)."""
    cache = (["--cache-dir", str(MYPY_CACHE)] if MYPY_CACHE is not None
             else ["--no-incremental", "--cache-dir", os.devnull])
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", *cache, *map(str, paths)],
        check=False, capture_output=True, text=True, cwd=paths[0].parent,
    )


def subprocess_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: this checkout's generator first on its path."""
    path = os.pathsep.join(p for p in (str(GENERATOR), os.environ.get("PYTHONPATH")) if p)
    return {**os.environ, "PYTHONPATH": path, **extra}


def copy_tree(src: Path, dst: Path) -> Path:
    """A private copy of a shared generated tree (lock file included), to change."""
    shutil.copytree(src, dst, symlinks=True)
    return dst


def tree_bytes(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` by its relative POSIX path."""
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}



class PythonSnapshot(SingleFileSnapshotExtension):
    """A syrupy snapshot kept as its own `.py` file, reviewable as Python:
    `assert excerpt(models, "Order") == snapshot(extension_class=PythonSnapshot)`."""

    file_extension = "py"
    _write_mode = WriteMode.TEXT


def excerpt(source: str, *names: str) -> str:
    """The named top-level classes and functions of a generated module, in file order:
    the part of a model a per-feature snapshot shows (generated/ shows the rest)."""
    tree = ast.parse(source)
    found = {n.name: ast.get_source_segment(source, n) for n in tree.body
             if isinstance(n, ast.ClassDef | ast.FunctionDef)}
    missing = set(names) - set(found)
    assert not missing, f"not defined: {sorted(missing)}"
    return "\n\n\n".join(text or "" for name, text in found.items() if name in names) + "\n"


# -- the corpus with every variable secret -------------------------------------------

_VARIABLE = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def secret_values(path: Path) -> dict[str, str]:
    """A value for every variable of a collection (its real environment's values where
    it has one): the corpus is generated with all of them marked secret. Deterministic,
    so every xdist worker computes the values the shared tree was built with."""
    text = path.read_text("utf-8-sig")
    values: dict[str, str] = {}
    real_env = path.with_name(path.name.replace("_collection", "_environment"))
    if real_env.is_file():
        for v in json.loads(real_env.read_text("utf-8-sig")).get("values", []):
            if isinstance(v, dict) and isinstance(v.get("value"), str) and len(v["value"]) >= 6:
                values[v["key"]] = v["value"]
    for i, var in enumerate(sorted(set(_VARIABLE.findall(text)))):
        digest = hashlib.sha256(var.encode()).hexdigest()[:8]
        values.setdefault(var, f"SECRET{i:04d}x{digest}")
    return values


def with_secrets(path: Path, src: Path, text: str | None = None) -> Path:
    """The folder `src` holding collection `path` (or `text` under its name) and an
    environment whose every value is a secret (the values of `path`'s variables)."""
    src.mkdir(parents=True, exist_ok=True)
    if text is None:
        shutil.copy(path, src / path.name)
    else:
        (src / path.name).write_text(text, "utf-8")
    env = {"name": "secrets", "values": [
        {"key": k, "value": v, "enabled": True, "type": "secret"}
        for k, v in secret_values(path).items()]}
    (src / path.name.replace("_collection", "_environment")).write_text(json.dumps(env))
    return src


def generate_with_secrets(path: Path, out: Path) -> None:
    """Generate one collection with an environment whose every value is a secret,
    from the folder `OUT.src` beside `out`."""
    generate(with_secrets(path, out.parent / f"{out.name}.src"), out)
