"""JATS / NLM XML (PubMed Central, publishers) -> :class:`Article`, with lxml.

Parsing is safe: no DTD is loaded, no entity is resolved and nothing is fetched over
the network, so an XML external entity (XXE) can neither read files nor call out.
Front matter, body sections, figures and tables, back matter (acknowledgements,
competing interests, funding) and every reference (``element-citation``,
``mixed-citation`` and the older ``citation``) are read into the same records as
page text.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import replace

from lxml import etree

from litkg.errors import ParseError
from litkg.parse.names import normalise_initials
from litkg.parse.references import normalise_doi, split_pages
from litkg.parse.repair import find_doi
from litkg.records import Article, Figure, FigureKind, Person, Reference, ReferenceKind, Section

_PARSER_OPTIONS = {
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
}
_SKIP_IN_TEXT = {"fig", "table-wrap", "disp-formula-group", "supplementary-material"}
_CITATIONS = ("element-citation", "mixed-citation", "citation", "nlm-citation")
_COMPETING = {"conflict", "coi-statement", "competing-interests", "conflict-of-interest"}


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def text_of(element: etree._Element | None, skip: set[str] = _SKIP_IN_TEXT) -> str:
    """All text inside ``element`` (minus figures/tables), whitespace normalised."""
    if element is None:
        return ""
    pieces: list[str] = []

    def walk(node: etree._Element) -> None:
        if node.text:
            pieces.append(node.text)
        for child in node:
            if _local(child.tag) not in skip:
                walk(child)
            if child.tail:
                pieces.append(child.tail)

    walk(element)
    return " ".join("".join(pieces).split())


def _line(element: etree._Element) -> int | None:
    """The input line ``element`` starts on, when the parser knows it."""
    line = element.sourceline
    return line if isinstance(line, int) else None


def _all(element: etree._Element, path: str) -> list[etree._Element]:
    """The elements ``path`` selects under ``element``, in document order."""
    found = element.xpath(path)
    return [e for e in found if isinstance(e, etree._Element)] if isinstance(found, list) else []


def _first(element: etree._Element, path: str) -> etree._Element | None:
    found = _all(element, path)
    return found[0] if found else None


def _text(element: etree._Element, path: str) -> str | None:
    found = _first(element, path)
    value = text_of(found) if found is not None else ""
    return value or None


def parse_jats(text: str, source: str) -> Article:
    """Parse one JATS/NLM article. Raises :class:`ParseError` for malformed or non-JATS XML."""
    references: list[Reference] = []
    # Read as a stream: each reference is turned into its record as soon as its element
    # ends and then emptied, so an article with 10,000 references never holds their
    # trees at once (the rest of the article is read from the tree afterwards).
    events = etree.iterparse(io.BytesIO(text.encode("utf-8")), events=("end",), **_PARSER_OPTIONS)
    try:
        for _, element in events:
            if _local(element.tag) == "ref" and _in_reference_list(element):
                _strip_namespaces(element)
                references.extend(_ref_records(element, len(references)))
                element.clear(keep_tail=True)
        root = events.root
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ParseError(source, f"malformed XML: {exc.msg}", line) from None
    if root is None:
        raise ParseError(source, "malformed XML: no element")
    if _local(root.tag) != "article":
        raise ParseError(source, f"not a JATS article: the root element is <{_local(root.tag)}>", _line(root))
    _strip_namespaces(root)
    meta = _first(root, "front/article-meta")
    if meta is None:
        raise ParseError(source, "JATS article without <front>/<article-meta>", _line(root))
    title = _text(meta, "title-group/article-title")
    if not title:
        raise ParseError(source, "JATS article without an <article-title>", _line(meta))
    journal_meta = _first(root, "front/journal-meta")
    ids = {el.get("pub-id-type"): " ".join((el.text or "").split()) for el in _all(meta, "article-id")}
    published, year = _publication_date(meta)
    abstract = _abstract(meta)
    fpage = _page(_text(meta, "fpage") or _text(meta, "elocation-id"))
    lpage = _page(_text(meta, "lpage"))
    return Article(
        source=source,
        title=title,
        authors=tuple(_authors(meta, root)),
        journal=_text(journal_meta, ".//journal-title") if journal_meta is not None else None,
        journal_abbreviation=_journal_abbreviation(journal_meta),
        issn=tuple(sorted({" ".join((e.text or "").split()) for e in _all(journal_meta, "issn") if e.text}))
        if journal_meta is not None
        else (),
        publisher=_text(journal_meta, "publisher/publisher-name") if journal_meta is not None else None,
        volume=_text(meta, "volume"),
        issue=_text(meta, "issue"),
        first_page=fpage,
        last_page=lpage if lpage and lpage != fpage else None,
        year=year,
        published=published,
        accepted=_accepted(meta),
        doi=normalise_doi(ids["doi"]) if ids.get("doi") else None,
        pmid=ids.get("pmid") or None,
        pmcid=_pmcid(ids.get("pmc") or ids.get("pmcid")),
        article_type=root.get("article-type"),
        abstract=abstract,
        keywords=tuple(text_of(k) for k in _all(meta, ".//kwd-group/kwd") if text_of(k)),
        sections=(*_sections(_first(root, "body")), *_appendices(root), *_sub_articles(root)),
        figures=tuple(_figures(root)),
        references=tuple(references),
        acknowledgements="\n\n".join(text_of(a) for a in _all(root, "back/ack | body//ack") if text_of(a))
        or None,
        competing_interests=_competing_interests(root),
        funding=tuple(_funding(root)),
        citation=None,
    )


def _page(value: str | None) -> str | None:
    """A page as printed, without stray punctuation around it ("E21." -> "E21")."""
    if value is None:
        return None
    return value.strip(" .,;:") or None


def _strip_namespaces(root: etree._Element) -> None:
    """Drop element namespaces (some publishers put JATS in one) so paths stay simple."""
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.startswith("{"):
            element.tag = etree.QName(element).localname
    etree.cleanup_namespaces(root)


def _journal_abbreviation(journal_meta: etree._Element | None) -> str | None:
    """The journal's short name: the NLM title abbreviation, else the printed
    abbreviation, the ISO abbreviation, and last any ``journal-id`` (a file that names
    its journal only by ids still gets one)."""
    if journal_meta is None:
        return None
    for path in (
        "journal-id[@journal-id-type='nlm-ta']",
        ".//abbrev-journal-title",
        "journal-id[@journal-id-type='iso-abbrev']",
        "journal-id[@journal-id-type='publisher-id']",
        "journal-id",
    ):
        value = _text(journal_meta, path)
        if value:
            return value
    return None


def _pmcid(value: str | None) -> str | None:
    if not value:
        return None
    return value if value.upper().startswith("PMC") else f"PMC{value}"


def _publication_date(meta: etree._Element) -> tuple[str | None, int | None]:
    """The most precise date among the ``pub-date``s of any type (epub, ppub, pub,
    collection; a season counts as the year), as ISO text, and its year; (None, None)
    when none is printed, as for an accepted manuscript."""
    best: tuple[int, str, int] | None = None
    for date in _all(meta, "pub-date"):
        candidate = _iso_date(date)
        if candidate is not None and (best is None or len(candidate[0]) > len(best[1])):
            best = (len(candidate[0]), *candidate)
    return (best[1], best[2]) if best else (None, None)


def _number(text: str | None) -> int | None:
    """An ASCII number ("2014", "04"); None for anything else ("Spring", "²⁰¹⁴")."""
    return int(text) if text and text.isascii() and text.isdigit() else None


def _iso_date(date: etree._Element) -> tuple[str, int] | None:
    """A JATS date element as ISO text ("2015", "2015-04", "2015-04-01") and its year."""
    year = _number(_text(date, "year"))
    if year is None:
        return None
    month, day = _number(_text(date, "month")), _number(_text(date, "day"))
    parts = [f"{year:04d}"]
    if month is not None and 1 <= month <= 12:
        parts.append(f"{month:02d}")
        if day is not None and 1 <= day <= 31:
            parts.append(f"{day:02d}")
    return "-".join(parts), year


def _accepted(meta: etree._Element) -> str | None:
    """The day the article was accepted (``history/date[@date-type='accepted']``), when
    printed in full."""
    date = _first(meta, "history/date[@date-type='accepted']")
    found = _iso_date(date) if date is not None else None
    return found[0] if found and len(found[0]) == 10 else None


def initials_of(given: str) -> str:
    """ "Olga V" -> "O. V."; "Simon WM" -> "S. W. M."; "Jean-Pierre" -> "J.-P."."""
    letters: list[str] = []
    for word in given.replace(".", " ").split():
        if word.isupper() and len(word) <= 3:
            letters.extend(word)
        else:
            parts = word.split("-")
            letters.append("-".join(p[0] for p in parts if p))
    return normalise_initials(" ".join(f"{'.-'.join(x.split('-'))}." for x in letters))


def _person(name: etree._Element) -> Person:
    family = _text(name, "surname") or text_of(name)
    given = _text(name, "given-names")
    return Person(
        family=family,
        initials=initials_of(given) if given else "",
        given=given,
        as_printed=", ".join(p for p in (family, given) if p),
    )


def _authors(meta: etree._Element, root: etree._Element) -> Iterable[Person]:
    """The article's authors in order: people (``name``, ``string-name``, the first name
    of ``name-alternatives``) and group authors (``collab``, "on behalf of" groups).
    Notes on a contributor (equal contribution, deceased) are not names and are left out."""
    affiliations = {aff.get("id"): _affiliation_text(aff) for aff in _all(root, "//aff") if aff.get("id")}
    path = "contrib-group/contrib[@contrib-type='author' or not(@contrib-type)] | contrib-group//on-behalf-of"
    for contrib in _all(meta, path):
        if _local(contrib.tag) == "on-behalf-of":
            group = _group_name(contrib)
            if group:
                yield Person(family=group, as_printed=text_of(contrib), group=True)
            continue
        affs = tuple(
            affiliations[r]
            for x in _all(contrib, "xref[@ref-type='aff']")
            for r in (x.get("rid") or "").split()
            if r in affiliations
        )
        affs += tuple(_affiliation_text(a) for a in _all(contrib, "aff"))
        name = _first(contrib, "name | string-name | name-alternatives/name | name-alternatives/string-name")
        if name is None:
            collab = _first(contrib, "collab")
            group = _group_name(collab) if collab is not None else ""
            if group:
                yield Person(family=group, as_printed=group, affiliations=affs, group=True)
            continue
        person = _person(name)
        if not person.family:
            continue
        corresponding = contrib.get("corresp") == "yes" or bool(_all(contrib, "xref[@ref-type='corresp']"))
        yield replace(person, orcid=_orcid(contrib), affiliations=affs, corresponding=corresponding)


_ORCID = re.compile(r"([0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X])")
_ON_BEHALF = re.compile(r"^\s*(?:for|on behalf of)\s+(?:the\s+)?", re.IGNORECASE)


def _orcid(contrib: etree._Element) -> str | None:
    """A contributor's ORCID, in any of the forms publishers print ("https://orcid.org/…",
    "http://orcid.org/…", the bare id; typed or authenticated ``contrib-id``)."""
    for element in _all(contrib, "contrib-id | uri | ext-link"):
        kind = (element.get("contrib-id-type") or "").lower()
        value = " ".join((element.text or element.get(_XLINK_HREF) or "").split())
        if kind in ("orcid", "") and (kind == "orcid" or "orcid.org" in value):
            found = _ORCID.search(value)
            if found:
                return found.group(1)
    return None


def _group_name(collab: etree._Element) -> str:
    """A group author's name, without the members a ``collab`` may list inside it and
    without "on behalf of": "on behalf of the ALS Study Group" -> "ALS Study Group"."""
    name = text_of(collab, _SKIP_IN_TEXT | {"contrib-group", "xref", "fn", "address", "email"})
    return _ON_BEHALF.sub("", name).strip(" ,;.")


# A group name that is really a Vancouver list of people ("Knudson AG Jr",
# "Godbout R, Bisgrove DA, Shkolny D"), as some files put in <collab>.
_VANCOUVER_NAME = re.compile(
    r"^(?P<family>[A-Z][\w'’-]+(?: [a-z]{1,3} [A-Z][\w'’-]+)?) ?(?P<initials>[A-Z]{1,3})"
    r"(?: (?:Jr|Sr|2nd|3rd|[IV]+))?$"
)


def _collab_people(name: str) -> list[Person] | None:
    """People, when every comma-separated piece of ``name`` is a "Family AB" name."""
    pieces = [p.strip() for p in name.split(",") if p.strip()]
    pieces = [p for p in pieces if not re.fullmatch(r"(?:Jr|Sr|2nd|3rd|[IV]+)\.?", p)]
    found = [_VANCOUVER_NAME.match(p) for p in pieces]
    if not pieces or not all(found):
        return None
    return [
        Person(family=m.group("family"), initials=initials_of(m.group("initials")), as_printed=p)
        for m, p in zip(found, pieces, strict=True)
        if m is not None
    ]


def _affiliation_text(aff: etree._Element) -> str:
    """An affiliation as one line, without the space markup leaves before a comma
    ("Boston , United States" -> "Boston, United States")."""
    return re.sub(r"\s+([,;.])", r"\1", text_of(aff, _SKIP_IN_TEXT | {"label"}))


def _abstract(meta: etree._Element) -> str | None:
    abstract = _first(meta, "abstract[not(@abstract-type)] | abstract[@abstract-type='summary']")
    if abstract is None:
        abstract = _first(meta, "abstract")
    if abstract is None:
        return None
    blocks = []
    for element in abstract.iter("title", "p"):
        value = text_of(element)
        if value:
            blocks.append(value)
    return "\n\n".join(blocks) or text_of(abstract) or None


def _sections(body: etree._Element | None) -> Iterable[Section]:
    if body is None:
        return
    loose = [text_of(p) for p in _all(body, "p") if text_of(p)]
    if loose:
        yield Section("", tuple(loose))
    for sec in _all(body, ".//sec"):
        paragraphs = tuple(text_of(p) for p in _all(sec, "p | list | disp-quote") if text_of(p))
        title = _text(sec, "title") or ""
        if paragraphs or title:
            yield Section(title, paragraphs)


_PART_ELEMENTS = (
    "//fig | //table-wrap | //supplementary-material | //boxed-text[label or caption]"
    " | //media[@mimetype='video' and not(ancestor::supplementary-material)]"
)
_PART_KINDS: dict[str, FigureKind] = {
    "fig": "figure",
    "table-wrap": "table",
    "media": "video",
    "supplementary-material": "supplement",
    "boxed-text": "box",
}
# the path segment of a part by its kind: on its own, and under a figure or table
_TOP_SEGMENTS = {
    "figure": "figure",
    "table": "table",
    "video": "video",
    "supplement": "supplementary-file",
    "box": "box",
}
_CHILD_SEGMENTS = {
    "figure": "supplement",
    "table": "table",
    "video": "video",
    "supplement": "source-data",
    "box": "box",
}
_DEFAULT_LABELS = {
    "figure": "Figure",
    "table": "Table",
    "video": "Video",
    "supplement": "Supplementary file",
    "box": "Box",
}
_NUMBER = re.compile(r"[A-Z]?\d+[a-z]?")


def _appendices(root: etree._Element) -> Iterable[Section]:
    """Each appendix (``back/app-group/app``, ``back/app``) with its title and every
    paragraph inside it, boxed text and sub-sections included."""
    for number, app in enumerate(_all(root, "back/app-group/app | back/app"), start=1):
        paragraphs = tuple(t for p in _all(app, ".//p[not(ancestor::p)]") if (t := text_of(p)))
        title = _text(app, "title") or _text(app, "label") or f"Appendix {number}"
        yield Section(title, paragraphs, kind="appendix", path=f"appendix/{number}")


def _sub_articles(root: etree._Element) -> Iterable[Section]:
    """Each ``sub-article`` (a decision letter, an author response) with its title, DOI,
    type and paragraphs."""
    for number, sub in enumerate(_all(root, "sub-article | response"), start=1):
        stub = _first(sub, "front-stub | front/article-meta")
        title = (
            _text(stub, "title-group/article-title") if stub is not None else None
        ) or f"Sub-article {number}"
        doi = _text(stub, "article-id[@pub-id-type='doi']") if stub is not None else None
        paragraphs = tuple(t for p in _all(sub, "body//p[not(ancestor::p)]") if (t := text_of(p)))
        yield Section(
            title,
            paragraphs,
            kind="sub-article",
            path=f"sub-article/{number}",
            doi=normalise_doi(doi) if doi else None,
            article_type=sub.get("article-type"),
        )


def _figures(root: etree._Element) -> Iterable[Figure]:
    """Figures, tables, videos and supplementary files, each with a part path of its own.

    A figure supplement (a later ``fig`` of a ``fig-group``), and a source-data file or
    video inside a figure or table, is a child of that figure: "figure/1/supplement/2",
    "figure/1/source-data/1". A path met twice gets "-2", "-3" …, so no two parts of
    an article share an IRI whatever the labels say."""
    paths: dict[int, str] = {}
    taken: set[str] = set()
    for position, element in enumerate(_all(root, _PART_ELEMENTS), start=1):
        kind = _PART_KINDS[_local(element.tag)]
        label = _text(element, "label") or f"{_DEFAULT_LABELS[kind]} {position}"
        numbers = _NUMBER.findall(label)
        parent = _parent_part(element)
        if parent is not None and id(parent) in paths:
            number = numbers[-1] if numbers else str(position)
            path = f"{paths[id(parent)]}/{_CHILD_SEGMENTS[kind]}/{number}"
        else:
            number = numbers[0] if numbers else str(position)
            path = f"{_TOP_SEGMENTS[kind]}/{number}"
        path = _unique(path, taken)
        paths[id(element)] = path
        caption_element = _first(element, "caption")
        blocks = [text_of(b) for b in caption_element] if caption_element is not None else []
        caption = " ".join(b for b in blocks if b) or text_of(caption_element, set())
        yield Figure(
            label=label,
            number=number,
            caption=caption,
            credit=_text(element, ".//attrib"),
            kind=kind,
            path=path,
        )


def _parent_part(element: etree._Element) -> etree._Element | None:
    """The figure or table ``element`` belongs to: the first figure of its ``fig-group``
    for a later figure of the group, else the nearest enclosing figure or table."""
    group = element.getparent()
    if _local(element.tag) == "fig" and group is not None and _local(group.tag) == "fig-group":
        first = next((child for child in group if _local(child.tag) == "fig"), None)
        if first is not None and first is not element:
            return first
    for ancestor in element.iterancestors():
        if _local(ancestor.tag) in ("fig", "table-wrap"):
            return ancestor
    return None


def _unique(path: str, taken: set[str]) -> str:
    candidate, count = path, 1
    while candidate in taken:
        count += 1
        candidate = f"{path}-{count}"
    taken.add(candidate)
    return candidate


def _competing_interests(root: etree._Element) -> str | None:
    blocks = []
    for fn in _all(root, "//fn"):
        if (fn.get("fn-type") or "").lower() in _COMPETING:
            blocks.append(text_of(fn))
    for sec in _all(root, "//sec | //notes"):
        kind = (sec.get("sec-type") or sec.get("notes-type") or "").lower()
        title = (_text(sec, "title") or "").lower()
        if kind in _COMPETING or "competing interest" in title or "conflict of interest" in title:
            blocks.append(text_of(sec, _SKIP_IN_TEXT | {"title"}))
    return "\n\n".join(b for b in dict.fromkeys(blocks) if b) or None


def _funding(root: etree._Element) -> Iterable[str]:
    for award in _all(root, "//funding-group/award-group"):
        sources = " ".join(text_of(s) for s in _all(award, "funding-source"))
        ids = ", ".join(text_of(i) for i in _all(award, "award-id"))
        yield f"{sources} ({ids})" if ids else sources
    for statement in _all(root, "//funding-group/funding-statement | //fn[@fn-type='financial-disclosure']"):
        if text_of(statement):
            yield text_of(statement)


def _in_reference_list(ref: etree._Element) -> bool:
    """Whether a ``ref`` is one of the article's references: inside a ``ref-list`` of
    the article's own ``back`` (not a sub-article's)."""
    ancestors = [_local(a.tag) for a in ref.iterancestors()]
    return len(ancestors) >= 2 and ancestors[-2] == "back" and "ref-list" in ancestors[:-2]


def _ref_records(ref: etree._Element, numbered: int) -> list[Reference]:
    """The references of one ``ref`` (one per citation it holds), numbered on from
    ``numbered`` references already read."""
    citations = [c for c in ref if _local(c.tag) in _CITATIONS]
    records = [_reference(citation, numbered + i) for i, citation in enumerate(citations or [ref], start=1)]
    anchor = ref.get("id")
    return [replace(record, element=f"ref {anchor}") for record in records] if anchor else records


def _reference(citation: etree._Element, number: int) -> Reference:
    group = _all(citation, "person-group[not(@person-group-type) or @person-group-type='author']")
    holder = group[0] if group else citation
    authors = []
    for element in holder:
        tag = _local(element.tag)
        if tag in ("name", "string-name"):
            person = _person(element)
            if person.family:
                authors.append(person)
        elif tag == "collab" and _group_name(element):
            name = _group_name(element)
            authors.extend(_collab_people(name) or [Person(family=name, as_printed=name, group=True)])
    et_al = bool(_all(holder, "etal")) or bool(_all(citation, "etal"))
    ids = _citation_ids(citation)
    kind = (citation.get("publication-type") or citation.get("citation-type") or "").lower()
    source = _text(citation, "source")
    year_text = _text(citation, "year") or ""
    year_match = re.search(r"\d{4}", year_text)
    fpage = _page(_text(citation, "fpage") or _text(citation, "elocation-id"))
    lpage = _page(_text(citation, "lpage"))
    if fpage and not lpage and re.search(r"[-–]", fpage):
        fpage, lpage = split_pages(fpage)
    is_journal = kind in ("journal", "") and source is not None and kind != "book"
    notes = [n for n in (_text(citation, "comment"),) if n]
    if source and not is_journal:
        extra = [
            v
            for v in (
                _text(citation, "edition"),
                _text(citation, "publisher-loc"),
                _text(citation, "publisher-name"),
            )
            if v
        ]
        notes.insert(0, "; ".join([f"{kind or 'source'}: {source}", *extra]))
    doi = ids.get("doi")
    title = next(
        (t for path in ("article-title", "chapter-title", "data-title") if (t := _text(citation, path))), None
    )
    work_kind = _reference_kind(kind, citation, is_journal)
    if title is None and work_kind not in ("journal", "chapter", "conference"):
        title = source  # a book's, dataset's or web page's source is its own title
    raw = (
        text_of(citation)
        if _local(citation.tag) == "mixed-citation"
        else _vancouver(
            authors,
            et_al,
            title,
            source,
            year_text,
            _text(citation, "volume"),
            _text(citation, "issue"),
            fpage,
            lpage,
        )
    )
    return Reference(
        number=number,
        raw=raw,
        authors=tuple(authors),
        et_al=et_al,
        title=(title or "").rstrip(".") or None,
        journal=source if is_journal else None,
        volume=_text(citation, "volume"),
        issue=_text(citation, "issue"),
        first_page=fpage,
        last_page=lpage if lpage != fpage else None,
        year=int(year_match.group()) if year_match else None,
        doi=normalise_doi(doi) if doi else None,
        pmid=ids.get("pmid") or None,
        pmcid=_pmcid(ids.get("pmcid") or ids.get("pmc")),
        note="; ".join(notes) or None,
        line=_line(citation),
        kind=work_kind,
    )


_KINDS: dict[str, ReferenceKind] = {
    "journal": "journal",
    "book": "book",
    "chapter": "chapter",
    "confproc": "conference",
    "conf-proc": "conference",
    "conference": "conference",
    "proceedings": "conference",
    "data": "data",
    "dataset": "data",
    "database": "data",
    "preprint": "preprint",
    "web": "web",
    "webpage": "web",
    "website": "web",
    "internet": "web",
    "thesis": "thesis",
    "dissertation": "thesis",
    "patent": "patent",
    "software": "software",
    "report": "report",
    "gov": "report",
    "government": "report",
}


def _reference_kind(kind: str, citation: etree._Element, is_journal: bool) -> ReferenceKind:
    """What a reference cites, from its ``publication-type``: a book with a chapter
    title is a chapter; no type with a source is a journal article."""
    if is_journal:
        return "journal"
    found = _KINDS.get(kind, "other")
    if found == "book" and _all(citation, "chapter-title | article-title"):
        return "chapter"
    return found


_XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
_ID_TYPES = {"doi": "doi", "pmid": "pmid", "pubmed": "pmid", "pmcid": "pmcid", "pmc": "pmcid"}
_PMID_IN_TEXT = re.compile(r"\bPMID\s*:?\s*([0-9]{1,9})\b")
_PMCID_IN_TEXT = re.compile(r"\bPMCID\s*:?\s*(PMC[0-9]{1,10})\b", re.IGNORECASE)


def _citation_ids(citation: etree._Element) -> dict[str, str]:
    """DOI, PMID and PMCID of a citation, wherever the publisher put them: ``pub-id``
    and ``object-id`` (any ``pub-id-type`` spelling), an ``ext-link`` (typed "doi" or
    "pubmed", or an ``xlink:href`` through a DOI resolver), or the printed text
    ("doi:10.…", "https://doi.org/10.…", "PMID: 123")."""
    ids: dict[str, str] = {}
    for element in _all(citation, ".//pub-id | .//object-id"):
        scheme = _ID_TYPES.get((element.get("pub-id-type") or "").lower())
        value = " ".join((element.text or "").split())
        if scheme and value:
            ids.setdefault(scheme, value)
    for link in _all(citation, ".//ext-link | .//uri"):
        href = link.get(_XLINK_HREF) or ""
        text = " ".join((link.text or "").split())
        kind = (link.get("ext-link-type") or "").lower()
        if "doi" not in ids and (kind == "doi" or "doi.org/" in href.lower()):
            doi = find_doi(href) or find_doi(text)
            if doi:
                ids["doi"] = doi
        elif kind in ("pubmed", "pmid") and "pmid" not in ids:
            digits = re.search(r"[0-9]{1,9}", href.rsplit("/", 1)[-1]) or re.search(r"[0-9]{1,9}", text)
            if digits:
                ids["pmid"] = digits.group()
    printed = text_of(citation)
    if "doi" not in ids:
        doi = find_doi(printed)
        if doi:
            ids["doi"] = doi
    for scheme, pattern in (("pmid", _PMID_IN_TEXT), ("pmcid", _PMCID_IN_TEXT)):
        if scheme not in ids:
            found = pattern.search(printed)
            if found:
                ids[scheme] = found.group(1)
    return ids


def _vancouver(
    authors: list[Person],
    et_al: bool,
    title: str | None,
    source: str | None,
    year: str,
    volume: str | None,
    issue: str | None,
    fpage: str | None,
    lpage: str | None,
) -> str:
    """A printed form for structured citations: "Quigley HA. Title. Br J Ophthalmol. 1996;80:389-393."."""
    names = ", ".join(f"{a.family} {a.initials.replace('.', '').replace(' ', '')}".strip() for a in authors)
    if et_al:
        names = f"{names}, et al" if names else "et al"
    parts = [p.rstrip(".;, ") for p in (names, title, source) if p]
    tail = year
    if volume:
        tail += f";{volume}" + (f"({issue})" if issue else "")
    if fpage:
        tail += f":{fpage}" + (f"-{lpage}" if lpage and lpage != fpage else "")
    return ". ".join([*parts, tail]).strip(". ") + "."
