"""Identity at scale, simulated: connected components of a synthetic identifier graph
of many references on a Dask LocalCluster, with each worker's peak memory.

Each reference names one work by the tokens a reference list would give: a DOI
(60% of references), a PMID (50%) and always a key (first author, year, journal,
volume, page); works are cited with a heavy tail (a Zipf law: most works cited once,
a few thousands of times), and 1 in 2,000 keys collides with another work's (two works
that a key cannot tell apart: the groups such collisions join are what makes the
propagation take more than one round). The references are generated on the workers,
partition by partition (the client never holds them), resolved by
:func:`litkg.build.components.connected_components`, and the groups counted.

Printed: seconds, rounds, groups, and each worker's peak RSS against the worker's
memory limit: Dask spills what does not fit to disk, so a worker's memory is bounded by
its limit and its partitions, not by the corpus.

    python benchmarks/identity_scale.py --references 10000000 --memory-limit 3GB

By default the references are generated and resolved in as many partitions as the
cluster build would make for their links (at most ``EDGES_PER_PARTITION`` each), so a
run at two sizes shows what a worker holds as the corpus grows at the build's own sizing.
"""

from __future__ import annotations

import argparse
import logging
import resource
import time

import numpy as np
import pandas as pd


def references(seed: int, count: int, works: int) -> pd.DataFrame:
    """The (token, work) links of ``count`` synthetic references (partition ``seed``)."""
    random = np.random.default_rng(seed)
    cited = (random.zipf(1.3, size=count) - 1 + random.integers(0, works, size=count)) % works
    has_doi = random.random(count) < 0.6
    has_pmid = random.random(count) < 0.5
    collides = random.random(count) < 0.0005
    key_work = np.where(collides, random.integers(0, works, size=count), cited)
    tokens = {
        "doi": np.char.add("doi:10.1000/", cited.astype(str)),
        "pmid": np.char.add("pmid:", (cited + 10_000_000).astype(str)),
        "key": np.char.add("key:author_2001_j-x_", key_work.astype(str)),
    }
    first = np.where(has_doi, tokens["doi"], np.where(has_pmid, tokens["pmid"], tokens["key"]))
    frames = [
        pd.DataFrame({"token": tokens["doi"][has_doi], "work": first[has_doi]}),
        pd.DataFrame({"token": tokens["pmid"][has_pmid], "work": first[has_pmid]}),
        pd.DataFrame({"token": tokens["key"], "work": first}),
    ]
    return pd.concat(frames, ignore_index=True).astype("str")


# the (token, work) links a reference gives: its key, a DOI for 60%, a PMID for 50%
LINKS_PER_REFERENCE = 1 + 0.6 + 0.5


def _peak_rss() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--references", type=int, default=10_000_000)
    parser.add_argument(
        "--partitions",
        type=int,
        default=None,
        help="default: as the cluster build sizes them (litkg.build.cluster.identity_partitions)",
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--memory-limit", default="3GB", help="per worker; Dask spills beyond it")
    args = parser.parse_args()

    import dask.dataframe as dd
    from distributed import Client, LocalCluster

    from litkg.build.cluster import EDGES_PER_PARTITION, identity_partitions
    from litkg.build.components import connected_components

    works = max(1, args.references // 3)
    if args.partitions is None:  # the build's rule: at most EDGES_PER_PARTITION links in each
        args.partitions = identity_partitions(
            round(args.references * LINKS_PER_REFERENCE), args.workers, args.workers
        )
    per_partition = -(-args.references // args.partitions)
    with (
        LocalCluster(
            n_workers=args.workers,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",
            memory_limit=args.memory_limit,
            silence_logs=logging.ERROR,
        ) as cluster,
        Client(cluster) as client,
    ):
        edges = dd.from_map(
            references,
            list(range(args.partitions)),
            count=per_partition,
            works=works,
            meta=pd.DataFrame({"token": pd.Series([], dtype="str"), "work": pd.Series([], dtype="str")}),
        )
        started = time.perf_counter()
        roots, rounds = connected_components(edges, args.partitions)
        groups = roots["root"].nunique().compute()
        tokens = roots.shape[0].compute()
        seconds = time.perf_counter() - started
        peaks = client.run(_peak_rss)
    print(
        f"{args.references:,} references ({per_partition * args.partitions:,} generated"
        f" in {args.partitions} partitions, about {per_partition * LINKS_PER_REFERENCE:,.0f} links each;"
        f" the build's bound is {EDGES_PER_PARTITION:,}), "
        f"{args.workers} workers of {args.memory_limit}: {seconds:.0f} s, {rounds} rounds, "
        f"{tokens:,} tokens in {groups:,} groups"
    )
    for address, peak in sorted(peaks.items()):
        print(f"  worker {address}: peak RSS {peak / 2**20:.0f} MB")
    print(f"  client: peak RSS {_peak_rss() / 2**20:.0f} MB")


if __name__ == "__main__":
    main()
