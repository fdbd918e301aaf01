"""Parse-speed worker: times every contender on the same JSON bodies, prints JSON.

Run by `bench/run.py` with the peers' interpreter (bench/.peers/venv), so ours,
pydantic, msgspec and quicktype's output are all timed in one process of the
same Python. Usage: `parse_worker.py WORKDIR`, where WORKDIR holds

* `dataset.json`: the groups of bodies (see samples.py);
* `pydantic_models.py`, `msgspec_models.py` (datamodel-code-generator) and
  `quicktype_models.py`, each optional: a missing peer gives a note, not a failure.

Each row is the median of REPEAT timeit runs, per pass over all bodies, timed
twice: with the garbage collector on, as programs run (timeit's default turns it
off, which hides the cost of allocating many tracked objects: pydantic's models
pay it, ours less), and with it off (keys ending in `|off`). The runs
are interleaved (round r times every contender once), so a burst of load on a
shared machine hits all contenders alike rather than one of them; every ratio
between two contenders is taken per round, and its median is reported. Ours
loops over the bodies, one `from_dict` call each; the peers parse the one
sample document `{"g0": [bodies...], ...}` that they were generated from.
"""

from __future__ import annotations

import gc
import importlib
import json
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from samples import import_package

REPEAT = 7
QUICK_REPEAT = 3


def loops(fn: Callable[[], object], least: float) -> int:
    """How many calls make one timing run last at least `least` seconds."""
    number = 1
    while True:
        if timeit.Timer(fn).timeit(number) >= least:
            return number
        number *= 2


class Worker:
    """Holds the data and the parsers; each `row_*` method times one contender."""

    def __init__(self, workdir: Path, quick: bool) -> None:
        self.workdir = workdir
        self.repeat, self.least = (QUICK_REPEAT, 0.05) if quick else (REPEAT, 0.2)
        data = json.loads((workdir / "dataset.json").read_text("utf-8"))
        self.texts: list[str] = []
        self.parsers: list[Callable[[Any], Any]] = []
        self.emitters: list[Callable[[Any], Any]] = []
        packages: dict[str, Any] = {}
        doc: dict[str, list[Any]] = {}
        for g in data["groups"]:
            if g["package"] not in packages:
                packages[g["package"]] = import_package(Path(g["package"]))
            t = getattr(packages[g["package"]].ENDPOINTS[g["endpoint"]], g["attr"])
            doc[g["key"]] = [json.loads(b) for b in g["bodies"]]
            for body in g["bodies"]:
                self.texts.append(body)
                self.parsers.append(t.from_dict)
                self.emitters.append(t.to_dict)
        # The same endpoints generated in the msgspec model style, when given.
        self.structs: list[Any] = []
        if data.get("msgspec_package"):
            styled = import_package(Path(data["msgspec_package"]))
            for g in data["groups"]:
                t = getattr(styled.ENDPOINTS[g["endpoint"]], g["attr"])
                self.structs += [t] * len(g["bodies"])
        self.values = [json.loads(t) for t in self.texts]
        self.doc = doc
        self.doc_text = data["document"]
        self.models = [p(v) for p, v in zip(self.parsers, self.values, strict=True)]
        self.rows: list[dict[str, Any]] = []
        self.timed: list[tuple[int, Callable[[], object], int]] = []
        self.notes: list[str] = []

    # -- helpers -------------------------------------------------------------

    def add(self, name: str, fn: Callable[[], object], note: str = "") -> None:
        """Check `fn` with one call and queue it for timing; errors become notes."""
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - a peer that fails is reported, not fatal
            self.notes.append(f"{name}: failed on the sample data: {type(exc).__name__}: "
                              f"{str(exc).splitlines()[0][:160] if str(exc) else ''}")
            self.rows.append({"name": name, "seconds": None, "note": "failed"})
            return
        self.timed.append((len(self.rows), fn, loops(fn, self.least)))
        self.rows.append({"name": name, "seconds": None, "note": note})

    def measure(self) -> dict[str, float]:
        """Interleaved rounds of every checked contender, collector on and off; each
        one's median, and the median over rounds of every per-round ratio `a|b`
        (a's time / b's; `a|b|off` with the collector off)."""
        ratios: dict[str, float] = {}
        for collector, suffix, column in ((True, "", "seconds"), (False, "|off", "seconds_off")):
            runs: dict[int, list[float]] = {}
            setup = "gc.enable()" if collector else "pass"
            for _ in range(self.repeat):
                for index, fn, number in self.timed:
                    gc.collect()
                    timer = timeit.Timer(fn, setup)
                    runs.setdefault(index, []).append(timer.timeit(number) / number)
            for index, seconds in runs.items():
                self.rows[index][column] = statistics.median(seconds)
            for a, sa in runs.items():
                for b, sb in runs.items():
                    if a != b:
                        key = f"{self.rows[a]['name']}|{self.rows[b]['name']}{suffix}"
                        ratios[key] = statistics.median(
                            x / y for x, y in zip(sa, sb, strict=True))
        return ratios

    def load(self, stem: str) -> Any | None:
        """Import a generated peer module from the work dir, or None (with a note)."""
        if not (self.workdir / f"{stem}.py").exists():
            self.notes.append(f"{stem}: not generated (peer missing or failed); skipped")
            return None
        try:
            return importlib.import_module(stem)
        except Exception as exc:  # noqa: BLE001
            self.notes.append(f"{stem}: import failed: {type(exc).__name__}: {exc}")
            return None

    # -- contenders ----------------------------------------------------------

    def row_baseline(self) -> None:
        loads, texts = json.loads, self.texts
        self.add("json.loads", lambda: [loads(t) for t in texts])

    def row_ours(self) -> None:
        loads = json.loads
        pv = list(zip(self.parsers, self.values, strict=True))
        pt = list(zip(self.parsers, self.texts, strict=True))
        em = list(zip(self.emitters, self.models, strict=True))
        self.add("ours from_dict", lambda: [p(v) for p, v in pv])
        self.add("ours to_dict", lambda: [e(m) for e, m in em])
        self.add("ours json.loads+from_dict", lambda: [p(loads(t)) for p, t in pt])

    def row_ours_msgspec(self) -> None:
        """Our msgspec model style: bytes -> typed objects in one pass, and back."""
        if not self.structs:
            self.notes.append("ours msgspec style: not generated; skipped")
            return
        pt = [(t.from_json, text.encode()) for t, text in zip(self.structs, self.texts,
                                                            strict=True)]
        self.add("ours msgspec from_json", lambda: [f(b) for f, b in pt])
        try:
            objs = [(t.to_dict, f(b)) for t, (f, b) in zip(self.structs, pt, strict=True)]
        except Exception:  # noqa: BLE001 - already reported by add()
            return
        self.add("ours msgspec to_dict", lambda: [e(o) for e, o in objs])

    def row_msgspec(self) -> None:
        try:
            msgspec = importlib.import_module("msgspec")
        except ImportError:
            self.notes.append("msgspec: not installed; skipped")
            return
        decode, texts = msgspec.json.decode, self.texts
        self.add("msgspec decode untyped", lambda: [decode(t) for t in texts])
        module = self.load("msgspec_models")
        if module is None:
            return
        root, doc, text = module.Sample, self.doc, self.doc_text
        decoder = msgspec.json.Decoder(root)
        self.add("msgspec convert", lambda: msgspec.convert(doc, root))
        self.add("msgspec decode", lambda: decoder.decode(text))
        structs = msgspec.convert(doc, root)
        self.add("msgspec to_builtins", lambda: msgspec.to_builtins(structs))
        self._round_trip("msgspec", msgspec.to_builtins(structs))

    def row_pydantic(self) -> None:
        module = self.load("pydantic_models")
        if module is None:
            return
        root, doc, text = module.Sample, self.doc, self.doc_text
        self.add("pydantic validate_python", lambda: root.model_validate(doc))
        self.add("pydantic validate_json", lambda: root.model_validate_json(text))
        try:
            model = root.model_validate(doc)
        except Exception:  # noqa: BLE001 - already reported by add()
            return
        dump = model.model_dump
        self.add("pydantic model_dump", lambda: dump(mode="json", by_alias=True,
                                                     exclude_unset=True))
        self._round_trip("pydantic", dump(mode="json", by_alias=True, exclude_unset=True))

    def row_quicktype(self) -> None:
        module = self.load("quicktype_models")
        if module is None:
            return
        from_dict, to_dict, doc = module.sample_from_dict, module.sample_to_dict, self.doc
        self.add("quicktype from_dict", lambda: from_dict(doc))
        try:
            obj = from_dict(doc)
        except Exception:  # noqa: BLE001 - already reported by add()
            return
        self.add("quicktype to_dict", lambda: to_dict(obj))
        try:
            self._round_trip("quicktype", to_dict(obj))
        except Exception as exc:  # noqa: BLE001
            self.notes.append(f"quicktype: to_dict failed: {type(exc).__name__}")

    def _round_trip(self, peer: str, back: Any) -> None:
        if back != self.doc:
            self.notes.append(f"{peer}: its to_dict/dump does not give the bodies back "
                              "exactly (dropped nulls, converted strings, ...)")

    def run(self) -> dict[str, Any]:
        for step in (self.row_baseline, self.row_ours, self.row_ours_msgspec, self.row_msgspec,
                     self.row_pydantic, self.row_quicktype):
            step()
        ratios = self.measure()
        return {"rows": self.rows, "ratios": ratios, "notes": self.notes,
                "bodies": len(self.texts),
                "bytes": sum(len(t.encode()) for t in self.texts)}


def main() -> None:
    workdir = Path(sys.argv[1]).resolve()
    sys.path.insert(0, str(workdir))
    print(json.dumps(Worker(workdir, "--quick" in sys.argv[2:]).run()))


if __name__ == "__main__":
    main()
