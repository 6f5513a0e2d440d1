"""Linked-data views of a built graph: what a minted IRI dereferences to.

``open_store`` loads a build directory into an on-disk pyoxigraph store (read-only
afterwards, so SPARQL worker processes can open it too). ``describe`` gives the RDF
description of a resource; ``work_view``, ``resource_view`` and ``dataset_view`` give
the plain data an HTML page shows. No HTTP here: that is ``litkg.serve.app``.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
from curies import Converter

from litkg.errors import LitkgError
from litkg.link.ontology import CONVERTER as ONTOLOGY_CURIES
from litkg.rdf.iris import DEFAULT_BASE, Minter
from litkg.rdf.namespaces import (
    BIRO,
    C4O,
    CITO,
    DATACITE,
    DCTERMS,
    DEO,
    FABIO,
    FOAF,
    FRBR,
    OA,
    PREFIXES,
    PRISM,
    PRO,
    RDF,
    RDFS,
    VOID,
)
from litkg.serve.query import bulk_load, graph_files

METADATA_FILE = "metadata.ttl"
_MARKER = "litkg-store.json"
_COMPACT = Converter.from_prefix_map({prefix: str(ns) for prefix, ns in PREFIXES.items()})


def _node(iri: object) -> ox.NamedNode:
    return ox.NamedNode(str(iri))


# Properties whose value names a resource for people, best first.
LABEL_PROPERTIES = tuple(
    _node(p)
    for p in (
        RDFS.label,
        DCTERMS.title,
        FOAF.name,
        FABIO.hasShortTitle,
        C4O.hasContent,
        FABIO.hasSequenceIdentifier,
    )
)


class ServeError(LitkgError):
    """A build directory cannot be served."""


def dataset_base(out: Path) -> str:
    """The IRI base the build at ``out`` was minted under (read from its metadata.ttl)."""
    metadata = out / METADATA_FILE
    if not metadata.exists():
        return DEFAULT_BASE
    try:
        triples = ox.parse(path=str(metadata), format=ox.RdfFormat.TURTLE)
        for triple in triples:
            if triple.predicate == _node(RDF.type) and triple.object == _node(VOID.Dataset):
                iri = str(triple.subject.value)
                if iri.endswith("dataset"):
                    return iri.removesuffix("dataset")
    except (SyntaxError, OSError) as exc:
        raise ServeError(f"{metadata}: cannot read: {exc}") from None
    return DEFAULT_BASE


def metadata_graph(base: str) -> ox.NamedNode:
    """Named graph holding the dataset description (metadata.ttl) in the served store."""
    return ox.NamedNode(str(Minter(base).metadata_graph()))


def _fingerprint(files: Iterable[Path]) -> str:
    parts = []
    for file in files:
        stat = file.stat()
        parts.append(f"{file.resolve()}:{stat.st_size}:{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _claim_store_dir(store_dir: Path, out: Path) -> None:
    """Make ``store_dir`` an empty directory for a new store, deleting only what litkg
    made: an older litkg store (it carries the marker file). A directory holding anything
    else -- the user's files, the build itself -- is refused, never emptied."""
    if store_dir.resolve() == out.resolve() or out.resolve().is_relative_to(store_dir.resolve()):
        raise ServeError(f"{store_dir}: is (or holds) the build {out}; choose another --store directory")
    if store_dir.exists():
        if not store_dir.is_dir():
            raise ServeError(f"{store_dir}: not a directory; choose an empty or new --store directory")
        if (store_dir / _MARKER).exists():
            shutil.rmtree(store_dir)  # a store litkg built from other files: rebuilt
        elif any(store_dir.iterdir()):
            raise ServeError(
                f"{store_dir}: not empty and not a store litkg made (no {_MARKER}); "
                "nothing was deleted: choose an empty or new --store directory"
            )
    store_dir.mkdir(parents=True, exist_ok=True)


def open_store(out: Path, store_dir: Path, base: str) -> ox.Store:
    """A read-only store at ``store_dir`` holding the build at ``out``.

    The graph files (graph.nq preferred, else the N-Quads shards, keeping one named
    graph per article) and
    metadata.ttl are bulk-loaded once; a store already built from the same files (same
    paths, sizes and times) is reused.
    """
    if not out.is_dir():
        raise ServeError(f"{out}: not a build directory (run `litkg build … -o {out}` first)")
    try:
        files = graph_files(out)
    except LitkgError as exc:
        raise ServeError(str(exc)) from None
    metadata = out / METADATA_FILE
    sources = [file for file, _ in files] + ([metadata] if metadata.exists() else [])
    fingerprint = _fingerprint(sources)
    marker = store_dir / _MARKER
    if not (marker.exists() and json.loads(marker.read_text()).get("fingerprint") == fingerprint):
        _claim_store_dir(store_dir, out)
        # the marker first: a load cut short leaves a directory litkg knows it made
        marker.write_text(json.dumps({"fingerprint": None, "files": [str(s) for s in sources]}))
        store = ox.Store(str(store_dir))
        try:
            for file, fmt in files:
                bulk_load(store, file, fmt)
            if metadata.exists():
                store.bulk_load(path=str(metadata), format=ox.RdfFormat.TURTLE, to_graph=metadata_graph(base))
        except (SyntaxError, ValueError, OSError, EOFError) as exc:
            raise ServeError(f"{out}: cannot load: {exc}") from None
        store.flush()
        del store
        marker.write_text(json.dumps({"fingerprint": fingerprint, "files": [str(s) for s in sources]}))
    return ox.Store.read_only(str(store_dir))


# --- reading the store ---------------------------------------------------------------


def _objects(store: ox.Store, subject: ox.NamedNode, predicate: object) -> list[ox.NamedNode | ox.Literal]:
    """Distinct IRI and literal objects over all graphs, in a stable order (litkg mints
    no blank nodes; another graph's are not followed)."""
    seen = {q.object for q in store.quads_for_pattern(subject, _node(predicate), None, None)}
    return sorted((o for o in seen if isinstance(o, ox.NamedNode | ox.Literal)), key=str)


def _resources(store: ox.Store, subject: ox.NamedNode, predicate: object) -> list[ox.NamedNode]:
    """The IRI objects of :func:`_objects`."""
    return [o for o in _objects(store, subject, predicate) if isinstance(o, ox.NamedNode)]


def _subjects(store: ox.Store, predicate: object, obj: ox.NamedNode) -> list[ox.NamedNode]:
    seen = {q.subject for q in store.quads_for_pattern(None, _node(predicate), obj, None)}
    return sorted((s for s in seen if isinstance(s, ox.NamedNode)), key=str)


def _first_value(store: ox.Store, subject: ox.NamedNode, *predicates: object) -> str | None:
    for predicate in predicates:
        values = _objects(store, subject, predicate)
        if values:
            return values[0].value
    return None


def exists(store: ox.Store, iri: str) -> bool:
    """Whether ``iri`` is described in the store (as a subject or a named graph)."""
    node = ox.NamedNode(iri)
    if next(iter(store.quads_for_pattern(node, None, None, None)), None) is not None:
        return True
    return store.contains_named_graph(node)


def label(store: ox.Store, node: ox.NamedNode) -> str | None:
    """The best human-readable name of ``node`` in the store, if any."""
    for predicate in LABEL_PROPERTIES:
        for quad in store.quads_for_pattern(node, predicate, None, None):
            if isinstance(quad.object, ox.Literal):
                return quad.object.value
    return None


def describe(store: ox.Store, iri: str) -> list[ox.Triple]:
    """What ``iri`` dereferences to: its triples from every graph (each once), the
    labels of the resources it links to, and -- for a named graph's IRI -- the graph."""
    node = ox.NamedNode(iri)
    triples = {
        ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, None)
    }
    for linked in {t.object for t in triples if isinstance(t.object, ox.NamedNode)}:
        for predicate in LABEL_PROPERTIES[:4]:
            for quad in store.quads_for_pattern(linked, predicate, None, None):
                triples.add(ox.Triple(quad.subject, quad.predicate, quad.object))
    if store.contains_named_graph(node):
        triples.update(
            ox.Triple(q.subject, q.predicate, q.object)
            for q in store.quads_for_pattern(None, None, None, node)
        )
    return sorted(triples, key=str)


def compact(iri: str) -> str:
    """``dcterms:title`` for a known namespace, the IRI itself otherwise."""
    return _COMPACT.compress(iri) or iri


# --- page data ---------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A resource shown on a page: its text, and the IRI it stands for."""

    text: str
    iri: str
    note: str = ""


@dataclass(frozen=True)
class Mentioned:
    """A term an article mentions: label, CURIE, OBO PURL, how often and how it reads."""

    label: str
    curie: str
    iri: str
    count: int
    quotes: tuple[str, ...]
    ontology: str


@dataclass(frozen=True)
class WorkView:
    """What the HTML page of a work (an article, or a work it cites) shows."""

    iri: str
    title: str
    types: tuple[str, ...]
    authors: tuple[Link, ...]
    journal: Link | None
    volume: str | None
    issue: str | None
    pages: str | None
    year: str | None
    doi: str | None
    abstract: str | None
    citation: str | None
    cites: tuple[Link, ...]
    discusses: tuple[Link, ...]
    cited_by: tuple[Link, ...]
    cell_types: tuple[Mentioned, ...]
    diseases: tuple[Mentioned, ...]
    figures: tuple[Link, ...] = field(default=())


def _work_title(store: ox.Store, node: ox.NamedNode) -> str:
    """Title of a work; for a cited work known without one, the reference text citing it."""
    title = _first_value(store, node, DCTERMS.title, DCTERMS.bibliographicCitation)
    if title:
        return title
    for entry in _subjects(store, BIRO.references, node):
        content = _first_value(store, entry, C4O.hasContent)
        if content:
            return content
    return node.value


def _authors(store: ox.Store, work: ox.NamedNode) -> list[ox.NamedNode]:
    """Authors in order: the creator list when present, else the numbered author roles."""
    lists = _objects(store, work, DATACITE.hasCreatorList)
    people: list[ox.NamedNode] = []
    cell = lists[0] if lists else None
    nil = _node(RDF.nil)
    while isinstance(cell, ox.NamedNode) and cell != nil and len(people) < 10_000:
        people.extend(p for p in _objects(store, cell, RDF.first) if isinstance(p, ox.NamedNode))
        rest = _objects(store, cell, RDF.rest)
        cell = rest[0] if rest else None
    if people:
        return people
    roles = _objects(store, work, PRO.isDocumentContextFor)

    def position(role: object) -> int:
        match = re.search(r"/author/(\d+)$", str(getattr(role, "value", "")))
        return int(match.group(1)) if match else 1_000_000

    for role in sorted(roles, key=position):
        if isinstance(role, ox.NamedNode):
            people.extend(p for p in _objects(store, role, PRO.isHeldBy) if isinstance(p, ox.NamedNode))
    return people


def _containers(store: ox.Store, work: ox.NamedNode) -> dict[str, ox.NamedNode]:
    """The issue, volume and journal a work is part of (by their FaBiO types)."""
    found: dict[str, ox.NamedNode] = {}
    kinds: dict[ox.NamedNode | ox.Literal, str] = {
        _node(FABIO.JournalIssue): "issue",
        _node(FABIO.JournalVolume): "volume",
        _node(FABIO.Journal): "journal",
    }
    frontier = [work]
    for _ in range(3):
        step = []
        for node in frontier:
            for container in _objects(store, node, FRBR.partOf):
                if not isinstance(container, ox.NamedNode):
                    continue
                for cls in _objects(store, container, RDF.type):
                    if cls in kinds:
                        found.setdefault(kinds[cls], container)
                step.append(container)
        frontier = step
    return found


def _mentions(store: ox.Store, work: ox.NamedNode, ontology_of: dict[str, str]) -> list[Mentioned]:
    prefix = f"{work.value}/annotation/"
    mentioned = []
    for term in _objects(store, work, DCTERMS.subject):
        if not isinstance(term, ox.NamedNode):
            continue
        quotes: list[str] = []
        count = 0
        for annotation in _subjects(store, OA.hasBody, term):
            if not annotation.value.startswith(prefix):
                continue
            count += 1
            for target in _resources(store, annotation, OA.hasTarget):
                for selector in _resources(store, target, OA.hasSelector):
                    quotes.extend(v.value for v in _objects(store, selector, OA.exact))
        curie = ONTOLOGY_CURIES.compress(term.value) or compact(term.value)
        ontology = ontology_of.get(curie.partition(":")[0], "other")
        mentioned.append(
            Mentioned(
                label=label(store, term) or curie,
                curie=curie,
                iri=term.value,
                count=count,
                quotes=tuple(sorted(set(quotes))),
                ontology=ontology,
            )
        )
    return sorted(mentioned, key=lambda m: (-m.count, m.label.lower()))


def _sequence(store: ox.Store, node: ox.NamedNode) -> tuple[int, str]:
    number = _first_value(store, node, FABIO.hasSequenceIdentifier) or ""
    return (int(number) if number.isdigit() else 1_000_000, node.value)


def _caption(store: ox.Store, figure: ox.NamedNode) -> str:
    """The text of a figure's or table's caption: the part typed deo:Caption."""
    for part in _objects(store, figure, FRBR.part):
        if isinstance(part, ox.NamedNode) and _node(DEO.Caption) in set(_objects(store, part, RDF.type)):
            return _first_value(store, part, C4O.hasContent) or ""
    return ""


def work_view(store: ox.Store, iri: str) -> WorkView:
    """Page data of a work: bibliographic description, citations both ways, mentions."""
    work = ox.NamedNode(iri)
    people = _authors(store, work)
    containers = _containers(store, work)
    journal = containers.get("journal")
    first = _first_value(store, work, PRISM.startingPage)
    last = _first_value(store, work, PRISM.endingPage)
    pages = f"{first}–{last}" if first and last and last != first else first

    discussed = set(_resources(store, work, CITO.discusses))
    entries = [
        e
        for e in _objects(store, work, FRBR.part)
        if isinstance(e, ox.NamedNode) and _node(BIRO.BibliographicReference) in _objects(store, e, RDF.type)
    ]
    cites: list[Link] = []
    cited_seen = set()
    for entry in sorted(entries, key=lambda e: _sequence(store, e)):
        text = _first_value(store, entry, C4O.hasContent) or entry.value
        for cited in _objects(store, entry, BIRO.references):
            cited_seen.add(cited)
            cites.append(Link(text, cited.value, "discussed" if cited in discussed else ""))
    for cited in _objects(store, work, CITO.cites):  # cited without a reference entry
        if cited not in cited_seen and isinstance(cited, ox.NamedNode):
            cites.append(Link(_work_title(store, cited), cited.value))
    figures = [
        Link(
            _first_value(store, part, RDFS.label) or part.value,
            part.value,
            _caption(store, part),
        )
        for part in _objects(store, work, FRBR.part)
        if isinstance(part, ox.NamedNode)
        and {_node(FABIO.Figure), _node(FABIO.Table)} & set(_objects(store, part, RDF.type))
    ]
    mentions = _mentions(store, work, {"CL": "cell type", "MONDO": "disease"})
    return WorkView(
        iri=iri,
        title=_work_title(store, work),
        types=tuple(compact(t.value) for t in _objects(store, work, RDF.type)),
        authors=tuple(Link(label(store, p) or p.value, p.value) for p in people),
        journal=Link(
            _first_value(store, journal, DCTERMS.title, FABIO.hasShortTitle) or journal.value, journal.value
        )
        if journal
        else None,
        volume=_first_value(store, containers["volume"], FABIO.hasSequenceIdentifier)
        if "volume" in containers
        else None,
        issue=_first_value(store, containers["issue"], FABIO.hasSequenceIdentifier)
        if "issue" in containers
        else None,
        pages=pages,
        year=_first_value(store, work, FABIO.hasPublicationYear),
        doi=_first_value(store, work, PRISM.doi),
        abstract=_first_value(store, work, DCTERMS.abstract),
        citation=_first_value(store, work, DCTERMS.bibliographicCitation),
        cites=tuple(cites),
        discusses=tuple(Link(_work_title(store, d), d.value) for d in sorted(discussed, key=str)),
        cited_by=tuple(Link(_work_title(store, a), a.value) for a in _subjects(store, CITO.cites, work)),
        cell_types=tuple(m for m in mentions if m.ontology == "cell type"),
        diseases=tuple(m for m in mentions if m.ontology == "disease"),
        figures=tuple(sorted(figures, key=lambda f: _sequence(store, ox.NamedNode(f.iri)))),
    )


def is_work(store: ox.Store, iri: str) -> bool:
    return _node(FABIO.Expression) in _objects(store, ox.NamedNode(iri), RDF.type)


@dataclass(frozen=True)
class Statement:
    """One property of a resource and its values, for the generic page."""

    property: Link
    values: tuple[Link, ...]


@dataclass(frozen=True)
class ResourceView:
    iri: str
    title: str
    statements: tuple[Statement, ...]
    incoming: tuple[Statement, ...]
    incoming_truncated: bool


def _value_link(store: ox.Store, term: object) -> Link:
    if isinstance(term, ox.NamedNode):
        return Link(label(store, term) or compact(term.value), term.value)
    if isinstance(term, ox.Literal):
        return Link(term.value, "")
    return Link(str(term), "")


def _group(store: ox.Store, pairs: Iterable[tuple[ox.NamedNode, object]]) -> tuple[Statement, ...]:
    grouped: dict[str, list[object]] = {}
    for predicate, value in pairs:
        grouped.setdefault(predicate.value, []).append(value)
    return tuple(
        Statement(
            Link(compact(p), p),
            tuple(_value_link(store, v) for v in sorted(set(values), key=str)),
        )
        for p, values in sorted(grouped.items())
    )


def resource_view(store: ox.Store, iri: str, max_incoming: int = 200) -> ResourceView:
    """Page data of any described resource: its properties and what links to it."""
    node = ox.NamedNode(iri)
    outgoing = {(q.predicate, q.object) for q in store.quads_for_pattern(node, None, None, None)}
    incoming: set[tuple[ox.NamedNode, object]] = set()
    truncated = False
    for quad in store.quads_for_pattern(None, None, node, None):
        if len(incoming) >= max_incoming:
            truncated = True
            break
        incoming.add((quad.predicate, quad.subject))
    return ResourceView(
        iri=iri,
        title=label(store, node) or compact(iri),
        statements=_group(store, outgoing),
        incoming=_group(store, incoming),
        incoming_truncated=truncated,
    )


@dataclass(frozen=True)
class DatasetView:
    iri: str
    title: str
    description: str
    license: str | None
    issued: str | None
    counts: tuple[tuple[str, str], ...]
    vocabularies: tuple[Link, ...]
    sources: tuple[Link, ...]
    dumps: tuple[Link, ...]


def dataset_view(store: ox.Store, base: str) -> DatasetView:
    """The landing page's dataset description (VoID/DCAT/PROV from metadata.ttl)."""
    node = ox.NamedNode(str(Minter(base).dataset()))
    counts = []
    for name in ("triples", "entities", "classes", "properties", "distinctSubjects"):
        value = _first_value(store, node, VOID[name])
        if value is not None:
            counts.append((name, value))
    return DatasetView(
        iri=node.value,
        title=_first_value(store, node, DCTERMS.title) or "litkg knowledge graph",
        description=_first_value(store, node, DCTERMS.description) or "",
        license=_first_value(store, node, DCTERMS.license),
        issued=_first_value(store, node, DCTERMS.issued),
        counts=tuple(counts),
        vocabularies=tuple(Link(compact(v.value), v.value) for v in _objects(store, node, VOID.vocabulary)),
        sources=tuple(
            Link(label(store, s) or s.value, s.value)
            for s in _objects(store, node, DCTERMS.source)
            if isinstance(s, ox.NamedNode)
        ),
        dumps=tuple(Link(d.value.rsplit("/", 1)[-1], d.value) for d in _objects(store, node, VOID.dataDump)),
    )


def _cites_something(store: ox.Store, node: ox.NamedNode) -> bool:
    """Whether ``node`` is an article of the graph (it has references of its own)."""
    return next(iter(store.quads_for_pattern(node, _node(CITO.cites), None, None)), None) is not None


def search_titles(store: ox.Store, text: str, limit: int = 100) -> list[Link]:
    """Works whose title contains ``text`` (case-insensitive), articles of the graph first."""
    needle = text.casefold().strip()
    if not needle:
        return []
    hits: dict[str, Link] = {}
    for quad in store.quads_for_pattern(None, _node(DCTERMS.title), None, None):
        if not isinstance(quad.object, ox.Literal) or not isinstance(quad.subject, ox.NamedNode):
            continue
        title = quad.object.value
        if needle in title.casefold() and quad.subject.value not in hits:
            note = _first_value(store, quad.subject, FABIO.hasPublicationYear) or ""
            hits[quad.subject.value] = Link(title, quad.subject.value, note)
            if len(hits) >= limit:
                break
    published = {iri for iri in hits if _cites_something(store, ox.NamedNode(iri))}
    return sorted(hits.values(), key=lambda h: (h.iri not in published, h.text.casefold(), h.iri))


def _select(store: ox.Store, query: str) -> list[tuple[ox.NamedNode | ox.Literal | ox.BlankNode | None, ...]]:
    solutions = store.query(query, use_default_graph_as_union=True)
    assert isinstance(solutions, ox.QuerySolutions)
    names = [variable.value for variable in solutions.variables]
    return [tuple(solution[name] for name in names) for solution in solutions]


def co_cited(store: ox.Store, iri: str, limit: int = 50) -> list[Link]:
    """Works cited together with ``iri`` by the articles that cite it, the most often
    co-cited first; the note says by how many articles."""
    rows = _select(
        store,
        f"""SELECT ?other (COUNT(DISTINCT ?citing) AS ?n) WHERE {{
              ?citing <{CITO.cites}> <{iri}> ; <{CITO.cites}> ?other .
              FILTER(?other != <{iri}>)
            }} GROUP BY ?other ORDER BY DESC(?n) STR(?other) LIMIT {int(limit)}""",
    )
    return [
        Link(_work_title(store, other), other.value, f"{count.value} citing article(s)")
        for other, count in rows
        if isinstance(other, ox.NamedNode) and isinstance(count, ox.Literal)
    ]


def most_mentioned(store: ox.Store, curie_prefix: str, limit: int = 10) -> list[tuple[Link, int]]:
    """The terms of one ontology (``CL``, ``MONDO``) that the most articles mention, with
    how many articles mention each (ties by label)."""
    namespace = ONTOLOGY_CURIES.expand(f"{curie_prefix}:0")
    if namespace is None:
        return []
    namespace = namespace.removesuffix("0")
    rows = _select(
        store,
        f"""SELECT ?term (COUNT(DISTINCT ?article) AS ?n) WHERE {{
              ?article <{DCTERMS.subject}> ?term .
              FILTER(STRSTARTS(STR(?term), "{namespace}"))
            }} GROUP BY ?term ORDER BY DESC(?n) STR(?term) LIMIT {int(limit) * 3}""",
    )
    ranked = [
        (Link(label(store, term) or compact(term.value), term.value), int(count.value))
        for term, count in rows
        if isinstance(term, ox.NamedNode) and isinstance(count, ox.Literal)
    ]
    ranked.sort(key=lambda pair: (-pair[1], pair[0].text.casefold()))
    return ranked[:limit]


def citations_by_year(store: ox.Store) -> dict[int, int]:
    """Citation links (``cito:cites``) counted by the publication year of the cited work;
    cited works without a year are left out."""
    rows = _select(
        store,
        f"""SELECT ?year (COUNT(*) AS ?n) WHERE {{
              ?citing <{CITO.cites}> ?cited . ?cited <{FABIO.hasPublicationYear}> ?year .
            }} GROUP BY ?year""",
    )
    counts: dict[int, int] = {}
    for year, count in rows:
        if isinstance(year, ox.Literal) and isinstance(count, ox.Literal) and year.value[:4].isdigit():
            counts[int(year.value[:4])] = counts.get(int(year.value[:4]), 0) + int(count.value)
    return counts
