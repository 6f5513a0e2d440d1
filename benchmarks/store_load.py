"""Store load benchmark: one build loaded into each real store, by ``litkg load`` and by the
store's own bulk loader, side by side in one run.

Stores (started on loopback with a fresh database for each measurement, stopped after,
by tests/stores.py): an Oxigraph server (``litkg load --endpoint …/update``; bulk:
``oxigraph load --file graph.nq`` with the server stopped) and Virtuoso 7.2
(``litkg load --endpoint …/sparql-auth`` with HTTP Digest; bulk: ``ld_dir`` +
``rdf_loader_run`` + ``checkpoint``). After each load the quads under the dataset's base
are counted on the server and must equal the dump's.

    python benchmarks/store_load.py --articles 10000            # generates and builds first
    python benchmarks/store_load.py --build /tmp/b10k           # an existing build (graph.nq)

Prints, per store and way: seconds, quads/s, the client's peak RSS (litkg load) and the
quads counted back.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "tests"))

from litkg.rdf.iris import DEFAULT_BASE  # noqa: E402
from stores import Virtuoso, oxigraph, oxigraph_binary, virtuoso  # noqa: E402


def count(query_url: str) -> int:
    query = (
        "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f"FILTER(STRSTARTS(STR(?g), '{DEFAULT_BASE}')) }}"
    )
    request = urllib.request.Request(
        f"{query_url}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=3600) as response:
        return int(json.load(response)["results"]["bindings"][0]["n"]["value"])


def litkg_load(
    build: Path, *options: str, env: dict[str, str] | None = None, source: Path | None = None
) -> tuple[float, float]:
    """Seconds and the client's peak RSS (MB) of one ``litkg load`` run; ``source``: the
    ``src/`` of another checkout, to run its code instead (a side-by-side comparison)."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "litkg", "load", str(build), *options]
    extra = {"PYTHONPATH": str(source)} if source else {}
    pid = os.fork()
    if pid == 0:  # a child of its own, so its peak RSS is its own
        os.execve(sys.executable, command, {**os.environ, **(env or {}), **extra})
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"litkg load {' '.join(options)} failed")
    return seconds, usage.ru_maxrss / 1024


def measure_oxigraph(build: Path, scratch: Path, other: Path | None) -> list[dict]:
    results = []
    if other is not None:
        location = scratch / "oxigraph-other"
        with oxigraph(location) as url:
            seconds, rss = litkg_load(build, "--endpoint", f"{url}/update", source=other)
            results.append(
                {
                    "store": "Oxigraph",
                    "way": f"litkg load (update), {other}",
                    "seconds": seconds,
                    "client_rss_mb": rss,
                    "quads": count(f"{url}/query"),
                }
            )
        shutil.rmtree(location)
    location = scratch / "oxigraph-litkg"
    with oxigraph(location) as url:
        seconds, rss = litkg_load(build, "--endpoint", f"{url}/update")
        results.append(
            {
                "store": "Oxigraph",
                "way": "litkg load (update)",
                "seconds": seconds,
                "client_rss_mb": rss,
                "quads": count(f"{url}/query"),
            }
        )
    shutil.rmtree(location)
    location = scratch / "oxigraph-bulk"
    started = time.perf_counter()
    subprocess.run(
        [oxigraph_binary(), "load", "--location", str(location), "--file", str(build / "graph.nq")],
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - started
    with oxigraph(location) as url:
        results.append(
            {
                "store": "Oxigraph",
                "way": "oxigraph load",
                "seconds": seconds,
                "client_rss_mb": None,
                "quads": count(f"{url}/query"),
            }
        )
    shutil.rmtree(location)
    return results


def measure_virtuoso(build: Path, scratch: Path, memory_mb: int, other: Path | None) -> list[dict]:
    results = []
    for source in ([other] if other is not None else []) + [None]:
        with virtuoso(scratch / "virtuoso-litkg", memory_mb=memory_mb) as store:
            seconds, rss = litkg_load(
                build,
                "--endpoint",
                f"{store.url}/sparql-auth",
                "--user",
                store.user,
                env={"LITKG_PASSWORD": store.password},
                source=source,
            )
            results.append(
                {
                    "store": "Virtuoso",
                    "way": "litkg load (update, digest)" + (f", {source}" if source else ""),
                    "seconds": seconds,
                    "client_rss_mb": rss,
                    "quads": count(f"{store.url}/sparql"),
                }
            )
        shutil.rmtree(scratch / "virtuoso-litkg")
    store: Virtuoso
    with virtuoso(scratch / "virtuoso-bulk", memory_mb=memory_mb) as store:
        started = time.perf_counter()
        store.bulk_load(build / "graph.nq", f"{DEFAULT_BASE}dataset/union")
        seconds = time.perf_counter() - started
        results.append(
            {
                "store": "Virtuoso",
                "way": "ld_dir + rdf_loader_run",
                "seconds": seconds,
                "client_rss_mb": None,
                "quads": count(f"{store.url}/sparql"),
            }
        )
    shutil.rmtree(scratch / "virtuoso-bulk")
    return results


def dump_quads(build: Path) -> int:
    with (build / "graph.nq").open("rb") as lines:
        return sum(1 for _ in lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--build", type=Path, help="an existing build with graph.nq (skips generating)")
    parser.add_argument("--virtuoso-memory", type=int, default=2000, help="MB of Virtuoso buffers")
    parser.add_argument("--stores", default="oxigraph,virtuoso")
    parser.add_argument("--other", type=Path, help="src/ of another checkout: its litkg load too, first")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="litkg-store-load-"))
    build = args.build
    if build is None:
        sys.path.insert(0, str(HERE))
        from generate import generate

        from litkg.build import build as run_build

        inputs = scratch / "articles"
        generate(args.articles, inputs)
        build = scratch / "build"
        started = time.perf_counter()
        run_build([inputs], build, formats=["nq"])
        print(f"built {args.articles:,} articles in {time.perf_counter() - started:.1f} s", flush=True)
    quads = dump_quads(build)
    size = (build / "graph.nq").stat().st_size / 1e6
    print(f"graph.nq: {quads:,} quads, {size:,.0f} MB", flush=True)
    results = []
    for name in args.stores.split(","):
        measured = (
            measure_oxigraph(build, scratch, args.other)
            if name == "oxigraph"
            else measure_virtuoso(build, scratch, args.virtuoso_memory, args.other)
        )
        for row in measured:
            print(json.dumps(row), flush=True)
        results.extend(measured)
    print()
    print("| store | way | seconds | quads/s | client peak RSS | quads counted back |")
    print("| --- | --- | ---: | ---: | ---: | ---: |")
    for row in results:
        rss = f"{row['client_rss_mb']:.0f} MB" if row["client_rss_mb"] else "-"
        same = "= dump" if row["quads"] == quads else f"{row['quads']:,} ≠ {quads:,}"
        print(
            f"| {row['store']} | {row['way']} | {row['seconds']:.1f} | {quads / row['seconds']:,.0f} "
            f"| {rss} | {same} |"
        )
    shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
