"""Every vocabulary litkg writes, declared once.

Nobody else in the package spells a vocabulary IRI. The SPAR ontologies, FRBR core and
the Web Annotation vocabulary are closed: each knows the terms its official file defines
(``_vocabulary.py``, derived from ``../shared/vocab/`` by ``scripts/derive_vocabulary.py``),
so a misspelt term fails where it is first used, at import for the tables built at
import time; a test also checks every term the build emits against the official files.
W3C vocabularies come from rdflib's closed namespaces. PRISM (no official file here),
OBO (ontology IRIs) and SHACL stay open.
"""

from __future__ import annotations

from typing import cast

from rdflib import Graph, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, PROV, RDF, RDFS, VOID, XSD

from litkg.rdf._vocabulary import TERMS


class Vocabulary(Namespace):
    """An open namespace that makes each term once: ``FABIO.Expression`` is looked up
    about a million times in a 10,000-article build, and rdflib's ``Namespace`` builds
    (and checks) a new URIRef on every access; rdflib's closed namespaces cache theirs."""

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term  # found by plain attribute lookup from now on
        return term


class ClosedVocabulary(Vocabulary):
    """A vocabulary of known terms: any other name raises AttributeError (KeyError for
    ``VOCAB["name"]``). rdflib's ``DefinedNamespace`` does the same from class
    annotations, but builds and checks a new URIRef on every access (see Vocabulary)."""

    _terms: frozenset[str]

    def __new__(cls, value: str, terms: frozenset[str] = frozenset()) -> ClosedVocabulary:
        vocabulary = cast(ClosedVocabulary, super().__new__(cls, value))
        vocabulary._terms = terms
        return vocabulary

    def __reduce__(self) -> tuple[type[ClosedVocabulary], tuple[str, frozenset[str]]]:
        return ClosedVocabulary, (str(self), self._terms)

    def term(self, name: str) -> URIRef:
        if name not in self._terms:
            raise KeyError(f"{name!r} is not a term of <{self}>")
        return super().term(name)

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("_"):
            raise AttributeError(name)
        try:
            return super().__getattr__(name)
        except KeyError as exc:
            raise AttributeError(str(exc)) from None


def _closed(name: str) -> ClosedVocabulary:
    namespace, terms = TERMS[name]
    return ClosedVocabulary(namespace, terms)


FABIO = _closed("FABIO")
CITO = _closed("CITO")
BIRO = _closed("BIRO")
C4O = _closed("C4O")
DATACITE = _closed("DATACITE")
PRO = _closed("PRO")
DEO = _closed("DEO")
DOCO = _closed("DOCO")
FRBR = _closed("FRBR")
PRISM = Vocabulary("http://prismstandard.org/namespaces/basic/2.0/")
OA = _closed("OA")
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
