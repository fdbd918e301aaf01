"""The client writes each request once: one description per endpoint, sent by thin
sync and async methods that hand over their own arguments; their `_with_response`
twins are made from them."""

from __future__ import annotations

import ast
import inspect
from pathlib import Path

import pytest

from helpers import generate, import_package
from postman_codegen.collection import load
from postman_codegen.plan import plan
from postman_codegen.render import render_package

ROOT = Path(__file__).parent.parent
SOURCES = sorted((ROOT / "collections").glob("*.postman_collection.json")) + sorted(
    (Path(__file__).parent / "fixtures" / "requests").glob("*.postman_collection.json"))


def _tree(path: Path) -> ast.Module:
    return ast.parse(render_package(plan(load(path), None, "p"))["client.py"])


def _endpoints(tree: ast.Module) -> int:
    return sum(isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "Endpoint"
               for n in ast.walk(tree))


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name.split(".")[0])
def test_each_request_is_described_once(path: Path) -> None:
    tree = _tree(path)
    described = [f for f in tree.body if isinstance(f, ast.FunctionDef)]
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call)
             and isinstance(n.func, ast.Attribute) and n.func.attr == "Call"]
    assert len(described) == len(calls) == _endpoints(tree) > 0
    assert len({f.name for f in described}) == len(described)
    assert all(f.name.startswith("_") for f in described)


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name.split(".")[0])
def test_every_method_only_sends_its_description_with_its_own_arguments(path: Path) -> None:
    """`locals()` is the method's arguments only while the return is its first statement."""
    tree = _tree(path)
    described = {f.name for f in tree.body if isinstance(f, ast.FunctionDef)}
    methods = [f for c in tree.body if isinstance(c, ast.ClassDef) for f in c.body
               if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
               and "_t.send(" in ast.unparse(f)]
    assert len(methods) == 2 * len(described)  # sync and async
    twins = [a for c in tree.body if isinstance(c, ast.ClassDef) for a in c.body
             if isinstance(a, ast.Assign) and ast.unparse(a.value).startswith("_rt.")]
    assert sorted(ast.unparse(a.targets[0]) for a in twins) == sorted(
        f.name + "_with_response" for f in methods)
    for a in twins:
        call = a.value
        assert isinstance(call, ast.Call) and ast.unparse(call.func) in (
            "_rt.with_response", "_rt.awith_response")
        assert ast.unparse(call.args[0]) in described
    for f in methods:
        doc, body = f.body
        assert isinstance(doc, ast.Expr) and isinstance(doc.value, ast.Constant), f.name
        assert isinstance(body, ast.Return) and body.value is not None, f.name
        send = next(n for n in ast.walk(body.value) if isinstance(n, ast.Call)
                    and isinstance(n.func, ast.Attribute) and n.func.attr == "send")
        name, args = send.args
        assert isinstance(name, ast.Name) and name.id in described, f.name
        assert ast.unparse(args) == "locals()", f.name


def test_twins_read_as_written_out_methods(tmp_path: Path) -> None:
    """`help()`, IDEs and `inspect` see each twin as the method it mirrors, returning
    the full response; a wrong argument fails as it would in a written-out method."""
    generate(ROOT / "collections" / "zoho_crm.postman_collection.json", tmp_path)
    pkg = import_package(tmp_path / "zoho_crm")
    for cls in (pkg.client.V2Client, pkg.client.AsyncV2Client):
        plain, twin = cls.job_details, cls.job_details_with_response
        assert inspect.isfunction(twin) and twin.__qualname__ == f"{cls.__name__}.{twin.__name__}"
        assert inspect.getdoc(twin) == (
            "`job_details`, with the status, headers and raw bytes of the response.")
        assert inspect.iscoroutinefunction(twin) == inspect.iscoroutinefunction(plain)
        signature = inspect.signature(twin)
        assert signature.parameters == inspect.signature(plain).parameters
        assert signature.return_annotation == "_rt.Response[JobDetails]"
    client = pkg.Client("http://127.0.0.1:9")  # nothing listens: no request may start
    with pytest.raises(TypeError, match="job_id"):
        client.v2.job_details_with_response()
    with pytest.raises(TypeError, match="nope"):
        client.v2.job_details_with_response("1", nope=1)
