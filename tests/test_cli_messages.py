"""What a user reads on the terminal, as syrupy snapshots: generated/ does not show it.

(`check`'s messages are in test_cli_drift.py, the change report in test_diff.py.)
Per-feature model snapshots use `PythonSnapshot` and `excerpt` from helpers.py: a
tiny collection, the expected classes as a `.py` file under __snapshots__/.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

from helpers import run_cli

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty project folder as the working directory: messages name relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_generate_prints_a_warning_summary(project: Path, snapshot: SnapshotAssertion) -> None:
    shutil.copy(FIXTURES / "output" / "shop.postman_collection.json", project)
    result = run_cli("generate", "-j", "1", "-o", "out", "shop.postman_collection.json")
    assert result.exit_code == 0, result.output
    assert result.stderr == snapshot


@pytest.mark.parametrize("stem", ["not_json", "item_number", "url_number"])
def test_bad_input_prints_one_located_error(
    project: Path, snapshot: SnapshotAssertion, stem: str,
) -> None:
    shutil.copy(FIXTURES / "hostile" / "bad" / f"{stem}.postman_collection.json", project)
    result = run_cli("generate", "-j", "1", "-o", "out", f"{stem}.postman_collection.json")
    assert result.exit_code == 2
    assert result.stderr == snapshot
