"""Writing the output folder: atomic, owned files only, stale files removed, lock file.

The generator owns exactly the files its lock file (`postman-codegen.lock`) lists.
Everything else in the output folder belongs to the user and survives every run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from conftest import COLLECTIONS
from helpers import copy_tree, generate, run_cli
from postman_codegen.output import LOCK_NAME

SALESFORCE = "salesforce_bulk.postman_collection.json"
ZOHO = "zoho_crm.postman_collection.json"


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """A folder holding copies of both seed collections."""
    src = tmp_path / "collections"
    src.mkdir()
    for name in (SALESFORCE, ZOHO):
        shutil.copy(COLLECTIONS / name, src / name)
    return src


@pytest.fixture
def out(tmp_path: Path, sources: Path, seeds_out: Path) -> Path:
    """An output folder generated from `sources`: a copy of the session's tree of the
    same two files (the lock names them `collections/NAME` either way)."""
    return copy_tree(seeds_out, tmp_path / "generated")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def change_a_model(sources: Path) -> None:
    """Edit one example so that the next run rewrites salesforce_bulk/models.py."""
    path = sources / SALESFORCE
    data = json.loads(path.read_text())
    body = json.loads(data["item"][0]["response"][0]["body"])
    body["addedByTheTest"] = 1
    data["item"][0]["response"][0]["body"] = json.dumps(body)
    path.write_text(json.dumps(data))


def stages(out: Path) -> list[Path]:
    return sorted(out.parent.glob(f".{out.name}.stage-*"))


def lock_of(out: Path) -> dict[str, Any]:
    return json.loads((out / LOCK_NAME).read_text())  # type: ignore[no-any-return]


# -- recovery (per-file atomic writes are in test_output_writes.py) ---------------


def test_a_run_killed_between_the_two_renames_is_recovered_by_the_next_run(
    out: Path, sources: Path,
) -> None:
    (out / "mine.txt").write_text("user data")
    before = snapshot(out)
    stage = out.parent / f".{out.name}.stage-killed"
    stage.mkdir()
    os.rename(out, stage / "old")  # as a SIGKILL right after the first rename leaves it
    assert run_cli("check", "-q", "-o", out, sources).exit_code == 1
    generate(sources, out)
    assert snapshot(out) == before
    assert stages(out) == []


def test_an_unchanged_run_writes_nothing(out: Path, sources: Path) -> None:
    times = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = run_cli("generate", "-j", "1", "-o", out, sources)
    assert result.exit_code == 0
    assert "0 file(s) written" in result.stderr
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == times
    assert stages(out) == []


# -- ownership: user files survive, the generator touches only what it owns ----


def test_user_files_in_the_output_folder_survive_every_run(out: Path, sources: Path) -> None:
    mine = {
        out / "mine.py": "def helper() -> int:\n    return 1\n",
        out / "salesforce_bulk" / "extensions.py": "# hand-written\n",
        out / "zoho_crm" / "NOTES.md": "keep me\n",
        out / "docs" / "index.md": "# docs\n",
    }
    for path, text in mine.items():
        path.parent.mkdir(exist_ok=True)
        path.write_text(text)
    change_a_model(sources)
    generate(sources, out)  # a run that rewrites files
    (sources / ZOHO).unlink()
    generate(sources, out)  # a run that removes a package
    for path, text in mine.items():
        assert path.read_text() == text, path
    assert run_cli("check", "-q", "-o", out, sources).exit_code == 0, "user files are not drift"


def test_the_generator_never_overwrites_a_file_it_does_not_own(
    tmp_path: Path, sources: Path,
) -> None:
    out = tmp_path / "generated"
    (out / "salesforce_bulk").mkdir(parents=True)
    (out / "salesforce_bulk" / "client.py").write_text("# mine\n")
    result = run_cli("generate", "-q", "-o", out, sources)
    assert result.exit_code == 2
    assert "salesforce_bulk/client.py" in result.stderr
    assert "not written by postman-codegen" in result.stderr
    assert snapshot(out) == {"salesforce_bulk/client.py": b"# mine\n"}


def test_a_user_file_where_a_package_folder_goes_is_never_replaced(
    tmp_path: Path, sources: Path,
) -> None:
    out = tmp_path / "generated"
    out.mkdir()
    (out / "zoho_crm").write_text("not a folder\n")
    result = run_cli("generate", "-q", "-o", out, sources)
    assert result.exit_code == 2
    assert "zoho_crm: exists and is not a folder" in result.stderr
    assert snapshot(out) == {"zoho_crm": b"not a folder\n"}


def test_an_output_path_that_is_a_file_is_never_replaced(tmp_path: Path, sources: Path) -> None:
    out = tmp_path / "generated"
    out.write_text("a file\n")
    result = run_cli("generate", "-q", "-o", out, sources)
    assert result.exit_code == 2
    assert "exists and is not a folder" in result.stderr
    assert out.read_text() == "a file\n"


def test_an_edited_generated_file_is_drift_and_is_restored(out: Path, sources: Path) -> None:
    client = out / "salesforce_bulk" / "client.py"
    original = client.read_bytes()
    client.write_text("# edited by hand\n")
    result = run_cli("check", "-o", out, sources)
    assert result.exit_code == 1
    assert "salesforce_bulk/client.py" in result.stdout
    generate(sources, out)
    assert client.read_bytes() == original


# -- stale files ------------------------------------------------------------------


def test_files_of_a_removed_collection_are_removed(out: Path, sources: Path) -> None:
    (sources / ZOHO).unlink()
    generate(sources, out)
    assert not (out / "zoho_crm").exists()
    assert not any(rel.startswith("zoho_crm/") for rel in lock_of(out)["files"])
    assert (out / "salesforce_bulk" / "client.py").is_file()


def test_a_stale_package_folder_holding_a_user_file_keeps_that_file(
    out: Path, sources: Path,
) -> None:
    (out / "zoho_crm" / "notes.txt").write_text("mine")
    (sources / ZOHO).unlink()
    generate(sources, out)
    assert sorted(p.name for p in (out / "zoho_crm").iterdir()) == ["notes.txt"]


def test_check_reports_stale_files_as_removed(out: Path, sources: Path) -> None:
    (sources / ZOHO).unlink()
    result = run_cli("check", "-o", out, sources)
    assert result.exit_code == 1
    assert "--- a/zoho_crm/client.py" in result.stdout
    assert (out / "zoho_crm" / "client.py").is_file(), "check writes nothing"


# -- the lock file ------------------------------------------------------------------


def test_the_lock_lists_every_generated_file_with_its_hashes(out: Path) -> None:
    lock = lock_of(out)
    on_disk = {rel for rel in snapshot(out) if rel != LOCK_NAME}
    assert set(lock["files"]) == on_disk
    for rel, entry in lock["files"].items():
        assert entry["formatted"] == hashlib.sha256((out / rel).read_bytes()).hexdigest(), rel
        assert len(entry["rendered"]) == 64
    assert {"generator", "black", "templates", "inputs"} <= set(lock)
    assert any(name.endswith(SALESFORCE) for name in lock["inputs"])


def test_a_tampered_lock_cannot_delete_files_outside_the_output_folder(
    tmp_path: Path, out: Path, sources: Path,
) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    lock = lock_of(out)
    for rel in ("../victim.txt", str(victim), "a/../../victim.txt", "./../victim.txt",
                "..\\victim.txt", "C:/victim.txt"):
        lock["files"][rel] = {"rendered": "0" * 64, "formatted": "0" * 64}
    (out / LOCK_NAME).write_text(json.dumps(lock))
    (sources / ZOHO).unlink()
    generate(sources, out)
    assert victim.read_text() == "precious"
    assert not any(".." in rel or ":" in rel for rel in lock_of(out)["files"])


def test_a_lock_entry_behind_a_symlink_does_not_delete_through_it(
    tmp_path: Path, out: Path, sources: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "client.py").write_text("precious")
    (out / "linked").symlink_to(elsewhere, target_is_directory=True)
    lock = lock_of(out)
    lock["files"]["linked/client.py"] = {"rendered": "0" * 64, "formatted": "0" * 64}
    (out / LOCK_NAME).write_text(json.dumps(lock))
    generate(sources, out)
    assert (elsewhere / "client.py").read_text() == "precious"


def test_a_corrupt_lock_is_repaired_when_the_output_is_unchanged(
    out: Path, sources: Path,
) -> None:
    (out / LOCK_NAME).write_text("{ not json")
    generate(sources, out)
    assert set(lock_of(out)["files"]) == {rel for rel in snapshot(out) if rel != LOCK_NAME}


def test_a_corrupt_lock_never_lets_the_generator_overwrite_changed_files(
    out: Path, sources: Path,
) -> None:
    (out / LOCK_NAME).write_text("{ not json")
    before = snapshot(out)
    change_a_model(sources)
    result = run_cli("generate", "-q", "-o", out, sources)
    assert result.exit_code == 2
    assert "not written by postman-codegen" in result.stderr
    assert snapshot(out) == before


# -- symbolic links -------------------------------------------------------------------


def test_a_symlinked_output_folder_stays_a_link_to_the_updated_target(
    tmp_path: Path, sources: Path,
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "generated"
    link.symlink_to(real, target_is_directory=True)
    generate(sources, link)
    change_a_model(sources)
    generate(sources, link)
    assert link.is_symlink()
    assert "added_by_the_test" in (real / "salesforce_bulk" / "models.py").read_text()
    assert stages(real) == [] and stages(link) == []


def test_a_symlinked_folder_inside_the_output_is_never_written_through(
    tmp_path: Path, sources: Path,
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    out = tmp_path / "generated"
    out.mkdir()
    (out / "salesforce_bulk").symlink_to(elsewhere, target_is_directory=True)
    result = run_cli("generate", "-q", "-o", out, sources)
    assert result.exit_code == 2
    assert "salesforce_bulk: is a symbolic link" in result.stderr
    assert list(elsewhere.iterdir()) == []
