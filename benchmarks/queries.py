"""Query benchmark: load a build into the embedded store and time every query of queries/.

    python benchmarks/queries.py BUILD_DIR [--repeat 3]

Prints the load time and, per query, the row count and the best of ``--repeat`` runs
(parameters unbound, so each query answers for the whole graph).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from litkg.query import load_store, named_query, run_query
from litkg.resources import data_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a build directory (graph.nq or graph.ttl)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    store = load_store(args.out)
    print(f"loaded {len(store):,} quads in {time.perf_counter() - started:.1f} s")
    print(f"{'query':28} {'rows':>8} {'best s':>8}")
    slowest = 0.0
    for path in sorted(data_dir("queries").glob("*.rq")):
        best = float("inf")
        rows = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            rows = len(run_query(store, named_query(path.stem)).rows)
            best = min(best, time.perf_counter() - started)
        slowest = max(slowest, best)
        print(f"{path.stem:28} {rows:8,} {best:8.3f}")
    print(f"slowest query: {slowest:.3f} s ({'under' if slowest < 1 else 'OVER'} the 1 s target)")


if __name__ == "__main__":
    main()
