"""The command line: generate, check (drift), configuration, exit codes."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import COLLECTIONS
from helpers import copy_tree, generate, run_cli


@pytest.fixture
def project(tmp_path: Path, seeds_out: Path) -> Path:
    """A copy of collections/ with its generated output (the session's, copied), in a
    temporary folder."""
    shutil.copytree(COLLECTIONS, tmp_path / "collections")
    copy_tree(seeds_out, tmp_path / "generated")
    return tmp_path


def test_check_passes_when_output_is_in_sync(project: Path) -> None:
    result = run_cli("check", "-o", project / "generated", project / "collections")
    assert result.exit_code == 0, result.output


def test_check_fails_with_a_diff_naming_the_changed_field(project: Path) -> None:
    path = project / "collections" / "salesforce_bulk.postman_collection.json"
    data = json.loads(path.read_text())
    body = json.loads(data["item"][0]["response"][0]["body"])
    body["numberRecordsSkipped"] = 3
    data["item"][0]["response"][0]["body"] = json.dumps(body)
    path.write_text(json.dumps(data))
    before = {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()}
    result = run_cli("check", "-o", project / "generated", project / "collections")
    assert result.exit_code == 1
    assert "+++ b/salesforce_bulk/models.py" in result.stdout
    assert "number_records_skipped" in result.stdout
    assert "numberRecordsSkipped" in result.stdout
    after = {p: p.read_bytes() for p in (project / "generated").rglob("*") if p.is_file()}
    assert after == before, "check must write nothing"
    # generate --check is the same command
    assert run_cli("generate", "--check", "-o", project / "generated",
                   project / "collections").exit_code == 1
    # regenerating brings it back in sync
    generate(project / "collections", project / "generated")
    assert run_cli("check", "-o", project / "generated", project / "collections").exit_code == 0


def test_removed_collection_removes_its_package(project: Path) -> None:
    (project / "collections" / "zoho_crm.postman_collection.json").unlink()
    generate(project / "collections", project / "generated")
    assert not (project / "generated" / "zoho_crm").exists()
    assert (project / "generated" / "salesforce_bulk" / "client.py").exists()


def test_a_bare_exported_item_is_accepted(tmp_path: Path) -> None:
    zoho = json.loads((COLLECTIONS / "zoho_crm.postman_collection.json").read_text())
    item = zoho["item"][0]["item"][0]  # an item as the seeds export it
    (tmp_path / "job_details.json").write_text(json.dumps(item))
    generate(tmp_path / "job_details.json", tmp_path / "out")
    client = (tmp_path / "out" / "job_details" / "client.py").read_text()
    assert "def job_details(\n        self,\n        job_id: str,\n        *,\n" in client
    assert 'source="item[0]"' in client


def test_configuration_comes_from_pyproject(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(COLLECTIONS, tmp_path / "apis")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.postman-codegen]\nsources = ["apis"]\noutput = "clients"\n'
        '[tool.postman-codegen.packages]\nzoho_crm = "zoho"\n'
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "clients" / "zoho" / "client.py").exists()
    assert (tmp_path / "clients" / "salesforce_bulk" / "models.py").exists()
    assert run_cli("check", "-q").exit_code == 0


def test_version_and_help() -> None:
    assert run_cli("--version").output.startswith("postman-codegen, version")
    assert "check" in run_cli("--help").output
    assert "--check" in run_cli("generate", "--help").output


def test_bad_input_exits_2_naming_file_and_path(tmp_path: Path) -> None:
    bad = tmp_path / "bad.postman_collection.json"
    bad.write_text('{"info": {"name": "x"}, "item": [{"name": "a", "request": {"url": 3}}]}')
    result = run_cli("generate", "-o", tmp_path / "out", bad)
    assert result.exit_code == 2
    assert "bad.postman_collection.json" in result.stderr
    assert "$.item[0].request.url" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()
