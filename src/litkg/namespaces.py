"""Every vocabulary litkg writes, declared once.

Nobody else in the package spells a vocabulary IRI. The SPAR ontologies, PRISM and the
Web Annotation vocabulary are open ``Namespace`` objects; a test checks every term the
build emits against the official files in ``../shared/vocab/``. W3C vocabularies come
from rdflib's closed namespaces, which reject unknown terms.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, VOID, XSD


class Vocabulary(Namespace):
    """An open namespace that makes each term once: ``FABIO.Expression`` is looked up
    about a million times in a 10,000-article build, and rdflib's ``Namespace`` builds
    (and checks) a new URIRef on every access; rdflib's closed namespaces cache theirs."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term  # found by plain attribute lookup from now on
        return term


FABIO = Vocabulary("http://purl.org/spar/fabio/")
CITO = Vocabulary("http://purl.org/spar/cito/")
BIRO = Vocabulary("http://purl.org/spar/biro/")
C4O = Vocabulary("http://purl.org/spar/c4o/")
DATACITE = Vocabulary("http://purl.org/spar/datacite/")
PRO = Vocabulary("http://purl.org/spar/pro/")
DEO = Vocabulary("http://purl.org/spar/deo/")
DOCO = Vocabulary("http://purl.org/spar/doco/")
FRBR = Vocabulary("http://purl.org/vocab/frbr/core#")
PRISM = Vocabulary("http://prismstandard.org/namespaces/basic/2.0/")
OA = Vocabulary("http://www.w3.org/ns/oa#")
OBO = Vocabulary("http://purl.obolibrary.org/obo/")
SH = Vocabulary("http://www.w3.org/ns/shacl#")

PREFIXES: dict[str, Namespace] = {
    "fabio": FABIO,
    "cito": CITO,
    "biro": BIRO,
    "c4o": C4O,
    "datacite": DATACITE,
    "pro": PRO,
    "deo": DEO,
    "doco": DOCO,
    "frbr": FRBR,
    "prism": PRISM,
    "oa": OA,
    "obo": OBO,
    "dcterms": Namespace(str(DCTERMS)),
    "foaf": Namespace(str(FOAF)),
    "prov": Namespace(str(PROV)),
    "void": Namespace(str(VOID)),
    "dcat": Namespace(str(DCAT)),
    "owl": Namespace(str(OWL)),
    "rdf": Namespace(str(RDF)),
    "rdfs": Namespace(str(RDFS)),
    "xsd": Namespace(str(XSD)),
}

__all__ = [
    "BIRO",
    "C4O",
    "CITO",
    "DATACITE",
    "DCAT",
    "DCTERMS",
    "DEO",
    "DOCO",
    "FABIO",
    "FOAF",
    "FRBR",
    "OA",
    "OBO",
    "OWL",
    "PREFIXES",
    "PRISM",
    "PRO",
    "PROV",
    "RDF",
    "RDFS",
    "SH",
    "VOID",
    "XSD",
    "Vocabulary",
    "bind_prefixes",
]


def bind_prefixes(graph: Graph, base: str | None = None) -> Graph:
    """Bind the standard prefixes (and ``litkg:`` for the base, when given) on ``graph``."""
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace, override=True, replace=True)
    if base:
        graph.bind("litkg", Namespace(base), override=True, replace=True)
    return graph
