"""Parse and to-JSON speed of generated models on the JSON examples of collections.

Usage: `PYTHONPATH=generator:tests python bench/models_speed.py OUT_DIR [OUT_DIR2 ...]`,
where each OUT_DIR holds one `postman-codegen generate` output folder per
collection, named after the collection file (`OUT_DIR/twitter-v2/twitter_v2/...`).
The folders are timed in interleaved rounds (round r times every folder once),
so load on a shared machine hits them alike. Prints, per OUT_DIR, the median
over rounds of one pass of `from_dict` over every example body, and of
`to_dict` over the parsed values (milliseconds per pass, summed over collections).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from helpers import has_placeholder, import_package, json_examples, load_collection

ROOTS = [Path("collections"), Path(__file__).resolve().parents[2] / "shared" / "corpus",
         Path("/work/shared/corpus")]
ROUNDS = 15
NUMBER = 20


def source(name: str) -> Path:
    for root in ROOTS:
        path = root / f"{name}.postman_collection.json"
        if path.is_file():
            return path
    raise SystemExit(f"no collection {name}")


def bodies(out: Path) -> list[tuple[Any, Any]]:
    """(parse type, body) of every typed example of every package under `out`."""
    pairs: list[tuple[Any, Any]] = []
    for folder in sorted(p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")):
        (pkg_dir,) = [p for p in folder.iterdir() if p.is_dir()]
        package = import_package(pkg_dir)
        pairs += [(t, body) for _, _, t, body in json_examples(package, load_collection(
            source(folder.name))) if not has_placeholder(body)]
    return pairs


def one_pass_ms(fn: Any) -> float:
    start = time.perf_counter()
    for _ in range(NUMBER):
        fn()
    return (time.perf_counter() - start) / NUMBER * 1000


def main(outs: list[Path]) -> None:
    work = []
    for out in outs:
        pairs = bodies(out)
        parsed = [(t, t.from_dict(b)) for t, b in pairs]
        work.append((out, len(pairs),
                     lambda pairs=pairs: [t.from_dict(b) for t, b in pairs],
                     lambda parsed=parsed: [t.to_dict(v) for t, v in parsed]))
    runs: dict[Path, tuple[list[float], list[float]]] = {out: ([], []) for out in outs}
    for _ in range(ROUNDS):
        for out, _, parse, dump in work:
            runs[out][0].append(one_pass_ms(parse))
            runs[out][1].append(one_pass_ms(dump))
    for out, n, _, _ in work:
        parse_ms, dump_ms = (statistics.median(r) for r in runs[out])
        print(f"{out!s:30} {n:4} bodies  from_dict {parse_ms:7.3f} ms  to_dict {dump_ms:7.3f} ms")


if __name__ == "__main__":
    main([Path(a) for a in sys.argv[1:]])
