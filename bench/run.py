"""`make bench`: postman-codegen side by side with the tools users would pick instead.

Every figure is a ratio against a peer (or against the process start) measured
in the same run: the tools are run in interleaved rounds (round r runs every
contender once, on the same input), the ratio is taken per round, and the
median over rounds is printed. Absolute seconds are shown for orientation only.

1. Generation, per input collection:
   * ours: `generate` cold (fresh output folder), `generate` again with nothing
     changed, `check`, `stats`, and `generate` after one example changed (one key
     added to one example body, so a model class changes);
   * postman2openapi + openapi-python-client (the path users take today: the
     collection to OpenAPI, then a typed client; it has no incremental mode, so
     its cold time is also what a rerun or a check costs it);
   * quicktype with Postman input (`--src-lang postman --lang python`: types only);
   * the process start (`postman-codegen --version`), the floor of any run.
2. Parsing: the generated `from_dict` against pydantic v2 (`validate_python`,
   `validate_json`), msgspec and quicktype's `from_dict`, on 10,000 objects,
   on one ~1 KB body, and on the example bodies of a corpus collection.
3. Scaling and memory: a synthetic many-shapes collection at N, 2N and 4N
   requests, one whose request bodies share one key set (pooling's worst case)
   likewise (time and peak RSS ratios: 2x means linear), and the largest corpus
   file.

Peers are installed on demand into bench/.peers/ (peers.py); a peer that cannot
be installed is reported loudly and its figures are left out. The results are
printed and written to bench/RESULTS.md (machine, versions, commands).

Usage: bench/run.py [--quick]   (--quick: seeds and twitter-v2, fewer rounds, the two
synthetic parse datasets, a small scaling step: about a minute on an idle machine)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from measure import (
    BENCH,
    CORPUS,
    CORPUS_FOUND,
    ROOT,
    Run,
    machine_note,
    run_timed,
    say,
    tail,
)
from peers import Peers, ensure_peers, versions
from samples import Group, collect, compact, sample_document
from synth import (
    many_shapes_collection,
    one_keyset_collection,
    page_body,
    parse_collection,
    user_record,
)

TIMEOUT = 900  # seconds for any one tool run


@dataclass(frozen=True, slots=True)
class Input:
    label: str
    sources: list[Path]  # collection files (environment files beside them are copied too)
    rounds: int


def gen_inputs(quick: bool) -> list[Input]:
    seeds = sorted((ROOT / "collections").glob("*.postman_collection.json"))
    corpus = [("twitter-v2", 5), ("paypal-public", 3), ("commercetools-api", 3)]
    out = [Input("seeds", seeds, 3 if quick else 5)]
    for name, rounds in corpus[:1] if quick else corpus:
        out.append(Input(name, [CORPUS / f"{name}.postman_collection.json"],
                         2 if quick else rounds))
    return out


# -- the tools --------------------------------------------------------------


def codegen() -> list[str]:
    """Our CLI from the interpreter running this script (the project venv)."""
    script = Path(sys.executable).parent / "postman-codegen"
    return [str(script)] if script.exists() else [sys.executable, "-m", "postman_codegen"]


def ours(args: list[str | Path], cwd: Path) -> Run:
    return run_timed([*codegen(), *args], cwd=cwd, timeout=TIMEOUT)


def combine(runs: list[Run]) -> Run:
    """Several processes run one after the other, as one figure (sum, max RSS)."""
    failed = next((r for r in runs if not r.ok), None)
    return Run(sum(r.seconds for r in runs), max((r.peak_mb for r in runs), default=0.0),
               failed.returncode if failed else 0, failed.output if failed else "")


def p2o_opc(peers: Peers, sources: list[Path], out: Path) -> Run | None:
    """postman2openapi then openapi-python-client (ruff-formatted, its default), per file."""
    if peers.postman2openapi is None or peers.openapi_python_client is None:
        return None
    node = shutil.which("node") or "node"
    env_path = f"{peers.openapi_python_client.parent}{os.pathsep}{os.environ.get('PATH', '')}"
    runs: list[Run] = []
    for i, source in enumerate(sources):
        spec = out / f"openapi-{i}.json"
        runs.append(run_timed([node, BENCH / "p2o.js", peers.postman2openapi, source, spec],
                              timeout=TIMEOUT))
        if not runs[-1].ok:
            break
        runs.append(run_timed([peers.openapi_python_client, "generate", "--path", spec,
                               "--output-path", out / f"client-{i}", "--meta", "none",
                               "--overwrite"], timeout=TIMEOUT, env={"PATH": env_path}))
    return combine(runs)


def quicktype(peers: Peers, sources: list[Path], out: Path) -> Run | None:
    """quicktype's Python types from the Postman collections themselves."""
    if peers.quicktype is None:
        return None
    return combine([run_timed([peers.quicktype, "--src-lang", "postman", "--lang", "python",
                               "--python-version", "3.7", "-o", out / f"qt-{i}.py", source],
                              timeout=TIMEOUT) for i, source in enumerate(sources)])


def py_lines(path: Path) -> int:
    """Lines of Python in a file or under a folder."""
    files = [path] if path.is_file() else sorted(path.rglob("*.py"))
    return sum(f.read_text("utf-8").count("\n") for f in files if f.exists())


def changed_example(text: str) -> str | None:
    """The collection with one key added to its first JSON-object example body (a
    response example, else a request's raw JSON body, as commercetools has none)."""
    data = json.loads(text.removeprefix("\ufeff"))
    for where in ("response", "request"):
        stack: list[Any] = [data]
        while stack:
            node = stack.pop(0)
            if not isinstance(node, dict):
                continue
            holders = node.get("response") or [] if where == "response" else [
                node["request"].get("body") if isinstance(node.get("request"), dict) else None]
            for holder in holders:
                key = "body" if where == "response" else "raw"
                if not isinstance(holder, dict):
                    continue
                body = holder.get(key)
                try:
                    value = json.loads(body) if isinstance(body, str) else None
                except ValueError:
                    continue
                if isinstance(value, dict) and value:
                    value["benchAddedField"] = 1
                    holder[key] = json.dumps(value, indent=2)
                    return json.dumps(data, indent="\t")
            stack.extend(node.get("item") or [])
    return None


# -- 1. generation ----------------------------------------------------------

# (key, what it is, peer key or None): the figures of one round.
OURS = ["start", "cold", "rerun", "check", "stats", "changed"]
PEERS_GEN = ["p2o", "qt"]


@dataclass(slots=True)
class GenResult:
    label: str
    rounds: list[dict[str, Run]] = field(default_factory=list)
    lines: dict[str, int] = field(default_factory=dict)

    def median(self, key: str, versus: str | None = None,
               value: Callable[[Run], float] = lambda r: r.seconds) -> float | None:
        """Median over rounds of key/versus (or of key's seconds alone)."""
        got = []
        for r in self.rounds:
            if key not in r or (versus and versus not in r):
                continue
            got.append(value(r[key]) / value(r[versus]) if versus else value(r[key]))
        return statistics.median(got) if got else None


def stage_sources(inp: Input, folder: Path) -> list[Path]:
    """Copies of the input collections (and their environments) in `folder`, so the
    one-changed-example run can edit them and every run names them alike."""
    folder.mkdir(parents=True)
    copies = []
    for source in inp.sources:
        shutil.copy2(source, folder / source.name)
        env = source.with_name(source.name.replace("_collection", "_environment"))
        if env.exists():
            shutil.copy2(env, folder / env.name)
        copies.append(folder / source.name)
    return copies


def gen_round(inp: Input, sources: list[Path], peers: Peers, work: Path, r: int,
              res: GenResult) -> bool:
    """One round over every contender; False when our generator failed."""
    out = work / "out"  # the configured output (bench pyproject.toml), so `stats` sees it
    rel = [s.relative_to(work) for s in sources]
    runs: dict[str, Run] = {"start": ours(["--version"], work)}
    runs["cold"] = ours(["generate", "-q", "-o", out.name, *rel], work)
    if not runs["cold"].ok:
        say(f"  {inp.label}: postman-codegen FAILED:\n" + tail(runs["cold"].output))
        return False
    runs["rerun"] = ours(["generate", "-q", "-o", out.name, *rel], work)
    runs["check"] = ours(["check", "-q", "-o", out.name, *rel], work)
    runs["stats"] = ours(["stats", *rel], work)  # the output is up to date: read from the lock
    res.lines["ours"] = py_lines(out)
    original = sources[0].read_text("utf-8-sig")
    changed = changed_example(original)
    if changed is not None:
        sources[0].write_text(changed, "utf-8")
        try:
            runs["changed"] = ours(["generate", "-q", "-o", out.name, *rel], work)
        finally:
            sources[0].write_text(original, "utf-8")
    peer_out = work / f"peer-{r}"
    peer_out.mkdir()
    for key, fn in (("p2o", p2o_opc), ("qt", quicktype)):
        run = fn(peers, sources, peer_out)
        if run is not None and run.ok:
            runs[key] = run
        elif run is not None and r == 0:
            say(f"  {inp.label}: {key} failed; its figures are left out:\n" + tail(run.output))
    res.lines["p2o"] = sum(py_lines(p) for p in peer_out.glob("client-*"))
    res.lines["qt"] = sum(py_lines(p) for p in peer_out.glob("qt-*.py"))
    shutil.rmtree(peer_out, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    res.rounds.append(runs)
    return all(runs[k].ok for k in runs)


def bench_generation(peers: Peers, inputs: list[Input], tmp: Path) -> tuple[list[GenResult], bool]:
    say("\n== 1. Generation (interleaved rounds; ratios per round, medians)")
    results: list[GenResult] = []
    ok = True
    for inp in inputs:
        missing = [s for s in inp.sources if not s.exists()]
        if missing or not inp.sources:
            say(f"  {inp.label}: INPUT MISSING ({missing[0] if missing else 'no files'}); skipped")
            continue
        work = tmp / f"gen-{inp.label}"
        sources = stage_sources(inp, work / "src")
        (work / "pyproject.toml").write_text(
            '[tool.postman-codegen]\nsources = ["src"]\noutput = "out"\n', "utf-8")
        res = GenResult(inp.label)
        for r in range(inp.rounds):
            ok = gen_round(inp, sources, peers, work, r, res) and ok
            last = res.rounds[-1] if res.rounds else {}
            say(f"  {inp.label} round {r + 1}/{inp.rounds}: "
                + "  ".join(f"{k} {v.seconds:.2f}s" for k, v in last.items()))
        if res.rounds:
            results.append(res)
    return results, ok


# -- 2. parsing -------------------------------------------------------------


def bench_parsing(peers: Peers, tmp: Path, quick: bool) -> list[dict[str, Any]]:
    """Three datasets, each timed by parse_worker.py in the peers' interpreter."""
    say("\n== 2. Parsing (bytes or dicts -> typed objects; medians of interleaved runs)")
    gen = tmp / "parse-gen"
    gen.mkdir()
    parse_collection(gen / "bench-parse.postman_collection.json")
    built = ours(["generate", "-q", "-o", "out", "bench-parse.postman_collection.json"], gen)
    if not built.ok:
        say("  postman-codegen FAILED on the parse collection:\n" + tail(built.output))
        return []
    package = str(gen / "out" / "bench_parse")
    styled = ours(["generate", "-q", "--model-style", "msgspec", "-o", "out-msgspec",
                   "bench-parse.postman_collection.json"], gen)
    if not styled.ok:
        say("  postman-codegen --model-style msgspec FAILED on the parse collection:\n"
            + tail(styled.output))
    struct_package = str(gen / "out-msgspec" / "bench_parse") if styled.ok else None
    sample = [user_record(i) for i in range(20)]
    records = [user_record(i) for i in range(10_000)]
    datasets = [
        ("10,000 objects", [Group("g0", package, 0, "response_type", [compact(records)])],
         [Group("g0", package, 0, "response_type", [compact(sample)])], struct_package),
        ("one 1 KB body", [Group("g0", package, 1, "response_type", [compact(page_body())])],
         None, struct_package),
    ]
    label = "paypal-partner"
    source = CORPUS / f"{label}.postman_collection.json"
    if quick:
        pass  # the two synthetic datasets only
    elif source.exists():
        out = tmp / "parse-corpus"
        if ours(["generate", "-q", "-o", out, source], tmp).ok:
            groups, counts = collect(out, [source], for_parsing=True)
            structs = tmp / "parse-corpus-msgspec"
            styled_ok = ours(["generate", "-q", "--model-style", "msgspec", "-o", structs,
                              source], tmp).ok
            if groups:
                datasets.append((f"{label} example bodies ({counts['kept']})", groups, None,
                                 str(structs / Path(groups[0].package).name)
                                 if styled_ok else None))
    else:
        say(f"  {source}: INPUT MISSING; the corpus-bodies dataset is skipped")
    results = []
    for n, (name, groups, model_groups, structs) in enumerate(datasets):
        result = parse_dataset(peers, tmp / f"parse-{n}", groups, model_groups, structs, quick)
        if result is not None:
            result["name"] = name
            results.append(result)
            say(f"  {name}: " + ", ".join(
                f"{r['name']} {r['seconds'] * 1e3:.3f} ms" for r in result["rows"] if r["seconds"]))
    return results


def parse_dataset(peers: Peers, work: Path, groups: list[Group],
                  model_groups: list[Group] | None, struct_package: str | None,
                  quick: bool) -> dict[str, Any] | None:
    """The peers' models are generated from `model_groups` (a small sample of the same
    shape) or from the data itself; then the worker times every contender, ours in
    both model styles (`struct_package`: the msgspec style of the same collection)."""
    work.mkdir()
    document = sample_document(groups)
    (work / "sample.json").write_text(sample_document(model_groups or groups), "utf-8")
    (work / "dataset.json").write_text(json.dumps({
        "document": document,
        "msgspec_package": struct_package,
        "groups": [{"key": g.key, "package": g.package, "endpoint": g.endpoint,
                    "attr": g.attr, "bodies": g.bodies} for g in groups],
    }), "utf-8")
    if peers.datamodel_codegen is not None:
        for stem, kind in (("pydantic_models", "pydantic_v2.BaseModel"),
                           ("msgspec_models", "msgspec.Struct")):
            run_timed([peers.datamodel_codegen, "--input", work / "sample.json",
                       "--input-file-type", "json", "--output", work / f"{stem}.py",
                       "--output-model-type", kind, "--class-name", "Sample",
                       "--target-python-version", "3.11", "--disable-timestamp"],
                      timeout=TIMEOUT)
    if peers.quicktype is not None:
        run_timed([peers.quicktype, "--lang", "python", "--src-lang", "json", "--top-level",
                   "Sample", "--python-version", "3.7", "--no-maps",
                   "-o", work / "quicktype_models.py", work / "sample.json"], timeout=TIMEOUT)
    cmd = [peers.parse_python, str(BENCH / "parse_worker.py"), str(work)]
    if quick:
        cmd.append("--quick")
    try:
        done = subprocess.run(cmd, check=False, capture_output=True, text=True,
                              timeout=TIMEOUT, cwd=BENCH)
    except subprocess.TimeoutExpired:
        say(f"  parse worker took over {TIMEOUT} s; skipped")
        return None
    if done.returncode != 0:
        say("  parse worker FAILED:\n" + tail(done.stderr, 12))
        return None
    result: dict[str, Any] = json.loads(done.stdout)
    for note in result["notes"]:
        say(f"  note: {note}")
    return result


# -- 3. scaling and memory --------------------------------------------------


def bench_scaling(tmp: Path, quick: bool) -> list[tuple[str, Run, int]]:
    """Cold generation of a many-shapes collection at N, 2N and 4N requests (up to
    the 10,000 requests of issue 11's target: under 60 s and 1 GB), of a collection
    whose request bodies share one key set (pooling's worst case) at M, 2M and 4M,
    then the largest corpus file: a ratio near 2 between N and 2N means linear."""
    say("\n== 3. Scaling and peak memory (cold generate)")
    sizes = [20, 40] if quick else [2500, 5000, 10_000]
    found: list[tuple[str, Run, int]] = []
    work = tmp / "scale"
    work.mkdir()
    inputs: list[tuple[str, Path]] = []
    for n in sizes:
        path = work / f"shapes-{n}.postman_collection.json"
        many_shapes_collection(path, n)
        inputs.append((f"synthetic {n} requests", path))
    for n in [20, 40] if quick else [2000, 4000, 8000]:
        path = work / f"keyset-{n}.postman_collection.json"
        one_keyset_collection(path, n)
        inputs.append((f"one key set {n} requests", path))
    big = CORPUS / "commercetools-api.postman_collection.json"
    if not quick and big.exists():
        inputs.append(("commercetools-api", big))
    for label, path in inputs:
        out = work / f"out-{len(found)}"
        run = ours(["generate", "-q", "-o", out, path], work)
        if not run.ok:
            say(f"  {label}: postman-codegen FAILED:\n" + tail(run.output))
            continue
        found.append((label, run, py_lines(out)))
        say(f"  {label:<26} {run.seconds:7.2f} s  peak RSS {run.peak_mb:7.1f} MB"
            f"  ({py_lines(out)} lines out)")
        shutil.rmtree(out, ignore_errors=True)
    return found


# -- report -----------------------------------------------------------------


def x(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}x"


def s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def gen_table(results: list[GenResult]) -> list[str]:
    head = ("| input | rounds | ours cold | cold / p2o+opc | cold / quicktype | rerun / p2o+opc"
            " | check / p2o+opc | rerun / start | check / start | stats / start"
            " | one example changed | changed / start | peak RSS cold / p2o+opc"
            " | lines ours / p2o+opc / quicktype |")
    rows = [head, "|" + "---|" * (head.count("|") - 1)]
    for r in results:
        rss = r.median("cold", "p2o", value=lambda run: run.peak_mb)
        rows.append(
            f"| {r.label} | {len(r.rounds)} | {s(r.median('cold'))} | {x(r.median('cold', 'p2o'))}"
            f" | {x(r.median('cold', 'qt'))} | {x(r.median('rerun', 'p2o'))}"
            f" | {x(r.median('check', 'p2o'))} | {x(r.median('rerun', 'start'))}"
            f" | {x(r.median('check', 'start'))} | {x(r.median('stats', 'start'))}"
            f" | {s(r.median('changed'))} | {x(r.median('changed', 'start'))} | {x(rss)}"
            f" | {r.lines.get('ours', 0):,} / {r.lines.get('p2o', 0):,}"
            f" / {r.lines.get('qt', 0):,} |")
    return rows


# Each parse figure: (row, baseline row, label). Below 1 means the row is faster.
PARSE_RATIOS = [
    ("ours from_dict", "pydantic validate_python", "ours from_dict / pydantic validate_python"),
    ("ours from_dict", "quicktype from_dict", "ours from_dict / quicktype from_dict"),
    ("ours from_dict", "msgspec convert", "ours from_dict / msgspec convert"),
    ("ours json.loads+from_dict", "pydantic validate_json",
     "ours json.loads+from_dict / pydantic validate_json"),
    ("ours json.loads+from_dict", "msgspec decode", "ours json.loads+from_dict / msgspec decode"),
    ("ours json.loads+from_dict", "json.loads", "ours json.loads+from_dict / json.loads"),
    ("ours to_dict", "pydantic model_dump", "ours to_dict / pydantic model_dump"),
    ("ours to_dict", "msgspec to_builtins", "ours to_dict / msgspec to_builtins"),
    ("ours to_dict", "quicktype to_dict", "ours to_dict / quicktype to_dict"),
    ("ours msgspec from_json", "pydantic validate_json",
     "ours msgspec style from_json / pydantic validate_json"),
    ("ours msgspec from_json", "msgspec decode",
     "ours msgspec style from_json / msgspec decode (its own Structs)"),
    ("ours msgspec to_dict", "msgspec to_builtins",
     "ours msgspec style to_dict / msgspec to_builtins"),
]


def parse_table(results: list[dict[str, Any]]) -> list[str]:
    if not results:
        return []
    names = [r["name"] for r in results]
    rows = ["| ratio (below 1: ours is faster) | " + " | ".join(names) + " |",
            "|---|" + "---|" * len(names)]
    for suffix, note in (("", ""), ("|off", " (collector off)")):
        for row, base, label in PARSE_RATIOS:
            cells = [x(r["ratios"].get(f"{row}|{base}{suffix}")) for r in results]
            rows.append(f"| {label}{note} | " + " | ".join(cells) + " |")
    return rows


def scale_table(found: list[tuple[str, Run, int]]) -> list[str]:
    rows = ["| input | seconds | peak RSS | lines out | time / previous | RSS / previous |",
            "|---|---|---|---|---|---|"]
    prev: dict[str, Run] = {}  # series (the label without its size) -> its last run
    for label, run, lines in found:
        series = label.rsplit(" ", 2)[0] if label.endswith(" requests") else label
        last = prev.get(series)
        rt = x(run.seconds / last.seconds) if last else ""
        rm = x(run.peak_mb / last.peak_mb) if last else ""
        rows.append(f"| {label} | {run.seconds:.2f} | {run.peak_mb:.0f} MB | {lines:,} | {rt}"
                    f" | {rm} |")
        prev[series] = run
    return rows


def machine() -> list[str]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [f"- machine: {cpu}; {machine_note()}; {platform.platform()}"]


def write_results(path: Path, args: argparse.Namespace, peers: Peers,
                  gen: list[GenResult], parse: list[dict[str, Any]],
                  scale: list[tuple[str, Run, int]], seconds: float) -> str:
    vers = versions(peers)
    lines = [
        "# Benchmark results", "",
        (f"Written by `make bench{' QUICK=1' if args.quick else ''}` (bench/run.py) in"
        f" {seconds:.0f} s. Every ratio compares two tools measured in the same run, on the"
        " same input, per interleaved round; the table shows the median over rounds."),
        ("Below 1x means ours is faster (or smaller). Absolute seconds depend on the machine"
        " and its load; compare the ratios."), "",
        *machine(),
        "- versions: postman-codegen (this checkout), black "
        + vers.get("black", "?") + ", " + ", ".join(f"{k} {v}" for k, v in sorted(vers.items())
                                                   if k != "black"),
        f"- corpus: {CORPUS if CORPUS_FOUND else 'NOT FOUND (corpus inputs skipped)'}", "",
        "## Generation", "",
        *gen_table(gen), "",
        ("- *cold*: `postman-codegen generate -q -o OUT SOURCES` into a fresh folder;"
        " *rerun*: the same again, nothing changed; *check*: `postman-codegen check -q -o OUT"
        " SOURCES`; *stats*: `postman-codegen stats SOURCES`; *start*: `postman-codegen"
        " --version` (the process start, the floor of any run); *stats* runs with the output"
         " up to date; *one example changed*:"
        " `generate` into the up-to-date folder after one key was added to the first JSON"
        " example body (one model class changes)."),
        ("- *p2o+opc*: `node bench/p2o.js` (postman2openapi's `transpile`) then"
        " `openapi-python-client generate --path openapi.json --meta none --overwrite`"
        " (formats with ruff, its default), per collection. It has no incremental mode: its"
        " cold time is also what a rerun or a check costs it."),
        ("- *quicktype*: `quicktype --src-lang postman --lang python --python-version 3.7 -o"
        " OUT.py COLLECTION` (types only, no client)."),
        "- lines: lines of Python written.", "",
        "## Parsing", "",
        *parse_table(parse), "",
        ("- ours: the generated `from_dict`/`to_dict` (default dataclass style); pydantic v2"
        " and msgspec models generated by datamodel-code-generator, quicktype's from JSON"
        " samples of the same shape; each timed per pass over the data, median of"
        " interleaved runs (bench/parse_worker.py). Peers parse one document"
        " `{\"g0\": [body, ...]}`; ours calls the endpoint's type per body."),
        ("- *msgspec style*: the same collection generated with `--model-style msgspec`;"
        " `from_json` decodes the body text into its Structs in one pass. *msgspec decode*:"
        " msgspec's own Structs for the same data (datamodel-code-generator), the"
        " hand-written equivalent."),
        ("- The garbage collector is on while timing, as in a program (timeit turns it off"
        " by default); the rows marked *(collector off)* repeat the figures with it off."
        " Allocating many tracked objects (pydantic's models hold a `__dict__` and field"
        " sets per instance) costs with the collector on, so the two differ."), "",
        "## Scaling and memory", "",
        *scale_table(scale), "",
        ("- synthetic: bench/synth.py `many_shapes_collection` (every request its own three"
        " classes); doubling the requests should about double time and lines. Target for"
        " 10,000 requests: under 60 s and 1 GB."),
        ("- one key set: bench/synth.py `one_keyset_collection` (request bodies of one outer"
         " key set around nested objects of their own, as commercetools' `{version, actions}`"
         " updates): the worst case for pooling objects into classes; it should grow"
         " linearly too."), "",
    ]
    text = "\n".join(lines)
    path.write_text(text, "utf-8")
    return text


# -- main -------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="seeds and twitter-v2 only, fewer rounds (under a minute)")
    parser.add_argument("--results", type=Path, default=BENCH / "RESULTS.md",
                        help="where to write the Markdown results (default bench/RESULTS.md)")
    args = parser.parse_args()
    started = time.perf_counter()
    say(f"postman-codegen benchmark  ({machine_note()})")
    say("== 0. Peers")
    peers = ensure_peers()
    say(f"  ready in {time.perf_counter() - started:.1f} s")
    with tempfile.TemporaryDirectory(prefix="postman-codegen-bench-") as name:
        tmp = Path(name)
        gen, ok = bench_generation(peers, gen_inputs(args.quick), tmp)
        parse = bench_parsing(peers, tmp, args.quick)
        scale = bench_scaling(tmp, args.quick)
    text = write_results(args.results, args, peers, gen, parse, scale,
                         time.perf_counter() - started)
    say("\n" + text)
    say(f"written to {args.results}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
