"""``litkg serve``: a built graph as linked data (Starlette app, run by uvicorn).

IRI design ("Cool URIs for the Semantic Web", 303 pattern): a minted IRI
``{base}{path}`` names a thing (an article, a person), so a request for ``/{path}``
answers ``303 See Other`` to a document about it, chosen by the Accept header:
``/{path}.html``, ``.ttl``, ``.jsonld``, ``.nt`` or ``.rdf``. The documents can also be
asked for directly. Unknown IRIs are 404, Accept headers none of these satisfy 406.

``/sparql`` is a read-only SPARQL 1.1 Protocol endpoint (``litkg.serve.endpoint``: time and
result limits, updates refused); ``/`` is the landing page with the dataset's VoID/DCAT
description, the example queries and a title search; ``/.well-known/void`` serves the
VoID description; the dumps named by void:dataDump (graph.ttl, …) are served as files.
"""

from __future__ import annotations

import contextlib
import functools
import re
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pyoxigraph as ox
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route
from starlette.templating import Jinja2Templates

from litkg.build.shards import MANIFEST_FILE, SHARD_FILE
from litkg.rdf.namespaces import PREFIXES
from litkg.resources import data_dir
from litkg.serve import pictures
from litkg.serve import views as ld
from litkg.serve.endpoint import (
    GRAPH_FORMATS,
    SOLUTION_FORMATS,
    EndpointError,
    QueryOutcome,
    QueryRequest,
    QueryService,
    graph_iris,
)

HTML = "text/html"
# Documents a resource IRI redirects to: file extension -> media type.
DOCUMENTS = {
    "html": HTML,
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "rdf": "application/rdf+xml",
}
# Accept-header media types -> document extension (aliases included), in our preference order.
RESOURCE_TYPES = {
    HTML: "html",
    "application/xhtml+xml": "html",
    "text/turtle": "ttl",
    "application/x-turtle": "ttl",
    "application/ld+json": "jsonld",
    "application/json": "jsonld",
    "application/n-triples": "nt",
    "application/rdf+xml": "rdf",
}
FORMAT_PARAMETER = {  # ?format= values on /sparql, as commonly accepted by endpoints
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "html": HTML,
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "ntriples": "application/n-triples",
    "nt": "application/n-triples",
    "rdfxml": "application/rdf+xml",
}
DUMP_FILES = ("graph.ttl", "graph.nt", "graph.nq", "graph.trig", "graph.jsonld", "metadata.ttl")
MAX_QUERY_BYTES = 100_000
_TEMPLATES = Path(__file__).parent / "templates"


def _is_dump_file(name: str) -> bool:
    """Whether ``name`` is a file of the build that is served as it is: a dump, the
    metadata, a shard or the shards' manifest (names of a fixed form: no traversal)."""
    return name in DUMP_FILES or name == MANIFEST_FILE or SHARD_FILE.fullmatch(name) is not None


def negotiate(accept: str | None, offered: Sequence[str]) -> str | None:
    """The offered media type the Accept header prefers (RFC 9110 q-values, wildcards,
    most specific range wins); ties go to the earlier offer; None if none is acceptable."""
    if not accept or not accept.strip():
        return offered[0] if offered else None
    ranges: list[tuple[str, str, float]] = []
    for item in accept.split(","):
        media, *params = (part.strip() for part in item.split(";"))
        if "/" not in media:
            continue
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = max(0.0, min(1.0, float(value)))
                except ValueError:
                    q = 0.0
        main, _, sub = media.lower().partition("/")
        ranges.append((main, sub, q))
    best, best_q = None, 0.0
    for media in offered:
        main, _, sub = media.partition("/")
        quality, specificity = None, -1
        for range_main, range_sub, q in ranges:
            if range_main == main and range_sub == sub:
                level = 2
            elif range_main == main and range_sub == "*":
                level = 1
            elif range_main == "*" and range_sub == "*":
                level = 0
            else:
                continue
            if level > specificity:
                quality, specificity = q, level
        if quality is not None and quality > best_q:
            best, best_q = media, quality
    return best


@dataclass
class Site:
    """Everything the handlers share: the store, the query service, where files are."""

    out: Path
    base: str
    store: ox.Store
    service: QueryService
    templates: Jinja2Templates
    queries: tuple[tuple[str, str, str], ...]  # name, first comment line, text

    @functools.cached_property
    def landing_pictures(self) -> pictures.LandingPictures:
        """The landing page's charts, drawn once: the served store does not change."""
        return pictures.landing_pictures(self.store)

    def names(self, path: str) -> list[str]:
        """What a request path can stand for under the base: the path itself, and -- when
        the server is reached at the base's own address (``--base http://host/kg/``) --
        the path without the base's path."""
        names = [path]
        prefix = urlsplit(self.base).path.lstrip("/")
        if prefix and path.startswith(prefix):
            names.append(path[len(prefix) :])
        return names

    def local(self, iri: str) -> str:
        """Link target for an IRI: a path on this server for minted IRIs, the IRI itself
        for other http(s) IRIs, and no target ("") for any other scheme: a graph may hold
        ``javascript:`` or ``data:`` IRIs, which a page must never make clickable."""
        if iri.startswith(self.base):
            return "/" + iri[len(self.base) :]
        return iri if _WEB_IRI.match(iri) else ""


_WEB_IRI = re.compile(r"https?://", re.IGNORECASE)


def _library_queries() -> tuple[tuple[str, str, str], ...]:
    queries = []
    for path in sorted(data_dir("queries").glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        comment = next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")
        queries.append((path.stem, comment, text))
    return tuple(queries)


def _site(request: Request) -> Site:
    site = request.app.state.site
    assert isinstance(site, Site)
    return site


def _error(request: Request, status: int, message: str) -> Response:
    accept = request.headers.get("accept", "")
    if HTML in accept and negotiate(accept, [HTML, "text/plain"]) == HTML:
        return _site(request).templates.TemplateResponse(
            request, "error.html", {"status": status, "message": message}, status_code=status
        )
    return PlainTextResponse(message + "\n", status_code=status)


def _rdf_response(triples: list[ox.Triple], media_type: str, site: Site) -> Response:
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    fmt = GRAPH_FORMATS[media_type]
    body = ox.serialize(triples, format=fmt, prefixes=prefixes if fmt != ox.RdfFormat.N_TRIPLES else None)
    return Response(body or b"", media_type=f"{media_type}; charset=utf-8")


async def landing(request: Request) -> Response:
    site = _site(request)
    view = await run_in_threadpool(ld.dataset_view, site.store, site.base)
    charts = await run_in_threadpool(lambda: site.landing_pictures)
    # a sharded build's shards are listed by its manifest, not one by one
    dumps = [name for name in (*DUMP_FILES, MANIFEST_FILE) if (site.out / name).exists()]
    return site.templates.TemplateResponse(
        request,
        "landing.html",
        {"dataset": view, "queries": site.queries, "dumps": dumps, "quote": quote, "charts": charts},
    )


async def void_description(request: Request) -> Response:
    site = _site(request)
    media = negotiate(request.headers.get("accept"), ["text/turtle", *GRAPH_FORMATS, HTML])
    if media is None:
        return _error(request, 406, "acceptable: " + ", ".join([*GRAPH_FORMATS, HTML]))
    if media == HTML:
        return RedirectResponse("/", status_code=303)
    graph = ld.metadata_graph(site.base)
    triples = [
        ox.Triple(q.subject, q.predicate, q.object)
        for q in site.store.quads_for_pattern(None, None, None, graph)
    ]
    return _rdf_response(sorted(triples, key=str), media, site)


async def search(request: Request) -> Response:
    site = _site(request)
    text = request.query_params.get("q", "")[:500]
    hits = await run_in_threadpool(ld.search_titles, site.store, text)
    return site.templates.TemplateResponse(request, "search.html", {"q": text, "hits": hits})


async def resource(request: Request) -> Response:
    """Dereference ``/{path}``: 303 for a minted IRI, a document for ``/{path}.{ext}``."""
    site = _site(request)
    path = request.scope.get("raw_path", b"").decode("latin-1").split("?", 1)[0] or request.url.path
    name = path.lstrip("/")
    if _is_dump_file(name) and (site.out / name).is_file():  # fixed names only: no traversal
        return FileResponse(site.out / name)
    for candidate in site.names(name):
        try:
            if ld.exists(site.store, site.base + candidate):
                media = negotiate(request.headers.get("accept"), list(RESOURCE_TYPES))
                if media is None:
                    return _error(request, 406, "acceptable: " + ", ".join(DOCUMENTS.values()))
                response = RedirectResponse(f"{path}.{RESOURCE_TYPES[media]}", status_code=303)
                response.headers["Vary"] = "Accept"
                return response
            stem, _, extension = candidate.rpartition(".")
            if stem and extension in DOCUMENTS and ld.exists(site.store, site.base + stem):
                return await _document(request, site, site.base + stem, DOCUMENTS[extension])
        except ValueError:  # not a valid IRI once the base is put in front
            continue
    return _error(request, 404, f"nothing is published at {site.base}{name}")


async def _document(request: Request, site: Site, iri: str, media: str) -> Response:
    if media != HTML:
        triples = await run_in_threadpool(ld.describe, site.store, iri)
        return _rdf_response(triples, media, site)
    alternates = {ext: f"/{iri[len(site.base) :]}.{ext}" for ext in DOCUMENTS if ext != "html"}
    if await run_in_threadpool(ld.is_work, site.store, iri):
        view = await run_in_threadpool(ld.work_view, site.store, iri)
        cited_with = await run_in_threadpool(ld.co_cited, site.store, iri)
        picture = pictures.work_neighbourhood(view, cited_with)
        return site.templates.TemplateResponse(
            request,
            "work.html",
            {"work": view, "alternates": alternates, "neighbourhood": picture, "cited_with": cited_with},
        )
    resource = await run_in_threadpool(ld.resource_view, site.store, iri)
    return site.templates.TemplateResponse(
        request, "resource.html", {"resource": resource, "alternates": alternates}
    )


async def _bounded_body(request: Request, limit: int) -> bytes | None:
    """The request body, or None as soon as it is known to pass ``limit`` bytes: from a
    Content-Length header before anything is read, else while it streams in. The rest
    is never read (the server then closes the connection)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


async def sparql(request: Request) -> Response:
    """SPARQL 1.1 Protocol, query operation only (GET; POST form or direct body)."""
    site = _site(request)
    params: dict[str, list[str]] = {}
    for key, value in request.query_params.multi_items():
        params.setdefault(key, []).append(value)
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await _bounded_body(request, MAX_QUERY_BYTES)
        if body is None:
            return _error(request, 413, f"the request is larger than {MAX_QUERY_BYTES} bytes")
        if content_type == "application/sparql-update":
            return _error(request, 403, "SPARQL Update is not allowed: this endpoint is read-only")
        if content_type == "application/x-www-form-urlencoded":
            for key, values in parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True).items():
                params.setdefault(key, []).extend(values)
        elif content_type == "application/sparql-query":
            params.setdefault("query", []).append(body.decode("utf-8", "replace"))
        else:
            return _error(
                request,
                415,
                "POST a query as application/x-www-form-urlencoded or application/sparql-query",
            )
    if "update" in params:
        return _error(request, 403, "SPARQL Update is not allowed: this endpoint is read-only")
    queries = params.get("query", [])
    if len(queries) > 1:
        return _error(request, 400, "give one query parameter")
    if not queries:
        return site.templates.TemplateResponse(request, "sparql.html", {"query": "", "result": None})
    query = queries[0]
    if len(query.encode()) > MAX_QUERY_BYTES:
        return _error(request, 413, f"the query is longer than {MAX_QUERY_BYTES} bytes")
    try:
        job = QueryRequest(
            query,
            graph_iris(params.get("default-graph-uri", [])),
            graph_iris(params.get("named-graph-uri", [])),
        )
        outcome = await run_in_threadpool(site.service.run, job)
    except EndpointError as exc:
        return _error(request, exc.status, exc.message)
    return _query_response(request, site, query, outcome, params.get("format", [""])[0])


def _query_response(request: Request, site: Site, query: str, outcome: QueryOutcome, fmt: str) -> Response:
    offered = list(GRAPH_FORMATS if outcome.kind == "graph" else SOLUTION_FORMATS) + [HTML]
    media: str | None
    if fmt:
        media = FORMAT_PARAMETER.get(fmt.lower(), fmt.lower())
        if media not in offered:
            return _error(
                request, 406, f"format {fmt!r} does not fit this result; use one of {', '.join(offered)}"
            )
    else:
        media = negotiate(request.headers.get("accept"), offered)
        if media is None:
            return _error(request, 406, "acceptable for this result: " + ", ".join(offered))
    if media != HTML:
        prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        body = outcome.serialize(media, prefixes)
        charset = "" if media == "application/sparql-results+xml" else "; charset=utf-8"
        return Response(body, media_type=media + charset)
    rows: list[dict[str, dict[str, str] | None]]
    if outcome.kind == "graph":
        variables = ["subject", "predicate", "object"]
        rows = [
            {
                name: _term_cell(site, term)
                for name, term in zip(variables, (t.subject, t.predicate, t.object), strict=True)
            }
            for t in outcome.triples()
        ]
        result = {"variables": variables, "rows": rows, "boolean": None}
    elif outcome.kind == "boolean":
        result = {"variables": [], "rows": [], "boolean": bool(outcome.solutions())}
    else:
        variables, bindings = outcome.table()
        rows = [{name: _json_cell(site, b.get(name)) for name in variables} for b in bindings]
        result = {"variables": variables, "rows": rows, "boolean": None}
    return site.templates.TemplateResponse(request, "sparql.html", {"query": query, "result": result})


def _json_cell(site: Site, term: dict[str, str] | None) -> dict[str, str] | None:
    if term is None:
        return None
    if term["type"] == "uri":
        return {"text": ld.compact(term["value"]), "href": site.local(term["value"])}
    note = term.get("xml:lang") or ld.compact(term.get("datatype", "")) or ""
    return {"text": str(term["value"]), "href": "", "note": note}


def _term_cell(site: Site, term: object) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"text": ld.compact(term.value), "href": site.local(term.value)}
    return {"text": getattr(term, "value", str(term)), "href": ""}


def create_app(
    out: Path,
    *,
    base: str | None = None,
    store_dir: Path | None = None,
    query_timeout: float = 10.0,
    max_results: int = 10_000,
    workers: int = 2,
    services: frozenset[str] = frozenset(),
    query_memory: int = 1024,
    queue_wait: float | None = None,
    max_waiting: int = 32,
) -> Starlette:
    """The linked-data application for the build directory ``out``.

    ``base`` is the IRI base the build was minted under (default: read from its
    metadata.ttl); ``store_dir`` keeps the on-disk store between runs (default: a
    temporary directory removed on shutdown); ``services``: the endpoints a query may call
    with ``SERVICE`` (default: none); ``query_memory``: MB a query may use, per worker;
    ``queue_wait`` and ``max_waiting``: how long, and how many, queries may wait for a
    busy worker (:class:`~litkg.serve.endpoint.QueryService`).
    """
    base = base or ld.dataset_base(out)
    if not base.endswith(("/", "#")):
        base += "/"
    temporary = None if store_dir else tempfile.TemporaryDirectory(prefix="litkg-store-")
    directory = store_dir or Path(temporary.name)  # type: ignore[union-attr]
    store = ld.open_store(out, directory, base)  # before the server starts: errors are clear
    templates = Jinja2Templates(directory=str(_TEMPLATES))
    site_holder: list[Site] = []
    templates.env.globals["local"] = lambda iri: site_holder[0].local(iri)
    templates.env.globals["compact"] = ld.compact

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        service = QueryService(
            str(directory),
            size=workers,
            timeout=query_timeout,
            max_results=max_results,
            services=services,
            memory_mb=query_memory,
            queue_wait=queue_wait,
            max_waiting=max_waiting,
        )
        site = Site(out, base, store, service, templates, _library_queries())
        site_holder[:] = [site]
        app.state.site = site
        try:
            yield
        finally:
            service.close()
            if temporary is not None:
                temporary.cleanup()

    return Starlette(
        routes=[
            Route("/", landing),
            Route("/.well-known/void", void_description),
            Route("/sparql", sparql, methods=["GET", "POST"]),
            Route("/search", search),
            Route("/{path:path}", resource),
        ],
        middleware=[Middleware(CORSMiddleware, allow_origins=["*"], allow_methods=["GET", "POST"])],
        lifespan=lifespan,
    )
