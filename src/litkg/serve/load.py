"""Load a built graph into a SPARQL 1.1 server, one named graph per article (and the
one of the descriptions the articles share).

Each article's named graph is replaced as a whole, so loading twice gives the same
store. Two ways, both standard:

- ``update`` (default): SPARQL 1.1 Update (the Protocol's URL-encoded POST), ``batch_size``
  articles per request, each as ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> {…} }``;
  one request is one transaction on servers that run an update request atomically
  (Oxigraph, Fuseki, GraphDB), so an article is fully loaded or not at all;
- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, one ``PUT ?graph=<g>`` per article.

The file is streamed, graph by graph. A graph larger than :data:`MAX_TRIPLES` (a large
article, or the descriptions graph of a large corpus: about a million triples for 10,000
articles) comes in pieces: the first replaces the graph (DROP + INSERT DATA, or PUT), the
others add to it (INSERT DATA, or POST). A request holds up to ``batch_size`` articles and
at most :data:`MAX_REQUEST_CHARS` characters of N-Triples, so no request is larger than
a server takes (Virtuoso: 10 MB); an article whose pieces fill more than one request is
the one case that is not loaded in one transaction.

Unreachable endpoints, HTTP errors and rejected data raise :class:`LoadError` with the
status and the server's own message. A redirect is an error too (followed, a POST or PUT
becomes a GET and the data is lost), and a server that answers 200 without storing is
caught afterwards: the last graph loaded is counted back from the server and must hold the
triples sent: every graph is counted back in one query (:func:`check_every_graph`), or,
from a Graph Store endpoint with no SPARQL query endpoint, the last graph
(:func:`check_loaded`).
"""

from __future__ import annotations

import base64
import contextlib
import functools
import gzip
import json
import os
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pyoxigraph as ox

from litkg.build.shards import ShardError, shard_paths
from litkg.errors import LitkgError


class LoadError(LitkgError):
    """The server could not be reached or refused the data."""


class ServerError(LoadError):
    """The server answered with an HTTP error ``status``."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class NamedGraph:
    """A named graph, or one piece of a large one: ``first`` pieces replace what the
    server held in the graph, later pieces add to it."""

    name: str
    ntriples: str  # the piece's triples, one N-Triples line each
    triples: int
    first: bool = True


@dataclass(frozen=True)
class LoadReport:
    graphs: int
    triples: int
    requests: int
    last_graph: str | None = None  # the last graph loaded, and its triples, for check_loaded
    last_triples: int = 0
    sent: dict[str, int] = field(default_factory=dict)  # triples sent per graph, for check_every_graph


# Triples per piece of a named graph, each piece one INSERT DATA operation (or one PUT or
# POST). Virtuoso 7.2's SPARQL parser runs out of stack on an INSERT DATA of about 5,000
# triples ("SP030: SPARQL compiler, line 4992: memory exhausted"); several operations in
# one request are fine.
MAX_TRIPLES = 4_000
# Characters of N-Triples per request (pieces of a large graph, and batches of article
# graphs, are cut to it). Virtuoso 7.2 refuses a request body over 10 MB ("The requested
# string session is longer than 10Mb"); URL-encoding adds about a third, so 4M characters
# send about 5.3 MB.
MAX_REQUEST_CHARS = 4_000_000


# Dumps without named graphs that a build may hold instead of graph.nq, by suffix, in
# the order they are taken.
_SINGLE_GRAPH_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}


def union_graph_name(out: Path) -> str:
    """The named graph a build without N-Quads is loaded into: ``{base}dataset/union``,
    under the base the build was minted with (from its metadata.ttl)."""
    from litkg.serve.views import dataset_base

    return f"{dataset_base(out)}dataset/union"


def dump_to_load(out: Path) -> tuple[list[Path], str | None]:
    """The dumps ``litkg load`` reads from the build ``out`` (a directory, or a graph
    file): graph.nq, or else the N-Quads shards its manifest lists, each with one named
    graph per article; or else graph.nt / graph.ttl, loaded whole into one named graph
    (returned as the second item; None for N-Quads)."""
    if not out.is_dir():
        single = out.suffix.lower() in _SINGLE_GRAPH_FORMATS
        return [out], union_graph_name(out.parent) if single else None
    if (out / "graph.nq").exists():
        return [out / "graph.nq"], None
    try:
        shards = shard_paths(out)
    except ShardError as exc:
        raise LoadError(str(exc)) from None
    if shards is not None:
        return shards, None
    for suffix in _SINGLE_GRAPH_FORMATS:
        if (out / f"graph{suffix}").exists():
            return [out / f"graph{suffix}"], union_graph_name(out)
    raise LoadError(
        f"{out}: no graph.nq, manifest.json (shards), graph.nt or graph.ttl: not a litkg build "
        f"(run `litkg build … -o {out}`)"
    )


def read_named_graphs(
    out: Path, max_triples: int = MAX_TRIPLES, max_chars: int = MAX_REQUEST_CHARS
) -> Iterator[NamedGraph]:
    """The named graphs of ``OUT/graph.nq`` (written by ``litkg build -f nq``) or of its
    shards (``--shards``, ``--scheduler``), streamed in file order; a graph of more than
    ``max_triples`` triples or ``max_chars`` characters of N-Triples (the dataset's
    descriptions graph) comes in pieces. Each graph's quads must be together in a file,
    as litkg writes them: a graph is replaced as a whole when its first piece is loaded,
    and a graph split across shards (the descriptions) is added to by the later ones. A
    build without N-Quads is read from its N-Triples or Turtle dump as one named graph
    (:func:`dump_to_load`)."""
    paths, single = dump_to_load(out)
    for path in paths:
        if not path.exists():
            raise LoadError(f"{path}: not found")
    if single is not None:
        yield from _read_single_graph(paths[0], single, max_triples, max_chars)
        return
    earlier: set[str] = set()  # graphs of the files already read
    for path in paths:
        here = yield from _read_quads(path, earlier, max_triples, max_chars)
        earlier |= here


def _read_quads(
    path: Path, earlier: set[str], max_triples: int, max_chars: int
) -> Generator[NamedGraph, None, set[str]]:
    """The named graphs of one N-Quads file (gzipped or not); a graph of ``earlier``
    files continues (its pieces are not first). Returns the graphs it held."""
    current: str | None = None
    first = True
    done: set[str] = set()
    lines: list[str] = []
    chars = 0
    try:
        with contextlib.ExitStack() as stack:
            source: Any = stack.enter_context(gzip.open(path, "rb")) if path.name.endswith(".gz") else None
            quads = (
                ox.parse(source, format=ox.RdfFormat.N_QUADS)
                if source is not None
                else ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
            )
            for number, quad in enumerate(quads, start=1):
                name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
                if name != current:
                    if current is not None:
                        yield NamedGraph(current, "".join(lines), len(lines), first)
                        done.add(current)
                    if name in done:
                        raise LoadError(
                            f"{path}: quad {number} is in graph <{name}> again, after other graphs; "
                            "each graph's quads must be together (as `litkg build -f nq` writes them)"
                        )
                    current, first, lines, chars = name, name not in earlier, [], 0
                elif len(lines) >= max_triples or chars >= max_chars:
                    yield NamedGraph(current, "".join(lines), len(lines), first)
                    first, lines, chars = False, [], 0
                line = f"{quad.subject} {quad.predicate} {quad.object} .\n"
                lines.append(line)
                chars += len(line)
    except (SyntaxError, OSError, EOFError) as exc:
        raise LoadError(f"{path}: not valid N-Quads: {exc}") from None
    if current is not None:
        yield NamedGraph(current, "".join(lines), len(lines), first)
        done.add(current)
    return done


def _read_single_graph(path: Path, name: str, max_triples: int, max_chars: int) -> Iterator[NamedGraph]:
    """The triples of an N-Triples or Turtle dump as the one named graph ``name``."""
    fmt = _SINGLE_GRAPH_FORMATS[path.suffix.lower()]
    lines: list[str] = []
    first = True
    chars = 0
    try:
        for triple in ox.parse(path=str(path), format=fmt):
            if len(lines) >= max_triples or chars >= max_chars:
                yield NamedGraph(name, "".join(lines), len(lines), first)
                first, lines, chars = False, [], 0
            line = f"{triple.subject} {triple.predicate} {triple.object} .\n"
            lines.append(line)
            chars += len(line)
    except SyntaxError as exc:
        raise LoadError(f"{path}: not valid RDF: {exc}") from None
    yield NamedGraph(name, "".join(lines), len(lines), first)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are not followed: urllib would re-send a POST or PUT as a GET, without
    its data. The 3xx then surfaces as an HTTPError that names where the server points."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


AuthScheme = Literal["auto", "basic", "digest"]
AUTH_SCHEMES: tuple[AuthScheme, ...] = ("auto", "basic", "digest")


@dataclass(frozen=True)
class Credentials:
    """Who ``litkg load`` is on the server, and how it proves it:

    - ``basic``: HTTP Basic, sent with every request (Oxigraph behind a proxy, Fuseki,
      GraphDB);
    - ``digest``: HTTP Digest (RFC 7616), answering the server's challenge (Virtuoso's
      ``/sparql-auth`` and ``/sparql-graph-crud-auth`` take only this);
    - ``auto``: whichever the server's ``WWW-Authenticate`` challenge asks for.

    The password is never shown: not in ``repr``, not in an error message."""

    user: str
    password: str = field(repr=False)
    scheme: AuthScheme = "auto"


# urllib rather than SPARQLWrapper: SPARQLWrapper follows redirects (losing the update)
# and scans the whole update text with regular expressions to find its kind. urllib's
# own Basic and Digest handlers answer the server's challenge.
_OPENER = urllib.request.build_opener(_NoRedirect())


class _OnePassword(urllib.request.HTTPPasswordMgr):
    """The user's credentials for whichever realm asks: litkg talks only to the URLs it
    was given (redirects are not followed), so no other host is ever sent them."""

    def __init__(self, auth: Credentials) -> None:
        super().__init__()
        self._auth = auth

    def find_user_password(self, realm: str | None, authuri: str) -> tuple[str, str]:
        return self._auth.user, self._auth.password


class _DigestOnce(urllib.request.HTTPDigestAuthHandler):
    """urllib's Digest handler, which answers each request's challenge by sending the
    request again -- with the body, a few megabytes per update. This one remembers the
    last challenge and signs later requests with its nonce (the nonce count raised), as
    RFC 7616 allows, so each request is sent once; when the server refuses the reused
    nonce it challenges again and urllib answers as before."""

    def __init__(self, passwords: urllib.request.HTTPPasswordMgr) -> None:
        super().__init__(passwords)
        self._challenge: dict[str, str] | None = None

    def retry_http_digest_auth(self, req: urllib.request.Request, auth: str) -> Any:
        _, challenge = auth.split(" ", 1)
        self._challenge = urllib.request.parse_keqv_list(
            [item for item in urllib.request.parse_http_list(challenge) if item]
        )
        return super().retry_http_digest_auth(req, auth)

    def http_request(self, req: urllib.request.Request) -> urllib.request.Request:
        if self._challenge is not None and not req.has_header("Authorization"):
            signed = self.get_authorization(req, self._challenge)
            if signed:
                req.add_unredirected_header("Authorization", f"Digest {signed}")
        return req

    https_request = http_request


@functools.lru_cache(maxsize=8)
def _opener(auth: Credentials | None) -> urllib.request.OpenerDirector:
    if auth is None or auth.scheme == "basic":  # basic: a header on every request (_auth_header)
        return _OPENER
    passwords = _OnePassword(auth)
    handlers: list[urllib.request.BaseHandler] = [
        _NoRedirect(),
        _DigestOnce(passwords),
    ]
    if auth.scheme == "auto":
        handlers.append(urllib.request.HTTPBasicAuthHandler(passwords))
    return urllib.request.build_opener(*handlers)


def _auth_header(auth: Credentials | None) -> dict[str, str]:
    if auth is None or auth.scheme != "basic":
        return {}
    token = base64.b64encode(f"{auth.user}:{auth.password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def redacted(url: str) -> str:
    """``url`` without the user information a URL may carry (``http://user:secret@host``)."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urllib.parse.urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def _http_message(exc: urllib.error.HTTPError, auth: Credentials | None) -> str:
    where = exc.headers.get("Location") if 300 <= exc.code < 400 else None
    moved = f" (to {redacted(where)}: load into that URL)" if where else ""
    return f"HTTP {exc.code} {exc.reason}{moved}{_refused_credentials(exc, auth)}: {_body(exc)}"


def _refused_credentials(exc: urllib.error.HTTPError, auth: Credentials | None) -> str:
    if exc.code != 401:
        return ""
    challenge = exc.headers.get("WWW-Authenticate", "") or ""
    scheme = challenge.split(" ", 1)[0] or "no"
    if auth is None:
        return f" (the server asks for {scheme} authentication: give --user and --password or LITKG_PASSWORD)"
    if auth.scheme == "basic" and scheme.lower() != "basic":
        return (
            f" (the server refused the Basic credentials of user {auth.user!r}; if it takes Digest "
            "authentication, as Virtuoso's /sparql-auth does, use --auth digest or --auth auto)"
        )
    return f" (the server refused the credentials of user {auth.user!r})"


def _send(request: urllib.request.Request, auth: Credentials | None, what: str) -> bytes:
    """The body of the server's answer to ``request``; a :class:`LoadError` naming the URL
    (without credentials) and ``what`` was asked on an HTTP error or no answer."""
    for name, value in _auth_header(auth).items():
        request.add_unredirected_header(name, value)
    url = redacted(request.full_url.split("?", 1)[0])
    try:
        with _opener(auth).open(request, timeout=300) as response:
            return bytes(response.read())
    except urllib.error.HTTPError as exc:
        raise ServerError(f"{url} refused {what}: {_http_message(exc, auth)}", exc.code) from None
    except (urllib.error.URLError, OSError) as exc:
        raise LoadError(f"cannot reach {url}: {getattr(exc, 'reason', exc)}") from None
    except ValueError as exc:  # urllib's Digest handler, on a challenge it cannot answer
        raise LoadError(f"cannot authenticate to {url}: {exc}") from None


def _post_update(endpoint: str, text: str, auth: Credentials | None, what: str) -> None:
    """POST one SPARQL update (URL-encoded, as the Protocol allows every server to take)."""
    request = urllib.request.Request(
        endpoint,
        data=urllib.parse.urlencode({"update": text}).encode("utf-8"),
        method="POST",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    _send(request, auth, what)


def _update_text(graphs: list[NamedGraph]) -> str:
    operations = []
    for graph in graphs:
        if not graph.name:
            raise LoadError("the output has triples outside a named graph; load it with `--method gsp`")
        insert = f"INSERT DATA {{ GRAPH <{graph.name}> {{\n{graph.ntriples}}} }}"
        operations.append(f"DROP SILENT GRAPH <{graph.name}> ;\n{insert}" if graph.first else insert)
    return " ;\n".join(operations)


def load_update(
    graphs: Iterator[NamedGraph],
    endpoint: str,
    *,
    batch_size: int = 50,
    max_chars: int = MAX_REQUEST_CHARS,
    auth: Credentials | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Send the graphs as SPARQL updates, ``batch_size`` articles per request, fewer when
    their N-Triples pass ``max_chars`` characters."""
    count = triples = requests = last_triples = chars = 0
    last: str | None = None
    batch: list[NamedGraph] = []
    sent: dict[str, int] = {}

    def send() -> None:
        nonlocal requests, chars
        if not batch:
            return
        _post_update(endpoint, _update_text(batch), auth, f"an update of {len(batch)} article graph(s)")
        requests += 1
        if progress:
            progress(sum(g.first for g in batch))
        batch.clear()
        chars = 0

    for graph in graphs:
        if chars + len(graph.ntriples) > max_chars:
            send()  # the request is full (a large graph's later pieces then go in the next)
        batch.append(graph)
        chars += len(graph.ntriples)
        sent[graph.name] = (sent.get(graph.name, 0) if not graph.first else 0) + graph.triples
        count += graph.first
        triples += graph.triples
        last, last_triples = (graph.name, 0) if graph.first else (last, last_triples)
        last_triples += graph.triples
        if sum(g.first for g in batch) >= batch_size:
            send()
    if batch:
        send()
    return LoadReport(count, triples, requests, last, last_triples, sent)


def _graph_url(store_url: str, name: str) -> str:
    if not name:
        return f"{store_url}?default"
    return f"{store_url}?{urllib.parse.urlencode({'graph': name})}"


def load_graph_store(
    graphs: Iterator[NamedGraph],
    store_url: str,
    *,
    auth: Credentials | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """PUT each graph to a Graph Store Protocol endpoint (replacing what it held); the
    later pieces of a large graph are POSTed (added to it)."""
    count = triples = requests = last_triples = 0
    last: str | None = None
    sent: dict[str, int] = {}
    for graph in graphs:
        sent[graph.name] = (sent.get(graph.name, 0) if not graph.first else 0) + graph.triples
        request = urllib.request.Request(
            _graph_url(store_url, graph.name),
            data=graph.ntriples.encode("utf-8"),
            method="PUT" if graph.first else "POST",
            headers={"Content-Type": "application/n-triples"},
        )
        _send(request, auth, f"graph <{graph.name}>")
        count += graph.first
        requests += 1
        triples += graph.triples
        last, last_triples = (graph.name, 0) if graph.first else (last, last_triples)
        last_triples += graph.triples
        if progress and graph.first:
            progress(1)
    return LoadReport(count, triples, requests, last, last_triples, sent)


def _body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace").strip()[:500]
    except OSError:
        return ""


def select_rows(query_url: str, query: str, auth: Credentials | None, what: str) -> list[dict[str, str]]:
    """The rows of a SELECT ``query`` asked of ``query_url`` (a GET, which every SPARQL
    server answers: Virtuoso 7.2 hangs on a POSTed ``application/sparql-query``), each a
    dict from variable to the value's lexical form."""
    request = urllib.request.Request(
        f"{query_url}?{urllib.parse.urlencode({'query': query})}",
        headers={"Accept": "application/sparql-results+json"},
    )
    body = _send(request, auth, what).decode("utf-8", "replace")
    try:
        return [
            {name: value["value"] for name, value in binding.items()}
            for binding in json.loads(body)["results"]["bindings"]
        ]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise LoadError(
            f"{redacted(query_url)} did not answer {what} with SPARQL JSON results "
            f"(it sent: {body[:200]!r}); is it a SPARQL query endpoint? (--query-endpoint)"
        ) from None


def count_in_graph_store(store_url: str, name: str, auth: Credentials | None = None) -> int:
    """The triples a Graph Store Protocol endpoint holds in graph ``name``."""
    request = urllib.request.Request(_graph_url(store_url, name), headers={"Accept": "application/n-triples"})
    body = _send(request, auth, f"a GET of <{name}>, to check what was stored")
    try:
        return sum(1 for _ in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    except SyntaxError:
        raise LoadError(
            f"{redacted(store_url)} did not answer with the graph <{name}> as N-Triples "
            f"(it sent: {body[:200]!r})"
        ) from None


def check_loaded(report: LoadReport, count: Callable[[str], int]) -> None:
    """Raise :class:`LoadError` unless the server holds, in the last graph loaded, the
    triples sent for it: a server that answered 200 without storing fails here."""
    if report.last_graph is None:
        return
    held = count(report.last_graph)
    if held != report.last_triples:
        raise LoadError(
            f"the server answered every request, but holds {held} of the {report.last_triples} "
            f"triples sent for <{report.last_graph}>: the data was not stored"
        )


def counts_by_graph(query_url: str, prefix: str, auth: Credentials | None = None) -> dict[str, int]:
    """The triples the server holds in each named graph whose name starts with ``prefix``,
    in one query."""
    escaped = prefix.replace("\\", "\\\\").replace('"', '\\"')
    query = (
        "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } "
        f'FILTER(STRSTARTS(STR(?g), "{escaped}")) }} GROUP BY ?g'
    )
    rows = select_rows(query_url, query, auth, "a count of each graph, to check what was stored")
    try:
        return {row["g"]: int(row["n"]) for row in rows if "g" in row}
    except (KeyError, ValueError):
        raise LoadError(f"{redacted(query_url)} answered a count query without counts: {rows[:1]}") from None


def check_every_graph(report: LoadReport, held: dict[str, int]) -> None:
    """Raise :class:`LoadError` unless the server holds, in every graph loaded, the
    triples sent for it (``held``: :func:`counts_by_graph`)."""
    wrong = sorted(
        (name, held.get(name, 0), sent)
        for name, sent in report.sent.items()
        if name and held.get(name, 0) != sent
    )
    if wrong:
        shown = "; ".join(f"<{name}> holds {have} of {sent}" for name, have, sent in wrong[:3])
        more = f" (and {len(wrong) - 3} more)" if len(wrong) > 3 else ""
        raise LoadError(
            f"the server answered every request, but {len(wrong)} of the {len(report.sent)} graphs "
            f"sent do not hold the triples sent: {shown}{more}"
        )


def graphs_prefix(names: Iterable[str]) -> str:
    """The longest start all ``names`` share: what :func:`counts_by_graph` asks for."""
    ordered = sorted(name for name in names if name)
    return os.path.commonprefix([ordered[0], ordered[-1]]) if ordered else ""


def query_endpoint_of(endpoint: str) -> str:
    """Where to ask what an update or Graph Store endpoint stored: ``…/update`` or
    ``…/store`` -> ``…/query`` (Oxigraph, Fuseki); Virtuoso's ``…/sparql-auth`` and
    ``…/sparql-graph-crud-auth`` -> ``…/sparql``; else the same URL (GraphDB)."""
    trimmed = endpoint.rstrip("/")
    for suffix, query in (("/update", "/query"), ("/store", "/query"), ("/sparql-auth", "/sparql")):
        if trimmed.endswith(suffix):
            return trimmed[: -len(suffix)] + query
    if trimmed.endswith("/sparql-graph-crud-auth") or trimmed.endswith("/sparql-graph-crud"):
        return trimmed.rsplit("/", 1)[0] + "/sparql"
    return endpoint


def graphs_on_server(query_url: str, auth: Credentials | None = None) -> list[str]:
    """The names of the named graphs the server's query endpoint holds."""
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    rows = select_rows(query_url, query, auth, "a list of its graphs")
    return sorted(row["g"] for row in rows if "g" in row)


def stale_graphs(on_server: Iterable[str], loaded: set[str], base: str) -> list[str]:
    """The graphs under the dataset's ``base`` that the server holds and the build no
    longer has: what ``--sync`` drops. Graphs outside the base are never touched."""
    return sorted(g for g in on_server if g.startswith(base) and g not in loaded)


def drop_graphs_update(endpoint: str, names: list[str], auth: Credentials | None = None) -> None:
    """``DROP SILENT GRAPH`` each of ``names``, in one update request."""
    if names:
        text = " ;\n".join(f"DROP SILENT GRAPH <{name}>" for name in names)
        _post_update(endpoint, text, auth, f"a drop of {len(names)} graph(s)")


def drop_graphs_store(store_url: str, names: list[str], auth: Credentials | None = None) -> None:
    """DELETE each of ``names`` through the Graph Store Protocol (a graph already gone is fine)."""
    for name in names:
        request = urllib.request.Request(_graph_url(store_url, name), method="DELETE")
        try:
            _send(request, auth, f"a drop of <{name}>")
        except ServerError as exc:
            if exc.status != 404:
                raise
