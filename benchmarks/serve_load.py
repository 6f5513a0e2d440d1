"""Load test of `litkg serve` on loopback: N requests at C concurrent, mixed over article
pages (HTML), RDF documents (303 + Turtle/JSON-LD) and SPARQL queries (the shipped
library). Prints throughput, latency percentiles and errors.

    python benchmarks/serve_load.py BUILD_DIR [--requests 2000] [--concurrency 20]
    python benchmarks/serve_load.py --url http://127.0.0.1:8000 BUILD_DIR   # a running server

Without --url it starts `litkg serve BUILD_DIR` on a free loopback port and stops it after.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import httpx2 as httpx
import pyoxigraph as ox


@dataclass(frozen=True)
class LoadReport:
    requests: int
    concurrency: int
    errors: int
    error_samples: list[str]
    seconds: float
    requests_per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    by_kind: dict[str, dict[str, float]]


def request_mix(out: Path, base: str) -> list[tuple[str, str, dict[str, str], dict[str, str]]]:
    """(kind, path, params, headers) for every article of the build and every library query."""
    from litkg.serve.query import named_query

    graph_file = out / "graph.nq" if (out / "graph.nq").exists() else out / "graph.ttl"
    fmt = ox.RdfFormat.N_QUADS if graph_file.suffix == ".nq" else ox.RdfFormat.TURTLE
    citing = sorted(
        {
            q.subject.value
            for q in ox.parse(path=str(graph_file), format=fmt)
            if q.predicate.value == "http://purl.org/spar/cito/cites"
        }
    )
    mix = []
    for iri in citing:
        path = "/" + iri[len(base) :]
        mix.append(("page", path, {}, {"Accept": "text/html"}))
        mix.append(("rdf", path, {}, {"Accept": "text/turtle"}))
    for name in ("cited-by-several", "citation-counts", "articles-by-cell-type", "discussed-works"):
        headers = {"Accept": "application/sparql-results+json"}
        mix.append(("sparql", "/sparql", {"query": named_query(name)}, headers))
    return mix


async def _run(url: str, mix: list, total: int, concurrency: int) -> LoadReport:
    latencies: dict[str, list[float]] = {}
    errors: list[str] = []
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits, follow_redirects=True) as client:

        async def user() -> None:
            for n in counter:
                kind, path, params, headers = mix[n % len(mix)]
                started = time.perf_counter()
                try:
                    response = await client.get(path, params=params, headers=headers)
                    if response.status_code != 200 or not response.content:
                        errors.append(f"{response.status_code} {path}")
                except httpx.HTTPError as exc:
                    errors.append(f"{type(exc).__name__} {path}")
                latencies.setdefault(kind, []).append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(user() for _ in range(concurrency)))
        seconds = time.perf_counter() - started

    every = sorted(x for values in latencies.values() for x in values)

    def percentile(values: list[float], p: float) -> float:
        return 1000 * values[min(len(values) - 1, int(p * len(values)))]

    return LoadReport(
        requests=total,
        concurrency=concurrency,
        errors=len(errors),
        error_samples=errors[:10],
        seconds=round(seconds, 2),
        requests_per_second=round(total / seconds, 1),
        p50_ms=round(percentile(every, 0.50), 1),
        p95_ms=round(percentile(every, 0.95), 1),
        p99_ms=round(percentile(every, 0.99), 1),
        by_kind={
            kind: {
                "requests": len(values),
                "mean_ms": round(1000 * statistics.fmean(values), 1),
                "p95_ms": round(percentile(sorted(values), 0.95), 1),
            }
            for kind, values in sorted(latencies.items())
        },
    )


def run_load(url: str, out: Path, base: str, total: int = 2000, concurrency: int = 20) -> LoadReport:
    """Send ``total`` requests, ``concurrency`` at a time, to the server at ``url``."""
    return asyncio.run(_run(url, request_mix(out, base), total, concurrency))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the build directory being served")
    parser.add_argument("--url", help="a running server; default: start one on a free loopback port")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2, help="SPARQL workers of the started server")
    args = parser.parse_args()

    from litkg.serve.views import dataset_base

    process = None
    url = args.url
    if url is None:
        port = _free_port()
        command = [sys.executable, "-m", "litkg", "serve", str(args.out), "--port", str(port)]
        process = subprocess.Popen([*command, "--workers", str(args.workers)], stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        for _ in range(600):
            try:
                httpx.get(url + "/", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.2)
    try:
        report = run_load(url, args.out, dataset_base(args.out), args.requests, args.concurrency)
    finally:
        if process is not None:
            process.terminate()
            process.wait()
    print(json.dumps(asdict(report), indent=2))
    print(
        f"{report.requests} requests at {report.concurrency} concurrent: {report.requests_per_second} req/s, "
        f"p50 {report.p50_ms} ms, p95 {report.p95_ms} ms, p99 {report.p99_ms} ms, {report.errors} error(s)"
    )


if __name__ == "__main__":
    main()
