"""Format, compare and write the generated tree; the lock of owned files.

The output folder holds a lock file listing every file the generator owns,
with the hash of its rendered text (before black) and of its bytes on disk,
plus what the output was made from: the generator, black and template
versions, the options and the canonical hash of every input. Files not listed
there belong to the user: never overwritten, never deleted.

Writes never move, copy or replace the output folder itself (it may be a
mount point, the current directory, or hold FIFOs and hard links): each owned
file is staged inside the folder and renamed over its target, one at a time.
One run at a time writes a folder: it holds an exclusive `flock` on the
folder while it compares and writes.
"""

from __future__ import annotations

import contextlib
import difflib
import errno
import functools
import gc
import hashlib
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Container, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple, Self

from . import __version__
from .blackform import settled
from .errors import GeneratorError, terminal_safe
from .fmt import Block, Formatted, cached_blocks, format_split, split

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows has no flock: runs are not serialised
    fcntl = None  # type: ignore[assignment]

LOCK_NAME = "postman-codegen.lock"
STAGE_PREFIX = ".postman-codegen-stage-"
PACKAGE_DIR = Path(__file__).resolve().parent

# Called with (done, total) while files are formatted; the CLI draws its bar with it.
Progress = Callable[[int, int], None]
# (path, rendered text, its top-level blocks or None, formatted blocks of the last run)
FormatJob = tuple[str, str, list[Block] | None, dict[str, str]]


def sha(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


def black_version() -> str:
    """The pinned black's version, without importing black (it takes ~0.2 s)."""
    try:
        from _black_version import version  # type: ignore[import-untyped, import-not-found, unused-ignore]

        return str(version)
    except ImportError:  # pragma: no cover - black without its version module
        from importlib.metadata import version as dist_version

        return dist_version("black")


def builtin_templates_dir() -> Path:
    """Templates shipped in the wheel (postman_codegen/templates) or in the source tree."""
    packaged = PACKAGE_DIR / "templates"
    return packaged if packaged.is_dir() else PACKAGE_DIR.parent.parent / "templates"


def templates_hash(extra: Path | None = None) -> str:
    """Hash of the templates in use (the user's folder first) and the runtime module.
    Computed here, not in render.py, so a run with nothing to do never imports Jinja."""
    h = hashlib.sha256()
    for d in (extra, builtin_templates_dir()):
        if d is None or not d.is_dir():
            continue
        h.update(b"\1")
        for f in sorted(d.rglob("*.jinja")):
            h.update(f.relative_to(d).as_posix().encode() + b"\0" + f.read_bytes())
    h.update(b"runtime.py\0" + (PACKAGE_DIR / "runtime.py").read_bytes())
    return h.hexdigest()[:16]


def generator_version() -> str:
    """The release plus a hash of the generator's own code, so a change to the
    generator between releases is never mistaken for "nothing changed"."""
    h = hashlib.sha256()
    for path in sorted(PACKAGE_DIR.glob("*.py")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return f"{__version__}+{h.hexdigest()[:12]}"


def canonical_sha(data: bytes) -> str:
    """The hash of a JSON file's meaning: parsed and serialised with sorted keys and
    no whitespace, so a re-export that only reorders or re-indents keeps it. A file
    that is not JSON is hashed as it is (loading it reports the problem)."""
    try:
        value = json.loads(data.decode("utf-8-sig"))
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    except (ValueError, RecursionError):
        return sha(data)
    return sha(text)


@functools.cache
def _black_mode() -> Any:
    """One Mode for every call: black's caches then hit by identity."""
    import black

    return black.Mode(target_versions={black.mode.TargetVersion.PY311})


def black_salt() -> str:
    """What a formatted block depends on besides its text: black's version and the
    mode of `_black_mode` (change both together). No black import needed."""
    return f"black {black_version()} py311 line-length 88"


@contextlib.contextmanager
def collector_off(then: Callable[[], object] | None = None) -> Iterator[None]:
    """The garbage collector off for one step of a run, and `then` (a full pass,
    a freeze) done when the step ends, before the collector is back on."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if then is not None:
            then()
        if enabled:
            gc.enable()


def collector_paused(size: int) -> contextlib.AbstractContextManager[None]:
    """The garbage collector off while black runs.

    black allocates millions of short-lived tracked objects on a large file; the
    collector's passes over them cost more than the formatting (issue 11). After
    a large input (`size` characters) black's cyclic syntax trees are freed at
    once, not at some later full collection (peak memory)."""
    return collector_off(gc.collect if size > 100_000 else None)


def _black(text: str) -> str:
    import black

    return black.format_str(text, mode=_black_mode())


def format_python(text: str) -> str:
    """black over the whole text, in process, with the pinned version, with the
    garbage collector off."""
    with collector_paused(len(text)):
        return _black(text)


def format_file(text: str, blocks: list[Block] | None,
                cache: Mapping[str, str] | None = None,
                report: Callable[[int], None] | None = None) -> Formatted:
    """The bytes black makes of `text`: only its top-level `blocks` not in `cache`
    are formatted (fmt.py; exact by test); with no blocks, the whole file. The
    record of blocks lets the next run reuse them. `report` is told how many
    characters are done, block by block (the progress bar)."""
    cache = cache or {}
    new = sum(len(b.text) for b in blocks if b.key not in cache) if blocks else len(text)
    with collector_paused(new):
        got = format_split(blocks, cache, _black, report) if blocks else None
        return got if got is not None else Formatted(_black(text), [])


def _format_one(item: FormatJob,
                report: Callable[[int], None] | None = None) -> tuple[str, Formatted]:
    return item[0], format_file(item[1], item[2], item[3], report)


def _old_blocks(out_dir: Path, rel: str, entry: Mapping[str, Any]) -> dict[str, str]:
    """Formatted blocks of the file an earlier run wrote, when it is intact (a file
    edited by hand is not trusted)."""
    data = _intact(out_dir, rel, entry)
    if data is None:
        return {}
    return cached_blocks(data.decode("utf-8", "replace"), entry.get("blocks"))


@dataclass(slots=True)
class Lock:
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    header: dict[str, object] = field(default_factory=dict)

    @classmethod
    def read(cls, out_dir: Path) -> Lock:
        try:
            data = json.loads((out_dir / LOCK_NAME).read_text("utf-8"))
        except (OSError, ValueError, RecursionError):
            return cls()
        return cls.parse(data)

    @classmethod
    def parse(cls, data: object) -> Lock:
        files = data.get("files") if isinstance(data, dict) else None
        if not isinstance(data, dict) or not isinstance(files, dict):
            return cls()
        clean = {
            k: v for k, v in files.items()
            if isinstance(k, str) and isinstance(v, dict) and _safe_relpath(k)
        }
        return cls(clean, {k: v for k, v in data.items() if k != "files"})

    def reusable_blocks(self, rel: str, header: Mapping[str, object]) -> bool:
        """Whether the run that wrote this lock recorded the formatted blocks of
        `rel` with the black of `header`: blocks a new run may reuse from disk
        (if the file is intact) instead of vetting and formatting them again."""
        return (self.header.get("black") == header.get("black")
                and bool(self.files.get(rel, {}).get("blocks")))

    def render(self) -> str:
        body = dict(self.header)
        body["files"] = {k: self.files[k] for k in sorted(self.files)}
        return json.dumps(body, indent=2, sort_keys=False) + "\n"


def _safe_relpath(rel: str) -> bool:
    p = PurePosixPath(rel)
    return (
        not p.is_absolute() and ".." not in p.parts and "" not in p.parts
        and all(part not in (".", "") and "\\" not in part and ":" not in part for part in p.parts)
        and not p.parts[0].startswith(STAGE_PREFIX)
    )


@dataclass(frozen=True, slots=True)
class Inputs:
    """Hashes of the input files, keyed by their project-relative path."""

    canonical: dict[str, str]
    raw: dict[str, str]


def hash_inputs(paths: Mapping[str, Path], old: Lock) -> Inputs:
    """Canonical hashes of the inputs; a file whose bytes match the lock's record
    reuses the recorded canonical hash instead of being parsed again."""
    old_raw = old.header.get("raw")
    old_canon = old.header.get("inputs")
    old_raw = old_raw if isinstance(old_raw, dict) else {}
    old_canon = old_canon if isinstance(old_canon, dict) else {}
    canonical: dict[str, str] = {}
    raw: dict[str, str] = {}
    for rel, path in sorted(paths.items()):
        try:
            data = path.read_bytes()
        except OSError:
            data = b""
        raw[rel] = sha(data)
        recorded = old_canon.get(rel)
        if old_raw.get(rel) == raw[rel] and isinstance(recorded, str):
            canonical[rel] = recorded
        else:
            canonical[rel] = canonical_sha(data)
    return Inputs(canonical, raw)


def lock_header(
    inputs: Mapping[str, str] | Inputs, templates: str, options: str = "",
) -> dict[str, object]:
    """What the output is made from. Equal headers and intact files mean nothing to do."""
    if isinstance(inputs, Inputs):
        canonical, raw = inputs.canonical, inputs.raw
    else:
        canonical, raw = dict(inputs), {}
    header: dict[str, object] = {
        "generator": generator_version(),
        "black": black_version(),
        "templates": templates,
        "options": options,
        "inputs": dict(sorted(canonical.items())),
    }
    if raw:
        header["raw"] = dict(sorted(raw.items()))
    return header


# Header keys that decide the output; `raw` only saves parsing unchanged inputs.
DECIDING = ("generator", "black", "templates", "options", "inputs")


def disk_sha(out_dir: Path, rel: str) -> str | None:
    data = _owned_bytes(out_dir / rel)
    return None if data is None else sha(data)


def _owned_bytes(target: Path) -> bytes | None:
    """A generated file's bytes as the generator wrote them: None when it is not a
    regular file. Line ends read as `\n`: the generator writes no carriage return
    (a CR in a collection's text is escaped or dropped), so CRLF ends come from
    a checkout (git's `core.autocrlf` on Windows) or an editor, not from an
    edit, and a drift check must not fail on them."""
    try:
        if target.is_symlink() or not target.is_file():
            return None
        data = target.read_bytes()
    except OSError:
        return None
    return data.replace(b"\r\n", b"\n") if b"\r\n" in data else data


def edited_files(out_dir: Path, lock: Lock) -> list[str]:
    """Owned files whose bytes on disk differ from the lock's record (or are gone)."""
    return sorted(
        rel for rel, entry in lock.files.items()
        if disk_sha(out_dir, rel) != entry.get("formatted")
    )


def fresh(out_dir: Path, lock: Lock, header: Mapping[str, object]) -> bool:
    """True when rendering would change nothing: the lock was made from the same
    inputs, generator, black, templates and options, and every owned file is intact."""
    if not lock.files or any(lock.header.get(k) != header.get(k) for k in DECIDING):
        return False
    return not edited_files(out_dir, lock)


def stale_reasons(out_dir: Path, lock: Lock, header: Mapping[str, object]) -> list[str]:
    """Why the output folder no longer matches: one line per cause, before the diff."""
    if not lock.files:
        return [(f"{LOCK_NAME} is missing or unreadable: the output was not made by this "
                 "generator or its record is lost")]
    reasons: list[str] = []
    old_in = lock.header.get("inputs")
    new_in = header.get("inputs")
    old_in = old_in if isinstance(old_in, dict) else {}
    new_in = new_in if isinstance(new_in, dict) else {}
    changed = sorted(k for k in new_in if k in old_in and old_in[k] != new_in[k])
    added = sorted(k for k in new_in if k not in old_in)
    removed = sorted(k for k in old_in if k not in new_in)
    if changed:
        reasons.append("collection changed: " + ", ".join(changed))
    if added:
        reasons.append("collection added: " + ", ".join(added))
    if removed:
        reasons.append("collection removed: " + ", ".join(removed))
    for key, what in (("generator", "generator version"), ("black", "formatter (black) version"),
                      ("templates", "templates"), ("options", "options")):
        if lock.header.get(key) != header.get(key):
            reasons.append(f"{what} changed: {lock.header.get(key)} -> {header.get(key)}")
    edited = edited_files(out_dir, lock)
    missing = [r for r in edited if not (out_dir / r).exists()]
    by_hand = [r for r in edited if r not in missing]
    if by_hand:
        reasons.append("edited by hand: " + ", ".join(by_hand))
    if missing:
        reasons.append("deleted: " + ", ".join(missing))
    return reasons


def check_compiles(rel: str, text: str, cache: Mapping[str, str] | None = None,
                   vetted: Container[str] = (),
                   ) -> list[Block] | None:
    """Every generated Python file must compile (`ast.parse` misses limits such as
    CPython's 20 statically nested blocks). A failure is the generator's bug.

    Returns the file's top-level blocks (fmt.split), or None when it must be
    formatted whole. Only the blocks not in `cache` or `vetted` are compiled
    (the run that made them, or a vetting worker, compiled them; compiling is
    per statement, and `split`
    refuses what only whole-file compilation checks, such as a late future
    import). A block that does not compile alone means the textual split was
    wrong: the whole file is compiled instead, and formatted whole."""
    for precise in (False, True):  # the quick split first (fmt.split)
        blocks = split(text, black_salt(), precise=precise)
        if blocks is None and not precise:
            continue
        try:
            for block in blocks or ():
                if (not cache or block.key not in cache) and block.key not in vetted:
                    compile(block.text, rel, "exec", dont_inherit=True)
            return blocks
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
    try:
        compile(text, rel, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise GeneratorError(
            f"generated {rel} does not compile ({type(exc).__name__}: {exc}); this is a "
            "postman-codegen bug: please report it with the collection"
        ) from exc
    return None


def build_tree(
    out_dir: Path,
    rendered: Mapping[str, str],
    header: dict[str, object],
    jobs: int = 1,
    progress: Progress | None = None,
    early: Vetted | None = None,
) -> dict[str, bytes]:
    """Final bytes of every owned file (lock included).

    A Python file whose rendered text hash matches the lock (made by the same
    black) and whose bytes on disk are intact is reused as it is; only the
    others are compiled and formatted, black running only on their top-level
    blocks not found in the file on disk (fmt.py). The bytes, the lock's
    included, never depend on which path ran: every Python file's entry records
    its blocks (`[]` when formatted whole), and an entry without that record
    (an older lock) is formatted again. `early`: blocks already vetted while the
    files were being rendered (`EarlyVet`)."""
    settled_early = early.settled if early else frozenset()
    old = Lock.read(out_dir)
    new = Lock(header=header)
    same_black = old.header.get("black") == header.get("black")
    result: dict[str, bytes] = {}
    blocks: dict[str, list[str]] = {}
    pending: list[tuple[str, str, dict[str, str]]] = []  # rel, text, blocks on disk
    for rel, text in rendered.items():
        if not _safe_relpath(rel):
            raise GeneratorError(f"refusing to write outside the output folder: {rel!r}")
        rendered_sha = sha(text)
        entry = old.files.get(rel) or {}
        new.files[rel] = {"rendered": rendered_sha}
        if not rel.endswith(".py"):
            result[rel] = text.encode("utf-8")
            continue
        if (same_black and entry.get("rendered") == rendered_sha
                and isinstance(entry.get("blocks"), list)):
            data = _intact(out_dir, rel, entry)
            if data is not None:
                result[rel], blocks[rel] = data, entry["blocks"]
                continue
        shipped = _shipped(text)
        if shipped is not None:
            result[rel], blocks[rel] = shipped.encode("utf-8"), []
            continue
        cache = _old_blocks(out_dir, rel, entry) if old.reusable_blocks(rel, header) else {}
        pending.append((rel, text, {**early.formatted, **cache} if early else cache))
    # Files vetted while rendering are not vetted again in parallel.
    vetted = {} if settled_early else _vet_parallel(pending, jobs)
    to_format: list[FormatJob] = []
    for rel, text, cache in pending:
        parts: list[Block] | None
        if rel in vetted:
            parts, ready = vetted[rel]
        else:
            parts = check_compiles(rel, text, cache, settled_early)
            ready = settled_blocks(parts, cache, settled_early)
        to_format.append((rel, text, parts, {**cache, **ready}))
    for rel, formatted in _format_all(to_format, jobs, progress):
        result[rel], blocks[rel] = formatted.text.encode("utf-8"), formatted.blocks
    for rel, data in result.items():
        new.files[rel]["formatted"] = sha(data)
        if rel in blocks:
            new.files[rel]["blocks"] = blocks[rel]
    result[LOCK_NAME] = new.render().encode("utf-8")
    return result


# Below this many characters of Python to vet, worker processes cost more than
# they save.
VET_PARALLEL = 2_000_000
# Blocks go to the vetting workers in chunks of about this many characters.
VET_CHUNK = 250_000


def _vet_parallel(pending: list[tuple[str, str, dict[str, str]]],
                  jobs: int) -> dict[str, tuple[list[Block], dict[str, str]]]:
    """`check_compiles`, `settled_blocks` and black for the blocks not settled, of
    the large Python files to format that have no blocks on disk to reuse, done
    by `jobs` worker processes over chunks of blocks (a cold run of a collection
    of thousands of requests: all are pure functions of a block's text), so the
    main process runs no black at all. A file whose quick split fails or whose
    blocks do not all compile alone is left out: the sequential path then
    handles it (precise split, whole-file compile, the located error)."""
    if jobs <= 1:
        return {}
    todo: dict[str, tuple[str, list[Block]]] = {}
    for rel, text, cache in pending:
        blocks = None if cache else split(text, black_salt(), precise=False)
        if blocks:
            todo[rel] = (text, blocks)
    if sum(len(text) for text, _ in todo.values()) < VET_PARALLEL:
        return {}
    chunks = [job for rel, (_, blocks) in todo.items() for job in _vet_jobs(rel, blocks)]
    from concurrent.futures import ProcessPoolExecutor

    ok: dict[str, bool] = dict.fromkeys(todo, True)
    ready: dict[str, dict[str, str]] = {rel: {} for rel in todo}
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        for (rel, _), got in zip(chunks, pool.map(_vet_chunk, chunks), strict=True):
            if got is None:
                ok[rel] = False
            else:
                ready[rel].update(got.formatted)
                ready[rel].update((b.key, b.text) for b in todo[rel][1]
                                  if b.key in got.settled)
    return {rel: (todo[rel][1], ready[rel]) for rel in todo if ok[rel]}


# One vetting job: a file's path (for compile errors) and (key, text) of its blocks.
VetJob = tuple[str, list[tuple[str, str]]]


def _vet_jobs(rel: str, blocks: list[Block]) -> list[VetJob]:
    """The blocks of a file in jobs of about `VET_CHUNK` characters each."""
    jobs: list[VetJob] = []
    chunk: list[tuple[str, str]] = []
    size = 0
    for b in blocks:
        if size > VET_CHUNK:
            jobs.append((rel, chunk))
            chunk, size = [], 0
        chunk.append((b.key, b.text))
        size += len(b.text)
    if chunk:
        jobs.append((rel, chunk))
    return jobs


class Vetted(NamedTuple):
    """Blocks vetted by worker processes: compiled, and either settled (black
    leaves them as they are; only their keys come back, since the main process
    holds their text) or formatted by black alone (a block black refuses alone
    is in neither: `format_split` then formats its file whole)."""

    settled: set[str]
    formatted: dict[str, str]


def _vet_chunk(job: VetJob) -> Vetted | None:
    """The blocks of a chunk vetted (in a worker process); None when a block does
    not compile alone."""
    rel, chunk = job
    try:
        for _, text in chunk:
            compile(text, rel, "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    done = Vetted(set(), {})
    rest: list[tuple[str, str]] = []
    for key, text in chunk:
        if settled(text):
            done.settled.add(key)
        else:
            rest.append((key, text))
    if rest:
        done.formatted.update(_format_chunk(rest))
    return done


class EarlyVet:
    """Vets the blocks of large Python files while the rest is still rendered.

    A cold run of a large collection spent about as long rendering (one core)
    as vetting afterwards (compile, `settled` and black on two): the renderer
    hands each finished piece of a file to `offer` (render.py cuts pieces at
    top-level statements), and worker processes vet the piece's blocks
    (`_vet_chunk`) while the main process renders the next one. The results
    are a cache by block key, as the blocks on disk are: a block whose key is
    not in it (a piece that split differently, or did not compile alone) is
    simply vetted later by `build_tree`, so the bytes never depend on this.

    Only files with no blocks on disk to reuse are taken (`wants`); the
    workers start once `VET_PARALLEL` characters of Python are offered, so
    small collections never pay for them.
    """

    def __init__(self, jobs: int, wants: Callable[[str], bool]) -> None:
        self.jobs = jobs
        self.wants = wants
        self._queued: list[VetJob] = []
        self._size = 0  # characters offered
        self._pool: Any = None
        self._futures: list[Any] = []

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def offer(self, rel: str, piece: str) -> None:
        """Blocks of a finished piece of the Python file `rel`, to vet."""
        if self.jobs <= 1 or not self.wants(rel):
            return
        blocks = split(piece, black_salt(), precise=False)
        if not blocks:
            return
        self._queued += _vet_jobs(rel, blocks)
        self._size += len(piece)
        if self._pool is None and self._size >= VET_PARALLEL:
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=self.jobs)
        if self._pool is not None:
            self._futures += [self._pool.submit(_vet_chunk, job) for job in self._queued]
            self._queued.clear()

    def results(self) -> Vetted:
        """Every block vetted (waits for the workers)."""
        out = Vetted(set(), {})
        for future in self._futures:
            got = future.result()
            if got is not None:
                out.settled.update(got.settled)
                out.formatted.update(got.formatted)
        self._futures.clear()
        self.__exit__()
        return out


def settled_blocks(blocks: list[Block] | None, cache: Mapping[str, str],
                   known: Container[str] = ()) -> dict[str, str]:
    """The blocks (not already in `cache`) black would leave as they are, each as
    its own formatted text: the renderer writes black's form, and
    blackform.settled vouches for it (held to black by tests), so black runs
    only on the rest. `known`: keys a vetting worker found settled already."""
    return {b.key: b.text for b in blocks or ()
            if b.key not in cache and (b.key in known or settled(b.text))}


# The runtime module as black formats it, shipped with the generator: its first
# line names the hash of runtime.py and the black version it was made from.
RUNTIME_FORMATTED = PACKAGE_DIR / "runtime.formatted"


def _shipped(text: str) -> str | None:
    """black's output for `text` when it is the runtime module and the shipped
    formatted copy was made from these exact bytes by this black."""
    if len(text) < 1000 or not text.startswith('"""'):
        return None
    try:
        head, _, body = RUNTIME_FORMATTED.read_text("utf-8").partition("\n")
    except OSError:
        return None
    return body if head == shipped_header(text) else None


def shipped_header(text: str) -> str:
    return f"# sha256={sha(text)} black={black_version()}"


def write_runtime_formatted() -> None:
    """Refresh the shipped formatted runtime (after runtime.py or black changed)."""
    text = (PACKAGE_DIR / "runtime.py").read_text("utf-8")
    RUNTIME_FORMATTED.write_text(shipped_header(text) + "\n" + format_python(text), "utf-8")


def _intact(out_dir: Path, rel: str, entry: Mapping[str, Any]) -> bytes | None:
    """The bytes of an owned file, if they are what the lock recorded."""
    data = _owned_bytes(out_dir / rel)
    return data if data is not None and sha(data) == entry.get("formatted") else None


def _format_all(
    items: list[FormatJob], jobs: int, progress: Progress | None = None,
) -> list[tuple[str, Formatted]]:
    # Largest first: with parallel workers the long file starts at once.
    items = sorted(items, key=lambda i: -len(i[1]))
    total = sum(_left(item) for item in items)
    done = 0
    out: list[tuple[str, Formatted]] = []
    if progress:
        progress(0, total)
    if jobs > 1 and total > 200_000:
        return _format_parallel(items, jobs, total, progress)
    for item in items:
        report = functools.partial(_offset, progress, done, total) if progress else None
        out.append(_format_one(item, report))
        done += _left(item)
        if progress:
            progress(done, total)
    return out


def _left(item: FormatJob) -> int:
    """Characters black has to format in a job."""
    _, text, blocks, cache = item
    if blocks is None:
        return len(text)
    return sum(len(b.text) for b in blocks if b.key not in cache)


# Blocks go to the workers in chunks of about this many characters.
CHUNK = 40_000


def _format_parallel(items: list[FormatJob], jobs: int, total: int,
                     progress: Progress | None) -> list[tuple[str, Formatted]]:
    """The blocks black has to format, from every file, spread over `jobs` worker
    processes in chunks (one large file keeps every worker busy); files that
    cannot be split go whole. Each file is then joined from its blocks as
    `format_split` does, so the bytes are those of the sequential path."""
    from concurrent.futures import Future, ProcessPoolExecutor, as_completed

    whole = [(rel, text) for rel, text, blocks, _ in items if not blocks]
    todo: dict[str, str] = {}
    for _, _, blocks, cache in items:
        for block in blocks or ():
            if block.key not in cache:
                todo.setdefault(block.key, block.text)
    chunks: list[list[tuple[str, str]]] = [[]]
    size = 0
    for key, text in todo.items():
        if size > CHUNK:
            chunks.append([])
            size = 0
        chunks[-1].append((key, text))
        size += len(text)
    formatted: dict[str, str] = {}
    results: dict[str, Formatted] = {}
    done = total - sum(len(t) for t in todo.values()) - sum(len(t) for _, t in whole)
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures: dict[Future[Any], int] = {
            pool.submit(_format_whole, item): len(item[1]) for item in whole}
        for chunk in chunks:
            if chunk:
                futures[pool.submit(_format_chunk, chunk)] = sum(len(t) for _, t in chunk)
        for fut in as_completed(futures):
            got = fut.result()
            if isinstance(got, tuple):
                results[got[0]] = got[1]
            else:
                formatted.update(got)
            done += futures[fut]
            if progress:
                progress(done, total)
    for rel, text, blocks, cache in items:
        if rel not in results:
            joined = format_split(blocks or [], {**cache, **formatted}, _black)
            results[rel] = joined if joined is not None else format_file(text, None)
    return [(rel, results[rel]) for rel, *_ in items]


def _format_whole(item: tuple[str, str]) -> tuple[str, Formatted]:
    return item[0], format_file(item[1], None)


def _format_chunk(chunk: list[tuple[str, str]]) -> dict[str, str]:
    """Formatted text of each block of a chunk (in a worker process); a block black
    refuses alone is left out, and its file is formatted whole afterwards."""
    out: dict[str, str] = {}
    with collector_paused(sum(len(t) for _, t in chunk)):
        for key, text in chunk:
            try:
                out[key] = _black(text)
            except Exception:  # noqa: BLE001, S112 - its file goes to whole-file black
                continue
    return out


def _offset(progress: Progress, base: int, total: int, done: int) -> None:
    progress(base + done, total)


@dataclass(slots=True)
class Changes:
    write: dict[str, bytes]
    delete: list[str]
    unchanged: int

    @property
    def empty(self) -> bool:
        return not self.write and not self.delete

    @property
    def only_lock(self) -> bool:
        """Only the lock's record differs: no generated file would change."""
        return not self.delete and set(self.write) <= {LOCK_NAME}


def compare(out_dir: Path, files: Mapping[str, bytes]) -> Changes:
    """What writing `files` would change, checking that only owned files are touched."""
    old = Lock.read(out_dir)
    write: dict[str, bytes] = {}
    unchanged = 0
    for rel, data in files.items():
        target = out_dir / rel
        if _owned_bytes(target) == data:  # the same, or only its line ends differ
            unchanged += 1
            continue
        if (target.exists() or target.is_symlink()) and rel not in old.files and rel != LOCK_NAME:
            raise GeneratorError(
                f"{target}: exists and was not written by postman-codegen; "
                "refusing to overwrite it (move it away or choose another output folder)"
            )
        if target.is_dir() and not target.is_symlink():
            raise GeneratorError(
                f"{target}: is a folder where postman-codegen writes a file; "
                "refusing to replace it (move it away or choose another output folder)"
            )
        blocked = _blocked(out_dir, rel)
        if blocked is not None:
            raise GeneratorError(blocked)
        write[rel] = data
    delete = sorted(
        rel for rel in old.files
        if rel not in files and rel != LOCK_NAME and (out_dir / rel).is_file()
        and not (out_dir / rel).is_symlink() and _blocked(out_dir, rel) is None
    )
    return Changes(write, delete, unchanged)


def _blocked(out_dir: Path, rel: str) -> str | None:
    """Why `rel` cannot be written: a folder on its way is a file, or a link (it may lead
    outside the output folder). None when the way is clear."""
    folder = out_dir
    for part in PurePosixPath(rel).parts[:-1]:
        folder = folder / part
        if folder.is_symlink():
            return (f"{folder}: is a symbolic link; refusing to write through it "
                    "(output stays inside the output folder)")
        if folder.exists() and not folder.is_dir():
            return (f"{folder}: exists and is not a folder; refusing to replace it "
                    "(move it away or choose another output folder)")
    return None


def unified_diff(out_dir: Path, changes: Changes) -> str:
    """The diff `check` prints; control and format characters from collection text
    are shown escaped, never sent to the terminal."""
    chunks: list[str] = []
    for rel in sorted(changes.write):
        if rel == LOCK_NAME:
            continue  # the record of hashes: its changes are explained, not diffed
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
    text = "".join(c if c.endswith("\n") else c + "\n" for c in chunks)
    return terminal_safe(text, keep="\n\t")


# -- one run at a time ------------------------------------------------------

class Busy(GeneratorError):
    """Another run holds the output folder longer than we may wait."""


@contextlib.contextmanager
def run_lock(out_dir: Path, exclusive: bool, wait: float) -> Iterator[None]:
    """Hold an `flock` on the output folder itself: exclusive to write, shared to
    read (a check never sees a half-written tree). The folder is opened, never
    replaced, so the lock covers every path to it (links, `-o .`, mount points)
    and leaves no file behind. A read of a folder that does not exist takes no lock."""
    if exclusive:
        recover(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise GeneratorError(f"{out_dir}: exists and is not a folder; refusing to replace it "
                             "(move it away or choose another output folder)")
    if exclusive:
        out_dir.mkdir(parents=True, exist_ok=True)
    elif not out_dir.is_dir():
        yield
        return
    if fcntl is None:  # pragma: no cover
        yield
        return
    fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        mode = fcntl.LOCK_EX if exclusive else fcntl.LOCK_SH
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            try:
                fcntl.flock(fd, mode | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"{out_dir}: another postman-codegen run is writing this folder; "
                        f"gave up after waiting {wait:g} s (try again when it has "
                        "finished, or wait longer with --wait SECONDS)"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing the last descriptor releases the lock


# -- writing ----------------------------------------------------------------

def has_stale_stages(out_dir: Path) -> bool:
    """Whether a killed run left a staging folder in the output folder."""
    return any(out_dir.glob(STAGE_PREFIX + "*"))


def clean_stale(out_dir: Path) -> None:
    """Remove staging folders a killed run left (called under the exclusive lock,
    so no live run owns them), and put back an output folder a killed run of an
    older version left aside."""
    recover(out_dir)
    if out_dir.is_dir():
        for stage in out_dir.glob(STAGE_PREFIX + "*"):
            if stage.is_dir() and not stage.is_symlink():
                shutil.rmtree(stage, ignore_errors=True)


def write_tree(
    out_dir: Path, changes: Changes,
    _before_swap: Callable[[Path], None] | None = None,
) -> None:
    """Apply changes file by file, each atomically (`os.replace`).

    Every new file is first written to a staging folder inside the output
    folder (same file system, so the rename is atomic even on a mount point);
    a failure while staging leaves the output exactly as it was. Before any
    file is replaced, the lock is widened to own every file about to exist, so
    a run killed half way leaves each file old or new and all of them owned;
    the final lock is written last. The output folder itself is never moved,
    copied or replaced. Call it under `run_lock(out_dir, exclusive=True, ...)`.
    """
    if changes.empty:
        return
    out_dir.mkdir(parents=True, exist_ok=True)
    clean_stale(out_dir)
    stage = Path(tempfile.mkdtemp(prefix=STAGE_PREFIX, dir=out_dir))
    try:
        staged: dict[str, Path] = {}
        for rel, data in sorted(changes.write.items()):
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
            staged[rel] = path
        if _before_swap is not None:
            _before_swap(stage)
        old = Lock.read(out_dir)
        new_lock = changes.write.get(LOCK_NAME)
        if new_lock is not None:
            new = Lock.parse(json.loads(new_lock))
            if not set(new.files) <= set(old.files):
                # Claim every file about to exist before it does.
                claim = Lock({**old.files, **new.files}, dict(new.header))
                _replace_bytes(out_dir, LOCK_NAME, claim.render().encode("utf-8"), stage)
        for rel, path in staged.items():
            if rel == LOCK_NAME:
                continue
            blocked = _blocked(out_dir, rel)
            if blocked is not None:
                raise GeneratorError(blocked)
            target = out_dir / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            _replace(path, target)
        for rel in changes.delete:
            target = out_dir / rel
            if target.is_file() and not target.is_symlink() and _blocked(out_dir, rel) is None:
                target.unlink(missing_ok=True)
                _prune_empty(out_dir, target.parent)
        if LOCK_NAME in staged:
            _replace(staged[LOCK_NAME], out_dir / LOCK_NAME)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _replace(source: Path, target: Path) -> None:
    try:
        os.replace(source, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        # The target's folder is another file system (a mount inside the output):
        # stage beside the target instead, then rename.
        tmp = target.parent / f"{STAGE_PREFIX}{target.name}"
        shutil.copyfile(source, tmp)
        os.replace(tmp, target)


def _replace_bytes(out_dir: Path, rel: str, data: bytes, stage: Path) -> None:
    tmp = stage / (".claim-" + rel.replace("/", "_"))
    tmp.write_bytes(data)
    _replace(tmp, out_dir / rel)


def _prune_empty(root: Path, folder: Path) -> None:
    while folder != root and root in folder.parents and folder.is_dir() \
            and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def recover(out_dir: Path) -> None:
    """Put back an output folder that an older version's interrupted swap left aside
    (`.NAME.stage-*/old` beside it), and drop its leftover staging folders."""
    parent = out_dir.parent
    try:
        stages = sorted(parent.glob(f".{out_dir.name}.stage-*"))
    except OSError:
        return
    for stage in stages:
        old = stage / "old"
        if not out_dir.exists() and old.is_dir():
            os.rename(old, out_dir)
        if out_dir.exists() and not old.exists():
            # A stage still holding an old tree is never deleted: it may be the
            # only copy of someone's files.
            shutil.rmtree(stage, ignore_errors=True)


def options_hash(value: Any) -> str:
    """A short hash of the options and package names (they decide the output)."""
    return sha(json.dumps(value, sort_keys=True, default=str))[:16]
