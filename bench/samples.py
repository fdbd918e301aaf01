"""The JSON example bodies of a collection, grouped by the generated type that parses them.

Every contender sees the same bodies:

* ours parses each body with its endpoint's `response_type` (2xx examples) or
  `error_type` (4xx/5xx examples), exactly as the corpus tests do;
* the peers get one sample document `{"g0": [body, body], "g1": [body], ...}`
  with one key per group, so a tool that infers from JSON merges the bodies of
  a group into one type just as our generator merges an endpoint's examples.

Bodies are stored as compact JSON text, so `json.loads` of each body and a
text parser fed the whole document read the same bytes.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

_counter = itertools.count()


@dataclass(slots=True)
class Group:
    """The bodies one generated type parses."""

    key: str  # the key in the peers' sample document
    package: str  # generated package folder
    endpoint: int  # index into the package's ENDPOINTS
    attr: str  # "response_type" or "error_type"
    bodies: list[str] = field(default_factory=list)  # compact JSON text


def import_package(path: Path) -> ModuleType:
    """Import a generated package folder under a fresh, unique module name."""
    name = f"bench_{path.name}_{next(_counter)}"
    spec = importlib.util.spec_from_file_location(
        name, path / "__init__.py", submodule_search_locations=[str(path)])
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def sample_document(groups: list[Group]) -> str:
    """The peers' input: `{"g0": [body, ...], ...}`, built from the same body texts."""
    parts = [f"{json.dumps(g.key)}:[{','.join(g.bodies)}]" for g in groups if g.bodies]
    return "{" + ",".join(parts) + "}"


def collect(out: Path, sources: list[Path], for_parsing: bool) -> tuple[list[Group], dict[str, int]]:
    """Groups of JSON example bodies of collection `sources`, generated into `out`.

    With `for_parsing`, bodies that hold OpenAPI placeholders (`"<integer>"`
    stands for a type, not a value) or that our parser does not round-trip are
    left out, so every contender parses data it was built from. The counts
    say how many bodies were kept and dropped.
    """
    from postman_codegen.bodies import parse_body
    from postman_codegen.collection import status_from_text
    from postman_codegen.config import expand, stem
    from postman_codegen.plan import package_name

    counts = {"kept": 0, "placeholder": 0, "rejected": 0}
    groups: list[Group] = []
    for source in expand(tuple(sources)):
        pkg_dir = out / package_name(stem(source))
        if not (pkg_dir / "__init__.py").exists():
            continue
        package = import_package(pkg_dir)
        collection = _load_collection(source)
        made: dict[tuple[int, str], Group] = {}
        for index, ep in enumerate(package.ENDPOINTS):
            item = _item_at(collection, ep.source)
            for ex in item.get("response") or []:
                if not isinstance(ex, dict) or not isinstance(ex.get("body"), str):
                    continue
                parsed = parse_body(ex["body"])
                attr = _type_attr(ex, status_from_text)
                if parsed.kind != "json" or attr is None or getattr(ep, attr) is None:
                    continue
                if for_parsing and not _usable(getattr(ep, attr), parsed.value, counts):
                    continue
                group = made.get((index, attr))
                if group is None:
                    group = made[(index, attr)] = Group(f"g{len(groups)}", str(pkg_dir), index, attr)
                    groups.append(group)
                group.bodies.append(compact(parsed.value))
                counts["kept"] += 1
    return groups, counts


def _usable(parser: Any, body: Any, counts: dict[str, int]) -> bool:
    if _has_placeholder(body):
        counts["placeholder"] += 1
        return False
    try:
        ok = bool(parser.to_dict(parser.from_dict(body)) == body)
    except Exception:  # noqa: BLE001 - a body ours cannot parse is simply not benchmarked
        ok = False
    if not ok:
        counts["rejected"] += 1
    return ok


def _type_attr(example: dict[str, Any], status_from_text: Any) -> str | None:
    """Which endpoint type parses an example: by its status code, as the tests do."""
    code = example.get("code")
    status = code if isinstance(code, int) else status_from_text(example.get("status"))
    if status is None or 200 <= status < 300:
        return "response_type"
    if status >= 400:
        return "error_type"
    return None


def _has_placeholder(value: Any) -> bool:
    from postman_codegen.infer import placeholder_kind

    def walk(v: Any) -> Iterator[bool]:
        if isinstance(v, str):
            kind = placeholder_kind(v)
            yield kind is not None and kind != "str"
        elif isinstance(v, list):
            for x in v:
                yield from walk(x)
        elif isinstance(v, dict):
            for x in v.values():
                yield from walk(x)

    return any(walk(value))


def _item_at(collection: dict[str, Any], source: str) -> dict[str, Any]:
    """The item at an ENDPOINTS `source` path such as `item[1].item[0]`."""
    node: Any = collection
    if source.startswith("collection."):
        node = node["collection"]
    for index in re.findall(r"item\[(\d+)\]", source):
        node = node["item"][int(index)]
    if "request" not in node and "item" in node and len(node["item"]) == 1:
        node = node["item"][0]
    return node if isinstance(node, dict) else {}


def _load_collection(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text("utf-8-sig"))
    if "info" not in data and "request" in data:
        data = {"item": [data]}
    return data

