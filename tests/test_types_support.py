"""Support for the type and naming tests (no tests here): plan and render small
collections in-process and read the generated models."""

from __future__ import annotations

import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

from helpers import import_package
from postman_codegen.collection import load
from postman_codegen.infer import ArrayT, MapT, NullableT, ObjectT, TypeNode, UnionT
from postman_codegen.options import Options
from postman_codegen.plan import Package, plan
from postman_codegen.render import render_package

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "types"


def read_fixture(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.postman_collection.json").read_text())
    return data


def plan_dict(data: dict[str, Any], tmp: Path, options: Options | None = None) -> Package:
    stem = re.sub(r"\W+", "_", data["info"]["name"]).lower()
    src = tmp / f"{stem}.postman_collection.json"
    src.write_text(json.dumps(data))
    return plan(load(src), options=options)


def models_source(pkg: Package) -> str:
    return render_package(pkg)["models.py"]


def build(pkg: Package, tmp: Path) -> ModuleType:
    """Render, write and import a package (unformatted: formatting is not the point)."""
    out = tmp / pkg.name
    out.mkdir()
    for rel, text in render_package(pkg).items():
        (out / rel).write_text(text)
    return import_package(out)


def class_lines(source: str) -> dict[str, list[str]]:
    """Class name -> its `field: annotation` lines (as `field: annotation`)."""
    out: dict[str, list[str]] = {}
    current = ""
    for line in source.splitlines():
        m = re.match(r"class (\w+)\(", line)
        if m:
            current = m.group(1)
            out[current] = []
            continue
        if line.startswith(("    @", "    def ")):
            current = ""
        m = re.match(r"    (\w+): (.*?)(?: = .*)?$", line)
        if m and current:
            out[current].append(f"{m.group(1)}: {m.group(2)}")
    return out


def names_used_by(pkg: Package) -> dict[str, set[str]]:
    """Method qualname -> every class and adapter name its types reach."""
    names = {obj.uid: n for n, obj in pkg.classes}

    def walk(node: TypeNode, acc: set[str], seen: set[int]) -> None:
        if node.uid in seen:
            return
        seen.add(node.uid)
        if isinstance(node, ObjectT):
            acc.add(names[node.uid])
            for f in node.fields:
                walk(f.type, acc, seen)
        elif isinstance(node, ArrayT):
            walk(node.item, acc, seen)
        elif isinstance(node, MapT):
            walk(node.value, acc, seen)
        elif isinstance(node, NullableT):
            walk(node.inner, acc, seen)
        elif isinstance(node, UnionT):
            for o in node.options:
                walk(o, acc, seen)

    out: dict[str, set[str]] = {}
    for m in pkg.methods():
        acc: set[str] = set()
        for r in (m.response, m.error, m.request):
            if r is not None:
                acc.add(r.name)
                walk(r.node, acc, set())
        out[m.qualname] = acc
    return out
