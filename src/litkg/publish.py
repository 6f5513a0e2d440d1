"""Write published graphs: Turtle, N-Triples, N-Quads, TriG, JSON-LD, plus the dataset's
VoID/DCAT/PROV-O description and the rejects report.

Output is deterministic: the same graph gives byte-identical files (N-Triples and
N-Quads lines are sorted; Turtle and TriG come from rdflib's sorted serializer; the
build time in the metadata honours ``SOURCE_DATE_EPOCH``).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Dataset, Graph, Literal, URIRef

from litkg import __version__
from litkg.iris import Minter
from litkg.namespaces import DCAT, DCTERMS, FOAF, PREFIXES, PROV, RDF, RDFS, VOID, XSD, bind_prefixes

FORMATS = {
    "ttl": ("graph.ttl", "turtle"),
    "nt": ("graph.nt", "nt"),
    "nq": ("graph.nq", "nquads"),
    "trig": ("graph.trig", "trig"),
    "jsonld": ("graph.jsonld", "json-ld"),
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


def _sorted_lines(text: str) -> str:
    lines = sorted({line for line in text.splitlines() if line.strip()})
    return "\n".join(lines) + ("\n" if lines else "")


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


def write_outputs(dataset: Dataset, out: Path, formats: Sequence[str], base: str) -> list[Path]:
    """Write ``dataset`` (one named graph per article) in each requested format."""
    out.mkdir(parents=True, exist_ok=True)
    union = bind_prefixes(Graph(), base)
    for quad in dataset.quads((None, None, None, None)):
        union.add(quad[:3])
    bind_prefixes(dataset, base)
    written = []
    for name in formats:
        filename, rdflib_format = FORMATS[name]
        path = out / filename
        if name == "ttl":
            text = union.serialize(format="turtle")
        elif name == "nt":
            text = _sorted_lines(union.serialize(format="nt"))
        elif name == "nq":
            text = _sorted_lines(dataset.serialize(format="nquads"))
        elif name == "trig":
            text = dataset.serialize(format="trig")
        else:
            text = _canonical_jsonld(
                union.serialize(format="json-ld", context=jsonld_context(base), auto_compact=True)
            )
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def build_time() -> datetime:
    """Now, or ``SOURCE_DATE_EPOCH`` when set (reproducible builds)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), tz=UTC)
    return datetime.now(tz=UTC).replace(microsecond=0)


def dataset_description(
    published: Graph,
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
    add((dataset, VOID.triples, Literal(len(published), datatype=XSD.integer)))
    add((dataset, VOID.entities, Literal(len(set(published.subjects())), datatype=XSD.integer)))
    add((dataset, VOID.distinctSubjects, Literal(len(set(published.subjects())), datatype=XSD.integer)))
    add((dataset, VOID.properties, Literal(len(set(published.predicates())), datatype=XSD.integer)))
    add((dataset, VOID.classes, Literal(len(set(published.objects(None, RDF.type))), datatype=XSD.integer)))
    add((dataset, VOID.dataDump, URIRef(f"{minter.base}graph.ttl")))
    used = {str(ns) for ns in PREFIXES.values()}
    for predicate in set(published.predicates()):
        for namespace in used:
            if str(predicate).startswith(namespace):
                add((dataset, VOID.vocabulary, URIRef(namespace)))
    for cls in set(published.objects(None, RDF.type)):
        for namespace in used:
            if str(cls).startswith(namespace):
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
