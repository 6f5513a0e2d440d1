"""Query benchmark: load a build into the embedded store and time every query of queries/.

    python benchmarks/queries.py BUILD_DIR [--repeat 3]

Prints the load time and, per query, the row count and the best of ``--repeat`` runs,
unbound (each query answers for the whole graph) and bound to the example value its
header documents ("# Parameters: ?cellType (optional) - ..., e.g. obo:CL_0000125").
"""

from __future__ import annotations

import argparse
import re
import time
from pathlib import Path

from litkg.resources import data_dir
from litkg.serve.query import load_store, named_query, parse_term, run_query

EXAMPLE = re.compile(r"#\s*Parameters:\s*\?(\w+).*?e\.g\.\s*(\S+)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="a build directory (graph.nq or graph.ttl)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    store = load_store(args.out)
    print(f"loaded {len(store):,} quads in {time.perf_counter() - started:.1f} s")
    print(f"{'query':28} {'bound to':24} {'rows':>8} {'best s':>8}")
    slowest = {"unbound": 0.0, "bound": 0.0}
    for path in sorted(data_dir("queries").glob("*.rq")):
        example = EXAMPLE.search(path.read_text(encoding="utf-8"))
        runs = [("unbound", {})]
        if example:
            value = example.group(2).rstrip(").,").strip('"')
            runs.append(("bound", {example.group(1): parse_term(value)}))
        for kind, bindings in runs:
            best = float("inf")
            rows = 0
            for _ in range(args.repeat):
                started = time.perf_counter()
                rows = len(run_query(store, named_query(path.stem), bindings).rows)
                best = min(best, time.perf_counter() - started)
            slowest[kind] = max(slowest[kind], best)
            shown = " ".join(f"?{k}={v}" for k, v in bindings.items())[:24] or "-"
            print(f"{path.stem:28} {shown:24} {rows:8,} {best:8.3f}")
    for kind, seconds in slowest.items():
        verdict = "under" if seconds < 1 else "OVER"
        print(f"slowest {kind} query: {seconds:.3f} s ({verdict} the 1 s target)")


if __name__ == "__main__":
    main()
