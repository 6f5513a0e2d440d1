"""Reference strings -> :class:`Reference` records.

``parse_reference`` reads the common citation styles of the biomedical literature:

- Nature: ``Clement, A. M. et al. [Title.] Science 302, 113–117 (2003).``
- APA-like: ``Smith, J. & Doe, A. (2020) Title. Nature 581, 1–5.``
- Vancouver/NLM: ``Smith J, Doe A. Title. Nature. 2020;581(7806):1-5. doi:10.1038/x``

Whatever cannot be placed in a field is kept in ``note``; ``raw`` always holds the
whole string, so nothing is lost.
"""

from __future__ import annotations

import re
from typing import TypedDict

from litkg.parse.names import parse_author_list
from litkg.records import Reference

_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
_DOI = re.compile(
    r"\(?\s*(?:doi:\s*|https?://(?:dx\.)?doi\.org/)(10\.\d{4,9}/[^\s()]+?)\s*\)?(?=[.,;]?\s|[.,;]?$)",
    re.IGNORECASE,
)
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.IGNORECASE)
_PMCID = re.compile(r"\b(PMC\d{3,9})\b")
_NOTE_START = re.compile(
    r"\b(?:accepted (?:article|manuscript)|in (?:the )?press|advance online|published online"
    r"|online ahead of print|epub ahead|submitted|preprint at|in revision)\b",
    re.IGNORECASE,
)
_PAGE = r"[A-Za-z]{0,3}\d+[A-Za-z]?"
_PAGES = rf"(?P<pages>{_PAGE}(?:\s*[-{_DASHES}]\s*{_PAGE})?)"
# "Journal 302, 113–117 (2003)" / "Journal 302 (4), 113 (2003)" at the end of a Nature string
_NATURE_TAIL = re.compile(
    rf"^(?P<pre>.*?)\s*(?P<volume>\d+[A-Za-z]?)(?:\s*\((?P<issue>[^)]+)\))?,\s*{_PAGES}"
    rf"\s*\((?P<year>\d{{4}})[a-z]?\)\.?$"
)
_NATURE_YEAR_ONLY = re.compile(r"^(?P<pre>.*?)\s*\((?P<year>\d{4})[a-z]?\)\.?$")
# "Journal 581, 1–5." (APA, year already read after the authors)
_APA_TAIL = re.compile(
    rf"^(?P<pre>.*?)\s*(?P<volume>\d+[A-Za-z]?)(?:\s*\((?P<issue>[^)]+)\))?,\s*{_PAGES}\.?$"
)
# "Nature. 2020 May;581(7806):1-5."
_VANCOUVER_TAIL = re.compile(
    rf"^(?P<pre>.*?)\.?\s+(?P<year>\d{{4}})(?:\s+[A-Z][a-z]{{2}}(?:\s+\d{{1,2}})?)?"
    rf"\s*;\s*(?P<volume>[^(:;\s]+)?\s*(?:\((?P<issue>[^)]+)\))?\s*(?::\s*{_PAGES})?\.?$"
)
_APA_YEAR = re.compile(r"^\((?P<year>\d{4})[a-z]?\)\.?\s*")
_CONNECTORS = {"of", "and", "&", "the", "in", "for", "de", "der", "und", "et"}


def normalise_doi(doi: str) -> str:
    """Lower-case a DOI and turn typographic dashes into hyphens: "10.1111/j.1471–4159" ->
    "10.1111/j.1471-4159". A ``https://doi.org/`` or ``doi:`` prefix is removed."""
    doi = doi.strip()
    doi = re.sub(r"^(?:https?://(?:dx\.)?doi\.org/|doi:\s*)", "", doi, flags=re.IGNORECASE)
    for dash in _DASHES:
        doi = doi.replace(dash, "-")
    return doi.rstrip(".,;").lower()


def split_pages(pages: str | None) -> tuple[str | None, str | None]:
    """ "1389–1392" -> ("1389", "1392"); "1389-92" -> ("1389", "1392"); "196" -> ("196", None)."""
    if not pages:
        return None, None
    parts = re.split(rf"\s*[-{_DASHES}]\s*", pages.strip(), maxsplit=1)
    first = parts[0]
    if len(parts) == 1:
        return first, None
    last = parts[1]
    if first.isdigit() and last.isdigit() and len(last) < len(first):
        last = first[: len(first) - len(last)] + last
    return first, last


def _split_title_journal(pre: str) -> tuple[str | None, str | None]:
    """Split "Title words. Nat. Neurosci." into title and journal.

    The journal is the longest run of trailing sentence pieces that look like a
    journal abbreviation (few words, each capitalised or a connector).
    """
    pre = pre.strip().rstrip(",")
    if not pre:
        return None, None
    pieces = re.split(r"(?<=[.?!])\s+(?=[A-Z0-9(\[])", pre)
    journal_pieces: list[str] = []
    for piece in reversed(pieces):
        words = piece.split()
        looks_like_journal = len(words) <= 3 and all(
            w[0].isupper() or w.lower() in _CONNECTORS or w[0] == "(" for w in words
        )
        if not looks_like_journal:
            break
        journal_pieces.insert(0, piece)
    if not journal_pieces:
        return pre.rstrip("."), None
    title_pieces = pieces[: len(pieces) - len(journal_pieces)]
    title = " ".join(title_pieces).strip() or None
    if title is not None and title.endswith(".") and not title.endswith(".."):
        title = title[:-1]
    return title, " ".join(journal_pieces).strip()


def _split_vancouver_title_journal(pre: str) -> tuple[str | None, str | None]:
    pre = pre.strip().rstrip(".")
    cut = pre.rfind(". ")
    if cut < 0:
        return None, pre or None
    return pre[:cut].strip() or None, pre[cut + 2 :].strip() or None


MAX_REFERENCE_CHARS = 5_000  # the longest reference string read field by field


def parse_reference(raw: str, number: int | None = None, line: int | None = None) -> Reference:
    """Parse one printed reference into a :class:`Reference`.

    Never raises on odd input: fields that cannot be read stay ``None`` and the
    unread text is kept in ``note`` (the full string is always in ``raw``).
    """
    printed = " ".join(raw.split())
    if len(printed) > MAX_REFERENCE_CHARS:
        # no real reference is this long, and the patterns below take time quadratic in
        # a run of digits: kept as printed, unread
        note = f"not read: {len(printed):,} characters, more than a reference ({MAX_REFERENCE_CHARS:,})"
        return Reference(number=number, raw=printed, note=note, line=line)
    text, doi, pmid, pmcid = _take_identifiers(printed)
    names = parse_author_list(text)
    fields = parse_source(text[names.end :].strip())
    return Reference(
        number=number,
        raw=" ".join(raw.split()),
        authors=names.authors,
        et_al=names.et_al,
        doi=doi,
        pmid=pmid,
        pmcid=pmcid,
        line=line,
        **fields,
    )


def _take_identifiers(text: str) -> tuple[str, str | None, str | None, str | None]:
    """Remove DOI, PMID and PMCID from ``text``; return the rest and the three ids."""
    found: list[str | None] = []
    for pattern in (_DOI, _PMID, _PMCID):
        match = pattern.search(text)
        if match is None:
            found.append(None)
            continue
        found.append(match.group(1))
        text = (text[: match.start()] + text[match.end() :]).strip()
    doi, pmid, pmcid = found
    if text:
        text = re.sub(r"\s+\.", ".", text.rstrip(" .;,")) + "."
    return text, normalise_doi(doi) if doi else None, pmid, pmcid


def parse_doi(text: str) -> str | None:
    """The first DOI written in ``text`` ("doi: 10.x/y", "https://doi.org/10.x/y"), normalised."""
    return _take_identifiers(text)[1]


class SourceFields(TypedDict):
    """The fields of a citation after its authors, as :func:`parse_source` reads them."""

    title: str | None
    journal: str | None
    volume: str | None
    issue: str | None
    first_page: str | None
    last_page: str | None
    year: int | None
    note: str | None


def parse_source(rest: str) -> SourceFields:
    """Read "[(Year)] [Title.] Journal Vol(Issue), Pages (Year)." -- the part of a
    citation after its authors -- into Reference fields (title, journal, volume, issue,
    first_page, last_page, year, note)."""
    year: int | None = None
    title: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None
    note: str | None = None

    apa_year = _APA_YEAR.match(rest)
    if apa_year is not None:
        year = int(apa_year.group("year"))
        rest = rest[apa_year.end() :]

    note_match = _NOTE_START.search(rest)
    if note_match is not None:
        note = rest[note_match.start() :].strip().rstrip(".").strip() or None
        rest = rest[: note_match.start()].strip()

    tail = None
    if year is None:
        tail = _VANCOUVER_TAIL.match(rest) if ";" in rest else None
        if tail is not None:
            title, journal = _split_vancouver_title_journal(tail.group("pre"))
        else:
            tail = _NATURE_TAIL.match(rest) or _NATURE_YEAR_ONLY.match(rest)
            if tail is not None:
                title, journal = _split_title_journal(tail.group("pre"))
        if tail is not None:
            year = int(tail.group("year"))
    else:
        tail = _APA_TAIL.match(rest)
        if tail is not None:
            title, journal = _split_title_journal(tail.group("pre"))
    if tail is not None:
        groups = tail.groupdict()
        volume = groups.get("volume")
        issue = groups.get("issue")
        pages = groups.get("pages")
    elif rest.strip(" ."):
        # Without a year or volume to anchor on, only a bare journal name is trusted;
        # anything else stays unplaced, in the note.
        title, journal = _split_title_journal(rest)
        if title is not None:
            unplaced = rest.strip().rstrip(".")
            note = f"{unplaced}; {note}" if note else unplaced
            title = journal = None
    first_page, last_page = split_pages(pages)
    return {
        "title": title,
        "journal": journal.rstrip(",") if journal else None,
        "volume": volume,
        "issue": issue,
        "first_page": first_page,
        "last_page": last_page,
        "year": year,
        "note": note,
    }
