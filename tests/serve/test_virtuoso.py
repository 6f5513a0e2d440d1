"""Virtuoso as a real store: a Virtuoso 7.2 server from Debian's packages
(scripts/install-virtuoso.sh), started on loopback with a temporary database
(tests/stores.py) and stopped afterwards.

``litkg load`` goes through ``/sparql-auth`` and ``/sparql-graph-crud-auth``, which take
only HTTP Digest authentication; the bulk loader (``ld_dir`` + ``rdf_loader_run``) reads
``graph.nq``; both must give exactly the dump's quads, and every named query must answer
the same rows on Virtuoso, Oxigraph and the embedded engine."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from test_query import EXPECTED
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, running
from litkg.build import build
from litkg.cli import app
from litkg.rdf.iris import DEFAULT_BASE
from litkg.serve.load import Credentials, load_update, read_named_graphs, select_rows
from litkg.serve.query import load_store, named_query, parse_term, run_query, with_values
from stores import Virtuoso, oxigraph, virtuoso

QUERIES = sorted(p.stem for p in (ROOT / "src" / "litkg" / "_data" / "queries").glob("*.rq"))


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Virtuoso:
    yield from running(virtuoso(tmp_path_factory.mktemp("virtuoso")))


@pytest.fixture(scope="module")
def seed_out(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("virtuoso-build")
    build([SEEDS], out, formats=["ttl", "nq"])
    return out


@pytest.fixture
def empty(store: Virtuoso) -> Virtuoso:
    """The store without any graph of the dataset (other tests' loads dropped)."""
    for name in dataset_graphs(store):
        store.sql(f"SPARQL DROP SILENT GRAPH <{name}>;")
    assert dataset_graphs(store) == []
    return store


def dataset_graphs(store: Virtuoso) -> list[str]:
    rows = select_rows(
        f"{store.url}/sparql",
        f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{DEFAULT_BASE}')) }}",
        None,
        "its graphs",
    )
    return sorted(row["g"] for row in rows)


def _term(value: dict[str, str]) -> str:
    """One SPARQL JSON result term in N-Triples syntax; Virtuoso's ``typed-literal`` is
    the old name of a literal with a datatype, and a plain literal is an xsd:string."""
    if value["type"] == "uri":
        return str(ox.NamedNode(value["value"]))
    if "xml:lang" in value:
        return str(ox.Literal(value["value"], language=value["xml:lang"]))
    datatype = value.get("datatype")
    return str(ox.Literal(value["value"], datatype=ox.NamedNode(datatype) if datatype else None))


def stored_quads(store: Virtuoso) -> set[str]:
    """Every quad of the dataset's graphs the server holds, as N-Quads lines."""
    import json
    import urllib.parse
    import urllib.request

    query = (
        f"SELECT ?g ?s ?p ?o WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), '{DEFAULT_BASE}')) }}"
    )
    url = f"{store.url}/sparql?{urllib.parse.urlencode({'query': query})}"
    request = urllib.request.Request(url, headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=120) as response:
        bindings = json.load(response)["results"]["bindings"]
    return {f"{_term(b['s'])} {_term(b['p'])} {_term(b['o'])} {_term(b['g'])} ." for b in bindings}


def dump_quads(out: Path) -> set[str]:
    return {str(quad) + " ." for quad in ox.parse(path=str(out / "graph.nq"), format=ox.RdfFormat.N_QUADS)}


def load_cli(store: Virtuoso, out: Path, *options: str, password: str | None = None):
    env = {"LITKG_PASSWORD": store.password if password is None else password}
    return CliRunner().invoke(app, ["load", str(out), "--user", store.user, *options], env=env)


def test_load_through_sparql_auth_with_digest_twice_gives_the_dump(empty, seed_out):
    """`litkg load` through Virtuoso's /sparql-auth (HTTP Digest, detected from the
    server's challenge): loading twice replaces each article's graph, and the server then
    holds exactly the dump's quads."""
    expected = dump_quads(seed_out)
    for _ in range(2):
        result = load_cli(empty, seed_out, "--endpoint", f"{empty.url}/sparql-auth")
        assert result.exit_code == 0, result.output
        assert "loaded 3 named graph(s)" in result.stderr
        assert stored_quads(empty) == expected


def test_load_through_the_graph_store_protocol_with_digest(empty, seed_out):
    result = load_cli(
        empty,
        seed_out,
        "--graph-store",
        f"{empty.url}/sparql-graph-crud-auth",
        "--method",
        "gsp",
        "--auth",
        "digest",
    )
    assert result.exit_code == 0, result.output
    assert stored_quads(empty) == dump_quads(seed_out)


def test_the_bulk_loader_gives_the_same_quads(empty, seed_out):
    """Virtuoso's own bulk path, ld_dir + rdf_loader_run on graph.nq, gives the graphs
    `litkg load` gives: the dump's quads, each in its article's graph."""
    empty.bulk_load(seed_out / "graph.nq", f"{DEFAULT_BASE}dataset/union")
    assert stored_quads(empty) == dump_quads(seed_out)
    assert dataset_graphs(empty) == sorted({g.name for g in read_named_graphs(seed_out)})


def test_the_bulk_loader_takes_the_shards_of_a_sharded_build(empty, seed_out, tmp_path):
    """The README's bulk load of a sharded build (`--shards`): ld_dir over the gzipped
    shards gives the quads of graph.nq, each in its article's graph."""
    from litkg.build.shards import shard_paths

    out = tmp_path / "sharded"
    build([SEEDS], out, formats=["ttl"], shards=2)
    shards = shard_paths(out)
    assert shards is not None and len(shards) == 2
    empty.bulk_load_files(shards, "graph-*.nq.gz", f"{DEFAULT_BASE}dataset/union")
    assert stored_quads(empty) == dump_quads(seed_out)
    assert dataset_graphs(empty) == sorted({g.name for g in read_named_graphs(seed_out)})


def test_sync_drops_what_the_build_no_longer_has(empty, seed_out):
    gone = f"{DEFAULT_BASE}work/doi/10.9999/gone/graph"
    empty.sql(
        f"SPARQL INSERT DATA {{ GRAPH <{gone}> {{ <{gone}> <http://purl.org/dc/terms/title> 'Gone' }} }};"
    )
    result = load_cli(empty, seed_out, "--endpoint", f"{empty.url}/sparql-auth", "--sync")
    assert result.exit_code == 0, result.output
    assert gone not in dataset_graphs(empty) and f"<{gone}>" in result.stderr
    assert stored_quads(empty) == dump_quads(seed_out)


def test_credentials_are_checked_and_never_echoed(store, seed_out):
    """A wrong password and Basic credentials (which /sparql-auth does not take) fail
    with a message that names the user and says what to do, never the password."""
    wrong = "not-" + store.password
    result = load_cli(store, seed_out, "--endpoint", f"{store.url}/sparql-auth", password=wrong)
    assert result.exit_code == 1
    assert "refused the credentials of user 'litkg'" in result.stderr
    result = load_cli(store, seed_out, "--endpoint", f"{store.url}/sparql-auth", "--auth", "basic")
    assert result.exit_code == 1 and "--auth digest" in result.stderr
    no_user = CliRunner().invoke(app, ["load", str(seed_out), "--endpoint", f"{store.url}/sparql-auth"])
    assert no_user.exit_code == 1 and "asks for Digest authentication" in no_user.stderr
    in_url = CliRunner().invoke(
        app, ["load", str(seed_out), "--endpoint", f"http://litkg:{wrong}@127.0.0.1:1/sparql-auth"]
    )
    assert in_url.exit_code == 2 and "--user and --password" in in_url.stderr
    for output in (result.output, no_user.output, in_url.output):
        assert store.password not in output and wrong not in output and "Traceback" not in output


@pytest.mark.parametrize("name", QUERIES)
def test_every_named_query_answers_the_same_on_three_engines(empty, seed_out, tmp_path, name):
    """Each query of queries/, with the bindings of test_query, gives the same rows in the
    same order on Virtuoso, on an Oxigraph server and on the embedded engine."""
    credentials = Credentials(empty.user, empty.password, "digest")
    load_update(read_named_graphs(seed_out), f"{empty.url}/sparql-auth", auth=credentials)
    bindings = {k: parse_term(v) for k, v in EXPECTED[name][0].items()}
    query = with_values(named_query(name), bindings)
    result = run_query(load_store(seed_out), named_query(name), bindings)
    embedded = result.plain_rows()

    def rows(answer: list[dict[str, str]]) -> list[tuple[str | None, ...]]:
        return [tuple(row.get(variable) for variable in result.variables) for row in answer]

    with oxigraph(tmp_path / "oxigraph") as url:
        load_update(read_named_graphs(seed_out), f"{url}/update")
        on_oxigraph = rows(select_rows(f"{url}/query", query, None, name))
    on_virtuoso = rows(select_rows(f"{empty.url}/sparql", query, None, name))
    assert on_virtuoso == on_oxigraph == embedded == EXPECTED[name][1]


def test_no_request_is_larger_than_virtuoso_takes(empty, tmp_path):
    """Virtuoso refuses a request body over 10 MB, and an INSERT DATA of 5,000 triples
    or more (its parser runs out of stack). Two graphs of 40,000 triples of long literals
    (about 34 MB of N-Triples) are cut into pieces and requests it takes, and the server
    then holds every triple."""
    out = tmp_path / "big"
    out.mkdir()
    with (out / "graph.nq").open("w", encoding="utf-8") as dump:
        for graph in range(2):
            name = f"<{DEFAULT_BASE}work/key/big-{graph}/graph>"
            for index in range(40_000):
                subject = f"<{DEFAULT_BASE}work/key/big-{graph}#n{index}>"
                dump.write(f'{subject} <http://purl.org/dc/terms/title> "{"x" * 400} {index}" {name} .\n')
    result = load_cli(empty, out, "--endpoint", f"{empty.url}/sparql-auth")
    assert result.exit_code == 0, result.output
    assert len(stored_quads(empty)) == 80_000
