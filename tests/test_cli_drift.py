"""`check` is exact: no false drift, and it says why output is stale (issue 10)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import postman_codegen.cli
from conftest import Trees
from helpers import copy_tree, generate, run_cli
from postman_codegen.output import LOCK_NAME

FIXTURES = Path(__file__).parent / "fixtures" / "output"
SHOP = FIXTURES / "shop.postman_collection.json"


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _build_project(root: Path) -> None:
    (root / "apis").mkdir(parents=True)
    shutil.copy(SHOP, root / "apis" / SHOP.name)
    (root / "docs" / "deep").mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[project]\nname = "mine"\n\n[tool.postman-codegen]\n'
        'sources = ["apis"]\noutput = "clients"\n'
    )
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(root)
        result = run_cli("generate", "-q", "-j", "1")
    assert result.exit_code == 0, result.output


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, trees: Trees) -> Path:
    """A user's project: pyproject.toml, apis/shop.postman_collection.json, generated
    into clients/ (built once, copied), with the working directory at its root."""
    root = copy_tree(trees.get("drift-project", _build_project), tmp_path / "project")
    monkeypatch.chdir(root)
    return root


def edit(path: Path, change: object) -> None:
    data = json.loads(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data, indent=2))


def test_paths_in_generated_text_and_lock_are_relative_to_the_project_root(project: Path) -> None:
    readme = (project / "clients" / "shop" / "README.md").read_text()
    assert "from `apis/shop.postman_collection.json`" in readme
    lock = json.loads((project / "clients" / LOCK_NAME).read_text())
    assert list(lock["inputs"]) == ["apis/shop.postman_collection.json"]
    assert str(project) not in (project / "clients" / LOCK_NAME).read_text()


def test_check_and_generate_from_a_subfolder_see_no_drift(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = tree(project / "clients")
    monkeypatch.chdir(project / "docs" / "deep")
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stderr
    assert run_cli("generate", "-q").exit_code == 0
    assert tree(project / "clients") == before


def test_generate_from_a_subfolder_with_explicit_paths_gives_the_same_bytes(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Even when everything is rendered again (the lock is gone)."""
    before = tree(project / "clients")
    (project / "clients" / LOCK_NAME).unlink()
    monkeypatch.chdir(project / "apis")
    result = run_cli("generate", "-q", "-j", "1", "-o", "../clients", "shop.postman_collection.json")
    assert result.exit_code == 0, result.output
    assert tree(project / "clients") == before


def test_a_reexport_with_other_whitespace_and_key_order_passes_check(project: Path) -> None:
    path = project / "apis" / SHOP.name
    data = json.loads(path.read_text())
    path.write_text(json.dumps(data, indent="\t", sort_keys=True) + "\n\n")
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stderr


def test_a_reexport_renders_nothing(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = project / "apis" / SHOP.name
    path.write_text(json.dumps(json.loads(path.read_text()), sort_keys=True))

    def no_render(*args: object, **kwargs: object) -> object:
        raise AssertionError("rendered although nothing changed")

    monkeypatch.setattr(postman_codegen.cli, "plan_all", no_render)
    assert run_cli("check", "-q").exit_code == 0
    result = run_cli("generate")
    assert result.exit_code == 0, result.output
    assert "re-exported without changes" in result.stderr
    # The lock records the new bytes; the generated files are untouched.
    assert run_cli("generate", "-q").exit_code == 0


def test_an_input_change_that_changes_no_output_passes_check_in_one_line(project: Path) -> None:
    edit(project / "apis" / SHOP.name,
         lambda d: d["info"].update({"_postman_id": "5f0c-changed"}))
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    lines = [n for n in result.stderr.splitlines() if "warning" not in n and "item[" not in n]
    assert len(lines) == 1, lines
    assert "inputs changed but no generated file would" in lines[0]
    assert "collection changed: apis/shop.postman_collection.json" in lines[0]
    assert "postman-codegen generate" in lines[0]
    assert result.stdout == ""


def test_check_says_the_collection_changed_before_its_diff(project: Path) -> None:
    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["item"][1]["response"][0]["body"] = json.dumps({"ok": True, "uptime": 3})

    edit(project / "apis" / SHOP.name, change)
    result = run_cli("check")
    assert result.exit_code == 1
    assert "out of date:\n  collection changed: apis/shop.postman_collection.json\n" in result.stderr
    assert "+    uptime: int" in result.stdout
    assert "run `postman-codegen generate`" in result.stderr
    assert "make generate" not in result.output
    # Reasons come first: stderr is flushed before the diff is written.
    assert result.output.index("collection changed") < result.output.index("--- a/")
    # The API-level change comes before the line diff too, classified.
    assert "`ping`: required response field `$.uptime` (int) was added" in result.stderr
    assert result.output.index("BREAKING") < result.output.index("--- a/")


def test_check_names_a_generated_file_edited_by_hand(project: Path) -> None:
    models = project / "clients" / "shop" / "models.py"
    models.write_text(models.read_text() + "# my change\n")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "edited by hand: shop/models.py" in result.stderr
    assert "-# my change" in result.stdout
    assert "collection changed" not in result.stderr


def _crlf(folder: Path) -> dict[str, bytes]:
    """Every file of `folder` with CRLF line ends, as a Windows checkout with git's
    `core.autocrlf` writes them; returns the new bytes."""
    for path in folder.rglob("*"):
        if path.is_file():
            path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return tree(folder)


def test_crlf_line_ends_from_a_checkout_are_no_drift(project: Path) -> None:
    crlf = _crlf(project / "clients")
    assert all(b"\r\n" in data for data in crlf.values() if data)
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stderr
    result = run_cli("generate", "-j", "1")
    assert result.exit_code == 0, result.output
    assert tree(project / "clients") == crlf  # nothing rewritten
    # Inputs changed but no output would: the full path sees no drift either.
    edit(project / "apis" / SHOP.name,
         lambda d: d["info"].update({"_postman_id": "5f0c-changed"}))
    result = run_cli("check")
    assert result.exit_code == 0, result.output
    assert "edited by hand" not in result.stderr


def test_no_generated_file_holds_a_carriage_return(tmp_path: Path) -> None:
    """What lets `check` read CRLF as LF: carriage returns in every text of a
    collection (names, descriptions, keys, values, bodies) never reach the output."""
    cr = "line1\r\nline2\rline3"
    doc = {
        "info": {"name": "CR\r\ntest", "description": cr,
                 "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
        "variable": [{"key": "base\r", "value": "https://api.example.com\r\n"}],
        "item": [{"name": "Folder\r\nA", "description": cr, "item": [{
            "name": "Get\r\nthing",
            "request": {
                "method": "POST", "description": cr,
                "header": [{"key": "X-H\r", "value": "v\r\nw", "description": cr}],
                "body": {"mode": "raw", "raw": '{"a": "b\\r\\n"}\r\n',
                         "options": {"raw": {"language": "json"}}},
                "url": {"raw": "{{base}}/things/:id?q=1\r", "host": ["{{base}}"],
                        "path": ["things", ":id"],
                        "query": [{"key": "q\r", "value": "1\r\n", "description": cr}],
                        "variable": [{"key": "id", "value": "7", "description": cr}]},
            },
            "response": [{
                "name": "ok\r\n", "code": 200, "status": "OK",
                "header": [{"key": "Content-Type", "value": "application/json"}],
                "body": '{\r\n  "k\\r": "v\\r\\n",\r\n  "odd\\r\\nkey": 1\r\n}',
            }],
        }]}],
    }
    source = tmp_path / "cr.postman_collection.json"
    source.write_text(json.dumps(doc))
    generate(source, tmp_path / "out")
    written = tree(tmp_path / "out")
    assert len(written) > 5
    assert [rel for rel, data in written.items() if b"\r" in data] == []


def test_an_edit_to_a_crlf_file_is_still_drift_and_its_diff_is_the_edit(project: Path) -> None:
    _crlf(project / "clients")
    models = project / "clients" / "shop" / "models.py"
    models.write_bytes(models.read_bytes() + b"# my change\r\n")
    result = run_cli("check")
    assert result.exit_code == 1
    assert "edited by hand: shop/models.py" in result.stderr
    changed = [n for n in result.stdout.splitlines()
               if n[:1] in "+-" and not n.startswith(("---", "+++"))]
    assert changed == ["-# my change"]
    assert run_cli("generate", "-q").exit_code == 0
    assert b"# my change" not in models.read_bytes()
    assert run_cli("check", "-q").exit_code == 0


def test_check_says_the_generator_or_formatter_version_changed(project: Path) -> None:
    lock_path = project / "clients" / LOCK_NAME
    lock = json.loads(lock_path.read_text())
    lock["black"] = "23.1.0"
    lock["generator"] = "0.0.1"
    lock_path.write_text(json.dumps(lock))
    result = run_cli("check")
    # Nothing generated differs, so it passes, but it says why the lock is stale.
    assert result.exit_code == 0, result.output
    assert "formatter (black) version changed: 23.1.0 ->" in result.stderr
    assert "generator version changed: 0.0.1 ->" in result.stderr
    assert "up to date; no generated file would change (" in result.stderr


def test_check_says_the_templates_changed(project: Path) -> None:
    (project / "tpl").mkdir()
    builtin = Path(postman_codegen.cli.__file__).resolve().parents[2] / "templates"
    text = (builtin / "README.md.jinja").read_text()
    (project / "tpl" / "README.md.jinja").write_text(text + "\nOur notes.\n")
    result = run_cli("check", "--templates", "tpl")
    assert result.exit_code == 1
    assert "templates changed:" in result.stderr
    assert "+Our notes." in result.stdout


def test_a_deleted_generated_file_is_named(project: Path) -> None:
    (project / "clients" / "shop" / "client.py").unlink()
    result = run_cli("check")
    assert result.exit_code == 1
    assert "deleted: shop/client.py" in result.stderr


def test_check_messages(project: Path, snapshot: object) -> None:
    """What a user reads when `check` fails, end to end."""
    def change(d: dict) -> None:  # type: ignore[type-arg]
        d["item"][1]["response"][0]["body"] = json.dumps({"ok": True, "uptime": 3})

    edit(project / "apis" / SHOP.name, change)
    models = project / "clients" / "shop" / "__init__.py"
    models.write_text(models.read_text() + "# mine\n")
    result = run_cli("check")
    assert result.exit_code == 1
    assert result.stderr == snapshot
