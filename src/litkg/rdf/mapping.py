"""Article records -> RDF, modelled on the OpenCitations Data Model (FaBiO, FRBR, PRISM,
DataCite, CiTO, BiRO, C4O, PRO) plus Dublin Core terms.

``article_triples`` is a pure function: one article (and the identity index that makes
cited works shared nodes) in, its set of triples out; ``article_graph`` gives the same
triples as an rdflib Graph, ``ntriples`` writes them as sorted N-Triples (what the build
publishes, without building a Graph). The README has the mapping table.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from rdflib import Graph, Literal, URIRef

from litkg.link import Mention, article_text_parts
from litkg.link.discussed import discussed_references
from litkg.link.ontology import OntologyModule, curie_to_iri
from litkg.rdf.identity import Identities, WorkIdentity, article_identity, reference_identity
from litkg.rdf.iris import Minter, doi_iri
from litkg.rdf.namespaces import (
    BIRO,
    C4O,
    CITO,
    DATACITE,
    DCTERMS,
    DEO,
    DOCO,
    FABIO,
    FOAF,
    FRBR,
    OA,
    OWL,
    PRISM,
    PRO,
    RDF,
    RDFS,
    XSD,
)
from litkg.rdf.ntriples import Triple, triples_graph
from litkg.records import Article, Figure, FigureKind, Person, Reference, Section

# Printed article-type labels and JATS @article-type values -> FaBiO classes.
# "News & Views" is an expert's commentary on research papers (mostly in the same
# issue), which is fabio:Comment ("a verbal or written remark concerning some
# entity"); fabio:JournalNewsItem is a news report, not a commentary.
ARTICLE_TYPES: dict[str, URIRef] = {
    "article": FABIO.JournalArticle,
    "research article": FABIO.JournalArticle,
    "research-article": FABIO.JournalArticle,
    "letter": FABIO.Letter,
    "correspondence": FABIO.Letter,
    "news & views": FABIO.Comment,
    "news and views": FABIO.Comment,
    "commentary": FABIO.Comment,
    "comment": FABIO.Comment,
    "editorial": FABIO.JournalEditorial,
    "review": FABIO.ReviewArticle,
    "review article": FABIO.ReviewArticle,
    "review-article": FABIO.ReviewArticle,
    "systematic review": FABIO.SystematicReview,
    "news": FABIO.JournalNewsItem,
    "news-item": FABIO.JournalNewsItem,
    "brief-report": FABIO.BriefReport,
    "brief communication": FABIO.BriefReport,
    "case-report": FABIO.CaseReport,
    "book-review": FABIO.BookReview,
    "correction": FABIO.Correction,
    "retraction": FABIO.RetractionNotice,
    "obituary": FABIO.Obituary,
    "meeting-report": FABIO.MeetingReport,
    "methods": FABIO.MethodsPaper,
    "rapid-communication": FABIO.RapidCommunication,
    "reply": FABIO.Reply,
    "addendum": FABIO.Addendum,
}


def work_class(type_label: str | None, in_journal: bool) -> URIRef:
    """FaBiO class for a printed type label; a journal article (or a plain
    fabio:Expression outside journals) when the label is unknown or absent."""
    label = (type_label or "").strip().lower()
    if label in ARTICLE_TYPES:
        return ARTICLE_TYPES[label]
    return FABIO.JournalArticle if in_journal else FABIO.Expression


# What a reference cites (records.ReferenceKind) -> FaBiO class, when no article of
# the corpus says what the work is.
REFERENCE_CLASSES: dict[str, URIRef] = {
    "journal": FABIO.JournalArticle,
    "book": FABIO.Book,
    "chapter": FABIO.BookChapter,
    "conference": FABIO.ConferencePaper,
    "data": FABIO.Dataset,
    "preprint": FABIO.Preprint,
    "web": FABIO.WebPage,
    "thesis": FABIO.Thesis,
    "patent": FABIO.Patent,
    "software": FABIO.Software,
    "report": FABIO.ReportDocument,
    "other": FABIO.Expression,
}


def cited_work_class(article_type: str | None, kind: str | None, in_journal: bool) -> URIRef:
    """FaBiO class of a cited work: from the printed type of the corpus article that is
    the work, else from what its reference says it is, else journal article or expression."""
    if article_type is None and kind is not None and not in_journal:
        return REFERENCE_CLASSES.get(kind, FABIO.Expression)
    return work_class(article_type, in_journal)


def article_class(article: Article) -> URIRef:
    """FaBiO class of an article from its type label."""
    return work_class(article.article_type, bool(article.journal))


def article_iri(article: Article, minter: Minter, index: Identities) -> URIRef:
    """The node of ``article``: the one references to it from other articles reach."""
    return minter.work(index.canonical(article_identity(article)))


def cited_work_iri(reference: Reference, minter: Minter, index: Identities) -> URIRef:
    """The node of the work ``reference`` points to, shared across citing articles."""
    return minter.work(index.canonical(reference_identity(reference)))


Triples = set[Triple]  # one article's triples, or one shared description's


def article_graph(
    article: Article,
    minter: Minter,
    index: Identities,
    mentions: Sequence[Mention] = (),
    ontology: OntologyModule | None = None,
) -> Graph:
    """The triples of :func:`article_triples` as an rdflib Graph, prefixes bound."""
    return triples_graph(article_triples(article, minter, index, mentions, ontology), minter.base)


def article_triples(
    article: Article,
    minter: Minter,
    index: Identities,
    mentions: Sequence[Mention] = (),
    ontology: OntologyModule | None = None,
    *,
    descriptions: bool = True,
    cited: Sequence[URIRef] | None = None,
) -> Triples:
    """Map one article, its references, citations and term mentions to a set of triples.

    ``ontology`` supplies labels and ancestors of the mentioned terms (required when
    there are mentions). ``descriptions=False`` leaves out the descriptions of cited works and
    terms (:func:`cited_work_triples`, :func:`term_triples`), which every article
    citing or mentioning them repeats. ``cited`` are the nodes of the works the
    references cite (:func:`cited_work_iri`, one per reference), when already known.
    """
    graph: Triples = set()
    subject = article_iri(article, minter, index)
    add = graph.add

    add((subject, RDF.type, FABIO.Expression))
    add((subject, RDF.type, article_class(article)))
    add((subject, DCTERMS.title, Literal(article.title)))
    summary = article.abstract or article.standfirst
    if summary:
        add((subject, DCTERMS.abstract, Literal(summary)))
    if article.citation:
        add((subject, DCTERMS.bibliographicCitation, Literal(article.citation)))
    if article.published:
        add((subject, PRISM.publicationDate, _date_literal(article.published)))
    if article.accepted:
        add((subject, DCTERMS.dateAccepted, Literal(article.accepted, datatype=XSD.date)))
    for keyword in article.keywords:
        add((subject, PRISM.keyword, Literal(keyword)))
    _add_work_metadata(
        graph,
        minter,
        subject,
        authors=[_respelled_person(p, index) for p in article.authors],
        year=article.year,
        journal=article.journal_abbreviation or article.journal,
        journal_title=article.journal if article.journal_abbreviation else None,
        volume=article.volume,
        issue=article.issue,
        first_page=article.first_page,
        last_page=article.last_page,
        identifiers=(("doi", article.doi), ("pmid", article.pmid), ("pmcid", article.pmcid)),
        creator_list=True,
    )
    if article.issn and (article.journal_abbreviation or article.journal):
        journal_iri = minter.journal(article.journal_abbreviation or article.journal or "")
        for issn in article.issn:
            add((journal_iri, PRISM.issn, Literal(issn)))
    for figure in article.figures:
        _add_figure(graph, minter, subject, figure)
    for section in article.sections:
        if section.path:
            _add_section_part(graph, minter, subject, section)
    _add_statement(
        graph,
        minter,
        subject,
        "acknowledgements",
        DEO.Acknowledgements,
        "Acknowledgements",
        article.acknowledgements,
    )
    if article.funding:
        _add_statement(graph, minter, subject, "funding", DOCO.Section, "Funding", "\n".join(article.funding))
    if article.publisher:
        publisher = minter.organization(article.publisher)
        add((subject, DCTERMS.publisher, publisher))
        add((publisher, RDF.type, FOAF.Organization))
        add((publisher, FOAF.name, Literal(index.organization(article.publisher))))
    _add_statement(
        graph,
        minter,
        subject,
        "competing-interests",
        DOCO.Section,
        "Competing interests",
        article.competing_interests,
    )
    discussed = set(discussed_references(article))
    if cited is None:
        cited = [cited_work_iri(reference, minter, index) for reference in article.references]
    for reference, work in zip(article.references, cited, strict=True):
        _add_reference(graph, minter, subject, reference, work, reference.number in discussed)
        if descriptions:
            graph |= cited_work_triples(reference, minter, index)
    if mentions:
        if ontology is None:
            raise ValueError("article_graph needs the ontology module to describe mentioned terms")
        _add_mentions(graph, minter, subject, article, mentions)
        if descriptions:
            for curie in {mention.curie for mention in mentions}:
                graph |= term_triples(curie, ontology)
    return graph


_PART_CLASSES = {"title": DOCO.Title, "abstract": DOCO.Abstract}


def _add_mentions(
    graph: Triples,
    minter: Minter,
    subject: URIRef,
    article: Article,
    mentions: Sequence[Mention],
) -> None:
    """Each mention as a W3C Web Annotation; one dcterms:subject per distinct term."""
    add = graph.add
    texts = dict(article_text_parts(article))
    described_parts: set[str] = set()
    terms: set[str] = set()
    for number, mention in enumerate(mentions, start=1):
        source = minter.text_part(subject, mention.part)
        if mention.part not in described_parts:
            described_parts.add(mention.part)
            cls = _PART_CLASSES.get(mention.part)
            if cls is None and mention.part.startswith(("section/", "appendix/", "sub-article/")):
                cls = DOCO.SectionTitle if mention.part.endswith("/title") else DOCO.Paragraph
            if cls is not None:  # captions are already described with the figure
                add((subject, FRBR.part, source))
                add((source, RDF.type, cls))
                add((source, C4O.hasContent, Literal(texts[mention.part])))
        annotation = minter.part(subject, "annotation", number)
        target = minter.part(annotation, "target")
        quote = minter.part(annotation, "quote")
        position = minter.part(annotation, "position")
        term = curie_to_iri(mention.curie)
        terms.add(mention.curie)
        add((annotation, RDF.type, OA.Annotation))
        add((annotation, OA.motivatedBy, OA.identifying))
        add((annotation, OA.hasBody, term))
        add((annotation, OA.hasTarget, target))
        add((target, RDF.type, OA.SpecificResource))
        add((target, OA.hasSource, source))
        add((target, OA.hasSelector, quote))
        add((target, OA.hasSelector, position))
        add((quote, RDF.type, OA.TextQuoteSelector))
        add((quote, OA.exact, Literal(mention.exact)))
        if mention.prefix:
            add((quote, OA.prefix, Literal(mention.prefix)))
        if mention.suffix:
            add((quote, OA.suffix, Literal(mention.suffix)))
        add((position, RDF.type, OA.TextPositionSelector))
        add((position, OA.start, Literal(mention.start, datatype=XSD.nonNegativeInteger)))
        add((position, OA.end, Literal(mention.end, datatype=XSD.nonNegativeInteger)))
    for curie in sorted(terms):
        add((subject, DCTERMS.subject, curie_to_iri(curie)))


def _date_literal(value: str) -> Literal:
    if len(value) == 4:
        return Literal(value, datatype=XSD.gYear)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.date)


def _add_work_metadata(
    graph: Triples,
    minter: Minter,
    subject: URIRef,
    *,
    authors: Sequence[Person],
    year: int | None,
    journal: str | None,
    journal_title: str | None,
    volume: str | None,
    issue: str | None,
    first_page: str | None,
    last_page: str | None,
    identifiers: Iterable[tuple[str, str | None]],
    creator_list: bool,
) -> None:
    """Authors, year, journal chain, pages and identifiers shared by articles and cited works.

    Author order is carried by the role IRIs ({work}/author/{n}, OCDM's pro:RoleInTime)
    and, for an article described by its own source (``creator_list``), also by an
    rdf:List (datacite:hasCreatorList) whose cells are minted IRIs, not blank nodes, so
    output stays deterministic. Cited works get no list: two citing articles may list
    their authors differently ("et al."), and merged lists would be malformed.
    """
    add = graph.add
    if authors:
        people = [_add_person(graph, minter, person) for person in authors]
        for position, (person, person_iri) in enumerate(zip(authors, people, strict=True), start=1):
            add((subject, DCTERMS.creator, person_iri))
            role = minter.part(subject, "author", position)
            add((role, RDF.type, PRO.RoleInTime))
            add((role, PRO.withRole, PRO.author))
            add((role, PRO.isHeldBy, person_iri))
            add((role, PRO.relatesToDocument, subject))
            add((subject, PRO.isDocumentContextFor, role))
            for affiliation in person.affiliations:
                organization = minter.organization(affiliation)
                add((role, PRO.relatesToOrganization, organization))
                add((organization, RDF.type, FOAF.Organization))
                add((organization, FOAF.name, Literal(affiliation)))
        if creator_list:
            cells = [minter.part(subject, "authors", i) for i in range(1, len(people) + 1)]
            add((subject, DATACITE.hasCreatorList, cells[0]))
            for cell, rest, person_iri in zip(cells, [*cells[1:], RDF.nil], people, strict=True):
                add((cell, RDF.first, person_iri))
                add((cell, RDF.rest, rest))
    if year is not None:
        add((subject, FABIO.hasPublicationYear, Literal(f"{year:04d}", datatype=XSD.gYear)))
    if journal:
        container = _add_journal_chain(graph, minter, journal, journal_title, volume, issue)
        add((subject, FRBR.partOf, container))
    if first_page:
        add((subject, PRISM.startingPage, Literal(first_page)))
    if last_page:
        add((subject, PRISM.endingPage, Literal(last_page)))
    for scheme, value in identifiers:
        if value:
            _add_identifier(graph, minter, subject, scheme, value)


def _respelled_person(person: Person, index: Identities) -> Person:
    """The corpus's one spelling of a person (their names; each affiliation), or of a
    group author's name: every node an IRI names gets one name however sources spell it."""
    if person.group:
        return replace(person, family=index.organization(person.family))
    chosen = index.person(person)
    if not chosen.affiliations:
        return chosen
    return replace(chosen, affiliations=tuple(index.organization(a) for a in chosen.affiliations))


def _add_person(graph: Triples, minter: Minter, person: Person) -> URIRef:
    """A person (foaf:Person with its names and ORCID), or a group author as a
    foaf:Organization with its name."""
    if person.group:
        iri = minter.organization(person.family)
        graph.add((iri, RDF.type, FOAF.Organization))
        graph.add((iri, FOAF.name, Literal(person.family)))
        return iri
    iri = minter.person(person)
    graph.add((iri, RDF.type, FOAF.Person))
    graph.add((iri, FOAF.familyName, Literal(person.family)))
    given = person.given or person.initials
    if given:
        graph.add((iri, FOAF.givenName, Literal(given)))
    graph.add((iri, FOAF.name, Literal(person.display_name)))
    if person.orcid:
        _add_identifier(graph, minter, iri, "orcid", person.orcid)
    return iri


def _add_journal_chain(
    graph: Triples,
    minter: Minter,
    journal: str,
    journal_title: str | None,
    volume: str | None,
    issue: str | None,
) -> URIRef:
    """Journal -> volume -> issue nodes; returns the innermost one."""
    add = graph.add
    journal_iri = minter.journal(journal)
    add((journal_iri, RDF.type, FABIO.Journal))
    add((journal_iri, FABIO.hasShortTitle, Literal(journal)))
    if journal_title:
        add((journal_iri, DCTERMS.title, Literal(journal_title)))
    container = journal_iri
    if volume:
        volume_iri = minter.volume(journal, volume)
        add((volume_iri, RDF.type, FABIO.JournalVolume))
        add((volume_iri, FABIO.hasSequenceIdentifier, Literal(volume)))
        add((volume_iri, FRBR.partOf, journal_iri))
        container = volume_iri
        if issue:
            issue_iri = minter.issue(journal, volume, issue)
            add((issue_iri, RDF.type, FABIO.JournalIssue))
            add((issue_iri, FABIO.hasSequenceIdentifier, Literal(issue)))
            add((issue_iri, FRBR.partOf, volume_iri))
            container = issue_iri
    return container


_SCHEMES = {
    "doi": (DATACITE.doi, PRISM.doi),
    "pmid": (DATACITE.pmid, FABIO.hasPubMedId),
    "pmcid": (DATACITE.pmcid, FABIO.hasPubMedCentralId),
    "orcid": (DATACITE.orcid, None),
}


def _add_identifier(graph: Triples, minter: Minter, subject: URIRef, scheme: str, value: str) -> None:
    """A datacite:Identifier node (OCDM style) plus the flat property for easy querying."""
    scheme_iri, flat = _SCHEMES[scheme]
    node = minter.part(subject, "id", scheme)
    graph.add((subject, DATACITE.hasIdentifier, node))
    graph.add((node, RDF.type, DATACITE.Identifier))
    graph.add((node, DATACITE.usesIdentifierScheme, scheme_iri))
    graph.add((node, RDF.value, Literal(value)))
    if flat is not None:
        graph.add((subject, flat, Literal(value)))
    if scheme == "doi":
        graph.add((subject, OWL.sameAs, doi_iri(value)))


FIGURE_CLASSES: dict[FigureKind, URIRef] = {
    "figure": FABIO.Figure,
    "table": FABIO.Table,
    "video": FABIO.MovingImage,
    "supplement": FABIO.SupplementaryInformationFile,
    "box": DOCO.TextBox,
}

# JATS sub-article types -> FaBiO classes: an author response is a reply; a decision
# letter or a referee's report, a comment on the article.
SUB_ARTICLE_CLASSES: dict[str, URIRef] = {
    "reply": FABIO.Reply,
    "author-comment": FABIO.Reply,
    "article-commentary": FABIO.Comment,
    "decision-letter": FABIO.Comment,
    "editor-report": FABIO.Comment,
    "referee-report": FABIO.Comment,
}


def _add_section_part(graph: Triples, minter: Minter, article: URIRef, section: Section) -> None:
    """An appendix (doco:Appendix) or a sub-article (a fabio:Expression of its own: a
    decision letter, an author response, with its DOI) as a part of the article."""
    node = minter.part_path(article, section.path)
    graph.add((article, FRBR.part, node))
    if section.kind == "appendix":
        graph.add((node, RDF.type, DOCO.Appendix))
    else:
        graph.add((node, RDF.type, FABIO.Expression))
        graph.add((node, RDF.type, SUB_ARTICLE_CLASSES.get(section.article_type or "", FABIO.Expression)))
        if section.doi:
            _add_identifier(graph, minter, node, "doi", section.doi)
    if section.title:
        graph.add((node, DCTERMS.title, Literal(section.title)))


def _add_figure(graph: Triples, minter: Minter, article: URIRef, figure: Figure) -> None:
    """A figure, table, video or supplementary file as a part of the article (or of the
    figure it belongs to: a figure supplement, a figure's source data), with its label,
    number, caption (when it has one) and credit."""
    add = graph.add
    node = minter.part_path(article, figure.part)
    parent = figure.parent
    add((minter.part_path(article, parent) if parent else article, FRBR.part, node))
    add((node, RDF.type, FIGURE_CLASSES[figure.kind]))
    add((node, RDFS.label, Literal(figure.label)))
    add((node, FABIO.hasSequenceIdentifier, Literal(figure.number)))
    if figure.caption:
        caption = minter.part(node, "caption")
        add((node, FRBR.part, caption))
        add((caption, RDF.type, DEO.Caption))
        add((caption, C4O.hasContent, Literal(figure.caption)))
    if figure.credit:
        agent = minter.agent(figure.credit)
        add((agent, RDF.type, FOAF.Agent))
        add((agent, FOAF.name, Literal(figure.credit)))
        add((node, DCTERMS.creator, agent))


def _add_statement(
    graph: Triples, minter: Minter, article: URIRef, slug: str, cls: URIRef, title: str, text: str | None
) -> None:
    if not text:
        return
    node = minter.part(article, slug)
    graph.add((article, FRBR.part, node))
    graph.add((node, RDF.type, cls))
    graph.add((node, DCTERMS.title, Literal(title)))
    graph.add((node, C4O.hasContent, Literal(text)))


def _add_reference(
    graph: Triples,
    minter: Minter,
    article: URIRef,
    reference: Reference,
    cited: URIRef,
    discussed: bool,
) -> None:
    """The reference entry and the citation of the work node ``cited`` (described by
    :func:`cited_work_triples`)."""
    add = graph.add
    number = reference.number
    entry = minter.part(article, "reference", number)
    add((article, FRBR.part, entry))
    add((entry, RDF.type, BIRO.BibliographicReference))
    add((entry, C4O.hasContent, Literal(reference.raw)))
    if number is not None:
        add((entry, FABIO.hasSequenceIdentifier, Literal(str(number))))
    if reference.note:
        add((entry, DCTERMS.description, Literal(reference.note)))
    add((entry, BIRO.references, cited))
    add((article, CITO.cites, cited))
    citation = minter.part(article, "citation", number)
    add((citation, RDF.type, CITO.Citation))
    add((citation, CITO.hasCitingEntity, article))
    add((citation, CITO.hasCitedEntity, cited))
    add((citation, CITO.hasCitationCharacterization, CITO.cites))
    if discussed:
        add((article, CITO.discusses, cited))
        add((citation, CITO.hasCitationCharacterization, CITO.discusses))


# The parts of a work that its description as a cited work has (its author roles, its
# identifiers, its citation count): of an article's own graph, only the lines about the
# article itself and these parts may also be lines of the descriptions graph.
DESCRIPTION_PARTS = ("author", "id", "citation-count")


def cited_work_triples(
    reference: Reference, minter: Minter, index: Identities, identity: WorkIdentity | None = None
) -> Triples:
    """The description of the work ``reference`` points to, from its canonical
    description: every citing article's graph states the same triples about it.
    ``identity``: the reference's :func:`reference_identity`, when already known."""
    graph: Triples = set()
    add = graph.add
    identity = identity or reference_identity(reference)
    cited = minter.work(index.canonical(identity))
    work = index.describe(identity, reference)
    add((cited, RDF.type, FABIO.Expression))
    add((cited, RDF.type, cited_work_class(index.article_type(identity), work.kind, bool(work.journal))))
    if work.title:
        add((cited, DCTERMS.title, Literal(work.title)))
    _add_work_metadata(
        graph,
        minter,
        cited,
        authors=[_respelled_person(p, index) for p in work.authors],
        year=work.year,
        journal=work.journal,
        journal_title=None,
        volume=work.volume,
        issue=work.issue,
        first_page=work.first_page,
        last_page=work.last_page,
        identifiers=(("doi", work.doi), ("pmid", work.pmid), ("pmcid", work.pmcid)),
        creator_list=False,
    )
    return graph


def term_triples(curie: str, ontology: OntologyModule) -> Triples:
    """An ontology term and its ancestors, each with its label and rdfs:subClassOf parents."""
    graph: Triples = set()
    add = graph.add
    for described in [curie, *ontology.ancestors(curie)]:
        iri = curie_to_iri(described)
        add((iri, RDF.type, OWL.Class))
        label = ontology.labels.get(described)
        if label:
            add((iri, RDFS.label, Literal(label)))
        for parent in ontology.parents.get(described, ()):
            add((iri, RDFS.subClassOf, curie_to_iri(parent)))
    return graph
