"""Repair what a source prints wrongly, field by field, before the article is published.

Real publishers' files carry broken fields: a DOI with a space in it, a page field that
holds the page and the DOI ("181. doi:10.1371/…"), a PMID written "PMID: 123", an ISSN
without its hyphen. One such field must not cost the article (the SHACL gate would
reject the whole graph), so each rule below either repairs the field -- where a
documented rule can -- or drops it, and every change is reported as a :class:`Repair`
naming the source, the part, the field and its line.

The patterns are the shapes' own (``shapes/bibliographic.ttl``; a test checks that
they are the same), so a repaired field always passes the gate. What the gate still
rejects after these rules is handled part by part by :mod:`litkg.validate.gate`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from litkg.parse.references import normalise_doi
from litkg.records import Article, Person, Reference

# The shapes' patterns (tests/parse/test_repair.py checks them against shapes/).
DOI_PATTERN = re.compile(r"^10\.[0-9]{4,9}/[^\sA-Z]+$")
PAGE_PATTERN = re.compile(r"^([A-Za-z]*[0-9]+[A-Za-z0-9.]*|[ivxlcdmIVXLCDM]+)$")
ISSN_PATTERN = re.compile(r"^[0-9]{4}-[0-9]{3}[0-9X]$")
YEAR_PATTERN = re.compile(r"^[0-9]{4}$")
DATE_PATTERN = re.compile(r"^[0-9]{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12][0-9]|3[01]))?)?$")

# A DOI inside other text: "doi:10.1/x", "https://doi.org/10.1/x", "DOI 10.1/x".
DOI_IN_TEXT = re.compile(
    r"(?:https?://(?:dx\.)?doi\.org/|\bdoi\s*:?\s*)?(10\.[0-9]{4,9}/[^\s\"<>]+)", re.IGNORECASE
)

Action = Literal["repaired", "dropped"]


def find_doi(text: str) -> str | None:
    """The first DOI printed in ``text``, without the punctuation that ends the sentence
    around it or a closing bracket it does not open ("(doi:10.1/x)." -> "10.1/x")."""
    found = DOI_IN_TEXT.search(text)
    if not found:
        return None
    doi = found.group(1)
    while doi and doi[-1] in ".,;:)]}'’”":
        closing = doi[-1]
        opening = {")": "(", "]": "[", "}": "{"}.get(closing)
        if opening is not None and doi.count(opening) >= doi.count(closing):
            break
        doi = doi[:-1]
    return doi if DOI_PATTERN.match(normalise_doi(doi)) else None


@dataclass(frozen=True)
class Repair:
    """One change made to an article so that it can be published.

    ``part`` is what the field belongs to ("article", "reference 12", "figure/1/caption",
    "annotation 7"); ``field`` the record field or RDF property; ``before``/``after`` the
    value before and after (``after`` None when dropped); ``reason`` why."""

    source: str
    part: str
    field: str
    action: Action
    reason: str
    before: str | None = None
    after: str | None = None
    line: int | None = None
    element: str | None = None  # the source element it came from ("ref bib31"), when known

    @property
    def kind(self) -> str:
        """What summaries count by: "reference doi repaired", "figure dropped"."""
        part = self.part.split(" ", 1)[0].split("/", 1)[0]
        field = "" if self.field in ("", part) else f" {self.field}"
        return f"{part}{field} {self.action}"

    def to_dict(self) -> dict[str, object]:
        return {
            "part": self.part,
            "field": self.field,
            "action": self.action,
            "reason": self.reason,
            "before": self.before,
            "after": self.after,
            "line": self.line,
            "element": self.element,
        }


def summarise(repairs: Iterable[Repair]) -> list[str]:
    """One line per kind of change, most frequent first: "31 reference page repaired"."""
    counts = Counter(repair.kind for repair in repairs)
    return [f"{count} × {kind}" for kind, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


@dataclass(frozen=True)
class _Fixed:
    """A field's value after a rule, and the reason when it changed (else "")."""

    value: str | None
    reason: str = ""


def fix_doi(value: str | None) -> _Fixed:
    """A DOI as the shapes accept it: normalised (lower case, no resolver prefix); a
    space inside removed ("10.1371/journal.pbio. 1001425"); a DOI inside other text
    taken out of it; anything else dropped."""
    if value is None:
        return _Fixed(None)
    if DOI_PATTERN.match(value) and value == normalise_doi(value):
        return _Fixed(value)
    doi = normalise_doi(value)
    if DOI_PATTERN.match(doi):
        return _Fixed(doi, "" if doi == value else "normalised")
    squeezed = normalise_doi(re.sub(r"\s+", "", value))
    if DOI_PATTERN.match(squeezed):
        return _Fixed(squeezed, "white space inside the DOI removed")
    inner = find_doi(value)
    if inner is not None:
        return _Fixed(normalise_doi(inner), "the DOI taken out of the text around it")
    return _Fixed(None, "not a DOI (10.NNNN/suffix)")


_ORCID_FORM = re.compile(r"^[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9X]$")


def orcid_check_digit(digits: str) -> str:
    """The ISO 7064 11,2 check character of an ORCID's first 15 digits."""
    total = 0
    for digit in digits:
        total = (total + int(digit)) * 2
    result = (12 - total % 11) % 11
    return "X" if result == 10 else str(result)


def fix_orcid(value: str | None) -> _Fixed:
    """An ORCID iD whose last character is its check digit (ISO 7064 11,2); a placeholder
    ("0000-0000-0000-0000") or a mistyped iD is dropped, so it never joins two people."""
    if value is None:
        return _Fixed(None)
    if not _ORCID_FORM.match(value):
        return _Fixed(None, "not an ORCID iD (NNNN-NNNN-NNNN-NNNX)")
    digits = value.replace("-", "")
    if orcid_check_digit(digits[:15]) != digits[15]:
        return _Fixed(None, "the check digit does not match (ISO 7064 11,2): a placeholder or a typo")
    return _Fixed(value)


def fix_pmid(value: str | None) -> _Fixed:
    """A PMID is digits: "PMID: 12345" -> "12345"; anything else is dropped."""
    if value is None:
        return _Fixed(None)
    text = value.strip()
    if text.isdigit() and text.isascii():
        return _Fixed(text, "" if text == value else "normalised")
    found = re.fullmatch(r"(?:PMID|pubmed)?\s*:?\s*([0-9]{1,9})\.?", text, re.IGNORECASE)
    if found:
        return _Fixed(found.group(1), "the PMID taken out of its label")
    return _Fixed(None, "not a PMID (digits)")


def fix_pmcid(value: str | None) -> _Fixed:
    """A PMCID is "PMC" and digits: "PMC 123", "pmc123", "123" -> "PMC123"; else dropped."""
    if value is None:
        return _Fixed(None)
    found = re.fullmatch(r"\s*(?:PMC(?:ID)?\s*:?\s*)?([0-9]{1,10})\s*", value, re.IGNORECASE)
    if found:
        fixed = f"PMC{found.group(1)}"
        return _Fixed(fixed, "" if fixed == value else "normalised")
    return _Fixed(None, "not a PMCID (PMC and digits)")


def fix_page(value: str | None) -> _Fixed:
    """One page number or article id ("113", "E1738", "xii"); stray punctuation and a
    trailing DOI removed ("181. doi:10.…" -> "181"); anything else dropped."""
    if value is None:
        return _Fixed(None)
    if PAGE_PATTERN.match(value) and value[-1] != ".":
        return _Fixed(value)
    page = value.strip(" .,;:")
    if PAGE_PATTERN.match(page):
        return _Fixed(page, "" if page == value else "punctuation removed")
    found = DOI_IN_TEXT.search(value)
    if found:
        head = value[: found.start()].strip(" .,;:")
        if PAGE_PATTERN.match(head):
            return _Fixed(head, "the DOI printed in the page field moved to the DOI")
    return _Fixed(None, "not one page number or article id")


def fix_issn(value: str) -> _Fixed:
    """An ISSN is NNNN-NNNC: "00280836" and "0028 0836" -> "0028-0836"; else dropped."""
    digits = re.sub(r"[\s-]", "", value).upper()
    if re.fullmatch(r"[0-9]{7}[0-9X]", digits):
        fixed = f"{digits[:4]}-{digits[4:]}"
        return _Fixed(fixed, "" if fixed == value else "normalised")
    return _Fixed(None, "not an ISSN (NNNN-NNNC)")


def fix_date(value: str | None) -> _Fixed:
    """A publication date is YYYY, YYYY-MM or YYYY-MM-DD with a real month and day;
    else it is cut to its valid head ("2014-13-01" -> "2014") or dropped."""
    if value is None:
        return _Fixed(None)
    if DATE_PATTERN.match(value):
        return _Fixed(value)
    for length in (7, 4):
        if DATE_PATTERN.match(value[:length]):
            return _Fixed(value[:length], "cut to its valid part")
    return _Fixed(None, "not a date")


class _Log:
    """Collects the repairs made to one article."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.repairs: list[Repair] = []
        self.element: str | None = None  # the source element of the part being repaired

    def field(self, part: str, name: str, before: str | None, fixed: _Fixed, line: int | None) -> str | None:
        if fixed.value != before and before is not None:
            action: Action = "repaired" if fixed.value is not None else "dropped"
            self.repairs.append(
                Repair(self.source, part, name, action, fixed.reason, before, fixed.value, line, self.element)
            )
        return fixed.value


def repair_reference(reference: Reference, log: _Log) -> Reference:
    """A reference with its identifiers and pages repaired or dropped; a DOI found in
    the page field fills an empty DOI. The same object when nothing needed repair."""
    part = f"reference {reference.number}" if reference.number is not None else "reference"
    line = reference.line
    log.element = reference.element
    logged = len(log.repairs)
    doi = log.field(part, "doi", reference.doi, fix_doi(reference.doi), line)
    pages = []
    for name, value in (("first_page", reference.first_page), ("last_page", reference.last_page)):
        fixed = fix_page(value)
        if doi is None and value is not None and "DOI" in fixed.reason:
            doi = fix_doi(value).value
        pages.append(log.field(part, name, value, fixed, line))
    pmid = log.field(part, "pmid", reference.pmid, fix_pmid(reference.pmid), line)
    pmcid = log.field(part, "pmcid", reference.pmcid, fix_pmcid(reference.pmcid), line)
    authors = _named(reference.authors, part, log, line)
    log.element = None
    if len(log.repairs) == logged and doi == reference.doi:
        return reference
    return replace(
        reference,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        first_page=pages[0],
        last_page=pages[1] if pages[1] != pages[0] else None,
        authors=authors,
    )


def _named(people: Sequence[Person], part: str, log: _Log, line: int | None) -> tuple[Person, ...]:
    """People with a family name (one without, an empty <name/>, is dropped) and, when
    they have one, a valid ORCID iD (an invalid one is dropped from the person)."""
    if all(person.family.strip() and fix_orcid(person.orcid).value == person.orcid for person in people):
        return tuple(people)
    kept = []
    for person in people:
        if person.family.strip():
            orcid = log.field(part, "orcid", person.orcid, fix_orcid(person.orcid), line)
            kept.append(person if orcid == person.orcid else replace(person, orcid=orcid))
        else:
            log.repairs.append(
                Repair(
                    log.source,
                    part,
                    "author",
                    "dropped",
                    "no family name",
                    person.as_printed,
                    None,
                    line,
                    log.element,
                )
            )
    return tuple(kept)


def repair_article(article: Article) -> tuple[Article, tuple[Repair, ...]]:
    """The article with every field the shapes would reject repaired or dropped, and
    the list of what was changed. A field that needs no repair is left as it is."""
    log = _Log(article.source)
    doi = log.field("article", "doi", article.doi, fix_doi(article.doi), None)
    issns = []
    for issn in article.issn:
        fixed = log.field("article", "issn", issn, fix_issn(issn), None)
        if fixed is not None and fixed not in issns:
            issns.append(fixed)
    first_page = log.field("article", "first_page", article.first_page, fix_page(article.first_page), None)
    last_page = log.field("article", "last_page", article.last_page, fix_page(article.last_page), None)
    repaired = replace(
        article,
        doi=doi,
        pmid=log.field("article", "pmid", article.pmid, fix_pmid(article.pmid), None),
        pmcid=log.field("article", "pmcid", article.pmcid, fix_pmcid(article.pmcid), None),
        issn=tuple(sorted(issns)),
        first_page=first_page,
        last_page=last_page if last_page != first_page else None,
        published=log.field("article", "published", article.published, fix_date(article.published), None),
        authors=_named(article.authors, "article", log, None),
        references=tuple(repair_reference(reference, log) for reference in article.references),
    )
    if not log.repairs:
        return article, ()
    return repaired, tuple(log.repairs)
