"""Load a built graph into a SPARQL 1.1 server, one named graph per article (and the
one of the descriptions the articles share).

Each article's named graph is replaced as a whole, so loading twice gives the same
store. Two ways, both standard:

- ``update`` (default): SPARQL 1.1 Update through SPARQLWrapper, ``batch_size``
  articles per request, each as ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> {…} }``;
  one request is one transaction on servers that run an update request atomically
  (Oxigraph, Fuseki, GraphDB), so an article is fully loaded or not at all;
- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, one ``PUT ?graph=<g>`` per article.

The file is streamed, graph by graph. A graph larger than :data:`MAX_TRIPLES` (the
descriptions graph of a large corpus: about a million triples for 10,000 articles) is sent in
pieces, one request each: the first replaces the graph (DROP + INSERT DATA, or PUT),
the others add to it (INSERT DATA, or POST).

Unreachable endpoints, HTTP errors and rejected data raise :class:`LoadError` with the
status and the server's own message.
"""

from __future__ import annotations

import base64
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from SPARQLWrapper import INSERT, POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from litkg.errors import LitkgError


class LoadError(LitkgError):
    """The server could not be reached or refused the data."""


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


MAX_TRIPLES = 50_000  # per piece of a named graph: one request stays a few megabytes


# Dumps without named graphs that a build may hold instead of graph.nq, by suffix, in
# the order they are taken.
_SINGLE_GRAPH_FORMATS = {".nt": ox.RdfFormat.N_TRIPLES, ".ttl": ox.RdfFormat.TURTLE}


def union_graph_name(out: Path) -> str:
    """The named graph a build without N-Quads is loaded into: ``{base}dataset/union``,
    under the base the build was minted with (from its metadata.ttl)."""
    from litkg.serve.views import dataset_base

    return f"{dataset_base(out)}dataset/union"


def dump_to_load(out: Path) -> tuple[Path, str | None]:
    """The dump ``litkg load`` reads from the build ``out`` (a directory, or a graph
    file): graph.nq, with one named graph per article, or else graph.nt / graph.ttl,
    loaded whole into one named graph (returned as the second item; None for N-Quads)."""
    if not out.is_dir():
        single = out.suffix.lower() in _SINGLE_GRAPH_FORMATS
        return out, union_graph_name(out.parent) if single else None
    if (out / "graph.nq").exists():
        return out / "graph.nq", None
    for suffix in _SINGLE_GRAPH_FORMATS:
        if (out / f"graph{suffix}").exists():
            return out / f"graph{suffix}", union_graph_name(out)
    raise LoadError(
        f"{out}: no graph.nq, graph.nt or graph.ttl: not a litkg build (run `litkg build … -o {out}`)"
    )


def read_named_graphs(out: Path, max_triples: int = MAX_TRIPLES) -> Iterator[NamedGraph]:
    """The named graphs of ``OUT/graph.nq`` (written by ``litkg build -f nq``), streamed
    in file order; a graph of more than ``max_triples`` triples (the dataset's
    descriptions graph) comes in pieces. Each graph's quads must be together, as litkg
    writes them: a graph is replaced as a whole when its first piece is loaded. A build
    without N-Quads is read from its N-Triples or Turtle dump as one named graph
    (:func:`dump_to_load`)."""
    path, single = dump_to_load(out)
    if not path.exists():
        raise LoadError(f"{path}: not found")
    if single is not None:
        yield from _read_single_graph(path, single, max_triples)
        return
    current: str | None = None
    first = True
    done: set[str] = set()
    lines: list[str] = []
    try:
        for number, quad in enumerate(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS), start=1):
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
                current, first, lines = name, True, []
            elif len(lines) >= max_triples:
                yield NamedGraph(current, "".join(lines), len(lines), first)
                first, lines = False, []
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    except SyntaxError as exc:
        raise LoadError(f"{path}: not valid N-Quads: {exc}") from None
    if current is not None:
        yield NamedGraph(current, "".join(lines), len(lines), first)


def _read_single_graph(path: Path, name: str, max_triples: int) -> Iterator[NamedGraph]:
    """The triples of an N-Triples or Turtle dump as the one named graph ``name``."""
    fmt = _SINGLE_GRAPH_FORMATS[path.suffix.lower()]
    lines: list[str] = []
    first = True
    try:
        for triple in ox.parse(path=str(path), format=fmt):
            if len(lines) >= max_triples:
                yield NamedGraph(name, "".join(lines), len(lines), first)
                first, lines = False, []
            lines.append(f"{triple.subject} {triple.predicate} {triple.object} .\n")
    except SyntaxError as exc:
        raise LoadError(f"{path}: not valid RDF: {exc}") from None
    yield NamedGraph(name, "".join(lines), len(lines), first)


class _UpdateClient(SPARQLWrapper):
    """SPARQLWrapper for the update requests litkg writes: their form is known
    (DROP/INSERT DATA), so the text is not scanned to find it -- SPARQLWrapper strips
    comments from the whole text with a regular expression, about 1.2 s for a request of
    50 article graphs, a quarter of a load's time."""

    def _parseQueryType(self, query: str) -> str:  # noqa: N802 - SPARQLWrapper's name
        return INSERT


def _auth_header(user: str | None, password: str | None) -> dict[str, str]:
    if not user:
        return {}
    token = base64.b64encode(f"{user}:{password or ''}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


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
    user: str | None = None,
    password: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """Send the graphs as SPARQL updates, ``batch_size`` articles per request."""
    count = triples = requests = 0
    batch: list[NamedGraph] = []

    def send() -> None:
        nonlocal requests
        if not batch:
            return
        client = _UpdateClient(endpoint)
        client.setMethod(POST)
        client.setTimeout(300)
        if user:
            client.setCredentials(user, password or "")
        client.setQuery(_update_text(batch))
        try:
            client.query()
        except SPARQLWrapperException as exc:
            raise LoadError(f"{endpoint} refused an update of {len(batch)} article graph(s): {exc}") from None
        except urllib.error.HTTPError as exc:
            raise LoadError(f"{endpoint}: HTTP {exc.code} {exc.reason}: {_body(exc)}") from None
        except (urllib.error.URLError, OSError) as exc:
            raise LoadError(f"cannot reach {endpoint}: {getattr(exc, 'reason', exc)}") from None
        requests += 1
        if progress:
            progress(sum(g.first for g in batch))
        batch.clear()

    for graph in graphs:
        if not graph.first or (batch and not batch[-1].first):
            send()  # a piece of a large graph: alone in its request
        batch.append(graph)
        count += graph.first
        triples += graph.triples
        if len(batch) >= batch_size:
            send()
    if batch:
        send()
    return LoadReport(count, triples, requests)


def load_graph_store(
    graphs: Iterator[NamedGraph],
    store_url: str,
    *,
    user: str | None = None,
    password: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> LoadReport:
    """PUT each graph to a Graph Store Protocol endpoint (replacing what it held); the
    later pieces of a large graph are POSTed (added to it)."""
    count = triples = requests = 0
    for graph in graphs:
        target = (
            f"{store_url}?{urllib.parse.urlencode({'graph': graph.name})}"
            if graph.name
            else f"{store_url}?default"
        )
        request = urllib.request.Request(
            target,
            data=graph.ntriples.encode("utf-8"),
            method="PUT" if graph.first else "POST",
            headers={"Content-Type": "application/n-triples", **_auth_header(user, password)},
        )
        try:
            with urllib.request.urlopen(request, timeout=300) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            raise LoadError(
                f"{store_url}: HTTP {exc.code} {exc.reason} for graph <{graph.name}>: {_body(exc)}"
            ) from None
        except (urllib.error.URLError, OSError) as exc:
            raise LoadError(f"cannot reach {store_url}: {getattr(exc, 'reason', exc)}") from None
        count += graph.first
        requests += 1
        triples += graph.triples
        if progress and graph.first:
            progress(1)
    return LoadReport(count, triples, requests)


def _body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace").strip()[:500]
    except OSError:
        return ""
