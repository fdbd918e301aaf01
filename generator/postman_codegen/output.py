"""Format, compare and atomically write the generated tree.

The output folder holds a lock file listing every file the generator owns,
with the hash of its rendered text (before black) and of its bytes on disk.
Files not listed there belong to the user: never overwritten, never deleted.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import black

from . import __version__
from .errors import GeneratorError

LOCK_NAME = "postman-codegen.lock"
_MODE = black.Mode(target_versions={black.TargetVersion.PY311})


def sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def format_python(text: str) -> str:
    """black, in process, with the pinned version."""
    return black.format_str(text, mode=_MODE)


def _format_one(item: tuple[str, str]) -> tuple[str, str]:
    return item[0], format_python(item[1])


@dataclass(slots=True)
class Lock:
    files: dict[str, dict[str, str]] = field(default_factory=dict)
    header: dict[str, object] = field(default_factory=dict)

    @classmethod
    def read(cls, out_dir: Path) -> Lock:
        try:
            data = json.loads((out_dir / LOCK_NAME).read_text("utf-8"))
        except (OSError, ValueError):
            return cls()
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(files, dict):
            return cls()
        clean = {
            k: v for k, v in files.items()
            if isinstance(k, str) and isinstance(v, dict) and _safe_relpath(k)
        }
        return cls(clean, {k: v for k, v in data.items() if k != "files"})

    def render(self) -> str:
        body = dict(self.header)
        body["files"] = {k: self.files[k] for k in sorted(self.files)}
        return json.dumps(body, indent=2, sort_keys=False) + "\n"


def _safe_relpath(rel: str) -> bool:
    p = PurePosixPath(rel)
    return (
        not p.is_absolute() and ".." not in p.parts and "" not in p.parts
        and all(part not in (".", "") and "\\" not in part and ":" not in part for part in p.parts)
    )


def build_tree(
    out_dir: Path,
    rendered: Mapping[str, str],
    header: dict[str, object],
    jobs: int = 1,
) -> dict[str, bytes]:
    """Final bytes of every owned file (lock included), formatting only what changed."""
    old = Lock.read(out_dir)
    new = Lock(header=header)
    result: dict[str, bytes] = {}
    to_format: list[tuple[str, str]] = []
    for rel, text in rendered.items():
        if not _safe_relpath(rel):
            raise GeneratorError(f"refusing to write outside the output folder: {rel!r}")
        rendered_sha = sha(text)
        entry = old.files.get(rel)
        if not rel.endswith(".py"):
            result[rel] = text.encode("utf-8")
        elif entry and entry.get("rendered") == rendered_sha:
            # Unchanged since the last run: reuse the formatted bytes if intact.
            try:
                disk = (out_dir / rel).read_bytes()
            except OSError:
                disk = None
            if disk is not None and sha(disk) == entry.get("formatted"):
                result[rel] = disk
            else:
                to_format.append((rel, text))
        else:
            to_format.append((rel, text))
        new.files[rel] = {"rendered": rendered_sha}
    for rel, formatted in _format_all(to_format, jobs):
        result[rel] = formatted.encode("utf-8")
    for rel, data in result.items():
        new.files[rel]["formatted"] = sha(data)
    result[LOCK_NAME] = new.render().encode("utf-8")
    return result


def _format_all(items: list[tuple[str, str]], jobs: int) -> list[tuple[str, str]]:
    total = sum(len(t) for _, t in items)
    if jobs > 1 and len(items) > 1 and total > 200_000:
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=min(jobs, len(items))) as pool:
            return list(pool.map(_format_one, items))
    return [_format_one(i) for i in items]


@dataclass(slots=True)
class Changes:
    write: dict[str, bytes]
    delete: list[str]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not self.write and not self.delete


def compare(out_dir: Path, files: Mapping[str, bytes]) -> Changes:
    """What writing `files` would change, checking that only owned files are touched."""
    old = Lock.read(out_dir)
    write: dict[str, bytes] = {}
    unchanged = 0
    for rel, data in files.items():
        target = out_dir / rel
        try:
            disk = target.read_bytes() if target.is_file() and not target.is_symlink() else None
        except OSError:
            disk = None
        if disk == data:
            unchanged += 1
            continue
        if (target.exists() or target.is_symlink()) and rel not in old.files and rel != LOCK_NAME:
            raise GeneratorError(
                f"{target}: exists and was not written by postman-codegen; "
                "refusing to overwrite it (move it away or choose another output folder)"
            )
        blocked = _blocked(out_dir, rel)
        if blocked is not None:
            raise GeneratorError(blocked)
        write[rel] = data
    delete = sorted(
        rel for rel in old.files
        if rel not in files and (out_dir / rel).is_file() and rel != LOCK_NAME
        and _blocked(out_dir, rel) is None
    )
    return Changes(write, delete, unchanged)


def _blocked(out_dir: Path, rel: str) -> str | None:
    """Why `rel` cannot be written: a folder on its way is a file, or a link (it may lead
    outside the output folder). None when the way is clear."""
    folder = out_dir
    for part in ("", *PurePosixPath(rel).parts[:-1]):
        folder = folder / part if part else folder
        if part and folder.is_symlink():
            return (f"{folder}: is a symbolic link; refusing to write through it "
                    "(output stays inside the output folder)")
        if folder.exists() and not folder.is_dir():
            return (f"{folder}: exists and is not a folder; refusing to replace it "
                    "(move it away or choose another output folder)")
    return None


def unified_diff(out_dir: Path, changes: Changes) -> str:
    chunks: list[str] = []
    for rel in sorted(changes.write):
        target = out_dir / rel
        try:
            before = target.read_text("utf-8").splitlines(keepends=True)
        except (OSError, UnicodeDecodeError):
            before = []
        after = changes.write[rel].decode("utf-8").splitlines(keepends=True)
        chunks.extend(difflib.unified_diff(before, after, f"a/{rel}", f"b/{rel}"))
    for rel in changes.delete:
        try:
            before = (out_dir / rel).read_text("utf-8").splitlines(keepends=True)
        except (OSError, UnicodeDecodeError):
            before = []
        chunks.extend(difflib.unified_diff(before, [], f"a/{rel}", "/dev/null"))
    return "".join(c if c.endswith("\n") else c + "\n" for c in chunks)


def write_tree(
    out_dir: Path, changes: Changes,
    _before_swap: Callable[[Path], None] | None = None,
) -> None:
    """Apply changes atomically: stage a full copy, then swap it in.

    A failure at any point before the swap leaves `out_dir` exactly as it was;
    the swap is two renames, and a run interrupted between them is repaired
    by the next one (`recover`).
    """
    if changes.empty:
        return
    # A symlinked output folder stays a link: its target is what gets replaced.
    out_dir = out_dir.resolve()
    recover(out_dir)
    parent = out_dir.parent
    parent.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.stage-", dir=parent))
    try:
        tree = stage / "tree"
        if out_dir.exists():
            shutil.copytree(out_dir, tree, symlinks=True)
        else:
            tree.mkdir()
        for rel in changes.delete:
            (tree / rel).unlink(missing_ok=True)
            _prune_empty(tree, (tree / rel).parent)
        for rel, data in changes.write.items():
            target = tree / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if target.is_symlink():
                target.unlink()
            target.write_bytes(data)
        if _before_swap is not None:
            _before_swap(tree)
        old = stage / "old"
        if out_dir.exists():
            os.rename(out_dir, old)
        os.rename(tree, out_dir)
    finally:
        # Whatever stopped the swap (an error, Ctrl-C), never delete the only copy
        # of the previous output: put it back first.
        if (stage / "old").is_dir() and not out_dir.exists():
            os.rename(stage / "old", out_dir)
        shutil.rmtree(stage, ignore_errors=True)


def _prune_empty(root: Path, folder: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def recover(out_dir: Path) -> None:
    """Put back an output folder left aside by an interrupted swap."""
    if out_dir.exists():
        return
    for stage in sorted(out_dir.parent.glob(f".{out_dir.name}.stage-*")):
        old = stage / "old"
        if old.is_dir():
            os.rename(old, out_dir)
            shutil.rmtree(stage, ignore_errors=True)
            return


def lock_header(inputs: Mapping[str, str], templates: str) -> dict[str, object]:
    return {
        "generator": __version__,
        "black": black.__version__,
        "templates": templates,
        "inputs": dict(sorted(inputs.items())),
    }
