"""Build and load the ontology module litkg ships in ``ontology/``.

``build_module`` reads Cell Ontology and MONDO term data from either source format --
the official OBO releases (read with obonet) or the JSON extracts that
``cellxgene-ontology-guide`` ships (label, synonyms, ancestors with distances) -- merges
what each offers, and writes:

- ``ontology/lexicon.tsv.gz``: every name of every non-deprecated CL cell type and
  MONDO disease: ``curie, text, kind (label|exact|related|broad|narrow|synonym), source``;
- ``ontology/terms.ttl.gz``: each term as an ``owl:Class`` with ``rdfs:label`` and its
  ``rdfs:subClassOf`` parents, for ancestor queries in SPARQL (written in the N-Triples
  subset of Turtle, sorted, one triple a line: fast to load, stable to diff);
- ``ontology/obsolete.tsv.gz``: every term a JSON extract marks deprecated, with the
  term that replaces it where the release names one: ``curie, replaced_by`` (gold
  mentions annotated with an older release are scored by it, ``litkg.link.evaluate``);
- ``ontology/release.json``: the releases the module was built from.

``load_module`` reads the shipped module back; ``litkg build`` needs nothing else.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from curies import Converter
from rdflib import Graph, Literal, URIRef

from litkg.rdf.namespaces import OBO, OWL, RDF, RDFS, bind_prefixes
from litkg.resources import data_dir

PREFIXES = ("CL", "MONDO")
CONVERTER = Converter.from_prefix_map({prefix: f"{OBO}{prefix}_" for prefix in (*PREFIXES, "DOID", "HP")})
DEPRECATED = "deprecated"  # marker in a term's parents: the source deprecates it
_OBO_SYNONYM = re.compile(r'^"(?P<text>(?:[^"\\]|\\.)*)"\s+(?P<kind>EXACT|RELATED|BROAD|NARROW)')


@lru_cache(maxsize=1 << 14)
def curie_to_iri(curie: str) -> URIRef:
    """ "CL:0000235" -> <http://purl.obolibrary.org/obo/CL_0000235> (made once per term:
    the same terms and ancestors come back in article after article)."""
    iri = CONVERTER.expand(curie)
    if iri is None:
        raise ValueError(f"not a CL/MONDO CURIE: {curie!r}")
    return URIRef(iri)


def iri_to_curie(iri: str) -> str:
    curie = CONVERTER.compress(iri)
    if curie is None:
        raise ValueError(f"not an OBO CL/MONDO IRI: {iri!r}")
    return curie


@dataclass
class Term:
    """What the sources say about one term, merged."""

    curie: str
    label: str
    names: dict[tuple[str, str], str] = field(default_factory=dict)  # (text, kind) -> source
    parents: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Source:
    """One release file and what it holds."""

    path: Path
    release: str
    kind: str  # "json" or "obo"

    @classmethod
    def from_path(cls, path: Path) -> Source:
        """Kind from the file name; a JSON extract's release from its "-vYYYY-MM-DD" suffix."""
        name = path.name
        if ".json" in name:
            match = re.search(r"v(\d{4}-\d{2}-\d{2})", name)
            return cls(path, match.group(1) if match else name, "json")
        if ".obo" in name:
            return cls(path, "", "obo")
        raise ValueError(f"{path}: not an ontology source (expected .json.gz extract or .obo[.gz])")


DEFAULT_SOURCES = (
    "ontologies/derived/CL-ontology-v2026-03-26.json.gz",
    "ontologies/derived/MONDO-ontology-v2026-05-05.json.gz",
    "ontologies/cl.obo.gz",
    "ontologies/doid.obo.gz",
)


def read_json_extract(path: Path, release: str) -> Iterable[tuple[str, str, list[tuple[str, str]], set[str]]]:
    """(curie, label, [(synonym, kind)], parents) from a cellxgene-ontology-guide extract."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    for curie, entry in data.items():
        if not curie.startswith(PREFIXES):
            continue
        if entry.get("deprecated"):
            yield curie, entry["label"], [], {DEPRECATED}
            continue
        parents = {a for a, distance in entry.get("ancestors", {}).items() if distance == 1}
        synonyms = [(s, "synonym") for s in entry.get("synonyms") or []]
        yield curie, entry["label"], synonyms, parents


def read_replacements(path: Path) -> dict[str, str]:
    """{deprecated curie: the curie that replaces it, or ""} from a JSON extract."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        data = json.load(handle)
    return {
        curie: str(entry.get("replaced_by") or "")
        for curie, entry in data.items()
        if curie.startswith(PREFIXES) and entry.get("deprecated")
    }


def current_terms(replacements: dict[str, str], curie: str) -> str | None:
    """``curie`` itself, or the live term its release says replaces it (followed through
    chains of replacements), or None for a term deprecated with no replacement."""
    seen = set()
    while curie in replacements and curie not in seen:
        seen.add(curie)
        curie = replacements[curie]
        if not curie:
            return None
    return None if curie in seen else curie


def read_obo(path: Path) -> tuple[str, Iterable[tuple[str, str, list[tuple[str, str]], set[str]]]]:
    """(data-version, terms) from an OBO file, read with obonet (obsolete terms dropped)."""
    import obonet

    with (
        gzip.open(path, "rt", encoding="utf-8")
        if path.suffix == ".gz"
        else open(path, encoding="utf-8") as handle
    ):
        graph = obonet.read_obo(handle)
    version = str(graph.graph.get("data-version", path.name))

    def terms() -> Iterable[tuple[str, str, list[tuple[str, str]], set[str]]]:
        for curie, data in graph.nodes(data=True):
            if "name" not in data:
                continue
            synonyms = []
            for raw in data.get("synonym", []):
                match = _OBO_SYNONYM.match(raw)
                if match:
                    synonyms.append((match.group("text").replace('\\"', '"'), match.group("kind").lower()))
            yield curie, data["name"], synonyms, set(data.get("is_a", []))

    return version, terms()


def _norm(text: str) -> str:
    return " ".join(text.casefold().split())


def merge_sources(sources: list[Source]) -> tuple[dict[str, Term], dict[str, str]]:
    """Merge term data; earlier sources win for labels and parents, names are pooled.

    A DOID source adds its names to the MONDO term whose label or exact synonym equals
    the DOID term's label (DOID has no MONDO cross-references of its own).
    """
    terms: dict[str, Term] = {}
    releases: dict[str, str] = {}
    deprecated: set[str] = set()
    doid_sources = []
    for source in sources:
        if source.kind == "json":
            rows: Iterable[Any] = read_json_extract(source.path, source.release)
            release = source.release
        else:
            release, rows = read_obo(source.path)
        releases[source.path.name] = release
        tag = f"{source.path.name}@{release}"
        for curie, label, synonyms, parents in rows:
            if curie.startswith("DOID:"):
                doid_sources.append((tag, curie, label, synonyms))
                continue
            if not curie.startswith(PREFIXES) or curie in deprecated:
                continue
            if DEPRECATED in parents:
                # A newer release deprecates the term: older releases cannot revive it.
                deprecated.add(curie)
                terms.pop(curie, None)
                continue
            term = terms.get(curie)
            if term is None:
                term = terms[curie] = Term(
                    curie, label, parents={p for p in parents if p.startswith(PREFIXES)}
                )
            term.names.setdefault((label, "label" if label == term.label else "exact"), tag)
            for text, kind in synonyms:
                term.names.setdefault((text, kind), tag)
    _keep_diseases_only(terms)
    by_name: dict[str, list[str]] = {}
    for term in terms.values():
        if term.curie.startswith("MONDO:"):
            for text, kind in term.names:
                if kind in ("label", "exact", "synonym"):
                    by_name.setdefault(_norm(text), []).append(term.curie)
    for tag, curie, label, synonyms in doid_sources:
        targets = sorted(set(by_name.get(_norm(label), [])))
        if len(targets) != 1:
            continue
        term = terms[targets[0]]
        for text, kind in [(label, "exact"), *synonyms]:
            term.names.setdefault((text, kind), f"{tag} ({curie}, label match)")
    return terms, releases


DISEASE_ROOT = "MONDO:0000001"


def _keep_diseases_only(terms: dict[str, Term]) -> None:
    """Drop MONDO terms outside "disease" (disease characteristics, injuries, susceptibilities)."""
    verdict: dict[str, bool] = {DISEASE_ROOT: True}

    def is_disease(curie: str, trail: frozenset[str] = frozenset()) -> bool:
        if curie not in verdict:
            parents = terms[curie].parents if curie in terms else set()
            verdict[curie] = any(p not in trail and is_disease(p, trail | {curie}) for p in parents)
        return verdict[curie]

    for curie in [c for c in terms if c.startswith("MONDO:")]:
        if not is_disease(curie):
            del terms[curie]


def build_module(sources: list[Source], out: Path) -> dict[str, int]:
    """Write lexicon, terms module and release record into ``out``; return counts."""
    terms, releases = merge_sources(sources)
    out.mkdir(parents=True, exist_ok=True)
    _write_replacements(sources, terms, out / "obsolete.tsv.gz")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["curie", "text", "kind", "source"])
    names = 0
    for curie in sorted(terms):
        term = terms[curie]
        for (text, kind), source in sorted(term.names.items()):
            writer.writerow([curie, text, kind, source])
            names += 1
    _write_gzip(out / "lexicon.tsv.gz", buffer.getvalue())
    graph = bind_prefixes(Graph())
    for curie in sorted(terms):
        term = terms[curie]
        iri = curie_to_iri(curie)
        graph.add((iri, RDF.type, OWL.Class))
        graph.add((iri, RDFS.label, Literal(term.label)))
        for parent in sorted(term.parents):
            if parent in terms:
                graph.add((iri, RDFS.subClassOf, curie_to_iri(parent)))
    text = "".join(sorted(graph.serialize(format="nt").splitlines(keepends=True)))
    _write_gzip(out / "terms.ttl.gz", text)
    counts = {prefix: sum(c.startswith(prefix + ":") for c in terms) for prefix in PREFIXES}
    record = {"releases": releases, "terms": counts, "names": names}
    (out / "release.json").write_text(json.dumps(record, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return {**counts, "names": names}


def _write_replacements(sources: list[Source], terms: dict[str, Term], path: Path) -> None:
    """The deprecated terms of the JSON extracts (OBO sources here are older releases,
    read with obonet, which drops obsolete terms) and their replacements; a replacement
    the module does not hold (itself deprecated, or no disease) is followed or dropped."""
    replacements: dict[str, str] = {}
    for source in sources:
        if source.kind == "json":
            for curie, replacement in read_replacements(source.path).items():
                replacements.setdefault(curie, replacement)
    rows = []
    for curie in sorted(replacements):
        if curie in terms:
            continue  # another source keeps it alive
        current = current_terms(replacements, curie)
        rows.append([curie, current if current in terms else ""])
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter="\t", lineterminator="\n")
    writer.writerow(["curie", "replaced_by"])
    writer.writerows(rows)
    _write_gzip(path, buffer.getvalue())


def _write_gzip(path: Path, text: str) -> None:
    # mtime=0 keeps the compressed bytes reproducible
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as handle:
        handle.write(text.encode("utf-8"))


@dataclass(frozen=True)
class OntologyModule:
    """The shipped module: names per term, labels and parents."""

    names: tuple[tuple[str, str, str, str], ...]  # (curie, text, kind, source)
    labels: dict[str, str]
    parents: dict[str, tuple[str, ...]]
    releases: dict[str, str]
    replacements: dict[str, str] = field(default_factory=dict)  # deprecated -> its live replacement or ""

    def current(self, curie: str) -> str | None:
        """``curie``, or the live term that replaces it, or None when it is deprecated
        with no replacement."""
        return current_terms(self.replacements, curie)

    def ancestors(self, curie: str) -> list[str]:
        """All ancestors of ``curie`` (not itself), nearest first, each once."""
        seen: list[str] = []
        frontier = list(self.parents.get(curie, ()))
        while frontier:
            nxt: list[str] = []
            for parent in frontier:
                if parent not in seen:
                    seen.append(parent)
                    nxt.extend(self.parents.get(parent, ()))
            frontier = nxt
        return seen


def load_module(directory: Path | None = None) -> OntologyModule:
    """Read ``ontology/`` (default: the shipped one)."""
    directory = directory or data_dir("ontology")
    with gzip.open(directory / "lexicon.tsv.gz", "rt", encoding="utf-8") as handle:
        reader = csv.reader(handle, delimiter="\t")
        next(reader)
        names = tuple((row[0], row[1], row[2], row[3]) for row in reader)
    labels: dict[str, str] = {}
    parents: dict[str, list[str]] = {}
    label_iri = f"<{RDFS.label}>"
    sub_iri = f"<{RDFS.subClassOf}>"
    curies: dict[str, str] = {}  # each IRI occurs many times; the converter is called once for it

    def curie_of(iri: str) -> str:
        curie = curies.get(iri)
        if curie is None:
            curie = curies[iri] = iri_to_curie(iri)
        return curie

    with gzip.open(directory / "terms.ttl.gz", "rt", encoding="utf-8") as handle:
        for line in handle:
            subject, predicate, rest = line.split(" ", 2)
            curie = curie_of(subject[1:-1])
            if predicate == label_iri:
                labels[curie] = json.loads(rest.rsplit(" .", 1)[0])
            elif predicate == sub_iri:
                parents.setdefault(curie, []).append(curie_of(rest.split(" ", 1)[0][1:-1]))
    releases = json.loads((directory / "release.json").read_text(encoding="utf-8"))["releases"]
    replacements: dict[str, str] = {}
    if (directory / "obsolete.tsv.gz").exists():  # modules derived before it have none
        with gzip.open(directory / "obsolete.tsv.gz", "rt", encoding="utf-8") as handle:
            reader = csv.reader(handle, delimiter="\t")
            next(reader)
            replacements = {row[0]: row[1] for row in reader}
    return OntologyModule(names, labels, {k: tuple(v) for k, v in parents.items()}, releases, replacements)


@lru_cache(maxsize=1)
def shipped_module() -> OntologyModule:
    """The shipped module, read once per process."""
    return load_module()
