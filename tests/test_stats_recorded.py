"""`stats` with the output folder up to date reads the table `generate` recorded
in the lock and plans nothing (issue 11: at about the cost of starting Python)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

import postman_codegen.cli
from helpers import run_cli

SEEDS = Path(__file__).resolve().parent.parent / "collections"


def refuse(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("planned although the output is up to date")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(SEEDS, tmp_path / "collections")
    (tmp_path / "pyproject.toml").write_text(
        '[tool.postman-codegen]\nsources = ["collections"]\noutput = "generated"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_stats_reads_the_recorded_table_when_up_to_date(
    project: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    planned = run_cli("stats")
    assert planned.exit_code == 0, planned.output
    assert run_cli("generate", "-q", "-j", "1").exit_code == 0
    with monkeypatch.context() as m:
        m.setattr(postman_codegen.cli, "plan_all", refuse)
        recorded = run_cli("stats")
    assert recorded.exit_code == 0, recorded.output
    assert recorded.stdout == planned.stdout
    assert "zoho_crm" in recorded.stdout


def test_stats_plans_when_a_collection_changed(project: Path) -> None:
    assert run_cli("generate", "-q", "-j", "1").exit_code == 0
    seed = project / "collections" / "zoho_crm.postman_collection.json"
    seed.write_text(seed.read_text().replace('"name"', '"name" ', 1))  # same meaning
    assert run_cli("stats").exit_code == 0
    (project / "generated" / "zoho_crm" / "models.py").write_text("# edited\n")
    calls: list[int] = []
    real = postman_codegen.cli.plan_all
    with pytest.MonkeyPatch.context() as m:
        m.setattr(postman_codegen.cli, "plan_all",
                  lambda *a, **k: calls.append(1) or real(*a, **k))
        assert run_cli("stats").exit_code == 0
    assert calls, "an edited output folder is not up to date: stats plans"
