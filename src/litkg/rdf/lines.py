"""The N-Triples lines the build publishes for an article, with the shared descriptions
(cited works, ontology terms) made once per process and kept in a bounded memo.

An article's graph is its own triples (the article and the nodes minted under its IRI)
plus the descriptions of the other nodes it points to; those repeat exactly in every
citing or mentioning article, so :class:`SharedLines` remembers their lines.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

from rdflib import URIRef

from litkg.link import Mention
from litkg.link.ontology import OntologyModule
from litkg.rdf.identity import Identities, reference_identity
from litkg.rdf.iris import Minter
from litkg.rdf.mapping import Triples, article_iri, article_triples, cited_work_triples, term_triples
from litkg.rdf.namespaces import C4O, FABIO, RDF, XSD
from litkg.rdf.ntriples import joined_lines, n3, nt_line
from litkg.records import Article, Reference


def citation_count_lines(counts: Mapping[str, int], minter: Minter) -> list[str]:
    """N-Triples lines (without newlines) of the corpus citation count of each cited
    work, in C4O: ``work c4o:hasGlobalCitationFrequency [a c4o:GlobalCitationCount;
    c4o:hasGlobalCountValue n; c4o:hasGlobalCountSource dataset]``, the count node
    minted as ``{work}/citation-count``. ``counts``: the number of published articles
    citing each work (by IRI). The dataset is the count's source (typed
    c4o:BibliographicInformationSource); its build date is in the dataset description.
    Written as text: a work IRI is minted, and a count is a whole number."""
    source = n3(minter.dataset())
    frequency, value, of_source = (
        n3(C4O.hasGlobalCitationFrequency),
        n3(C4O.hasGlobalCountValue),
        n3(C4O.hasGlobalCountSource),
    )
    a, count_class = n3(RDF.type), n3(C4O.GlobalCitationCount)
    datatype = n3(XSD.nonNegativeInteger)
    lines = [f"{source} {a} {n3(C4O.BibliographicInformationSource)} ."]
    for iri, number in counts.items():
        if number < 0:
            raise ValueError(f"a citation count cannot be negative: {iri} {number}")
        node = URIRef(iri)
        work, count = node.n3(), minter.part(node, "citation-count").n3()
        lines.append(f"{work} {frequency} {count} .")
        lines.append(f"{count} {a} {count_class} .")
        lines.append(f'{count} {value} "{number}"^^{datatype} .')
        lines.append(f"{count} {of_source} {source} .")
    return sorted(lines)


def work_type_lines(iris: Iterable[str]) -> list[str]:
    """``<work> rdf:type fabio:Expression`` lines: what the citation counts rely on
    from the works' descriptions, when they are validated on their own."""
    return [nt_line((URIRef(iri), RDF.type, FABIO.Expression))[:-1] for iri in iris]


class SharedLines:
    """The N-Triples lines of shared descriptions (cited works, ontology terms), made
    once per process: each citing or mentioning article repeats them exactly, and most
    of an article's triples are such descriptions. Bounded: the least recently used
    descriptions are forgotten beyond ``size``, and each is kept zlib-compressed (about
    0.7 KB instead of 2.5 KB), so memory stays flat and small."""

    def __init__(
        self,
        minter: Minter,
        index: Identities,
        ontology: OntologyModule | None,
        size: int = 65_536,
        memo: OrderedDict[tuple[str, str], bytes] | None = None,
    ) -> None:
        self._minter = minter
        self._index = index
        self._ontology = ontology
        self._size = size
        # ``memo``: the remembered lines of another SharedLines of the same corpus and
        # base (on a cluster, a worker's earlier chunks, each with its own identity view):
        # a description depends only on the corpus's identity, not on who asks
        self._lines: OrderedDict[tuple[str, str], bytes] = OrderedDict() if memo is None else memo

    @property
    def memo(self) -> OrderedDict[tuple[str, str], bytes]:
        """The remembered lines, to hand to the next SharedLines of the same corpus."""
        return self._lines

    @property
    def ontology(self) -> OntologyModule | None:
        return self._ontology

    def _remembered(self, key: tuple[str, str], make: Callable[[], Triples]) -> list[str]:
        packed = self._lines.get(key)
        if packed is None:
            text = "".join(nt_line(triple) for triple in make())
            self._lines[key] = zlib.compress(text.encode(), 1)
            if len(self._lines) > self._size:
                self._lines.popitem(last=False)
        else:
            text = zlib.decompress(packed).decode()
            self._lines.move_to_end(key)
        return text[:-1].split("\n") if text else []

    def cited_work(self, reference: Reference) -> tuple[URIRef, list[str]]:
        """The node of the work ``reference`` cites, and the lines (without their
        newlines) describing it."""
        identity = reference_identity(reference)
        iri = self._minter.work(self._index.canonical(identity))
        lines = self._remembered(
            ("work", iri), lambda: cited_work_triples(reference, self._minter, self._index, identity)
        )
        return iri, lines

    def term(self, curie: str) -> list[str]:
        """The lines (without their newlines) describing ``curie`` and its ancestors."""
        assert self._ontology is not None
        ontology = self._ontology
        return self._remembered(("term", curie), lambda: term_triples(curie, ontology))


def article_lines(
    article: Article,
    minter: Minter,
    index: Identities,
    mentions: Sequence[Mention],
    shared: SharedLines,
) -> tuple[set[str], dict[tuple[str, str], list[str]]]:
    """The N-Triples lines (without newlines) of the article's own triples -- about the
    article and its parts, the nodes minted under its IRI -- and of each description of
    another node its graph includes, by the description's key: ("work", IRI) for a cited
    work, ("term", CURIE) for an ontology term, ("about", article IRI) for the people,
    journal, organizations and agents the article names. The lines of
    :func:`article_ntriples`, in two parts."""
    cited = []
    described: dict[tuple[str, str], list[str]] = {}
    for reference in article.references:
        work, description = shared.cited_work(reference)
        cited.append(work)
        described[("work", str(work))] = description
    node = article_iri(article, minter, index)
    triples = article_triples(
        article, minter, index, mentions, shared.ontology, descriptions=False, cited=cited
    )
    # the article's node and its parts, by the start of the line (plain str tests:
    # rdflib's term comparisons are Python code, and this runs for every triple)
    itself, parts = f"<{node}> ", f"<{node}/"
    own, others = set(), []
    for triple in triples:
        line = nt_line(triple)[:-1]
        if line.startswith(itself) or line.startswith(parts):
            own.add(line)
        else:
            others.append(line)
    if others:
        described[("about", str(node))] = sorted(others)
    for curie in sorted({mention.curie for mention in mentions}):
        described[("term", curie)] = shared.term(curie)
    return own, described


def article_ntriples(
    article: Article,
    minter: Minter,
    index: Identities,
    mentions: Sequence[Mention],
    shared: SharedLines,
) -> str:
    """``ntriples(article_triples(...))``, with the shared descriptions from ``shared``."""
    own, described = article_lines(article, minter, index, mentions, shared)
    return joined_lines(own.union(*described.values()))
