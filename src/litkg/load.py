"""Load a built graph into a SPARQL 1.1 server, one named graph per article (and the
one of the descriptions the articles share).

Each article's named graph is replaced as a whole, so loading twice gives the same
store. Two ways, both standard:

- ``update`` (default): SPARQL 1.1 Update through SPARQLWrapper, ``batch_size``
  articles per request, each as ``DROP SILENT GRAPH <g>; INSERT DATA { GRAPH <g> {…} }``;
  one request is one transaction on servers that run an update request atomically
  (Oxigraph, Fuseki, GraphDB), so an article is fully loaded or not at all;
- ``gsp``: the SPARQL 1.1 Graph Store HTTP Protocol, one ``PUT ?graph=<g>`` per article.

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
from SPARQLWrapper import POST, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import SPARQLWrapperException

from litkg.errors import LitkgError


class LoadError(LitkgError):
    """The server could not be reached or refused the data."""


@dataclass(frozen=True)
class NamedGraph:
    name: str
    ntriples: str  # the graph's triples, one N-Triples line each
    triples: int


@dataclass(frozen=True)
class LoadReport:
    graphs: int
    triples: int
    requests: int


def read_named_graphs(out: Path) -> Iterator[NamedGraph]:
    """The named graphs of ``OUT/graph.nq`` (written by ``litkg build -f nq``), in order."""
    path = out / "graph.nq" if out.is_dir() else out
    if not path.exists():
        raise LoadError(
            f"{path}: not found; build with `litkg build … -f nq` to get one named graph per article"
        )
    current: str | None = None
    lines: list[str] = []
    try:
        quads = ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)
        for quad in sorted(
            quads, key=lambda q: (str(q.graph_name), str(q.subject), str(q.predicate), str(q.object))
        ):
            name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
            if name != current and current is not None:
                yield NamedGraph(current, "".join(lines), len(lines))
                lines = []
            current = name
            lines.append(f"{quad.subject} {quad.predicate} {quad.object} .\n")
    except SyntaxError as exc:
        raise LoadError(f"{path}: not valid N-Quads: {exc}") from None
    if current is not None:
        yield NamedGraph(current, "".join(lines), len(lines))


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
        drop = f"DROP SILENT GRAPH <{graph.name}>"
        operations.append(f"{drop} ;\nINSERT DATA {{ GRAPH <{graph.name}> {{\n{graph.ntriples}}} }}")
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
        client = SPARQLWrapper(endpoint)
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
            progress(len(batch))
        batch.clear()

    for graph in graphs:
        batch.append(graph)
        count += 1
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
    """PUT each graph to a Graph Store Protocol endpoint (replacing what it held)."""
    count = triples = 0
    for graph in graphs:
        target = (
            f"{store_url}?{urllib.parse.urlencode({'graph': graph.name})}"
            if graph.name
            else f"{store_url}?default"
        )
        request = urllib.request.Request(
            target,
            data=graph.ntriples.encode("utf-8"),
            method="PUT",
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
        count += 1
        triples += graph.triples
        if progress:
            progress(1)
    return LoadReport(count, triples, count)


def _body(error: urllib.error.HTTPError) -> str:
    try:
        return error.read().decode("utf-8", "replace").strip()[:500]
    except OSError:
        return ""
