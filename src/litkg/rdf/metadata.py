"""The dataset's own description: VoID and DCAT statistics and dumps, PROV-O provenance.

Which build made the dataset (when, with which litkg), from which input files (by SHA-256),
under which licence; the counts come from the published union graph. The build time
honours ``SOURCE_DATE_EPOCH`` (reproducible builds).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rdflib import Graph, Literal, URIRef

from litkg import __version__
from litkg.rdf.iris import Minter
from litkg.rdf.namespaces import DCAT, DCTERMS, FOAF, PREFIXES, PROV, RDF, RDFS, VOID, XSD, bind_prefixes

DEFAULT_LICENSE = "https://creativecommons.org/licenses/by/4.0/"


@dataclass(frozen=True)
class SourceFile:
    """An input file, by the name it is published under and the SHA-256 of its bytes."""

    path: str
    sha256: str


@dataclass(frozen=True)
class GraphStats:
    """Counts of the published union graph, for its VoID description."""

    triples: int
    subjects: int
    predicates: frozenset[str]
    classes: frozenset[str]


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
    dumps: Sequence[str] = ("graph.ttl",),
) -> Graph:
    """VoID + DCAT description of the published graph, with PROV-O provenance;
    ``dumps``: the names of the dump files written (each a void:dataDump)."""
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
    for dump in dumps:
        add((dataset, VOID.dataDump, minter.dump(dump)))
    used = {str(ns) for ns in PREFIXES.values()}
    for term in published.predicates | published.classes:
        for namespace in used:
            if term.startswith(namespace):
                add((dataset, VOID.vocabulary, URIRef(namespace)))
    activity = minter.build_activity(started)
    software = minter.software(__version__)
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
        entity = minter.source(source.sha256)
        add((entity, RDF.type, PROV.Entity))
        add((entity, RDFS.label, Literal(source.path)))
        add((entity, DCTERMS.identifier, Literal(f"sha256:{source.sha256}")))
        add((activity, PROV.used, entity))
        add((dataset, PROV.wasDerivedFrom, entity))
        add((dataset, DCTERMS.source, entity))
    return graph
