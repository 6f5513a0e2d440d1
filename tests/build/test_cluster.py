"""The build on a Dask cluster (``litkg build --scheduler``), on a real LocalCluster of
worker processes on the loopback interface, started and stopped here: it publishes the
local build's quads, whatever its workers and partitions, loses no input to a bad one,
and survives a worker killed in the middle."""

from __future__ import annotations

import gc
import gzip
import json
import logging
import os
import random
import signal
import threading
import time
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from conftest import JATS_SAMPLE, SEEDS, generate_articles, shared_or_skip
from litkg.build import BuildOptions, build
from litkg.build.shards import MANIFEST_FILE, read_manifest
from litkg.cli import app
from litkg.rdf.identity import _find, _join

distributed = pytest.importorskip("distributed")
dd = pytest.importorskip("dask.dataframe")

from litkg.build import cluster as cluster_module  # noqa: E402 (needs dask)
from litkg.build.cluster import EDGES_PER_PARTITION, identity_partitions  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def cluster():
    """Two single-threaded worker processes and a scheduler on 127.0.0.1."""
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",  # a free loopback port: no clash
        silence_logs=logging.ERROR,
    ) as started:
        yield started


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """The seeds, the CRAFT JATS files, a JATS sample, generated articles, a copy of a
    seed under another name (a duplicate) and a broken file, built locally."""
    work = tmp_path_factory.mktemp("cluster")
    craft = shared_or_skip("corpus", "craft", "nxml")
    broken = work / "broken.txt"
    broken.write_bytes(b"\x00binary")
    copy = work / "copy-of-seed.txt"
    copy.write_bytes(sorted(SEEDS.glob("*.txt"))[0].read_bytes())
    inputs = [
        str(SEEDS),
        str(craft),
        str(JATS_SAMPLE),
        str(broken),
        str(copy),
        *map(str, generate_articles(40, work / "gen")),
    ]
    local = build(inputs, work / "local", formats=["nq"], jobs=2)
    return inputs, local, work


@pytest.fixture(scope="module")
def small(corpus):
    """The corpus without CRAFT (the seeds, the sample, the generated, the broken file
    and the copy), built locally."""
    inputs, _, work = corpus
    inputs = [i for i in inputs if "craft" not in i]
    return inputs, build(inputs, work / "local-small", formats=["nq"], jobs=2), work


def shard_lines(out: Path) -> list[bytes]:
    lines: list[bytes] = []
    for shard in read_manifest(out).shards:
        lines.extend(gzip.decompress((out / shard.file).read_bytes()).splitlines())
    return lines


def local_lines(out: Path) -> list[bytes]:
    return (out / "graph.nq").read_bytes().splitlines()


def _cluster_build(inputs, out, options, scheduler):
    from litkg.build.cluster import build_on_cluster

    return build_on_cluster(inputs, str(out), options, scheduler)


def test_an_articles_graph_meets_the_descriptions_only_in_the_parts_descriptions_have(corpus):
    """The cluster build counts an article's other lines where it makes them (they are in
    no other graph): so no line of the descriptions graph may be about a part of a
    published article other than those a description of a work has."""
    from litkg.build.cluster import _in_one_graph
    from litkg.rdf.iris import Minter

    _, _, work = corpus
    trees: set[str] = set()
    described: list[tuple[str, str]] = []
    for line in local_lines(work / "local"):
        text = line.decode("utf-8")
        subject, graph = text.split(" ", 1)[0], text.rsplit(" ", 2)[1].strip("<>")
        if graph.endswith("/dataset/descriptions"):
            described.append((subject, text))
        else:
            assert Minter.work_of_graph(graph)
            trees.add(Minter.work_of_graph(graph))
    assert described and len(trees) > 100
    inside = [(s, t) for s, t in described for tree in trees if s.startswith(f"<{tree}")]
    assert inside  # works of the corpus that other articles cite: their authors, identifiers
    assert not [t for s, t in inside for tree in trees if _in_one_graph(s, tree)]


def test_lines_read_as_text_count_as_the_parsed_file_does(corpus, tmp_path):
    from litkg.build.dumps import count_lines, count_triples

    _, _, work = corpus
    triples = sorted({line.decode("utf-8").rsplit(" ", 2)[0] + " ." for line in local_lines(work / "local")})
    assert count_lines(triples) == count_triples(_written(tmp_path / "union.nt", triples))
    assert count_lines(triples[::7]) == count_triples(_written(tmp_path / "some.nt", triples[::7]))


def _written(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(f"{line}\n" for line in lines), encoding="utf-8")
    return path


def test_in_one_graph_are_the_parts_of_an_article_no_description_has():
    from litkg.build.cluster import _in_one_graph

    work = "https://w3id.org/litkg/work/doi/10.1/x"
    assert _in_one_graph(f"<{work}/annotation/3/target>", work)
    assert _in_one_graph(f"<{work}/reference/12>", work)
    assert not _in_one_graph(f"<{work}>", work)  # the article, cited by another
    assert not _in_one_graph(f"<{work}/author/2>", work)
    assert not _in_one_graph(f"<{work}/id/doi>", work)
    assert not _in_one_graph(f"<{work}/citation-count>", work)
    assert not _in_one_graph(f"<{work}x/annotation/1>", work)  # another work's
    assert not _in_one_graph("_:b0", work)
    assert not _in_one_graph(f"<{work}/annotation/1>", "")


def test_the_cluster_build_publishes_the_local_builds_quads(cluster, corpus):
    inputs, local, work = corpus
    report = _cluster_build(inputs, work / "dask", BuildOptions(), cluster.scheduler_address)
    assert sorted(shard_lines(work / "dask")) == sorted(local_lines(work / "local"))
    assert sorted(report.published) == sorted(local.published) and len(local.published) > 100
    rejects = {(r.source, r.stage) for r in report.rejects}
    assert rejects == {(r.source, r.stage) for r in local.rejects}
    assert {stage for _, stage in rejects} == {"parse", "duplicate"}  # the broken file, the copy
    assert report.triples == local.triples
    # the dataset description counts the same union and names every shard as a dump
    from rdflib import Graph, URIRef

    void = "http://rdfs.org/ns/void#"
    described = {name: Graph().parse(work / name / "metadata.ttl") for name in ("local", "dask")}
    for term in ("triples", "distinctSubjects", "properties", "classes"):
        values = {
            name: {int(o) for o in g.objects(None, URIRef(void + term))} for name, g in described.items()
        }
        assert values["local"] == values["dask"], term
    dumps = {str(o).rsplit("/", 1)[1] for o in described["dask"].objects(None, URIRef(void + "dataDump"))}
    assert dumps == {shard.file for shard in read_manifest(work / "dask").shards}
    manifest = json.loads((work / "dask" / MANIFEST_FILE).read_text())
    homes: dict[str, int] = {}
    for shard in manifest["shards"]:
        for graph in shard["graphs"]:
            homes[graph] = homes.get(graph, 0) + 1
    assert {g for g, n in homes.items() if n > 1} <= set(manifest["split_graphs"])
    assert not (work / "dask" / "_spool").exists()  # the spool goes at the end
    # each worker's peak memory, per stage and over the build (the largest of its stages)
    stages = report.worker_peak_rss_by_stage
    assert list(stages) == ["parse", "identity", "map", "counts_and_descriptions"]
    assert all(set(peaks) == set(report.worker_peak_rss) for peaks in stages.values())
    for worker, peak in report.worker_peak_rss.items():
        assert peak == max(peaks[worker] for peaks in stages.values()) > 50 * 2**20


def test_a_workers_peak_memory_is_told_per_stage():
    """The peak a stage reports is that stage's: the next starts anew from what the
    process holds then (Linux; elsewhere each tells the peak since the process started)."""
    from litkg.build.cluster import _stage_peak_rss

    _stage_peak_rss()
    held = bytearray(200 * 2**20)
    held[::4096] = b"x" * len(held[::4096])  # touched: resident
    during = _stage_peak_rss()
    del held
    _stage_peak_rss()  # a stage starts from what the process holds: here, no longer the bytes
    after = _stage_peak_rss()
    assert during >= 200 * 2**20
    if Path("/proc/self/clear_refs").exists():
        assert after < during - 150 * 2**20


def test_the_identity_step_has_a_partition_a_worker_and_more_as_links_grow():
    assert identity_partitions(edges=100, workers=2, chunks=5) == 2
    assert identity_partitions(edges=100, workers=8, chunks=3) == 3
    assert identity_partitions(edges=0, workers=2, chunks=0) == 1
    assert identity_partitions(edges=EDGES_PER_PARTITION * 600 + 1, workers=16, chunks=6000) == 601


def test_the_same_quads_whatever_the_workers_and_partitions(small, monkeypatch):
    inputs, expected, work = small
    # the identity step's tables in several partitions though one worker runs it (a
    # partition's worth is decided by the client, so the workers need not know): about
    # 1,500 links, so 7 partitions (at 20 links a partition, 76 took a minute more)
    monkeypatch.setattr(cluster_module, "EDGES_PER_PARTITION", 250)
    sized = cluster_module.identity_partitions
    counted: list[int] = []

    def counting(*arguments):
        """The partitions the client chooses, recorded."""
        counted.append(sized(*arguments))
        return counted[-1]

    monkeypatch.setattr(cluster_module, "identity_partitions", counting)
    one_worker = _cluster_build(inputs, work / "one", BuildOptions(jobs=1, max_batch=7, shards=3), "local")
    assert counted and counted[0] > 4
    assert sorted(shard_lines(work / "one")) == sorted(local_lines(work / "local-small"))
    assert sorted(one_worker.published) == sorted(expected.published)
    assert len(read_manifest(work / "one").shards) > 7  # one per task of 7 articles, and 3 of descriptions


def test_a_worker_killed_mid_build_is_retried_and_nothing_is_lost(cluster, small):
    """SIGKILL one worker process while the articles are being mapped: its nanny starts
    a new one, the scheduler runs its tasks again, and every article is published once."""
    inputs, local, work = small
    out = work / "killed"
    outcome: dict[str, object] = {}

    def run() -> None:
        try:
            outcome["report"] = _cluster_build(
                inputs, out, BuildOptions(max_batch=4), cluster.scheduler_address
            )
        except BaseException as exc:  # surfaced in the test below
            outcome["error"] = exc

    thread = threading.Thread(target=run)
    thread.start()
    deadline = time.monotonic() + 300
    while (
        not (list(out.glob("_spool/*/views")) and list(out.glob("graph-*.nq.gz")))
        and time.monotonic() < deadline
    ):
        time.sleep(0.05)  # the map stage has begun: views written, a first shard done
    pids = [nanny.process.process.pid for nanny in cluster.workers.values()]
    os.kill(pids[0], signal.SIGKILL)
    thread.join(timeout=600)
    assert "error" not in outcome, outcome.get("error")
    report = outcome["report"]
    assert sorted(report.published) == sorted(local.published)
    assert len(report.published) == len(set(report.published))
    assert sorted(shard_lines(out)) == sorted(local_lines(work / "local-small"))


def test_inputs_and_output_as_urls_on_the_command_line(cluster, tmp_path):
    out = tmp_path / "out"
    result = CliRunner().invoke(
        app,
        [
            "build",
            SEEDS.as_uri(),
            "-o",
            out.as_uri(),
            "--scheduler",
            cluster.scheduler_address,
            "--shards",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2 published, 0 rejected" in result.output
    build([SEEDS], tmp_path / "local", formats=["nq"])
    assert sorted(shard_lines(out)) == sorted(local_lines(tmp_path / "local"))
    # each input file is described under the name the local build gives it
    from rdflib import Graph, URIRef
    from rdflib.namespace import PROV, RDFS

    def sources(build_dir: Path) -> set[str]:
        graph = Graph().parse(build_dir / "metadata.ttl")
        return {str(graph.value(e, RDFS.label)) for e in graph.objects(None, URIRef(str(PROV.used)))}

    assert sources(out) == sources(tmp_path / "local") == {f"seeds/{p.name}" for p in SEEDS.glob("*.txt")}
    result = CliRunner().invoke(
        app, ["query", str(out), "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"]
    )
    assert result.exit_code == 0 and str(len(local_lines(tmp_path / "local"))) in result.output


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    from litkg.build.cluster import ClusterError

    with pytest.raises(ClusterError, match="cannot reach the Dask scheduler at tcp://127.0.0.1:9"):
        _cluster_build([str(SEEDS)], tmp_path / "o", BuildOptions(scheduler_timeout=2), "tcp://127.0.0.1:9")


_TOKENS = st.sampled_from(
    [f"doi:10.1/{n}" for n in range(6)] + [f"pmid:{n}" for n in range(6)] + [f"key:k{n}" for n in range(8)]
)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(descriptions=st.lists(st.lists(_TOKENS, min_size=1, max_size=4, unique=True), min_size=1, max_size=40))
def test_components_root_every_token_as_the_union_find_does(cluster, descriptions):
    from litkg.build.components import connected_components

    parent: dict[str, str] = {}
    rows = []
    for tokens in descriptions:
        _join(parent, tokens)
        rows.extend((token, tokens[0]) for token in tokens)
    edges = dd.from_pandas(pd.DataFrame(rows, columns=["token", "work"]), npartitions=3)
    with distributed.Client(cluster) as client:
        roots, rounds = connected_components(edges, partitions=random.Random(len(rows)).randint(1, 4))
        found = client.compute(roots).result()
    assert dict(zip(found["token"], found["root"], strict=True)) == {
        t: _find(parent, t) for t in list(parent)
    }
    assert rounds >= 1


def test_inputs_and_output_in_memory_on_an_in_process_cluster(tmp_path):
    """memory:// is one process's file system: with an in-process cluster (threads), the
    inputs are read from it and the shards written to it."""
    import fsspec

    from litkg.build.cluster import build_on_cluster

    memory = fsspec.filesystem("memory")
    frozen = gc.get_freeze_count()
    for seed in sorted(SEEDS.glob("*.txt")):
        memory.pipe(f"/litkg-test/seeds/{seed.name}", seed.read_bytes())
    try:
        with distributed.LocalCluster(
            n_workers=1, processes=False, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR
        ) as threads:
            report = build_on_cluster(
                ["memory://litkg-test/seeds"],
                "memory://litkg-test/out",
                BuildOptions(),
                threads.scheduler_address,
            )
        manifest = json.loads(memory.cat("/litkg-test/out/manifest.json"))
        lines = [
            line
            for shard in manifest["shards"]
            for line in gzip.decompress(memory.cat(f"/litkg-test/out/{shard['file']}")).splitlines()
        ]
    finally:
        memory.rm("/litkg-test", recursive=True)
    assert len(report.published) == 2
    # the worker threads linked in this process: they leave its objects in the collector's sight
    assert gc.get_freeze_count() == frozen
    build([SEEDS], tmp_path / "local", formats=["nq"])
    # the sources are URLs here, not paths: the same articles, under the same IRIs
    # (IRIs come from DOIs and keys; a source names only what has neither)
    assert sorted(lines) == sorted(local_lines(tmp_path / "local"))


def test_a_worker_that_cannot_tell_its_memory_never_fails_the_build(tmp_path, monkeypatch):
    """The peak memory figures are asked of every worker between stages; a worker that
    cannot answer (here: every worker, as if it had just died) is left out of them, and
    the build publishes all the same."""

    def unanswered() -> int:
        raise OSError("gone")

    monkeypatch.setattr(cluster_module, "_stage_peak_rss", unanswered)
    with distributed.LocalCluster(
        n_workers=1, processes=False, dashboard_address="127.0.0.1:0", silence_logs=logging.ERROR
    ) as threads:
        report = _cluster_build([str(SEEDS)], tmp_path / "out", BuildOptions(), threads.scheduler_address)
    assert len(report.published) == 2
    assert report.worker_peak_rss_by_stage == {
        stage: {} for stage in ("parse", "identity", "map", "counts_and_descriptions")
    }
    assert report.worker_peak_rss == {}
