"""Benchmark litkg build against a floor and a naive pipeline, on synthetic articles.

For each corpus size it prints articles/s, triples/s, seconds per stage, peak RSS, and
litkg's time as a ratio to

- the floor: reading the inputs, then parsing and serialising the same output triples
  with pyoxigraph (no parsing of pages, no linking, no validation);
- the naive pipeline a user would hand-roll: one rdflib graph for every article, one
  pySHACL run over the whole graph, rdflib's Turtle writer (given ``--naive-timeout``
  seconds, by default 10.5 times litkg's time and at least 600; when it runs out the ratio is a lower
  bound, printed with ">").

Then it times every query of ``queries/`` over litkg's output (``benchmarks/queries.py``:
loaded into the embedded store, unbound and bound to its documented example; target
under 1 s each), unless ``--no-queries``.

Each measurement runs in its own process so peak RSS is its own.

    python benchmarks/run.py --sizes 100,1000,10000
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _peak_rss_mb() -> float:
    """The largest peak resident set of this process or any of its children (workers)."""
    return max(_own_peak_rss_mb(), _children_peak_rss_mb())


def _own_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def measure_litkg(inputs: Path, out: Path, jobs: int | None) -> dict:
    from litkg.build import build

    started = time.perf_counter()
    report = build([inputs], out, formats=["ttl", "nq"], jobs=jobs)
    seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "articles": len(report.published),
        "rejected": len(report.rejects),
        "triples": report.triples,
        "stages": report.seconds,
        "peak_rss_mb": _peak_rss_mb(),
        "parent_rss_mb": _own_peak_rss_mb(),
        "worker_rss_mb": _children_peak_rss_mb(),
    }


def measure_floor(inputs: Path, out: Path) -> dict:
    import pyoxigraph as ox

    started = time.perf_counter()
    size = sum(len(p.read_bytes()) for p in sorted(inputs.iterdir()))
    quads = list(ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS))
    triples = list({ox.Triple(q.subject, q.predicate, q.object) for q in quads})
    ox.serialize(triples, str(out / "floor.ttl"), format=ox.RdfFormat.TURTLE)
    ox.serialize(quads, str(out / "floor.nq"), format=ox.RdfFormat.N_QUADS)
    return {"seconds": time.perf_counter() - started, "bytes_read": size, "peak_rss_mb": _peak_rss_mb()}


def measure_naive(inputs: Path, out: Path) -> dict:
    import pyshacl
    from rdflib import Graph

    from litkg.link import Annotator
    from litkg.parse import parse_files
    from litkg.rdf.identity import IdentityIndex
    from litkg.rdf.iris import Minter
    from litkg.rdf.mapping import article_graph
    from litkg.validate import shipped_shapes

    started = time.perf_counter()
    articles = list(parse_files([inputs]).articles)
    index = IdentityIndex.from_articles(articles)
    annotator = Annotator()
    minter = Minter()
    graph = Graph()
    for article in articles:
        graph += article_graph(
            article, minter, index, annotator.annotate_article(article), annotator.lexicon.module
        )
    pyshacl.validate(graph, shacl_graph=shipped_shapes(), inference="none")
    graph.serialize(out / "naive.ttl", format="turtle")
    return {"seconds": time.perf_counter() - started, "peak_rss_mb": _peak_rss_mb()}


def _in_subprocess(
    kind: str, inputs: Path, out: Path, jobs: int | None, timeout: float | None
) -> dict | None:
    """The measurement's JSON; None when it ran past ``timeout``; for the naive pipeline
    a failure (e.g. killed for want of memory) is a result too, {"failed": ...}."""
    command = [sys.executable, str(Path(__file__)), "--one", kind, str(inputs), str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=True)
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        if kind == "naive":
            return {"failed": f"exit code {exc.returncode}", "seconds": time.perf_counter() - started}
        raise SystemExit(f"{kind} benchmark failed:\n{exc.stderr[-2000:]}") from None
    return json.loads(done.stdout.strip().splitlines()[-1])


def _query_report(out: Path) -> str:
    """What benchmarks/queries.py prints for litkg's output in ``out``."""
    command = [sys.executable, str(HERE / "queries.py"), str(out)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, check=True)
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"query benchmark failed:\n{exc.stderr[-2000:]}") from None
    return done.stdout.rstrip("\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000", help="Comma-separated corpus sizes.")
    parser.add_argument("--jobs", type=int, default=None, help="litkg worker processes (default: cores).")
    parser.add_argument(
        "--naive-timeout",
        type=float,
        default=None,
        help="Seconds given to the naive pipeline (default: 10.5 times litkg's time at that size, "
        "at least 600, so a time-out still shows the 10x target).",
    )
    parser.add_argument(
        "--no-queries", action="store_true", help="Do not time the queries of queries/ over the output."
    )
    parser.add_argument("--one", nargs=3, metavar=("KIND", "INPUTS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        kind, inputs, out = args.one
        measure = {
            "litkg": lambda: measure_litkg(Path(inputs), Path(out), args.jobs),
            "floor": lambda: measure_floor(Path(inputs), Path(out)),
            "naive": lambda: measure_naive(Path(inputs), Path(out)),
        }[kind]
        print(json.dumps(measure()))
        return
    sys.path.insert(0, str(HERE))
    from generate import generate

    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory() as tmp:
            inputs, out = Path(tmp) / "in", Path(tmp) / "out"
            generate(size, inputs)
            litkg = _in_subprocess("litkg", inputs, out, args.jobs, None)
            floor = _in_subprocess("floor", inputs, out, None, None)
            assert litkg is not None and floor is not None
            seconds = litkg["seconds"]
            stages = ", ".join(f"{k} {v:.1f}s" for k, v in litkg["stages"].items())
            print(f"== {size} articles")
            print(
                f"litkg: {seconds:.1f}s, {litkg['articles'] / seconds:.1f} articles/s, "
                f"{litkg['triples'] / seconds:,.0f} triples/s, {litkg['triples']:,} triples, "
                f"peak RSS {litkg['peak_rss_mb']:.0f} MB (parent {litkg['parent_rss_mb']:.0f}, "
                f"largest worker {litkg['worker_rss_mb']:.0f})"
            )
            print(f"  stages (link/map/validate are CPU seconds summed over workers): {stages}")
            print(
                f"floor (read inputs + pyoxigraph parse/serialize of the output): {floor['seconds']:.2f}s; "
                f"litkg / floor = {seconds / floor['seconds']:.1f}x"
            )
            if not args.no_queries:
                print("queries over litkg's output (benchmarks/queries.py):")
                print("\n".join(f"  {line}" for line in _query_report(out).splitlines()))
            sys.stdout.flush()
            timeout = args.naive_timeout or max(600.0, 10.5 * seconds)
            naive = _in_subprocess("naive", inputs, out, None, timeout)
        if naive is None:
            naive_text = f"> {timeout:.0f}s (stopped there), litkg is > {timeout / seconds:.1f}x faster"
        elif "failed" in naive:
            naive_text = f"failed after {naive['seconds']:.0f}s ({naive['failed']}; out of memory?), no ratio"
        else:
            naive_text = f"{naive['seconds']:.1f}s, litkg is {naive['seconds'] / seconds:.1f}x faster"
        print(f"naive (one rdflib graph, one pySHACL run): {naive_text}")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
