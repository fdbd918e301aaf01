"""`make bench`: postman-codegen side by side with its peers, printed as ratios.

1. Generation speed: `postman-codegen generate` cold (fresh output folder) and
   warm (same output again: the lock file skips black), against
   datamodel-code-generator (pydantic v2 models) and quicktype (Python) run on
   the same JSON example bodies.
2. Parse speed: the generated `from_dict`/`to_dict` against `json.loads`,
   msgspec, pydantic v2 and quicktype's `from_dict`, on one collection's bodies.
3. Peak memory (RSS) and time of generating the largest real collection and a
   synthetic ~50 MB one.

Peers are installed on demand into bench/.peers/ (see peers.py); a peer that
cannot be installed is reported and its rows are left empty. Every figure
that compares tools is a ratio measured in the same run on the same input.
Exit status is 0 unless our own generator fails.

Usage: bench/run.py [--quick]   (--quick: seeds and twitter-v2 only, no memory runs)
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from measure import (
    BENCH,
    CORPUS,
    ROOT,
    Run,
    fmt_seconds,
    machine_note,
    ratio,
    run_timed,
    say,
    tail,
)
from peers import Peers, ensure_peers
from samples import Group, collect, sample_document
from synth import corpus_records, write_collection

# (label, sources): the seeds, then corpus collections rich in JSON examples.
GEN_INPUTS = [
    ("collections/", [ROOT / "collections"]),
    ("twitter-v2", [CORPUS / "twitter-v2.postman_collection.json"]),
    ("docusign-rooms", [CORPUS / "docusign-rooms.postman_collection.json"]),
    ("paypal-partner", [CORPUS / "paypal-partner.postman_collection.json"]),
]
QUICK_INPUTS = {"collections/", "twitter-v2"}
PARSE_INPUT = "paypal-partner"  # the parse benchmark's bodies (twitter-v2 with --quick)
MEMORY_INPUT = CORPUS / "commercetools-api.postman_collection.json"
SYNTH_SOURCE = CORPUS / "twitter-v2.postman_collection.json"
SYNTH_BYTES = 50_000_000
TIMEOUT = 900  # seconds for any one tool run


@dataclass(slots=True)
class GenRow:
    """Generation figures for one input; None where a tool is missing or failed."""

    label: str
    bodies: int = 0
    ours_cold: Run | None = None
    ours_warm: Run | None = None
    ours_lines: int = 0
    dmcg: Run | None = None
    dmcg_lines: int = 0
    quicktype: Run | None = None
    quicktype_lines: int = 0


@dataclass(slots=True)
class Report:
    gen: list[GenRow] = field(default_factory=list)
    parse: dict[str, Any] = field(default_factory=dict)
    parse_label: str = ""
    memory: list[tuple[str, float, Run]] = field(default_factory=list)
    failed: bool = False


# -- the tools --------------------------------------------------------------


def codegen() -> list[str]:
    """Our CLI from the interpreter running this script (the project venv)."""
    script = Path(sys.executable).parent / "postman-codegen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "postman_codegen"]


def ours(sources: list[Path], out: Path) -> Run:
    """`postman-codegen generate -o OUT SOURCES` as a whole process (stderr kept for its summary)."""
    return run_timed([*codegen(), "generate", "-o", out, *sources], cwd=ROOT, timeout=TIMEOUT)


def written(run: Run) -> str:
    """The `N file(s) written` part of our CLI's summary line, to show a warm run wrote nothing."""
    match = re.search(r"(\d+) file\(s\) written", run.output)
    return f"{match.group(1)} written" if match else "?"


def dmcg(peers: Peers, sample: Path, out: Path, model_type: str) -> Run | None:
    """datamodel-code-generator on a JSON sample, formatted with black + isort (its default)."""
    if peers.datamodel_codegen is None:
        return None
    return _peer_run("datamodel-codegen", [
        peers.datamodel_codegen, "--input", sample, "--input-file-type", "json",
        "--output", out, "--output-model-type", model_type, "--class-name", "Sample",
        "--target-python-version", "3.11", "--formatters", "black", "isort",
        "--disable-timestamp",
    ], out)


def quicktype(peers: Peers, sample: Path, out: Path) -> Run | None:
    """quicktype's Python (dataclasses, from_dict/to_dict) from a JSON sample."""
    if peers.quicktype is None:
        return None
    return _peer_run("quicktype", [
        peers.quicktype, "--lang", "python", "--src-lang", "json", "--top-level", "Sample",
        "--python-version", "3.7", "--no-maps", "-o", out, sample,
    ], out)


def _peer_run(name: str, cmd: list[object], out: Path) -> Run | None:
    done = run_timed(cmd, timeout=TIMEOUT)  # type: ignore[arg-type]
    if done.ok and out.exists():
        return done
    say(f"    {name} failed (exit {done.returncode}); its figure is left out:\n"
        + tail(done.output))
    return None


def py_lines(path: Path) -> int:
    """Lines of Python in a file or under a folder."""
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return sum(f.read_text("utf-8").count("\n") for f in files if f.exists())


# -- 1. generation ----------------------------------------------------------


def bench_generation(peers: Peers, inputs: list[tuple[str, list[Path]]], tmp: Path,
                     report: Report) -> dict[str, Path]:
    """Time every tool on every input; returns our output folder per input."""
    say("\n== 1. Generation (cold = fresh output folder; warm = same output, no change)")
    outs: dict[str, Path] = {}
    for label, sources in inputs:
        missing = [s for s in sources if not s.exists()]
        if missing:
            say(f"  {label}: input missing ({missing[0]}); skipped")
            continue
        row = GenRow(label)
        out = tmp / f"ours-{len(outs)}"
        row.ours_cold = ours(sources, out)
        if not row.ours_cold.ok:
            say(f"  {label}: postman-codegen FAILED:\n" + tail(row.ours_cold.output))
            report.failed = True
            continue
        row.ours_warm = ours(sources, out)
        row.ours_lines = py_lines(out)
        outs[label] = out
        groups, _ = collect(out, sources, for_parsing=False)
        row.bodies = sum(len(g.bodies) for g in groups)
        if row.bodies:
            _peers_generate(peers, groups, tmp / f"gen-{len(outs)}", row)
        report.gen.append(row)
        say(f"  {label:<16} {row.bodies:>4} bodies  ours cold {_s(row.ours_cold)}"
            f" ({written(row.ours_cold)}), warm {_s(row.ours_warm)} ({written(row.ours_warm)})"
            f"  datamodel-codegen {_s(row.dmcg)}  quicktype {_s(row.quicktype)}")
    return outs


def _peers_generate(peers: Peers, groups: list[Group], work: Path, row: GenRow) -> None:
    """Both peers on the sample document of `groups`; fills in their rows."""
    work.mkdir()
    sample = work / "sample.json"
    sample.write_text(sample_document(groups), "utf-8")
    row.dmcg = dmcg(peers, sample, work / "dmcg.py", "pydantic_v2.BaseModel")
    row.dmcg_lines = py_lines(work / "dmcg.py") if row.dmcg else 0
    row.quicktype = quicktype(peers, sample, work / "qt.py")
    row.quicktype_lines = py_lines(work / "qt.py") if row.quicktype else 0


def _s(run: Run | None) -> str:
    return f"{run.seconds:.2f} s" if run else "-"


# -- 2. parsing -------------------------------------------------------------


def bench_parsing(peers: Peers, label: str, sources: list[Path], out: Path, tmp: Path,
                  report: Report) -> None:
    """Generate the peers' models from the parse bodies, then run parse_worker.py."""
    say(f"\n== 2. Parsing the JSON example bodies of {label}")
    groups, counts = collect(out, sources, for_parsing=True)
    if not groups:
        say("  no usable JSON bodies; skipped")
        return
    say(f"  {counts['kept']} bodies kept; left out: {counts['placeholder']} with OpenAPI "
        f"placeholders, {counts['rejected']} our parser rejects")
    work = tmp / "parse"
    work.mkdir()
    document = sample_document(groups)
    (work / "sample.json").write_text(document, "utf-8")
    (work / "dataset.json").write_text(json.dumps({
        "document": document,
        "groups": [{"key": g.key, "package": g.package, "endpoint": g.endpoint,
                    "attr": g.attr, "bodies": g.bodies} for g in groups],
    }), "utf-8")
    dmcg(peers, work / "sample.json", work / "pydantic_models.py", "pydantic_v2.BaseModel")
    dmcg(peers, work / "sample.json", work / "msgspec_models.py", "msgspec.Struct")
    quicktype(peers, work / "sample.json", work / "quicktype_models.py")
    try:
        done = subprocess.run([peers.parse_python, str(BENCH / "parse_worker.py"), str(work)],
                              check=False, capture_output=True, text=True, timeout=TIMEOUT,
                              cwd=BENCH)
    except subprocess.TimeoutExpired:
        say(f"  parse worker took over {TIMEOUT} s; skipped")
        return
    if done.returncode != 0:
        say("  parse worker FAILED:\n" + tail(done.stderr, 12))
        return
    report.parse = json.loads(done.stdout)
    report.parse_label = label
    for note in report.parse["notes"]:
        say(f"  note: {note}")


# -- 3. memory --------------------------------------------------------------


def bench_memory(tmp: Path, report: Report) -> None:
    """Cold generation of the largest corpus file and of a synthetic ~50 MB collection."""
    say("\n== 3. Peak memory of generation (cold)")
    inputs: list[tuple[str, Path]] = []
    if MEMORY_INPUT.exists():
        inputs.append((MEMORY_INPUT.name.split(".")[0], MEMORY_INPUT))
    else:
        say(f"  {MEMORY_INPUT} missing; skipped")
    synth = tmp / "synthetic.postman_collection.json"
    records = corpus_records(SYNTH_SOURCE) if SYNTH_SOURCE.exists() else []
    size = write_collection(synth, records, SYNTH_BYTES)
    inputs.append((f"synthetic {size / 1e6:.0f} MB", synth))
    for label, path in inputs:
        out = tmp / f"mem-{len(report.memory)}"
        run = ours([path], out)
        if not run.ok:
            say(f"  {label}: postman-codegen FAILED:\n" + tail(run.output))
            report.failed = True
            continue
        report.memory.append((label, path.stat().st_size / 1e6, run))
        say(f"  {label:<22} {path.stat().st_size / 1e6:6.1f} MB in  {run.seconds:7.2f} s"
            f"  peak RSS {run.peak_mb:7.1f} MB  ({py_lines(out)} lines out)")
        shutil.rmtree(out, ignore_errors=True)


# -- the table --------------------------------------------------------------


def print_table(report: Report) -> None:
    """The compact summary: generation, parsing and memory, ratios against ours."""
    say("\n" + "=" * 100)
    say("SUMMARY  (ratios: peer / ours, so >1x means ours is faster; measured in this run)")
    say(f"{'generation':<16}{'bodies':>7}{'ours cold':>11}{'ours warm':>11}"
        f"{'dmcg':>9}{'quicktype':>11}{'dmcg/ours':>11}{'qt/ours':>9}{'lines ours/dmcg/qt':>21}")
    for r in report.gen:
        cold = r.ours_cold.seconds if r.ours_cold else None
        warm = r.ours_warm.seconds if r.ours_warm else None
        d = r.dmcg.seconds if r.dmcg else None
        q = r.quicktype.seconds if r.quicktype else None
        lines = f"{r.ours_lines}/{r.dmcg_lines or '-'}/{r.quicktype_lines or '-'}"
        say(f"{r.label:<16}{r.bodies:>7}{fmt_seconds(cold):>11}{fmt_seconds(warm):>11}"
            f"{fmt_seconds(d):>9}{fmt_seconds(q):>11}{ratio(d, cold):>11}{ratio(q, cold):>9}"
            f"{lines:>21}")
    say("  dmcg = datamodel-codegen -> pydantic v2 models; qt = quicktype --lang python; both read"
        " only the example bodies,\n  ours reads the collection and also writes the client"
        " (compare the lines). All runs are whole processes.")
    speedups = [f"{r.label} {ratio(r.ours_warm.seconds, r.ours_cold.seconds)}"
                for r in report.gen if r.ours_cold and r.ours_warm]
    if speedups:
        say("  ours warm / cold: " + ", ".join(speedups))
    _print_parse(report)
    if report.memory:
        say(f"\n{'memory (cold generate)':<26}{'input':>10}{'seconds':>10}{'peak RSS':>12}"
            f"{'RSS/input':>11}")
        for label, mb, run in report.memory:
            say(f"{label:<26}{mb:>7.1f} MB{run.seconds:>10.2f}{run.peak_mb:>9.1f} MB"
                f"{run.peak_mb / mb:>10.1f}x")
    say("=" * 100)


# Which baseline each parse row is compared with, and how the ratio is labelled.
PARSE_VERSUS = {
    "ours from_dict": ("json.loads", "from_dict / json.loads"),
    "ours to_dict": ("json.loads", "to_dict / json.loads"),
    "ours json.loads+from_dict": ("json.loads", "(json.loads+from_dict) / json.loads"),
    "msgspec decode (untyped)": ("json.loads", "msgspec untyped / json.loads"),
    "msgspec convert (Structs)": ("ours from_dict", "msgspec.convert / ours from_dict"),
    "msgspec decode (Structs)": ("ours json.loads+from_dict",
                                 "msgspec typed decode / ours loads+from_dict"),
    "msgspec to_builtins": ("ours to_dict", "msgspec to_builtins / ours to_dict"),
    "pydantic model_validate": ("ours from_dict", "pydantic / ours"),
    "pydantic model_validate_json": ("ours json.loads+from_dict",
                                     "pydantic _json / ours loads+from_dict"),
    "pydantic model_dump": ("ours to_dict", "pydantic dump / ours to_dict"),
    "quicktype from_dict": ("ours from_dict", "quicktype / ours"),
    "quicktype to_dict": ("ours to_dict", "quicktype to_dict / ours to_dict"),
}


def _print_parse(report: Report) -> None:
    if not report.parse:
        return
    rows = {r["name"]: r["seconds"] for r in report.parse["rows"]}
    say(f"\nparse: {report.parse_label}, {report.parse['bodies']} bodies, "
        f"{report.parse['bytes'] / 1e6:.2f} MB of JSON  (per pass over all bodies, median of 7 interleaved runs)")
    for name, seconds in rows.items():
        versus = PARSE_VERSUS.get(name)
        text = ("baseline" if versus is None else
                f"{versus[1]} = {ratio(seconds, rows.get(versus[0]))}")
        if seconds is None:
            text = "failed on the sample data (see notes above)"
        say(f"  {name:<30}{fmt_seconds(seconds):>11}   {text}")
    say("  ours and quicktype turn date-time strings into datetime (quicktype also turns numeric"
        " strings into int);\n  the pydantic and msgspec models from datamodel-codegen keep"
        " them as str. Peers parse one document of all bodies.")


# -- main -------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="seeds and twitter-v2 only, no memory runs")
    args = parser.parse_args()
    started = time.perf_counter()
    say(f"postman-codegen benchmark  ({machine_note()})")
    say("== 0. Peers")
    peers = ensure_peers()
    say(f"  ready in {time.perf_counter() - started:.1f} s")
    inputs = [i for i in GEN_INPUTS if not args.quick or i[0] in QUICK_INPUTS]
    parse_label = "twitter-v2" if args.quick else PARSE_INPUT
    report = Report()
    with tempfile.TemporaryDirectory(prefix="postman-codegen-bench-") as name:
        tmp = Path(name)
        outs = bench_generation(peers, inputs, tmp, report)
        if parse_label in outs:
            sources = dict(inputs)[parse_label]
            bench_parsing(peers, parse_label, sources, outs[parse_label], tmp, report)
        if not args.quick:
            bench_memory(tmp, report)
    print_table(report)
    say(f"total {time.perf_counter() - started:.0f} s")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main())
