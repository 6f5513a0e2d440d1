"""Loading into a real Oxigraph server (started here on a loopback port) and querying it
over HTTP through SPARQLWrapper."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from test_query import EXPECTED
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, free_port
from litkg.build import build
from litkg.cli import app
from litkg.serve.load import LoadError, load_graph_store, load_update, read_named_graphs
from litkg.serve.query import load_store, named_query, parse_term, run_query, with_values

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        if os.environ.get("CI"):
            pytest.fail("the oxigraph server (PyPI package oxigraph, in the test extras) is not installed")
        pytest.skip("oxigraph server not installed")
    return found


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 with a temporary store, stopped afterwards."""
    port = free_port()
    location = tmp_path_factory.mktemp("oxigraph")
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/query?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"oxigraph did not start: {process.stderr.read().decode()[:500]}")
            time.sleep(0.2)
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory):
    out = tmp_path_factory.mktemp("load")
    build([SEEDS], out, formats=["ttl", "nq"])
    return out


def remote_rows(url: str, query: str) -> list[tuple[str | None, ...]]:
    client = SPARQLWrapper(f"{url}/query")
    client.setQuery(query)
    client.setReturnFormat(JSON)
    doc = client.query().convert()
    names = doc["head"]["vars"]
    return [tuple(b[n]["value"] if n in b else None for n in names) for b in doc["results"]["bindings"]]


def quad_count(url: str) -> int:
    return int(remote_rows(url, COUNT)[0][0])


def test_load_is_idempotent_and_complete(server, seed_out):
    graphs = list(read_named_graphs(seed_out))
    expected = sum(g.triples for g in graphs)
    report = load_update(iter(graphs), f"{server}/update", batch_size=1)
    assert (report.graphs, report.triples, report.requests) == (3, expected, 3)  # 2 articles, shared
    assert quad_count(server) == expected
    load_update(iter(graphs), f"{server}/update", batch_size=50)
    assert quad_count(server) == expected
    load_graph_store(iter(graphs), f"{server}/store")
    assert quad_count(server) == expected
    names = {r[0] for r in remote_rows(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
    assert names == {g.name for g in graphs}


def test_a_large_graph_is_sent_in_pieces_and_still_replaced(server, seed_out):
    """The descriptions graph of a large build would be one huge request: it goes in
    pieces (the first replaces the graph, the others add to it), by both methods."""
    whole = list(read_named_graphs(seed_out))
    pieces = list(read_named_graphs(seed_out, max_triples=100))
    assert len(pieces) > len(whole) and all(p.triples <= 100 for p in pieces)
    assert [p.name for p in pieces if p.first] == [g.name for g in whole]
    expected = sum(g.triples for g in whole)
    for _ in range(2):  # loading again replaces: nothing doubles
        report = load_update(iter(pieces), f"{server}/update", batch_size=50)
        assert (report.graphs, report.triples) == (3, expected) and report.requests > 3
        assert quad_count(server) == expected
        report = load_graph_store(iter(pieces), f"{server}/store")
        assert (report.graphs, report.triples, report.requests) == (3, expected, len(pieces))
        assert quad_count(server) == expected


def test_a_graph_split_across_the_file_is_refused(tmp_path):
    quads = tmp_path / "graph.nq"
    quads.write_text(
        "<http://a> <http://p> <http://o> <http://g1> .\n"
        "<http://b> <http://p> <http://o> <http://g2> .\n"
        "<http://c> <http://p> <http://o> <http://g1> .\n",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"quad 3 is in graph <http://g1> again"):
        list(read_named_graphs(tmp_path))


@pytest.mark.parametrize("name", sorted(p.stem for p in (ROOT / "src" / "litkg" / "_data" / "queries").glob("*.rq")))
def test_every_query_answers_the_same_over_http(server, seed_out, name):
    load_update(read_named_graphs(seed_out), f"{server}/update")
    bindings = {k: parse_term(v) for k, v in EXPECTED[name][0].items()}
    embedded = run_query(load_store(seed_out), named_query(name), bindings).plain_rows()
    assert remote_rows(server, with_values(named_query(name), bindings)) == embedded
    assert embedded == EXPECTED[name][1]


def test_load_cli(server, seed_out):
    result = CliRunner().invoke(app, ["load", str(seed_out), "--endpoint", f"{server}/update"])
    assert result.exit_code == 0, result.output
    assert "loaded 3 named graph(s)" in result.stderr


def test_unreachable_endpoint_is_a_clear_error(seed_out):
    with pytest.raises(LoadError, match="cannot reach http://127.0.0.1:9/update"):
        load_update(read_named_graphs(seed_out), f"http://127.0.0.1:{9}/update")
    result = CliRunner().invoke(
        app, ["load", str(seed_out), "--graph-store", "http://127.0.0.1:9/store", "--method", "gsp"]
    )
    assert result.exit_code == 1 and "cannot reach" in result.stderr and "Traceback" not in result.output


def test_http_error_reports_status_and_reason(server, seed_out):
    with pytest.raises(LoadError) as caught:
        load_graph_store(read_named_graphs(seed_out), f"{server}/no-such-service")
    assert "HTTP 404" in str(caught.value)
    with pytest.raises(LoadError, match="refused"):
        load_update(read_named_graphs(seed_out), f"{server}/no-such-service")


def test_a_directory_without_any_dump_is_refused(tmp_path):
    with pytest.raises(LoadError, match="no graph.nq, graph.nt or graph.ttl: not a litkg build"):
        list(read_named_graphs(tmp_path))


def test_the_default_build_loads_with_no_extra_flag(server, tmp_path):
    """`litkg build seeds/ -o build/` then `litkg load build/ --endpoint …` once failed:
    "graph.nq: not found". A build without N-Quads is loaded whole into one named graph,
    with a note saying so."""
    out = tmp_path / "build"
    assert CliRunner().invoke(app, ["build", str(SEEDS), "-o", str(out)]).exit_code == 0
    assert not (out / "graph.nq").exists()
    result = CliRunner().invoke(app, ["load", str(out), "--endpoint", f"{server}/update"])
    assert result.exit_code == 0, result.stderr
    union = "https://w3id.org/litkg/dataset/union"
    assert f"loading it whole into <{union}>" in result.stderr and "loaded 1 named graph(s)" in result.stderr
    triples = remote_rows(server, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{union}> {{ ?s ?p ?o }} }}")
    from rdflib import Graph

    assert int(triples[0][0]) == len(Graph().parse(out / "graph.ttl"))
