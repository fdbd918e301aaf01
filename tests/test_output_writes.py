"""Output writes that never lose a file (issue 12): one run at a time, per-file
atomic replacement, the output folder itself never moved, copied or replaced."""

from __future__ import annotations

import errno
import functools
import json
import os
import shutil
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest

import postman_codegen.cli
import postman_codegen.output
from helpers import run_cli
from postman_codegen.config import Config
from postman_codegen.output import LOCK_NAME, STAGE_PREFIX, run_lock, write_tree

FIXTURES = Path(__file__).parent / "fixtures" / "output"
SHOP = FIXTURES / "shop.postman_collection.json"


def gen(out: Path | str, sources: Path | str, *extra: str) -> Any:
    return run_cli("generate", "-q", "-j", "1", "-o", out, *extra, sources)


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    (tmp_path / "apis").mkdir()
    shutil.copy(SHOP, tmp_path / "apis" / SHOP.name)
    return tmp_path / "apis"


@pytest.fixture
def out(tmp_path: Path, sources: Path) -> Path:
    """Generated output holding files of the user's beside the generated ones."""
    result = gen(tmp_path / "out", sources)
    assert result.exit_code == 0, result.output
    (tmp_path / "out" / "mine.txt").write_text("user data")
    (tmp_path / "out" / "shop" / "extra.py").write_text("# the user's module\n")
    return tmp_path / "out"


def change_ping(sources: Path, key: str = "uptime") -> None:
    path = sources / SHOP.name
    data = json.loads(path.read_text())
    data["item"][1]["response"][0]["body"] = json.dumps({"ok": True, key: 3})
    path.write_text(json.dumps(data))


def user_files(out: Path) -> dict[str, str]:
    return {"mine.txt": (out / "mine.txt").read_text(),
            "shop/extra.py": (out / "shop" / "extra.py").read_text()}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


# -- one run at a time --------------------------------------------------------

def test_a_second_run_waits_for_the_first_and_no_user_file_is_lost(
    out: Path, sources: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The interleaving of issue 12 forced: run B starts while run A holds the folder
    with its files staged but not yet in place. B must wait, then find A's output."""
    change_ping(sources)
    before_user = user_files(out)
    b_waiting = threading.Event()
    real_sleep = postman_codegen.output.time.sleep

    def sleep(seconds: float) -> None:
        b_waiting.set()  # only a run waiting for the lock sleeps here
        real_sleep(seconds)

    monkeypatch.setattr(postman_codegen.output.time, "sleep", sleep)
    b_result: list[int] = []

    def run_b() -> None:
        cfg = Config.load((str(sources),), str(out), None)
        b_result.append(postman_codegen.cli._run(cfg, False, False, True, 1, 60.0))

    thread = threading.Thread(target=run_b)

    def before_swap(stage: Path) -> None:
        assert (stage / "shop" / "models.py").is_file()
        thread.start()
        assert b_waiting.wait(60), "run B never waited for the lock"
        assert thread.is_alive()

    monkeypatch.setattr(postman_codegen.cli, "write_tree",
                        functools.partial(write_tree, _before_swap=before_swap))
    result = gen(out, sources)
    assert result.exit_code == 0, result.output
    thread.join(120)
    assert b_result == [0]
    assert user_files(out) == before_user
    assert "uptime" in (out / "shop" / "models.py").read_text()
    monkeypatch.undo()
    assert run_cli("check", "-q", "-o", out, sources).exit_code == 0
    assert not list(out.glob(STAGE_PREFIX + "*"))


def test_a_second_run_gives_up_after_waiting_with_exit_2(out: Path, sources: Path) -> None:
    change_ping(sources)
    before = snapshot(out)
    with run_lock(out, exclusive=True, wait=0):
        result = gen(out, sources, "--wait", "0.3")
    assert result.exit_code == 2
    assert ("another postman-codegen run is writing this folder; gave up after waiting "
            "0.3 s") in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before


def test_check_waits_for_a_run_writing_the_folder(out: Path, sources: Path) -> None:
    with run_lock(out, exclusive=True, wait=0):
        result = run_cli("check", "-q", "--wait", "0.2", "-o", out, sources)
    assert result.exit_code == 2
    assert "another postman-codegen run" in result.stderr


# -- the output folder itself is never moved, copied or replaced ---------------

def test_the_output_folder_is_never_renamed_or_copied(
    out: Path, sources: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As on a mount point (a Docker or CI bind mount), where renaming it is EBUSY."""
    change_ping(sources)
    real_rename, real_replace = os.rename, os.replace

    def busy(real: Any, src: Any, dst: Any, *a: Any, **k: Any) -> None:
        if Path(src).resolve() == out.resolve() or Path(dst).resolve() == out.resolve():
            raise OSError(errno.EBUSY, "Device or resource busy", str(src))
        real(src, dst, *a, **k)

    def no_copytree(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the output folder was copied")

    monkeypatch.setattr(postman_codegen.output.os, "rename", functools.partial(busy, real_rename))
    monkeypatch.setattr(postman_codegen.output.os, "replace", functools.partial(busy, real_replace))
    monkeypatch.setattr(postman_codegen.output.shutil, "copytree", no_copytree)
    inode = out.stat().st_ino
    result = gen(out, sources)
    assert result.exit_code == 0, result.output
    assert out.stat().st_ino == inode
    assert "uptime" in (out / "shop" / "models.py").read_text()


def test_output_into_the_current_folder_keeps_git_links_fifos_and_sockets(
    tmp_path: Path, sources: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    here = tmp_path / "proj"
    (here / ".git" / "objects").mkdir(parents=True)
    (here / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (here / "data.txt").write_text("linked")
    os.link(here / "data.txt", here / "data-link.txt")
    os.mkfifo(here / "pipe")
    sock = socket.socket(socket.AF_UNIX)
    monkeypatch.chdir(here)
    sock.bind("sock")
    try:
        inode = here.stat().st_ino
        for step in range(2):
            if step:
                change_ping(sources)
            result = gen(".", sources)
            assert result.exit_code == 0, result.output
            assert here.stat().st_ino == inode, "the folder itself was replaced"
            assert (here / ".git" / "HEAD").read_text() == "ref: refs/heads/main\n"
            assert (here / "data.txt").stat().st_ino == (here / "data-link.txt").stat().st_ino
            assert (here / "data.txt").stat().st_nlink == 2
            assert stat.S_ISFIFO((here / "pipe").lstat().st_mode)
            assert stat.S_ISSOCK((here / "sock").lstat().st_mode)
            assert (here / "shop" / "client.py").is_file()
        assert "uptime" in (here / "shop" / "models.py").read_text()
        assert run_cli("check", "-q", "-o", ".", sources).exit_code == 0
    finally:
        sock.close()


# -- atomic per file, and what a failure or a kill leaves -----------------------

def test_a_failure_while_staging_leaves_the_output_exactly_as_it_was(
    out: Path, sources: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = snapshot(out)
    change_ping(sources)

    def disk_full(stage: Path) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(postman_codegen.cli, "write_tree",
                        functools.partial(write_tree, _before_swap=disk_full))
    result = gen(out, sources)
    assert result.exit_code == 2
    assert "No space left on device" in result.stderr
    assert "Traceback" not in result.output
    assert snapshot(out) == before
    assert not list(out.glob(STAGE_PREFIX + "*"))


def test_a_run_killed_while_replacing_leaves_old_or_new_files_all_owned(
    out: Path, sources: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    shutil.copy(sources / SHOP.name, sources / "other.postman_collection.json")
    change_ping(sources)
    old = snapshot(out)
    real_replace = os.replace
    calls: list[str] = []

    def killed(src: Any, dst: Any) -> None:
        calls.append(str(dst))
        if len(calls) == 4:  # the claim, then two files, then the run dies
            raise KeyboardInterrupt
        real_replace(src, dst)

    monkeypatch.setattr(postman_codegen.output.os, "replace", killed)
    result = gen(out, sources)
    monkeypatch.undo()
    assert result.exit_code != 0
    lock = json.loads((out / LOCK_NAME).read_text())
    on_disk = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    generated = on_disk - {"mine.txt", "shop/extra.py", LOCK_NAME}
    assert generated <= set(lock["files"]), "every file written is owned by the lock"
    assert any(f.startswith("other/") for f in lock["files"])
    for rel in generated:
        assert rel.startswith("other/") or (out / rel).read_bytes() == old[rel] or (
            "uptime" in (out / rel).read_text())
    # The next run completes the output and the user's files are still there.
    assert run_cli("check", "-q", "-o", out, sources).exit_code == 1
    assert gen(out, sources).exit_code == 0
    assert run_cli("check", "-q", "-o", out, sources).exit_code == 0
    assert (out / "mine.txt").read_text() == "user data"


def test_staging_left_by_a_killed_run_is_removed_by_the_next_run(
    out: Path, sources: Path,
) -> None:
    left = out / f"{STAGE_PREFIX}killed"
    (left / "shop").mkdir(parents=True)
    (left / "shop" / "models.py").write_text("half")
    assert gen(out, sources).exit_code == 0  # nothing changed: still cleaned
    assert not left.exists()
    (left / "x").mkdir(parents=True)
    change_ping(sources)
    assert gen(out, sources).exit_code == 0
    assert not left.exists()
    assert user_files(out)["mine.txt"] == "user data"


def test_only_changed_files_are_replaced(out: Path, sources: Path) -> None:
    inodes = {p: p.stat().st_ino for p in out.rglob("*.py")}
    change_ping(sources)
    assert gen(out, sources).exit_code == 0
    replaced = {p.relative_to(out).as_posix() for p, ino in inodes.items()
                if p.stat().st_ino != ino}
    assert "shop/_runtime.py" not in replaced
    assert "shop/extra.py" not in replaced
    assert "shop/models.py" in replaced
