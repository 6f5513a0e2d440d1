"""The sharded layout (``litkg build --shards N``): gzipped N-Quads shards and their
manifest, read back by ``litkg query``, ``load`` and ``serve`` as a user would."""

from __future__ import annotations

import gzip
import hashlib
import json
import subprocess
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import Graph, URIRef
from starlette.testclient import TestClient
from typer.testing import CliRunner

from conftest import JATS_SAMPLE, SEEDS, generate_articles
from litkg.build import build
from litkg.build.shards import MANIFEST_FILE, blocks, read_manifest, write_shards
from litkg.cli import app
from litkg.serve.load import read_named_graphs

DESCRIPTIONS = "https://w3id.org/litkg/dataset/descriptions"
VOID_DUMP = "http://rdfs.org/ns/void#dataDump"


def shard_lines(out: Path) -> list[bytes]:
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    lines: list[bytes] = []
    for shard in manifest["shards"]:
        lines.extend(gzip.decompress((out / shard["file"]).read_bytes()).splitlines(keepends=True))
    return lines


@pytest.fixture(scope="module")
def sharded(tmp_path_factory) -> tuple[Path, Path]:
    """A corpus of seeds, a JATS file and generated articles, built with 4 shards and graph.nq."""
    work = tmp_path_factory.mktemp("sharded")
    inputs = [SEEDS, JATS_SAMPLE, *generate_articles(30, work / "in")]
    report = build(inputs, work / "out", formats=["nq"], shards=4, jobs=1)
    assert len(report.published) == 33
    return work, work / "out"


def test_the_union_of_the_shards_is_the_local_builds_graph(sharded):
    _, out = sharded
    lines = shard_lines(out)
    whole = (out / "graph.nq").read_bytes().splitlines(keepends=True)
    assert sorted(lines) == sorted(whole) and len(lines) == len(set(lines))


def test_the_manifest_describes_every_shard(sharded):
    _, out = sharded
    manifest = json.loads((out / MANIFEST_FILE).read_text(encoding="utf-8"))
    assert 1 < len(manifest["shards"]) <= 4
    assert manifest["split_graphs"] == [DESCRIPTIONS]
    for shard in manifest["shards"]:
        data = (out / shard["file"]).read_bytes()
        text = gzip.decompress(data).decode("utf-8").splitlines()
        assert shard["bytes"] == len(data) and shard["sha256"] == hashlib.sha256(data).hexdigest()
        assert shard["quads"] == len(text)
        assert shard["graphs"] == sorted({line.rsplit(" ", 2)[1][1:-1] for line in text})
    assert manifest["quads"] == sum(s["quads"] for s in manifest["shards"])
    assert manifest["quads"] == len((out / "graph.nq").read_bytes().splitlines())
    # an article's graph is whole in one shard; only the descriptions are spread
    homes: dict[str, int] = {}
    for shard in manifest["shards"]:
        for graph in shard["graphs"]:
            homes[graph] = homes.get(graph, 0) + 1
    assert {g for g, n in homes.items() if n > 1} <= {DESCRIPTIONS}
    assert manifest["graphs"] == len(homes) == 34  # 33 articles and the descriptions


def test_the_dataset_description_names_each_shard_as_a_dump(sharded):
    _, out = sharded
    metadata = Graph().parse(out / "metadata.ttl")
    dumps = {str(o).rsplit("/", 1)[1] for o in metadata.objects(None, URIRef(VOID_DUMP))}
    files = {s.file for s in read_manifest(out).shards}
    assert dumps == files | {"graph.nq"}


def test_shards_are_the_same_bytes_whatever_the_workers(sharded, monkeypatch):
    work, out = sharded
    inputs = [SEEDS, JATS_SAMPLE, *sorted((work / "in").iterdir())]
    again = build(inputs, work / "two", formats=["ttl"], shards=4, jobs=2)
    assert len(again.published) == 33
    for shard in read_manifest(out).shards:
        assert (work / "two" / shard.file).read_bytes() == (out / shard.file).read_bytes()
    assert not (work / "two" / "graph.nq").exists()


def test_query_load_and_serve_read_a_build_of_shards_only(tmp_path):
    out = tmp_path / "out"
    build([SEEDS], out, formats=["ttl"], shards=2)
    assert not (out / "graph.nq").exists()
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    result = CliRunner().invoke(app, ["query", str(out), count, "--format", "csv"])
    assert result.exit_code == 0, result.output
    quads = int(result.output.split()[1])
    assert quads == sum(s.quads for s in read_manifest(out).shards)
    graphs = list(read_named_graphs(out))
    # every article graph and the split descriptions graph are replaced once, at their first piece
    assert sorted(g.name for g in graphs if g.first) == sorted({g.name for g in graphs})
    assert sum(g.triples for g in graphs) == quads
    from litkg.serve.app import create_app

    with TestClient(create_app(out, workers=1)) as http:
        assert http.get("/manifest.json").json()["quads"] == quads
        first = read_manifest(out).shards[0]
        assert http.get(f"/{first.file}").content == (out / first.file).read_bytes()
        assert "manifest.json" in http.get("/", headers={"accept": "text/html"}).text
        assert http.get("/graph-99999.nq.gz").status_code == 404


def test_oxigraphs_bulk_loader_takes_the_shards(sharded, tmp_path):
    """The README's bulk load with Oxigraph's own command (``oxigraph load --file
    OUT/graph-*.nq.gz``, the files in parallel): the store holds every quad of the
    shards, each in its graph. (Oxigraph keeps an integer of a type derived from
    xsd:integer, the selectors' offsets and the citation counts, as an xsd:integer of
    the same value, as the README says.)"""
    from stores import StoreMissing, oxigraph_binary

    try:
        binary = oxigraph_binary()
    except StoreMissing as missing:
        pytest.skip(str(missing))
    _, out = sharded
    shards = sorted(out.glob("graph-*.nq.gz"))
    assert len(shards) == 4
    store, dump = tmp_path / "store", tmp_path / "dump.nq"
    subprocess.run([binary, "load", "--location", str(store), "--file", *map(str, shards)], check=True)
    subprocess.run([binary, "dump", "--location", str(store), "--file", str(dump)], check=True)
    loaded = set(ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS))
    derived = b"^^<http://www.w3.org/2001/XMLSchema#nonNegativeInteger>"
    as_stored = b"".join(shard_lines(out)).replace(derived, b"^^<http://www.w3.org/2001/XMLSchema#integer>")
    expected = set(ox.parse(as_stored, format=ox.RdfFormat.N_QUADS))
    assert loaded == expected and len(expected) == sum(s.quads for s in read_manifest(out).shards)


def test_a_new_build_removes_the_shards_it_did_not_write_and_nothing_else(tmp_path):
    out = tmp_path / "out"
    inputs = [SEEDS, *generate_articles(12, tmp_path / "in")]
    build(inputs, out, formats=["nq"], shards=5)
    five = {p.name for p in out.glob("graph-*.nq.gz")}
    (out / "graph-mine.nq.gz").write_bytes(b"a user's file")
    build(inputs, out, formats=["nq"], shards=2)
    assert {p.name for p in out.glob("graph-0*.nq.gz")} == {s.file for s in read_manifest(out).shards}
    assert len(five) > 2
    build(inputs, out, formats=["nq"])  # unsharded: the shards would contradict a later build
    assert not list(out.glob("graph-0*.nq.gz")) and not (out / MANIFEST_FILE).exists()
    assert (out / "graph-mine.nq.gz").read_bytes() == b"a user's file"


def test_a_missing_or_damaged_shard_is_named(tmp_path):
    out = tmp_path / "out"
    build([SEEDS], out, formats=["ttl"], shards=2)
    shard = read_manifest(out).shards[1]
    path = out / shard.file
    path.write_bytes(b"\x1f\x8b" + bytes(shard.bytes - 2))  # the size it should have, not gzip
    result = CliRunner().invoke(app, ["query", str(out), "ASK { ?s ?p ?o }"])
    assert result.exit_code != 0 and f"{path}: cannot load" in result.output
    path.write_bytes(b"\x1f\x8b broken")
    result = CliRunner().invoke(app, ["query", str(out), "ASK { ?s ?p ?o }"])
    assert result.exit_code != 0 and "bytes, the manifest says" in result.output
    path.unlink()
    result = CliRunner().invoke(app, ["load", str(out), "--endpoint", "http://127.0.0.1:9/update"])
    assert result.exit_code != 0 and f"{path}: listed in" in result.output
    assert "Traceback" not in result.output


_IRIS = st.sampled_from([f"<http://x/{c}>" for c in "abcdef"])


@settings(max_examples=200, deadline=None)
@given(
    graphs=st.dictionaries(
        st.sampled_from(["http://g/1", "http://g/2", "http://g/3", DESCRIPTIONS]),
        st.lists(st.tuples(_IRIS, _IRIS), min_size=1, max_size=20),
        min_size=1,
    ),
    count=st.integers(1, 6),
)
def test_shards_hold_every_line_once_and_split_only_split_graphs(tmp_path_factory, graphs, count):
    lines = []
    for graph in sorted(graphs):
        lines.extend(sorted({f"{s} <http://p> {o} <{graph}> .\n" for s, o in graphs[graph]}))
    directory = tmp_path_factory.mktemp("shards")
    total = sum(len(line.encode()) for line in lines)
    shards = write_shards(lines, str(directory), count, total, frozenset([DESCRIPTIONS]))
    assert 1 <= len(shards) <= count
    written = [gzip.decompress((directory / s.file).read_bytes()).decode() for s in shards]
    assert "".join(written) == "".join(lines)
    for graph in graphs:
        holding = [s for s in shards if graph in s.graphs]
        assert len(holding) == 1 or graph == DESCRIPTIONS
    split = frozenset([DESCRIPTIONS])
    for text in written:  # a subject's description is never cut
        for graph, block in blocks(text.splitlines(keepends=True), split):
            if graph == DESCRIPTIONS:
                assert len({line.split(" ", 1)[0] for line in block.splitlines()}) == 1
    subjects = {}
    for number, text in enumerate(written):
        for line in text.splitlines():
            if line.endswith(f"<{DESCRIPTIONS}> ."):
                assert subjects.setdefault(line.split(" ", 1)[0], number) == number
    for text in written:  # each shard parses as N-Quads
        list(ox.parse(text.encode(), format=ox.RdfFormat.N_QUADS))
