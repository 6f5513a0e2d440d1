"""Every IRI litkg mints, from normalised identity keys, under one configurable base.

Layout under the base (default :data:`DEFAULT_BASE`)::

    work/doi/{doi}  work/pmid/{n}  work/pmcid/{id}  work/key/{key}  work/ref/{hash}
    {work}/reference/{n}  {work}/citation/{n}  {work}/figure/{n}  {work}/author/{n}
    {work}/table/{n}  {work}/figure/{n}/supplement/{m}  {work}/figure/{n}/source-data/{m}
    {work}/video/{n}  {work}/supplementary-file/{n}
    {work}/acknowledgements  {work}/competing-interests  {work}/id/{scheme}
    {work}/annotation/{n}  {work}/text/{part}  {work}/citation-count (in the corpus)
    person/{family_initials}  person/orcid/{orcid}  organization/{name}
    journal/{journal-key}  journal/{journal-key}/volume/{v}  …/volume/{v}/issue/{i}
    dataset  dataset/descriptions (named graph)  {work}/graph (an article's named graph)
    dataset/graph (the dataset description's named graph in a served store)
    {annotation}/target  {annotation}/quote  {annotation}/position
    graph.ttl (the dump)  build/{time}  software/litkg/{version}  source/sha256/{digest}

and, outside the base, ``https://doi.org/{doi}`` for the DOI a work is the same as.

The same input always gives the same IRI, across runs and across articles.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from urllib.parse import quote

from rdflib import URIRef

from litkg.rdf.identity import journal_key, person_key
from litkg.records import Person
from litkg.text import fold

DEFAULT_BASE = "https://w3id.org/litkg/"


def _segment(value: str) -> str:
    return quote(value, safe="")


class Minter:
    """Mints IRIs under ``base`` (which must end with "/" or "#"; "/" is added otherwise)."""

    def __init__(self, base: str = DEFAULT_BASE) -> None:
        self.base = base if base.endswith(("/", "#")) else base + "/"

    def work(self, token: str) -> URIRef:
        """IRI of a work from its canonical identity token ("doi:10.1038/x", "key:…")."""
        scheme, _, value = token.partition(":")
        if scheme == "doi":
            # A DOI keeps its "/" so the IRI reads like the DOI itself.
            return URIRef(f"{self.base}work/doi/{quote(value, safe='/')}")
        return URIRef(f"{self.base}work/{scheme}/{_segment(value)}")

    def part(self, work: URIRef, kind: str, number: int | str | None = None) -> URIRef:
        """IRI of a part of a work: its references, citations, figures, statements."""
        suffix = f"/{kind}" if number is None else f"/{kind}/{_segment(str(number))}"
        return URIRef(f"{work}{suffix}")

    @staticmethod
    def work_of_graph(graph: str) -> str:
        """The work whose named graph is ``graph`` (the IRI :meth:`part` makes for its
        "graph" part), or "" when ``graph`` is no such name."""
        return graph.removesuffix("/graph") if graph.endswith("/graph") else ""

    def part_path(self, work: URIRef, path: str) -> URIRef:
        """IRI of a part named by a path of segments ("figure/1/supplement/2"), each
        segment percent-encoded."""
        return URIRef(f"{work}/" + "/".join(_segment(segment) for segment in path.split("/")))

    def person(self, person: Person) -> URIRef:
        """IRI of a person: by ORCID when known, else by folded family name and initials."""
        if person.orcid:
            return URIRef(f"{self.base}person/orcid/{_segment(person.orcid)}")
        return URIRef(f"{self.base}person/{_segment(person_key(person))}")

    def agent(self, name: str) -> URIRef:
        """IRI of a credited agent known only by name (a figure credit)."""
        return URIRef(f"{self.base}agent/{_segment(fold(name))}")

    def organization(self, name: str) -> URIRef:
        """IRI of an organization known by name (a publisher, an affiliation)."""
        slug = fold(name)
        if len(slug) > 80:
            slug = f"{slug[:64]}-{hashlib.sha256(slug.encode()).hexdigest()[:12]}"
        return URIRef(f"{self.base}organization/{_segment(slug)}")

    def journal(self, journal: str) -> URIRef:
        return URIRef(f"{self.base}journal/{_segment(journal_key(journal))}")

    def volume(self, journal: str, volume: str) -> URIRef:
        return URIRef(f"{self.journal(journal)}/volume/{_segment(fold(volume) or volume)}")

    def issue(self, journal: str, volume: str, issue: str) -> URIRef:
        return URIRef(f"{self.volume(journal, volume)}/issue/{_segment(fold(issue) or issue)}")

    def dataset(self) -> URIRef:
        """IRI of the published dataset (VoID/DCAT description)."""
        return URIRef(f"{self.base}dataset")

    def descriptions_graph(self) -> URIRef:
        """Named graph of the descriptions articles share (cited works, their people and
        journals, ontology terms): stated once for the dataset, not in every article's graph."""
        return URIRef(f"{self.base}dataset/descriptions")

    def metadata_graph(self) -> URIRef:
        """Named graph of the dataset description (metadata.ttl) in a served store."""
        return URIRef(f"{self.base}dataset/graph")

    def text_part(self, work: URIRef, part: str) -> URIRef:
        """IRI of a searched text part of a work ("title", "abstract", "figure/1/caption",
        "section/2/paragraph/3"): the part name is already a path of safe segments."""
        return URIRef(f"{work}/{part}")

    def dump(self, name: str) -> URIRef:
        """IRI of a published dump file ("graph.ttl")."""
        return URIRef(f"{self.base}{_segment(name)}")

    def build_activity(self, started: datetime) -> URIRef:
        """IRI of one build (a prov:Activity), by the second it started (UTC)."""
        return URIRef(f"{self.base}build/{started.strftime('%Y%m%dT%H%M%SZ')}")

    def software(self, version: str) -> URIRef:
        """IRI of a version of litkg (the prov:SoftwareAgent of a build)."""
        return URIRef(f"{self.base}software/litkg/{_segment(version)}")

    def source(self, sha256: str) -> URIRef:
        """IRI of an input file, by the SHA-256 of its bytes (a prov:Entity)."""
        return URIRef(f"{self.base}source/sha256/{sha256}")


def doi_iri(doi: str) -> URIRef:
    """The https://doi.org/ IRI of a DOI, percent-encoding what an IRI cannot hold ("<", ">", …)."""
    return URIRef("https://doi.org/" + quote(doi, safe="/:;()._-,[]+=@!$&'*"))
