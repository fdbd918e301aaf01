"""Parse and to-JSON speed of generated models on the JSON examples of collections.

Usage: `PYTHONPATH=generator:tests python bench/models_speed.py OUT_DIR`, where
OUT_DIR holds one `postman-codegen generate` output folder per collection,
named after the collection file (`OUT_DIR/twitter-v2/twitter_v2/...`). Prints,
per collection and in total, the median of 7 runs of from_dict over every
example body, and of to_dict over the parsed values (milliseconds per pass).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path
from typing import Any

from helpers import has_placeholder, import_package, json_examples, load_collection

ROOTS = [Path("collections"), Path("../../shared/corpus"), Path("/work/shared/corpus")]


def _source(name: str) -> Path:
    for root in ROOTS:
        path = root / f"{name}.postman_collection.json"
        if path.is_file():
            return path
    raise SystemExit(f"no collection {name}")


def _median_ms(fn: Any, repeat: int = 7, number: int = 20) -> float:
    runs = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        runs.append((time.perf_counter() - start) / number)
    return statistics.median(runs) * 1000


def main(out: Path) -> None:
    total_parse = total_dump = 0.0
    for folder in sorted(p for p in out.iterdir() if p.is_dir()):
        (pkg_dir,) = [p for p in folder.iterdir() if p.is_dir()]
        package = import_package(pkg_dir)
        pairs = [(t, body) for _, _, t, body in json_examples(package, load_collection(
            _source(folder.name))) if not has_placeholder(body)]
        if not pairs:
            continue
        parsed = [(t, t.from_dict(b)) for t, b in pairs]
        parse = _median_ms(lambda: [t.from_dict(b) for t, b in pairs])
        dump = _median_ms(lambda: [t.to_dict(v) for t, v in parsed])
        total_parse += parse
        total_dump += dump
        print(f"{folder.name:28} {len(pairs):4} bodies  from_dict {parse:8.3f} ms"
              f"  to_dict {dump:8.3f} ms")
    print(f"{'total':28} {'':4}         from_dict {total_parse:8.3f} ms  to_dict {total_dump:8.3f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
