"""Process timing and peak memory for the benchmark, plus small printing helpers."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent


def find_corpus() -> Path | None:
    """`$CORPUS`, else the first `shared/corpus` beside the checkout or above it."""
    if os.environ.get("CORPUS"):
        given = Path(os.environ["CORPUS"])
        return given if given.is_absolute() else (ROOT / given).resolve()
    for folder in (ROOT, *ROOT.parents):
        candidate = folder / "shared" / "corpus"
        if candidate.is_dir():
            return candidate
    return None


_FOUND = find_corpus()
CORPUS = _FOUND or ROOT.parent / "shared" / "corpus"
CORPUS_FOUND = _FOUND is not None and CORPUS.is_dir()
if not CORPUS_FOUND:
    print("\n" + "!" * 78 + f"\nbench: CORPUS NOT FOUND (looked for shared/corpus beside and above"
          f" {ROOT}; set CORPUS=/path/to/corpus): every corpus input is SKIPPED\n" + "!" * 78,
          file=sys.stderr, flush=True)


@dataclass(slots=True)
class Run:
    """One finished child process: wall seconds, peak RSS in MB, exit code, output tail."""

    seconds: float
    peak_mb: float
    returncode: int
    output: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def run_timed(cmd: Sequence[str | os.PathLike[str]], cwd: Path | None = None,
              timeout: float = 900, env: dict[str, str] | None = None) -> Run:
    """Run `cmd`, returning its wall time and peak RSS.

    The RSS comes from `os.wait4` on that very child, so it is that process's
    peak or the peak of its largest waited-for descendant (black workers),
    whichever is larger; earlier children of the benchmark never leak in.
    The child is killed after `timeout` seconds (exit code -9). `env` adds to
    (or overrides) this process's environment.
    """
    with tempfile.TemporaryFile() as log:
        start = time.perf_counter()
        proc = subprocess.Popen([os.fspath(c) for c in cmd], cwd=cwd, stdout=log,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                env={**os.environ, **env} if env else None)
        timer = threading.Timer(timeout, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        seconds = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        log.seek(0)
        output = log.read().decode("utf-8", "replace")
    return Run(seconds, usage.ru_maxrss / 1024, code, output)


def tail(text: str, lines: int = 6) -> str:
    """The last few lines of a tool's output, indented, for an error message."""
    kept = [line for line in text.strip().splitlines() if line.strip()][-lines:]
    return "\n".join("      " + line[:200] for line in kept)


def say(text: str = "") -> None:
    """Print now (the benchmark runs for minutes; show progress as it goes)."""
    print(text, flush=True)


def machine_note() -> str:
    """Cores and load: other work on the machine skews absolute times (less so ratios)."""
    cores = os.cpu_count() or 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0.0
    note = f"python {sys.version.split()[0]}, {cores} cores, load average {load:.2f}"
    if load > cores * 0.75:
        note += "  (machine busy: absolute times are inflated, compare ratios)"
    return note
