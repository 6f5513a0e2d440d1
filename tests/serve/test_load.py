"""Loading into a real Oxigraph server (started here on a loopback port) and querying it
over HTTP through SPARQLWrapper."""

from __future__ import annotations

import shutil
import urllib.parse
import urllib.request

import pytest
from SPARQLWrapper import JSON, SPARQLWrapper
from test_query import EXPECTED
from typer.testing import CliRunner

from conftest import ROOT, SEEDS, free_port, running
from litkg.build import build
from litkg.cli import app
from litkg.serve.load import LoadError, load_graph_store, load_update, read_named_graphs
from litkg.serve.query import load_store, named_query, parse_term, run_query, with_values
from stores import oxigraph

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A real Oxigraph server on 127.0.0.1 with a temporary store, stopped afterwards."""
    yield from running(oxigraph(tmp_path_factory.mktemp("oxigraph")))


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
        assert (report.graphs, report.triples, report.requests) == (3, expected, 1)  # one transaction
        assert quad_count(server) == expected
        report = load_update(iter(pieces), f"{server}/update", max_chars=20_000)  # requests are full
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


@pytest.mark.parametrize(
    "name", sorted(p.stem for p in (ROOT / "src" / "litkg" / "_data" / "queries").glob("*.rq"))
)
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
    with pytest.raises(LoadError, match=r"no graph.nq, manifest.json \(shards\), graph.nt or graph.ttl: not a litkg build"):
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


class _LoopbackServer:
    """A test HTTP server on a free loopback port, in a thread, until ``close``."""

    def _serve(self, handler) -> None:
        import http.server
        import threading

        self.port = free_port()
        self.httpd = http.server.HTTPServer(("127.0.0.1", self.port), handler)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class _FakeStore(_LoopbackServer):
    """A loopback HTTP server that answers every request the same way, storing nothing."""

    def __init__(self, status: int, body: bytes, headers: dict[str, str]):
        import http.server

        answer = (status, body, headers)
        self.requests: list[tuple[str, str]] = []
        requests = self.requests

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                requests.append((self.command, self.path))
                self.send_response(answer[0])
                for name, value in answer[2].items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer[1])))
                self.end_headers()
                self.wfile.write(answer[1])

            do_GET = do_POST = do_PUT = _answer  # noqa: N815

            def log_message(self, *args):
                pass

        self._serve(Handler)


@pytest.mark.parametrize(
    ("status", "body", "headers", "message"),
    [
        (301, b"", {"Location": "http://127.0.0.1:1/elsewhere"}, "HTTP 301"),
        (200, b"<html><body>Welcome</body></html>", {"Content-Type": "text/html"}, "did not answer"),
    ],
    ids=["redirect", "html-page"],
)
@pytest.mark.parametrize("method", ["update", "gsp"])
def test_a_server_that_stores_nothing_is_not_reported_as_loaded(
    seed_out, status, body, headers, message, method
):
    """A redirect (urllib would re-send the data as a GET, without it) or a 200 HTML page
    from something that is no store: `litkg load` fails, naming why, and never says
    "loaded"."""
    fake = _FakeStore(status, body, headers)
    url = f"http://127.0.0.1:{fake.port}/{'update' if method == 'update' else 'store'}"
    option = ["--endpoint", url] if method == "update" else ["--graph-store", url, "--method", "gsp"]
    try:
        result = CliRunner().invoke(app, ["load", str(seed_out), *option])
    finally:
        fake.close()
    assert result.exit_code == 1, result.output
    assert message in result.stderr and "loaded" not in result.stderr and "Traceback" not in result.output
    if status == 301:
        assert "elsewhere" in result.stderr
        assert all(command != "GET" for command, _ in fake.requests)  # the redirect was not followed


def test_the_check_compares_the_last_graph_with_what_was_sent(seed_out):
    """A server whose query endpoint counts fewer triples in the last graph than were sent
    (0: it kept nothing) fails the load; the full count passes."""
    from litkg.serve.load import LoadReport, check_loaded

    graphs = list(read_named_graphs(seed_out))
    report = LoadReport(len(graphs), sum(g.triples for g in graphs), 1, graphs[-1].name, graphs[-1].triples)
    with pytest.raises(LoadError, match=rf"holds 0 of the {graphs[-1].triples} triples"):
        check_loaded(report, lambda name: 0)
    check_loaded(report, lambda name: graphs[-1].triples)


def _update(url: str, text: str) -> None:
    data = urllib.parse.urlencode({"update": text}).encode()
    with urllib.request.urlopen(
        urllib.request.Request(f"{url}/update", data=data, method="POST")
    ) as response:
        response.read()


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_sync_drops_the_datasets_graphs_the_build_no_longer_has_and_nothing_else(server, seed_out, method):
    """An article loaded before and since left out of the build keeps its graph on the
    server, unless `--sync`: then it is dropped, while a graph outside the dataset's base
    IRI (another dataset in the same store) is never touched."""
    from litkg.rdf.iris import DEFAULT_BASE

    gone = f"{DEFAULT_BASE}work/doi/10.9999/gone/graph"
    other = "http://other.example/dataset/graph"
    _update(
        server,
        f'INSERT DATA {{ GRAPH <{gone}> {{ <{DEFAULT_BASE}work/doi/10.9999/gone> <http://purl.org/dc/terms/title> "Gone" }} }}',
    )
    _update(
        server,
        f'INSERT DATA {{ GRAPH <{other}> {{ <http://other.example/x> <http://purl.org/dc/terms/title> "Kept" }} }}',
    )
    option = (
        ["--endpoint", f"{server}/update"]
        if method == "update"
        else ["--graph-store", f"{server}/store", "--method", "gsp"]
    )
    try:
        result = CliRunner().invoke(app, ["load", str(seed_out), *option, "--sync"])
        assert result.exit_code == 0, result.output
        dropped = [line.strip()[1:-1] for line in result.stderr.splitlines() if line.startswith("    <")]
        assert gone in dropped and all(name.startswith(DEFAULT_BASE) for name in dropped)
        names = {r[0] for r in remote_rows(server, "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")}
        assert gone not in names and other in names
        assert {g.name for g in read_named_graphs(seed_out)} <= names
    finally:
        _update(server, f"DROP SILENT GRAPH <{other}> ; DROP SILENT GRAPH <{gone}>")


def test_sync_needs_the_builds_base_iri(server, seed_out, tmp_path):
    shutil.copy(seed_out / "graph.nq", tmp_path / "graph.nq")  # no metadata.ttl beside it
    result = CliRunner().invoke(app, ["load", str(tmp_path), "--endpoint", f"{server}/update", "--sync"])
    assert result.exit_code == 1 and "--sync needs" in result.stderr and "metadata.ttl" in result.stderr


@pytest.mark.parametrize("method", ["update", "gsp"])
def test_every_graph_is_counted_back_not_only_the_last(seed_out, method):
    """A server that lost an article's graph in the middle of the load (it answered 200,
    and holds the last graph whole) fails the load, naming the graph; one holding every
    graph passes. Every graph is counted in one query on the query endpoint."""
    import json

    graphs = list(read_named_graphs(seed_out))
    counts = {g.name: g.triples for g in graphs}
    lost = graphs[0].name

    def answer(held: dict[str, int]) -> bytes:
        bindings = [
            {"g": {"type": "uri", "value": name}, "n": {"type": "literal", "value": str(n)}}
            for name, n in held.items()
        ]
        return json.dumps({"head": {"vars": ["g", "n"]}, "results": {"bindings": bindings}}).encode()

    for held, ok in (({**counts, lost: 0}, False), (counts, True)):
        fake = _FakeStore(200, answer(held), {"Content-Type": "application/sparql-results+json"})
        url = f"http://127.0.0.1:{fake.port}/{'update' if method == 'update' else 'store'}"
        option = ["--endpoint", url] if method == "update" else ["--graph-store", url, "--method", "gsp"]
        try:
            result = CliRunner().invoke(app, ["load", str(seed_out), *option])
        finally:
            fake.close()
        if ok:
            assert result.exit_code == 0, result.output
            assert any(path.startswith("/query?") for _, path in fake.requests)
        else:
            assert result.exit_code == 1 and f"<{lost}> holds 0 of {counts[lost]}" in result.stderr
            assert "1 of the 3 graphs" in result.stderr


class _DigestStore(_LoopbackServer):
    """A loopback server that takes updates only with valid HTTP Digest credentials
    (RFC 7616, MD5, qop=auth, as Virtuoso's /sparql-auth), recording each POST and
    whether it was authorized; its query endpoint counts nothing (so the load's check
    fails after the updates, which is all these tests need)."""

    USER, PASSWORD, REALM, NONCE = "litkg", "s3cret", "SPARQL", "c0ffee"

    def __init__(self):
        import hashlib
        import http.server

        posts: list[bool] = []
        self.posts = posts
        store = self

        def md5(text: str) -> str:
            return hashlib.md5(text.encode()).hexdigest()  # noqa: S324 (the protocol's hash)

        def authorized(handler) -> bool:
            header = handler.headers.get("Authorization", "")
            if not header.startswith("Digest "):
                return False
            fields = urllib.request.parse_keqv_list(urllib.request.parse_http_list(header[7:]))
            ha1 = md5(f"{store.USER}:{store.REALM}:{store.PASSWORD}")
            ha2 = md5(f"{handler.command}:{fields.get('uri')}")
            expected = md5(f"{ha1}:{store.NONCE}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
            return fields.get("username") == store.USER and fields.get("response") == expected

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ok = authorized(self)
                posts.append(ok)
                if ok:
                    self.send_response(200)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(401)
                self.send_header(
                    "WWW-Authenticate",
                    f'Digest realm="{store.REALM}", nonce="{store.NONCE}", qop="auth", algorithm="MD5"',
                )
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self._serve(Handler)


def test_digest_credentials_are_sent_once_per_request_after_the_first_challenge(seed_out):
    """After the first challenge, each update is signed with the server's nonce (the nonce
    count raised), so a batch of megabytes is sent once, not once unsigned and once
    signed; a wrong password is refused and named without the password."""
    from litkg.serve.load import Credentials

    server = _DigestStore()
    url = f"http://127.0.0.1:{server.port}/sparql-auth"
    try:
        graphs = list(read_named_graphs(seed_out))
        credentials = Credentials(server.USER, server.PASSWORD, "auto")
        report = load_update(iter(graphs), url, batch_size=1, auth=credentials)
        assert report.requests == 3
        assert server.posts == [False, True, True, True]  # one challenge, then each update once
        server.posts.clear()
        with pytest.raises(LoadError) as refused:
            load_update(iter(graphs), url, batch_size=1, auth=Credentials(server.USER, "wrong", "digest"))
        assert "refused the credentials of user 'litkg'" in str(refused.value)
        assert "wrong" not in str(refused.value) and not any(server.posts)
    finally:
        server.close()
