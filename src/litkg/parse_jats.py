"""JATS / NLM XML (PubMed Central, publishers) -> :class:`Article`, with lxml.

Parsing is safe: no DTD is loaded, no entity is resolved and nothing is fetched over
the network, so an XML external entity (XXE) can neither read files nor call out.
Front matter, body sections, figures and tables, back matter (acknowledgements,
competing interests, funding) and every reference (``element-citation``,
``mixed-citation`` and the older ``citation``) are read into the same records as
page text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from litkg.errors import ParseError
from litkg.names import normalise_initials
from litkg.records import Article, Figure, Person, Reference, Section
from litkg.references import normalise_doi, split_pages

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


def _first(element: etree._Element, path: str) -> etree._Element | None:
    found = element.xpath(path)
    return found[0] if found else None


def _text(element: etree._Element, path: str) -> str | None:
    found = _first(element, path)
    value = text_of(found) if found is not None else ""
    return value or None


def parse_jats(text: str, source: str) -> Article:
    """Parse one JATS/NLM article. Raises :class:`ParseError` for malformed or non-JATS XML."""
    parser = etree.XMLParser(**_PARSER_OPTIONS)
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line = exc.lineno if exc.lineno else None
        raise ParseError(source, f"malformed XML: {exc.msg}", line) from None
    if _local(root.tag) != "article":
        raise ParseError(
            source, f"not a JATS article: the root element is <{_local(root.tag)}>", root.sourceline
        )
    _strip_namespaces(root)
    meta = _first(root, "front/article-meta")
    if meta is None:
        raise ParseError(source, "JATS article without <front>/<article-meta>", root.sourceline)
    title = _text(meta, "title-group/article-title")
    if not title:
        raise ParseError(source, "JATS article without an <article-title>", meta.sourceline)
    journal_meta = _first(root, "front/journal-meta")
    ids = {el.get("pub-id-type"): " ".join((el.text or "").split()) for el in meta.xpath("article-id")}
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
        issn=tuple(sorted({" ".join((e.text or "").split()) for e in journal_meta.xpath("issn") if e.text}))
        if journal_meta is not None
        else (),
        publisher=_text(journal_meta, "publisher/publisher-name") if journal_meta is not None else None,
        volume=_text(meta, "volume"),
        issue=_text(meta, "issue"),
        first_page=fpage,
        last_page=lpage if lpage and lpage != fpage else None,
        year=year,
        published=published,
        doi=normalise_doi(ids["doi"]) if ids.get("doi") else None,
        pmid=ids.get("pmid") or None,
        pmcid=_pmcid(ids.get("pmc") or ids.get("pmcid")),
        article_type=root.get("article-type"),
        abstract=abstract,
        keywords=tuple(text_of(k) for k in meta.xpath(".//kwd-group/kwd") if text_of(k)),
        sections=tuple(_sections(_first(root, "body"))),
        figures=tuple(_figures(root)),
        references=tuple(_references(root)),
        acknowledgements="\n\n".join(text_of(a) for a in root.xpath("back/ack | body//ack") if text_of(a))
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
    if journal_meta is None:
        return None
    for path in (
        "journal-id[@journal-id-type='nlm-ta']",
        ".//abbrev-journal-title",
        "journal-id[@journal-id-type='iso-abbrev']",
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
    """The most precise date among epub/ppub/pub/collection, as ISO text, and its year."""
    best: tuple[int, str, int] | None = None
    for date in meta.xpath("pub-date"):
        year = _text(date, "year")
        if not year or not year.isdigit():
            continue
        month, day = _text(date, "month"), _text(date, "day")
        parts = [f"{int(year):04d}"]
        if month and month.isdigit():
            parts.append(f"{int(month):02d}")
            if day and day.isdigit():
                parts.append(f"{int(day):02d}")
        candidate = (len(parts), "-".join(parts), int(year))
        if best is None or candidate[0] > best[0]:
            best = candidate
    return (best[1], best[2]) if best else (None, None)


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
    affiliations = {aff.get("id"): _affiliation_text(aff) for aff in root.xpath("//aff") if aff.get("id")}
    for contrib in meta.xpath("contrib-group/contrib[@contrib-type='author' or not(@contrib-type)]"):
        name = _first(contrib, "name | string-name")
        if name is None:
            collab = _text(contrib, "collab")
            if collab:
                yield Person(family=collab, as_printed=collab)
            continue
        person = _person(name)
        orcid = _text(contrib, "contrib-id[@contrib-id-type='orcid']")
        if orcid:
            orcid = orcid.rsplit("/", 1)[-1]
        affs = tuple(
            affiliations[r]
            for x in contrib.xpath("xref[@ref-type='aff']")
            for r in (x.get("rid") or "").split()
            if r in affiliations
        )
        affs += tuple(_affiliation_text(a) for a in contrib.xpath("aff"))
        corresponding = contrib.get("corresp") == "yes" or bool(contrib.xpath("xref[@ref-type='corresp']"))
        yield Person(
            family=person.family,
            initials=person.initials,
            given=person.given,
            as_printed=person.as_printed,
            orcid=orcid,
            affiliations=affs,
            corresponding=corresponding,
        )


def _affiliation_text(aff: etree._Element) -> str:
    return text_of(aff, _SKIP_IN_TEXT | {"label"})


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
    loose = [text_of(p) for p in body.xpath("p") if text_of(p)]
    if loose:
        yield Section("", tuple(loose))
    for sec in body.xpath(".//sec"):
        paragraphs = tuple(text_of(p) for p in sec.xpath("p | list | disp-quote") if text_of(p))
        title = _text(sec, "title") or ""
        if paragraphs or title:
            yield Section(title, paragraphs)


def _figures(root: etree._Element) -> Iterable[Figure]:
    for position, element in enumerate(root.xpath("//fig | //table-wrap"), start=1):
        kind = "table" if _local(element.tag) == "table-wrap" else "figure"
        label = _text(element, "label") or f"{'Table' if kind == 'table' else 'Figure'} {position}"
        caption_element = _first(element, "caption")
        blocks = [text_of(b) for b in caption_element] if caption_element is not None else []
        caption = " ".join(b for b in blocks if b) or text_of(caption_element, set())
        number = re.search(r"[A-Z]?\d+[a-z]?", label)
        credit = _text(element, ".//attrib")
        yield Figure(
            label=label,
            number=number.group() if number else str(position),
            caption=caption,
            credit=credit,
            kind=kind,
        )


def _competing_interests(root: etree._Element) -> str | None:
    blocks = []
    for fn in root.xpath("//fn"):
        if (fn.get("fn-type") or "").lower() in _COMPETING:
            blocks.append(text_of(fn))
    for sec in root.xpath("//sec | //notes"):
        kind = (sec.get("sec-type") or sec.get("notes-type") or "").lower()
        title = (_text(sec, "title") or "").lower()
        if kind in _COMPETING or "competing interest" in title or "conflict of interest" in title:
            blocks.append(text_of(sec, _SKIP_IN_TEXT | {"title"}))
    return "\n\n".join(b for b in dict.fromkeys(blocks) if b) or None


def _funding(root: etree._Element) -> Iterable[str]:
    for award in root.xpath("//funding-group/award-group"):
        sources = " ".join(text_of(s) for s in award.xpath("funding-source"))
        ids = ", ".join(text_of(i) for i in award.xpath("award-id"))
        yield f"{sources} ({ids})" if ids else sources
    for statement in root.xpath("//funding-group/funding-statement | //fn[@fn-type='financial-disclosure']"):
        if text_of(statement):
            yield text_of(statement)


def _references(root: etree._Element) -> Iterable[Reference]:
    number = 0
    for ref in root.xpath("back//ref-list/ref | back/ref-list//ref"):
        citations = [c for c in ref if _local(c.tag) in _CITATIONS]
        for citation in citations or [ref]:
            number += 1
            yield _reference(citation, number)


def _reference(citation: etree._Element, number: int) -> Reference:
    group = citation.xpath("person-group[not(@person-group-type) or @person-group-type='author']")
    holder = group[0] if group else citation
    authors = []
    for element in holder:
        tag = _local(element.tag)
        if tag in ("name", "string-name"):
            authors.append(_person(element))
        elif tag == "collab" and text_of(element):
            authors.append(Person(family=text_of(element), as_printed=text_of(element)))
    et_al = bool(holder.xpath("etal")) or bool(citation.xpath("etal"))
    ids = {el.get("pub-id-type"): " ".join((el.text or "").split()) for el in citation.xpath("pub-id")}
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
    if not doi:
        link = _text(citation, "ext-link[contains(., 'doi.org/')]")
        doi = link
    title = _text(citation, "article-title") or _text(citation, "chapter-title")
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
        line=citation.sourceline,
    )


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
