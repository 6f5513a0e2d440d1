"""`litkg serve` as a user and a linked-data client meet it: a real server on a loopback
port, requests over HTTP, answers compared with the embedded engine's."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx2 as httpx
import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from starlette.testclient import TestClient
from test_query import EXPECTED, JULIEN, OZDINLER
from typer.testing import CliRunner

from conftest import SEED_000, SEEDS, free_port
from litkg.build import build
from litkg.serve.app import create_app, negotiate
from litkg.serve.query import load_store, named_query, parse_term, run_query, with_values
from stores import stop

BASE = "https://w3id.org/litkg/"
CLEMENT = BASE + "work/key/clement_2003_science_302_113"
DOI_WORK = BASE + "work/doi/10.1111/j.1471-4159.2007.04531.x"
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/ld+json": "json-ld",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
}
EXTENSIONS = {
    "text/html": "html",
    "text/turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("served")
    report = build([SEEDS], out, formats=("ttl", "nq"))
    assert len(report.published) == 2
    return out


def start_server(out: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "litkg", "serve", str(out), "--port", str(port), *extra],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"litkg serve exited: {process.stderr.read().decode()}")
        try:
            httpx.get(url + "/", timeout=1)
            return process, url
        except httpx.TransportError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("litkg serve did not start within 60 s")


stop_server = stop  # tests/stores.py: terminate, then kill if it lingers


@pytest.fixture(scope="module")
def server(built):
    """`litkg serve` on 127.0.0.1 with a 2 s query time limit and a 500-row result limit."""
    process, url = start_server(built, "--query-timeout", "2", "--max-results", "500")
    yield url
    stop_server(process)


@pytest.fixture(scope="module")
def client(server):
    with httpx.Client(base_url=server, timeout=30) as http:
        yield http


def path_of(iri: str) -> str:
    assert iri.startswith(BASE)
    return "/" + iri[len(BASE) :]


# --- content negotiation ------------------------------------------------------------


def test_negotiate_follows_q_values_and_specificity():
    offered = ["text/html", "text/turtle", "application/ld+json"]
    assert negotiate("text/turtle;q=0.9, application/ld+json", offered) == "application/ld+json"
    assert negotiate("text/*;q=0.5, text/turtle", offered) == "text/turtle"
    assert negotiate("*/*", offered) == "text/html"
    assert negotiate(None, offered) == "text/html"
    assert negotiate("text/html;q=0, */*;q=0.1", offered) == "text/turtle"
    assert negotiate("image/png", offered) is None


@pytest.mark.parametrize("media_type", [*RDF_TYPES, "text/html"])
def test_article_iri_redirects_303_to_the_document_for_the_accepted_type(client, media_type):
    response = client.get(path_of(JULIEN), headers={"Accept": media_type})
    assert response.status_code == 303
    assert response.headers["location"] == f"{path_of(JULIEN)}.{EXTENSIONS[media_type]}"
    assert "Accept" in response.headers["vary"]
    document = client.get(response.headers["location"], headers={"Accept": media_type})
    assert document.status_code == 200
    assert document.headers["content-type"].startswith(media_type)
    if media_type == "text/html":
        assert '<h1 id="title">ALS: astrocytes move in as deadly neighbors</h1>' in document.text
        return
    graph = Graph().parse(data=document.content, format=RDF_TYPES[media_type])
    title = Literal("ALS: astrocytes move in as deadly neighbors")
    assert (URIRef(JULIEN), URIRef("http://purl.org/dc/terms/title"), title) in graph
    # labels of what it links to come along: the author's name
    assert (
        URIRef(BASE + "person/julien_j-p"),
        URIRef("http://xmlns.com/foaf/0.1/name"),
        Literal("J. P. Julien"),
    ) in graph


def test_unknown_iri_is_404_and_unsupported_type_406(client):
    assert client.get("/work/doi/10.9999/nothing-here").status_code == 404
    assert client.get("/work/doi/10.9999/nothing-here.ttl").status_code == 404
    response = client.get(path_of(JULIEN), headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "text/turtle" in response.text


def test_every_minted_iri_dereferences(client, built):
    """Each IRI under the base (subject, object or named graph): 303, then a non-empty N-Triples document."""
    minted, graphs = set(), set()
    for quad in ox.parse(path=str(built / "graph.nq"), format=ox.RdfFormat.N_QUADS):
        graphs.add(quad.graph_name.value)
        for node in (quad.subject, quad.object, quad.graph_name):
            if isinstance(node, ox.NamedNode) and node.value.startswith(BASE):
                minted.add(node.value)
    assert len(minted) > 280
    for iri in sorted(minted):
        response = client.get(path_of(iri), headers={"Accept": "application/n-triples"})
        assert response.status_code == 303, iri
        document = client.get(response.headers["location"])
        assert document.status_code == 200 and document.content.strip(), iri
        assert iri in graphs or f"<{iri}>" in document.text  # a graph name gives the graph


def test_a_doi_iri_and_a_named_graph_iri_dereference(client):
    document = client.get(path_of(DOI_WORK) + ".ttl")
    assert document.status_code == 200
    assert "10.1111/j.1471-4159.2007.04531.x" in document.text
    graph = client.get(path_of(JULIEN) + "/graph.nt")
    assert graph.status_code == 200
    assert len(graph.text.splitlines()) > 100  # the article's whole named graph


# --- HTML pages ---------------------------------------------------------------------


def test_article_page_shows_what_a_reader_needs(client):
    page = client.get(path_of(OZDINLER) + ".html").text
    assert "Help from peripheral macrophages in ALS?" in page
    assert '<a href="/person/ozdinler_p-h">' in page  # authors link to their pages
    assert "Nat Neurosci" in page and "(2020)" in page
    assert 'id="abstract"' in page
    assert f'href="{path_of(CLEMENT)}"' in page  # a cited work, as a link
    assert 'id="discusses"' in page and "Chiot" in page
    # mentions: label, ontology and the OBO PURL
    assert '<a href="http://purl.obolibrary.org/obo/CL_0000129">microglial cell</a>' in page
    assert '<a href="http://purl.obolibrary.org/obo/MONDO_0004976">amyotrophic lateral sclerosis</a>' in page


def test_cited_work_page_lists_the_articles_citing_it(client):
    page = client.get(path_of(CLEMENT) + ".html").text
    assert 'id="cited-by"' in page
    assert f'href="{path_of(JULIEN)}"' in page and f'href="{path_of(OZDINLER)}"' in page


def test_other_resources_get_a_property_page(client):
    page = client.get("/journal/nat-neurosci.html").text
    assert "Nat Neurosci" in page and "fabio:Journal" in page
    assert 'id="incoming"' in page  # the volumes and works that are part of it


def test_landing_page_and_void(client):
    page = client.get("/").text
    assert "litkg knowledge graph" in page
    for name in EXPECTED:
        assert f">{name}</a>" in page
    assert "triples" in page and "creativecommons.org/licenses/by/4.0" in page
    void = client.get("/.well-known/void", headers={"Accept": "text/turtle"})
    assert void.status_code == 200 and void.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=void.text, format="turtle")
    assert (URIRef(BASE + "dataset"), URIRef("http://rdfs.org/ns/void#triples"), None) in graph
    assert client.get("/graph.ttl").status_code == 200  # void:dataDump resolves


def test_search_finds_titles(client):
    page = client.get("/search", params={"q": "ASTROCYTES"}).text
    assert f'href="{path_of(JULIEN)}"' in page
    assert f'href="{path_of(OZDINLER)}"' not in page


def test_no_path_traversal(client, built):
    (built / "secret.txt").write_text("do not serve")
    for path in (
        "/%2e%2e/%2e%2e/etc/passwd",
        "/../secret.txt",
        "/secret.txt",
        "/rejects.json",
        "/..%2fsecret.txt",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "do not serve" not in response.text


# --- SPARQL -------------------------------------------------------------------------


def sparql_json(client, query: str, method: str = "GET", **params) -> dict:
    headers = {"Accept": "application/sparql-results+json"}
    if method == "GET":
        response = client.get("/sparql", params={"query": query, **params}, headers=headers)
    elif method == "POST-form":
        response = client.post("/sparql", data={"query": query, **params}, headers=headers)
    else:
        response = client.post(
            "/sparql", content=query.encode(), headers={**headers, "Content-Type": "application/sparql-query"}
        )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/sparql-results+json")
    return response.json()


@pytest.mark.parametrize("name", sorted(EXPECTED))
@pytest.mark.parametrize("method", ["GET", "POST-form", "POST-direct"])
def test_sparql_endpoint_answers_equal_the_embedded_engine(client, built, name, method):
    bindings, _ = EXPECTED[name]
    terms = {k: parse_term(v) for k, v in bindings.items()}
    query = with_values(named_query(name), terms)
    embedded = run_query(load_store(built), named_query(name), terms).plain_rows()
    answer = sparql_json(client, query, method)
    variables = answer["head"]["vars"]
    rows = [tuple(b.get(v, {}).get("value") for v in variables) for b in answer["results"]["bindings"]]
    assert rows == embedded


@pytest.mark.parametrize(
    ("accept", "marker"),
    [
        ("application/sparql-results+xml", "<sparql"),
        ("text/csv", "title\r\n"),
        ("text/tab-separated-values", "?title\n"),
        ("text/html", '<table id="results">'),
    ],
)
def test_sparql_result_formats(client, accept, marker):
    query = "SELECT ?title WHERE { ?a cito:cites ?w ; dcterms:title ?title } GROUP BY ?title ORDER BY ?title"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(accept)
    assert marker in response.text
    assert "Help from peripheral macrophages in ALS?" in response.text


@pytest.mark.parametrize(
    "accept", ["text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
)
def test_sparql_construct_returns_a_graph(client, accept):
    query = "CONSTRUCT { ?a dcterms:title ?t } WHERE { ?a cito:cites ?w ; dcterms:title ?t }"
    response = client.get("/sparql", params={"query": query}, headers={"Accept": accept})
    assert response.status_code == 200 and response.headers["content-type"].startswith(accept)
    graph = Graph().parse(data=response.content, format=RDF_TYPES[accept])
    assert len(graph) == 2


def test_sparql_ask_and_named_graphs(client):
    assert sparql_json(client, "ASK { ?a cito:discusses ?w }")["boolean"] is True
    graph = path_of(JULIEN)  # the article's named graph only
    answer = sparql_json(
        client,
        "SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?a cito:cites ?w }",
        **{"default-graph-uri": BASE + graph.lstrip("/") + "/graph"},
    )
    assert answer["results"]["bindings"][0]["n"]["value"] == "1"


def test_sparql_update_is_refused(client):
    update = "INSERT DATA { <http://example.org/a> <http://example.org/b> 'c' }"
    assert client.post("/sparql", data={"update": update}).status_code == 403
    refused = client.post("/sparql", content=update, headers={"Content-Type": "application/sparql-update"})
    assert refused.status_code == 403 and "read-only" in refused.text
    as_query = client.get("/sparql", params={"query": update})
    assert as_query.status_code == 400
    assert sparql_json(client, "ASK { <http://example.org/a> ?p ?o }")["boolean"] is False


def test_bad_query_gets_a_clear_400(client):
    response = client.get("/sparql", params={"query": "SELECT WHERE {"})
    assert response.status_code == 400 and "syntax error" in response.text.lower()


def test_slow_query_is_stopped_by_the_time_limit_and_the_endpoint_recovers(client):
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
    started = time.monotonic()
    response = client.get(
        "/sparql", params={"query": slow}, headers={"Accept": "application/sparql-results+json"}
    )
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert "time limit of 2 s" in response.text
    assert elapsed < 10
    for _ in range(3):  # the stopped worker is replaced; later queries answer
        assert sparql_json(client, "ASK { ?s ?p ?o }")["boolean"] is True


def test_result_size_limit(client):
    response = client.get("/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 413 and "more than 500 rows" in response.text
    assert len(sparql_json(client, "SELECT * WHERE { ?s ?p ?o } LIMIT 500")["results"]["bindings"]) == 500


def test_sparql_without_query_shows_a_form(client):
    page = client.get("/sparql", headers={"Accept": "text/html"}).text
    assert '<textarea name="query"' in page


# --- in-process checks --------------------------------------------------------------


def test_html_output_is_escaped(tmp_path):
    hostile = SEED_000.read_text(encoding="utf-8").replace(
        "Help from peripheral macrophages in ALS?", "Macrophages <script>alert(1)</script> & ALS"
    )
    page_file = tmp_path / "in" / "hostile.txt"
    page_file.parent.mkdir()
    page_file.write_text(hostile, encoding="utf-8")
    out = tmp_path / "out"
    assert len(build([page_file.parent], out, link=False).published) == 1
    with TestClient(create_app(out, workers=1)) as http:
        hits = http.get("/search", params={"q": "<script>"}).text
        assert "<script>alert(1)</script>" not in hits
        assert "Macrophages &lt;script&gt;alert(1)&lt;/script&gt; &amp; ALS" in hits
        href = hits.split('<ol><li><a href="')[1].split('"')[0]
        page = http.get(href, headers={"Accept": "text/html"}).text
        assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page


def test_serve_refuses_a_directory_without_a_graph(tmp_path):
    from typer.testing import CliRunner

    from litkg.cli import app

    result = CliRunner().invoke(app, ["serve", str(tmp_path), "--port", str(free_port())])
    assert result.exit_code == 2
    assert "no graph.nq, manifest.json (shards), graph.trig, graph.nt or graph.ttl" in result.stderr
    assert "Traceback" not in result.output


def test_served_store_is_reused_when_the_build_is_unchanged(built, tmp_path):
    store = tmp_path / "store"
    with TestClient(create_app(built, store_dir=store, workers=1)) as http:
        assert http.get(path_of(JULIEN) + ".nt").status_code == 200
    marker = json.loads((store / "litkg-store.json").read_text())
    with TestClient(create_app(built, store_dir=store, workers=1)) as http:
        assert http.get(path_of(JULIEN) + ".nt").status_code == 200
    assert json.loads((store / "litkg-store.json").read_text()) == marker


def test_graph_minted_under_the_servers_own_address(tmp_path):
    """Built with --base http://testserver/kg/, the IRIs dereference at that very address."""
    out = tmp_path / "out"
    base = "http://testserver/kg/"
    build([SEEDS], out, base=base, link=False)
    article = JULIEN.replace(BASE, base)
    with TestClient(create_app(out, workers=1)) as http:  # the base is read from metadata.ttl
        assert base + "dataset" in http.get("/").text
        response = http.get(article, headers={"Accept": "text/turtle"}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/kg/" + article[len(base) :] + ".ttl"
        document = http.get(article, headers={"Accept": "text/turtle"})
        assert document.status_code == 200
        assert (URIRef(article), None, None) in Graph().parse(data=document.text, format="turtle")


def test_a_store_directory_litkg_did_not_make_is_never_emptied(built, tmp_path):
    """`litkg serve OUT --store DIR` once deleted everything in DIR (and --store OUT the
    build itself): a directory with files litkg did not make is refused, untouched."""
    from litkg.cli import app

    mine = tmp_path / "papers"
    mine.mkdir()
    (mine / "thesis.txt").write_text("four years of work")
    for store in (mine, built):
        result = CliRunner().invoke(
            app, ["serve", str(built), "--store", str(store), "--port", str(free_port())]
        )
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "choose" in result.stderr and "--store" in result.stderr
    assert (mine / "thesis.txt").read_text() == "four years of work"
    assert (built / "graph.ttl").exists() or (built / "graph.nq").exists()
    # an empty directory, and a store litkg made from another build, are taken
    empty = tmp_path / "empty"
    empty.mkdir()
    with TestClient(create_app(built, store_dir=empty, workers=1)) as http:
        assert http.get(path_of(JULIEN) + ".nt").status_code == 200
    (empty / "litkg-store.json").write_text(json.dumps({"fingerprint": "an older build"}))
    with TestClient(create_app(built, store_dir=empty, workers=1)) as http:
        assert http.get(path_of(JULIEN) + ".nt").status_code == 200


# --- what a query may make the server do ----------------------------------------------


def test_service_calls_are_read_as_sparql_reads_them():
    from litkg.serve.endpoint import service_calls

    assert service_calls("SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }") == [
        "http://127.0.0.1:9/"
    ]
    assert service_calls("select * { service silent <http://a/b#c> {} }") == ["http://a/b#c"]
    # the letters inside strings, comments, variables and prefixed names are no keyword
    assert (
        service_calls(
            'SELECT * { ?s ?p "SERVICE <http://x/>" . ?SERVICE ex:SERVICE ?o } # SERVICE <http://y/>\n'
            "FILTER(?s != '''SERVICE <http://z/>''')"
        )
        == []
    )
    assert service_calls("SELECT * { SERVICE ?e { } SERVICE ex:ep { } }") == [None, None]
    assert service_calls("SELECT * { FILTER(?a<?b) SERVICE<http://evil/>{} }") == ["http://evil/"]
    assert service_calls("SELECT * { \\u0053ERVICE <http://escaped/> {} }") == ["http://escaped/"]


def test_service_is_refused_unless_the_operator_allows_the_endpoint():
    from litkg.serve.endpoint import EndpointError, check_services

    query = "SELECT * { SERVICE <http://127.0.0.1:8890/sparql> { ?s ?p ?o } }"
    check_services(query, frozenset({"http://127.0.0.1:8890/sparql"}))
    for allowed in (frozenset(), frozenset({"http://other/sparql"})):
        with pytest.raises(EndpointError, match="not allowed") as refused:
            check_services(query, allowed)
        assert refused.value.status == 400
    with pytest.raises(EndpointError, match="not written as an IRI"):
        check_services("SELECT * { SERVICE ?endpoint { ?s ?p ?o } }", frozenset({"http://other/sparql"}))


def test_the_served_endpoint_fetches_nothing_a_query_names(client):
    """SERVICE would make the server request any URL (here a listener on loopback) and
    echo what it answers: the endpoint refuses the query and the listener sees nothing."""
    import http.server
    import threading

    seen = []

    class Listener(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the standard library's name
            seen.append(self.path)
            self.send_response(200)
            self.end_headers()

        do_POST = do_GET  # noqa: N815

        def log_message(self, *args):
            pass

    port = free_port()
    listener = http.server.HTTPServer(("127.0.0.1", port), Listener)
    thread = threading.Thread(target=listener.serve_forever, daemon=True)
    thread.start()
    try:
        query = f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{port}/secret> {{ ?s ?p ?o }} }}"
        response = client.get(
            "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
        )
    finally:
        listener.shutdown()
        listener.server_close()
    assert response.status_code == 400 and "SERVICE" in response.text and "not allowed" in response.text
    assert seen == []


def test_pages_never_link_to_other_schemes_than_http(client):
    """A graph or a query may name javascript: or data: IRIs; the HTML result shows them as
    text, never as a link."""
    query = (
        "SELECT ?x WHERE { VALUES ?x { <javascript:alert(1)> <data:text/html,hi> <https://example.org/a> } }"
    )
    response = client.get("/sparql", params={"query": query, "format": "html"})
    assert response.status_code == 200
    assert "javascript:alert(1)" in response.text
    assert 'href="javascript:' not in response.text and 'href="data:' not in response.text
    assert 'href="https://example.org/a"' in response.text


def test_a_query_that_needs_too_much_memory_gets_503_and_the_endpoint_recovers(built):
    """Nested CONCATs make a 700-byte query ask for gigabytes: the worker's memory cap
    (here --query-memory 200, with a time limit long enough never to stop it first) stops
    it, the client is told why, and the next query answers."""
    query = 'SELECT (STRLEN(?i) AS ?n) WHERE { BIND("' + "a" * 100 + '" AS ?a) '
    previous = "?a"
    for name in "bcdefghi":  # each level 8 times the last: 100 * 8**8 characters in the end
        query += f"BIND(CONCAT({','.join([previous] * 8)}) AS ?{name}) "
        previous = f"?{name}"
    query += "}"
    process, url = start_server(built, "--query-memory", "200", "--query-timeout", "120", "--workers", "1")
    try:
        with httpx.Client(base_url=url, timeout=150) as http:
            response = http.get(
                "/sparql", params={"query": query}, headers={"Accept": "application/sparql-results+json"}
            )
            assert response.status_code == 503
            assert "more memory than the endpoint's limit of 200 MB" in response.text
            assert sparql_json(http, "ASK { ?s ?p ?o }")["boolean"] is True
    finally:
        stop_server(process)


def _raw_exchange(url: str, head: bytes, body_parts: list[bytes], wait: float = 5.0) -> bytes:
    """Send a request's head and as much of its body as the server takes, then read the
    answer; a server that waits for the rest of the body answers nothing within ``wait``."""
    import socket
    from urllib.parse import urlsplit

    where = urlsplit(url)
    with socket.create_connection((where.hostname, where.port), timeout=wait) as sock:
        sock.sendall(head)
        try:
            for part in body_parts:
                sock.sendall(part)
        except OSError:  # the server answered and closed before taking everything
            pass
        answer = b""
        try:
            while chunk := sock.recv(65536):
                answer += chunk
                if b"\r\n\r\n" in answer:
                    break
        except (TimeoutError, OSError):
            pass
        return answer


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_a_request_body_over_the_limit_is_refused_without_reading_it_whole(server, framing):
    """A POST announcing 50 MB (or streaming chunks with no length) gets 413 once it
    passes the 100 KB limit; the server does not wait for, nor hold, the rest."""
    if framing == "content-length":
        head = (
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Content-Length: 50000000\r\n\r\n"
        )
        parts = [b"#" * 65536] * 3
    else:
        head = (
            b"POST /sparql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/sparql-query\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        parts = [b"10000\r\n" + b"#" * 65536 + b"\r\n"] * 3  # 192 KB, and never the last chunk
    answer = _raw_exchange(server, head, parts)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]


def test_a_request_head_over_the_limit_gets_431(server, client):
    """A 1 MB header gets 431 Request Header Fields Too Large (not a reset, not a 400),
    and the server goes on answering."""
    head = b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: " + b"a" * 1_000_000 + b"\r\n\r\n"
    answer = _raw_exchange(server, head, [])
    assert answer.startswith(b"HTTP/1.1 431"), answer[:200]
    assert client.get("/sparql", params={"query": "ASK {}"}).status_code == 200


SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"


def test_fast_queries_wait_their_turn_behind_slow_clients(built):
    """Two clients sending only queries that run to the 2 s limit hold both workers; the
    fast queries of a third client wait in line and are all answered, none refused."""
    import concurrent.futures
    import threading

    process, url = start_server(built, "--query-timeout", "2", "--workers", "2")
    stop = threading.Event()

    def slow_client() -> None:
        with httpx.Client(base_url=url, timeout=60) as http:
            while not stop.is_set():
                http.get("/sparql", params={"query": SLOW})

    def fast(_: int) -> int:
        with httpx.Client(base_url=url, timeout=60) as http:
            return http.get("/sparql", params={"query": "ASK { ?s ?p ?o }"}).status_code

    try:
        slow = [threading.Thread(target=slow_client) for _ in range(2)]
        for thread in slow:
            thread.start()
        time.sleep(0.5)  # both workers busy
        with concurrent.futures.ThreadPoolExecutor(6) as pool:
            statuses = list(pool.map(fast, range(24)))
        assert statuses == [200] * 24
    finally:
        stop.set()
        for thread in slow:
            thread.join()
        stop_server(process)


def test_the_line_of_waiting_queries_is_bounded(built):
    """With one worker busy and one query already waiting (--max-waiting 1), one more
    query is refused at once with 503, saying why, instead of piling up."""
    import concurrent.futures

    process, url = start_server(built, "--query-timeout", "3", "--workers", "1", "--max-waiting", "1")
    try:
        with httpx.Client(base_url=url, timeout=60) as http, concurrent.futures.ThreadPoolExecutor(2) as pool:
            running = pool.submit(lambda: httpx.get(url + "/sparql", params={"query": SLOW}, timeout=60))
            time.sleep(0.5)
            waiting = pool.submit(lambda: httpx.get(url + "/sparql", params={"query": "ASK {}"}, timeout=60))
            time.sleep(0.5)
            started = time.monotonic()
            refused = http.get("/sparql", params={"query": "ASK {}"})
            assert refused.status_code == 503 and "already waiting" in refused.text
            assert time.monotonic() - started < 1.5
            assert running.result().status_code == 503  # stopped at the time limit
            assert waiting.result().status_code == 200  # served once the worker was replaced
    finally:
        stop_server(process)
