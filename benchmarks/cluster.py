"""The build on a Dask cluster against the local build, side by side in one run.

Times ``litkg build`` (the local build, ``--jobs J``) and ``litkg build --scheduler local``
(a LocalCluster of J single-threaded workers: the same cores) on the same generated
corpus, each in its own process, and prints wall seconds, the ratio (goal: the cluster
build at most 1.3 times the local one), the peak RSS of the local
build (parent and workers) and of the cluster build's client and each worker (over the
build, and in each stage: parse, identity, map, counts and descriptions). With
``--check`` it also checks that the union of the shards is the local graph.nq, line
for line (``sort`` of both).

The machine's speed drifts within an hour, so the two builds take turns at going first:
odd rounds run the local build first, even rounds the cluster build. The last lines give
each round's ratio and the ratio of the summed seconds over all rounds.

    python benchmarks/cluster.py --articles 10000 --rounds 2 --check
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
_OUT = {"local": "local", "cluster": "dask"}  # each build's output directory under --work


def run_local(inputs: str, out: str, jobs: int) -> dict:
    from litkg.build import build

    started = time.perf_counter()
    report = build([inputs], Path(out), formats=["nq"], jobs=jobs)
    return {
        "seconds": time.perf_counter() - started,
        "published": len(report.published),
        "triples": report.triples,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_peak_rss_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024,
        "stages": report.seconds,
    }


def run_cluster(inputs: str, out: str, jobs: int) -> dict:
    from litkg.build import BuildOptions
    from litkg.build.cluster import build_on_cluster

    started = time.perf_counter()
    report = build_on_cluster([inputs], out, BuildOptions(jobs=jobs), "local")
    return {
        "seconds": time.perf_counter() - started,
        "published": len(report.published),
        "triples": report.triples,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "workers_peak_rss_mb": {a: b / 2**20 for a, b in report.worker_peak_rss.items()},
        "workers_peak_rss_mb_by_stage": {
            stage: [b / 2**20 for b in peaks.values()]
            for stage, peaks in report.worker_peak_rss_by_stage.items()
        },
        "stages": report.seconds,
    }


def _in_process(kind: str, inputs: Path, out: Path, jobs: int) -> dict:
    code = (
        f"import json, sys; sys.path.insert(0, {str(HERE)!r}); import cluster; "
        f"print(json.dumps(cluster.run_{kind}({str(inputs)!r}, {str(out)!r}, {jobs})))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    if done.returncode:
        raise SystemExit(f"{kind} build failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _sorted_digest(command: str) -> str:
    environment = {**os.environ, "LC_ALL": "C"}
    shell = f"{command} | sort -S 2G | sha256sum"
    return subprocess.run(
        shell, shell=True, capture_output=True, text=True, env=environment, check=True
    ).stdout


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--rounds", type=int, default=2, help="even rounds run the cluster build first")
    parser.add_argument("--work", type=Path, default=Path("/tmp/litkg-cluster-bench"))
    parser.add_argument("--check", action="store_true", help="compare the shards with graph.nq")
    args = parser.parse_args()
    inputs = args.work / f"generated-{args.articles}"
    if not inputs.exists():
        subprocess.run(
            [sys.executable, str(HERE / "generate.py"), str(args.articles), str(inputs)], check=True
        )
    ratios: list[float] = []
    totals = {"local": 0.0, "cluster": 0.0}
    for number in range(1, args.rounds + 1):
        order = ("local", "cluster") if number % 2 else ("cluster", "local")
        timed = {kind: _in_process(kind, inputs, args.work / _OUT[kind], args.jobs) for kind in order}
        local, dask = timed["local"], timed["cluster"]
        ratio = dask["seconds"] / local["seconds"]
        ratios.append(ratio)
        totals["local"] += local["seconds"]
        totals["cluster"] += dask["seconds"]
        print(f"round {number}: {args.articles} articles, {args.jobs} cores, {order[0]} build first")
        print(
            f"  local build:   {local['seconds']:.1f} s, {local['published']} published,"
            f" {local['triples']} triples, peak RSS {local['peak_rss_mb']:.0f} MB (parent),"
            f" {local['workers_peak_rss_mb']:.0f} MB (largest worker)"
        )
        workers = ", ".join(f"{mb:.0f}" for mb in dask["workers_peak_rss_mb"].values())
        print(
            f"  cluster build: {dask['seconds']:.1f} s, {dask['published']} published,"
            f" {dask['triples']} triples, peak RSS {dask['peak_rss_mb']:.0f} MB (client),"
            f" {workers} MB (workers)"
        )
        by_stage = dask.get("workers_peak_rss_mb_by_stage", {})
        stage_peaks = (f"{stage} {', '.join(f'{mb:.0f}' for mb in mbs)}" for stage, mbs in by_stage.items())
        print("  cluster workers' peak RSS by stage (MB): " + "; ".join(stage_peaks))
        print(f"  ratio {ratio:.2f} (goal <= 1.3)")
        print("  local stages:   " + ", ".join(f"{k} {v:.1f}" for k, v in local["stages"].items()))
        print("  cluster stages: " + ", ".join(f"{k} {v:.1f}" for k, v in dask["stages"].items()))
    print(
        f"ratios by round: {', '.join(f'{r:.2f}' for r in ratios)};"
        f" summed: cluster {totals['cluster']:.1f} s / local {totals['local']:.1f} s"
        f" = {totals['cluster'] / totals['local']:.2f} (goal <= 1.3)"
    )
    if args.check:
        local_digest = _sorted_digest(f"cat {args.work / 'local' / 'graph.nq'}")
        dask_digest = _sorted_digest(f"zcat {args.work / 'dask'}/graph-*.nq.gz")
        print(f"  union of the shards == local graph.nq (sorted): {local_digest == dask_digest}")


if __name__ == "__main__":
    main()
