"""Write published graphs: Turtle, N-Triples, N-Quads, TriG, JSON-LD, plus the dataset's
VoID/DCAT/PROV-O description and the rejects report.

Output is deterministic: the same graph gives byte-identical files (triples and quads
are sorted before pyoxigraph writes them; the build time in the metadata honours
``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef

from litkg import __version__
from litkg.iris import Minter
from litkg.namespaces import DCAT, DCTERMS, FOAF, PREFIXES, PROV, RDF, RDFS, VOID, XSD, bind_prefixes

FORMATS = {  # --format name -> file written
    "ttl": "graph.ttl",
    "nt": "graph.nt",
    "nq": "graph.nq",
    "trig": "graph.trig",
    "jsonld": "graph.jsonld",
}
DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class SourceFile:
    path: str
    sha256: str


def jsonld_context(base: str) -> dict[str, str]:
    """The JSON-LD @context: the standard prefixes plus ``litkg`` for the base."""
    context = {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    context["litkg"] = base
    return context


def _sort_values(value: object) -> object:
    """Sort JSON-LD value arrays (sets in RDF) recursively; "@list" arrays keep their order."""
    if isinstance(value, dict):
        return {
            k: [_sort_values(i) for i in v] if k == "@list" else _sort_values(v) for k, v in value.items()
        }
    if isinstance(value, list):
        items = [_sort_values(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _canonical_jsonld(text: str) -> str:
    """rdflib's JSON-LD with node and value order fixed, so equal graphs give equal bytes."""
    return json.dumps(_sort_values(json.loads(text)), sort_keys=True, ensure_ascii=False, indent=1) + "\n"


@dataclass(frozen=True)
class GraphStats:
    """Counts of the published union graph, for its VoID description."""

    triples: int
    subjects: int
    predicates: frozenset[str]
    classes: frozenset[str]

    @classmethod
    def of(cls, triples: Sequence[ox.Triple]) -> GraphStats:
        rdf_type = str(RDF.type)
        return cls(
            triples=len(triples),
            subjects=len({t.subject for t in triples}),
            predicates=frozenset(t.predicate.value for t in triples),
            classes=frozenset(t.object.value for t in triples if t.predicate.value == rdf_type),
        )


def union_triples(quads: Iterable[ox.Quad]) -> list[ox.Triple]:
    """The distinct triples of all named graphs, in a fixed order."""
    triples = {ox.Triple(q.subject, q.predicate, q.object) for q in quads}
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _sorted_header(data: bytes) -> str:
    """pyoxigraph writes prefixes in hash order: sort the @prefix lines for stable bytes."""
    text = data.decode("utf-8")
    lines = text.split("\n")
    header = [line for line in lines if line.startswith("@prefix ")]
    body = [line for line in lines if not line.startswith("@prefix ")]
    return "\n".join(sorted(header) + body)


def write_outputs(quads: Sequence[ox.Quad], out: Path, formats: Sequence[str], base: str) -> list[Path]:
    """Write the published quads (one named graph per article) in each requested format,
    removing the dumps of other formats an earlier build left in ``out``.

    Serialisation is pyoxigraph's (rdflib's Turtle writer is two orders of magnitude
    slower on large graphs); JSON-LD goes through rdflib, which writes the @context.
    """
    out.mkdir(parents=True, exist_ok=True)
    ordered = sorted(
        quads,
        key=lambda q: (
            str(q.graph_name),
            str(q.subject),
            str(q.predicate),
            str(q.object),
        ),
    )
    triples = union_triples(ordered)
    prefixes = {prefix: str(ns) for prefix, ns in PREFIXES.items()} | {"litkg": base}
    written = []
    for name in formats:
        path = out / FORMATS[name]
        if name == "ttl":
            text = _sorted_header(ox.serialize(triples, format=ox.RdfFormat.TURTLE, prefixes=prefixes))
        elif name == "nt":
            text = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8")
        elif name == "nq":
            text = ox.serialize(ordered, format=ox.RdfFormat.N_QUADS).decode("utf-8")
        elif name == "trig":
            text = _sorted_header(ox.serialize(ordered, format=ox.RdfFormat.TRIG, prefixes=prefixes))
        else:
            union = bind_prefixes(Graph(), base)
            union.parse(
                data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode("utf-8"), format="nt"
            )
            text = _canonical_jsonld(
                union.serialize(format="json-ld", context=jsonld_context(base), auto_compact=True)
            )
        path.write_text(text, encoding="utf-8")
        written.append(path)
    for name, filename in FORMATS.items():
        # A dump left by an earlier build would contradict this one (and `litkg query`,
        # `load` and `serve` prefer graph.nq), so it goes.
        if name not in formats and (out / filename).exists():
            (out / filename).unlink()
    return written


def build_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def dataset_description(
    published: GraphStats,
    minter: Minter,
    sources: Iterable[SourceFile],
    *,
    started: datetime,
    ended: datetime,
    articles: int,
    rejected: int,
    license_iri: str = DEFAULT_LICENSE,
) -> Graph:
    """VoID + DCAT description of the published graph, with PROV-O provenance."""
    graph = bind_prefixes(Graph(), minter.base)
    dataset = minter.dataset()
    add = graph.add
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, RDF.type, PROV.Entity))
    add((dataset, DCTERMS.title, Literal("litkg knowledge graph")))
    add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                f"{articles} articles published as FaBiO/CiTO/Dublin Core RDF by litkg; {rejected} rejected."
            ),
        )
    )
    add((dataset, DCTERMS.license, URIRef(license_iri)))
    add((dataset, VOID.uriSpace, Literal(minter.base)))
    add((dataset, VOID.triples, Literal(published.triples, datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(published.subjects, datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(published.subjects, datatype=XSD.integer)))
    add((dataset, VOID.properties, Literal(len(published.predicates), datatype=XSD.integer)))
    add((dataset, VOID.classes, Literal(len(published.classes), datatype=XSD.integer)))
    add((dataset, VOID.dataDump, URIRef(f"{minter.base}graph.ttl")))
    used = {str(ns) for ns in PREFIXES.values()}
    for term in published.predicates | published.classes:
        for namespace in used:
            if term.startswith(namespace):
                add((dataset, VOID.vocabulary, URIRef(namespace)))
    activity = URIRef(f"{minter.base}build/{started.strftime('%Y%m%dT%H%M%SZ')}")
    software = URIRef(f"{minter.base}software/litkg/{__version__}")
    add((dataset, PROV.wasGeneratedBy, activity))
    add((dataset, DCTERMS.issued, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    add((activity, RDF.type, PROV.Activity))
    add((activity, PROV.startedAtTime, Literal(started.isoformat(), datatype=XSD.dateTime)))
    add((activity, PROV.endedAtTime, Literal(ended.isoformat(), datatype=XSD.dateTime)))
    add((activity, PROV.wasAssociatedWith, software))
    add((software, RDF.type, PROV.SoftwareAgent))
    add((software, RDFS.label, Literal(f"litkg {__version__}")))
    add((software, FOAF.name, Literal("litkg")))
    add((software, DCTERMS.hasVersion, Literal(__version__)))
    for source in sources:
        entity = URIRef(f"{minter.base}source/sha256/{source.sha256}")
        add((entity, RDF.type, PROV.Entity))
        add((entity, RDFS.label, Literal(source.path)))
        add((entity, DCTERMS.identifier, Literal(f"sha256:{source.sha256}")))
        add((activity, PROV.used, entity))
        add((dataset, PROV.wasDerivedFrom, entity))
        add((dataset, DCTERMS.source, entity))
    return graph


def write_rejects(out: Path, rejects: list[dict[str, object]]) -> Path:
    """``rejects.json``: one entry per rejected input, in input order."""
    path = out / "rejects.json"
    path.write_text(json.dumps(rejects, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path
