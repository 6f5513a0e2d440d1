"""Journal web-page text (as saved from a publisher's article page) -> :class:`Article`.

The page is read by its landmarks, not by line numbers: the title is the first line of
content (checked against the "Cite this article" line, which repeats it), the
standfirst the paragraph below it, the reference list the numbered entries ("1. 1." or
"1." layouts), and the back matter the blocks under their headings. Everything a
publisher's page wraps around the article (access options, prices, newsletter
sign-up, browser notices, link badges) is recognised and left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from litkg.errors import ParseError
from litkg.parse.names import normalise_initials, parse_author_list, split_display_name
from litkg.parse.references import parse_doi, parse_reference, parse_source
from litkg.records import Article, Figure, FigureKind, Person, Reference
from litkg.text import strip_accents

# Headings that open a block of the page; matched case-insensitively on a whole line.
_HEADINGS = {
    "abstract",
    "access options",
    "acknowledgements",
    "acknowledgments",
    "additional information",
    "about this article",
    "author information",
    "authors and affiliations",
    "affiliations",
    "contributions",
    "competing interests",
    "corresponding author",
    "comments",
    "cite this article",
    "download citation",
    "download references",
    "ethics declarations",
    "extended data",
    "further reading",
    "nature briefing",
    "quick links",
    "references",
    "relevant articles",
    "rights and permissions",
    "reprints and permissions",
    "search",
    "share this article",
    "subjects",
    "supplementary information",
    "this article is cited by",
}
# Lines that are page furniture wherever they appear (compared lower-cased, by prefix).
_BOILERPLATE_PREFIXES = (
    "skip to main content",
    "thank you for visiting",
    "you are using a browser version",
    "rent or buy article",
    "buy this article",
    "buy article pdf",
    "get time limited or full article access",
    "all prices are net prices",
    "prices may be subject to local taxes",
    "tax calculation will be finalised",
    "this is a preview of subscription content",
    "open access articles citing this article",
    "access through your institution",
    "change institution",
    "subscribe to this journal",
    "receive ",
    "instant access to",
    "learn more",
    "rent this article",
    "institutional subscriptions",
    "read our faqs",
    "contact customer support",
    "verify currency and authenticity",
    "sign up for the nature briefing",
    "get the most important science stories",
    "anyone you share the following link",
    "get shareable link",
    "sorry, a shareable link",
    "copy to clipboard",
    "provided by the springer nature sharedit",
    "reprints and permissions",
    "log in",
    "explore content",
    "about the journal",
    "publish with us",
)
_PRICE = re.compile(r"^(?:[$€£¥]|USD|EUR|GBP|only\s+[$€£])\s*[\d.,]+", re.IGNORECASE)
_BADGES = {
    "article",
    "cas",
    "google",
    "scholar",
    "pubmed",
    "central",
    "ads",
    "mathscinet",
    "isi",
    "web",
    "of",
    "science",
}
_REF_MARK_DOUBLE = re.compile(r"^\s*(\d{1,4})\.\s+(\d{1,4})\.\s*$")
_REF_MARK_SINGLE = re.compile(r"^\s+(\d{1,4})\.\s+(\S.*)$")
_FIGURE = re.compile(
    r"^(?P<label>(?:Extended Data\s+)?(?:Fig\.|Figure|Table)\s*(?P<number>[A-Z]?\d+[a-z]?))"
    r"\s*[:.|]\s*(?P<caption>\S.*)$"
)
_BULLET = re.compile(r"^\s*[•·*]\s*(.*)$")
_CORRESPONDENCE = re.compile(r"^Correspondence to\s+(?P<names>.+?)\.?\s*$")
_CREDIT = re.compile(r"^(?:credit|image|illustration|photo)\s*:\s*(?P<who>.+)$", re.IGNORECASE)
_NOT_TYPES = {"open access", "published", "issue date", "doi"}


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line number in the file
    text: str  # stripped


def _is_heading(text: str) -> bool:
    return text.lower().rstrip(":") in _HEADINGS


def _is_boilerplate(text: str) -> bool:
    low = text.lower()
    return low.startswith(_BOILERPLATE_PREFIXES) or bool(_PRICE.match(text))


def _is_badges(text: str) -> bool:
    words = text.lower().split()
    return bool(words) and all(w in _BADGES for w in words)


def _is_structural(text: str) -> bool:
    return _is_heading(text) or _is_boilerplate(text) or bool(_FIGURE.match(text))


def _fold(text: str) -> str:
    return strip_accents(text).casefold()


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def parse_page(text: str, source: str) -> Article:
    """Parse the text of one article web page.

    Raises :class:`ParseError` naming ``source`` (and the line) when the page lacks a
    title or a "Cite this article" line, or its reference list is broken.
    """
    # lines end at "\n" (and "\r\n", "\r") only: str.splitlines() also breaks at U+2028,
    # NEL, vertical tab and form feed, which would cut a title in two
    newlines = text.replace("\r\n", "\n").replace("\r", "\n")
    # characters XML 1.0 cannot carry (other C0 controls, U+FFFE/U+FFFF) are spaces in a
    # page: kept, they would make the served RDF/XML and SPARQL XML results ill-formed
    newlines = _NOT_XML.sub(" ", newlines)
    lines = [_Line(i + 1, raw.strip()) for i, raw in enumerate(newlines.split("\n"))]
    # The reference list is read first: a file cut short inside it has lost its
    # citation line too, and the truncation is the error worth reporting.
    references = _references(lines, source)
    cite_at, cite = _cite_line(lines, source)
    title_at = _title_line(lines, cite, source)
    title = lines[title_at].text
    article_type, published, doi = _header_bullets(lines, title_at)
    standfirst = _standfirst(lines, title_at + 1)
    figures = _figures(lines)
    authors, journal, volume, issue, first, last, year, cite_doi = _read_cite(
        cite, title, source, lines[cite_at].number
    )
    correspondence = _correspondence(lines)
    authors = _mark_corresponding(authors, correspondence)
    if year is None and published:
        year = int(published[:4])
    return Article(
        source=source,
        title=title,
        authors=authors,
        journal=journal,
        volume=volume,
        issue=issue,
        first_page=first,
        last_page=last,
        year=year,
        published=published,
        doi=doi or cite_doi,
        article_type=article_type,
        standfirst=standfirst,
        figures=figures,
        references=references,
        acknowledgements=_acknowledgements(lines),
        competing_interests=_block_after(lines, "competing interests"),
        citation=cite,
        correspondence=correspondence,
    )


def _cite_line(lines: list[_Line], source: str) -> tuple[int, str]:
    for i, line in enumerate(lines):
        if line.text.lower() == "cite this article":
            for j in range(i + 1, len(lines)):
                if lines[j].text:
                    if _is_structural(lines[j].text):
                        break
                    return j, lines[j].text
            raise ParseError(source, "'Cite this article' is not followed by a citation", line.number)
    raise ParseError(source, "no 'Cite this article' line: cannot read authors and journal")


def _title_line(lines: list[_Line], cite: str, source: str) -> int:
    """Index of the title: the first content line that the citation line repeats."""
    cite_folded = _fold(cite)
    first_content = None
    for i, line in enumerate(lines):
        text = line.text
        if not text or _BULLET.match(text) or _is_structural(text) or _is_badges(text):
            continue
        if _REF_MARK_DOUBLE.match(text) or text == cite:
            break
        if first_content is None:
            first_content = i
        if len(text) > 3 and _fold(text) in cite_folded:
            return i
    if first_content is not None and first_content < len(lines):
        # The citation line shortens or re-spells some titles; take the first line of
        # content when it reads as a title (no full stop at the end, not too long).
        candidate = lines[first_content].text
        if len(candidate) <= 300 and not candidate.endswith("."):
            return first_content
    raise ParseError(source, "no title: no line before the body matches the citation line")


def _header_bullets(lines: list[_Line], title_at: int) -> tuple[str | None, str | None, str | None]:
    """Article type, publication date (ISO) and DOI from the bullets around the title."""
    article_type = published = doi = None
    for i, line in enumerate(lines):
        match = _BULLET.match(line.text)
        if match is None:
            continue
        body = match.group(1).strip()
        key, sep, value = body.partition(":")
        value = value.strip()
        if not value and sep:
            value = _next_bullet_value(lines, i)
        if sep and key.lower() == "published" and value:
            published = _iso_date(value)
        elif sep and key.lower() == "doi" and value:
            doi = parse_doi(f"doi: {value}") if not value.startswith("http") else parse_doi(value)
        elif not sep and body and i < title_at and body.lower() not in _NOT_TYPES:
            article_type = article_type or body
    return article_type, published, doi


def _next_bullet_value(lines: list[_Line], i: int) -> str:
    for line in lines[i + 1 : i + 3]:
        if not line.text:
            continue
        if _BULLET.match(line.text) or _is_structural(line.text):
            return ""
        return line.text
    return ""


def _iso_date(value: str) -> str | None:
    for fmt in ("%d %B %Y", "%d %b %Y", "%B %d, %Y", "%Y-%m-%d", "%B %Y", "%Y"):
        try:
            parsed = datetime.strptime(value.strip().rstrip("."), fmt)
        except ValueError:
            continue
        if fmt == "%Y":
            return f"{parsed.year:04d}"
        if fmt == "%B %Y":
            return f"{parsed.year:04d}-{parsed.month:02d}"
        return parsed.date().isoformat()
    return None


def _standfirst(lines: list[_Line], start: int) -> str | None:
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines[start:]:
        text = line.text
        if _is_structural(text) or _REF_MARK_DOUBLE.match(text) or _BULLET.match(text):
            break
        if not text:
            if current:
                paragraphs.append(" ".join(current))
                current = []
            continue
        current.append(text)
    if current:
        paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs) or None


def _figures(lines: list[_Line]) -> tuple[Figure, ...]:
    figures: list[Figure] = []
    for i, line in enumerate(lines):
        match = _FIGURE.match(line.text)
        if match is None:
            continue
        caption = match.group("caption").strip()
        credit = None
        for follower in lines[i + 1 :]:
            text = follower.text
            if not text:
                continue
            if _is_structural(text) or _REF_MARK_DOUBLE.match(text) or _REF_MARK_SINGLE.match("  " + text):
                break
            credited = _CREDIT.match(text)
            if credited is not None:
                credit = credited.group("who").strip()
                break
            if len(text.split()) <= 6 and not text.endswith((".", ":", ";")):
                credit = text
                break
            caption = f"{caption} {text}"
        label = match.group("label")
        kind: FigureKind = "table" if label.startswith("Table") else "figure"
        figures.append(
            Figure(label=label, number=match.group("number"), caption=caption, credit=credit, kind=kind)
        )
    return tuple(figures)


def _references(lines: list[_Line], source: str) -> tuple[Reference, ...]:
    """Read the numbered reference list; raise on a broken one."""
    entries: list[tuple[int, int, list[str]]] = []  # (number, line, text pieces)
    open_list = False
    closed = False
    for line in lines:
        text = line.text
        double = _REF_MARK_DOUBLE.match(text)
        single = _REF_MARK_SINGLE.match("  " + text) if not double else None
        if double is not None:
            if double.group(1) != double.group(2):
                raise ParseError(source, f"reference marker '{text}' has two different numbers", line.number)
            entries.append((int(double.group(1)), line.number, []))
            open_list = True
        elif single is not None and (open_list or _looks_like_citation(single.group(2))):
            entries.append((int(single.group(1)), line.number, [single.group(2)]))
            open_list = True
        elif open_list:
            if not text or _is_badges(text):
                continue
            if _is_structural(text) or _BULLET.match(text):
                open_list = False
                closed = True
                break
            entries[-1][2].append(text)
    if entries and not closed:
        raise ParseError(
            source,
            f"reference list is truncated: the file ends inside reference {entries[-1][0]}",
            entries[-1][1],
        )
    seen: dict[int, int] = {}
    references: list[Reference] = []
    for expected, (number, line_no, pieces) in enumerate(entries, start=1):
        if number in seen:
            raise ParseError(
                source, f"duplicate reference number {number} (first at line {seen[number]})", line_no
            )
        seen[number] = line_no
        if number != expected:
            raise ParseError(
                source,
                f"reference list is truncated or out of order: expected {expected}, found {number}",
                line_no,
            )
        if not pieces:
            raise ParseError(source, f"reference {number} has no text", line_no)
        references.append(parse_reference(" ".join(pieces), number=number, line=line_no))
    return tuple(references)


def _looks_like_citation(text: str) -> bool:
    """A single-layout entry: an author list followed by a year in parentheses or a DOI."""
    names = parse_author_list(text)
    return bool(names.authors) and bool(re.search(r"\(\d{4}[a-z]?\)|\bdoi\b|\d{4};", text, re.IGNORECASE))


def _read_cite(
    cite: str, title: str, source: str, line_no: int
) -> tuple[
    tuple[Person, ...], str | None, str | None, str | None, str | None, str | None, int | None, str | None
]:
    doi = parse_doi(cite)
    at = _fold(cite).find(_fold(title))
    if at >= 0:
        authors_text = cite[:at].strip()
        rest = cite[at + len(title) :].lstrip(" .")
    else:
        names = parse_author_list(cite)
        authors_text, rest = cite[: names.end], cite[names.end :]
    rest = re.sub(r"\s*(?:https?://(?:dx\.)?doi\.org/|doi:\s*)\S+", "", rest).strip()
    names = parse_author_list(authors_text)
    if not names.authors:
        raise ParseError(source, f"no authors in the citation line: {cite!r}", line_no)
    fields = parse_source(rest.rstrip(" .") + ".")
    return (
        names.authors,
        fields["journal"],
        fields["volume"],
        fields["issue"],
        fields["first_page"],
        fields["last_page"],
        fields["year"],
        doi,
    )


def _correspondence(lines: list[_Line]) -> tuple[str, ...]:
    for line in lines:
        match = _CORRESPONDENCE.match(line.text)
        if match is not None:
            names = re.split(r"\s+or\s+|,\s*|\s+and\s+|\s*&\s*", match.group("names"))
            return tuple(n.strip() for n in names if n.strip())
    return ()


def _mark_corresponding(authors: tuple[Person, ...], names: tuple[str, ...]) -> tuple[Person, ...]:
    """Flag the authors named after "Correspondence to", adding their given names."""
    marked = list(authors)
    for name in names:
        given, family = split_display_name(name)
        given_initials = normalise_initials(
            " ".join(w[0] + "." for w in given.replace("-", " ").split() if w)
        )
        candidates = [i for i, a in enumerate(marked) if _fold(a.family) == _fold(family)]
        if len(candidates) > 1:
            candidates = [
                i for i in candidates if marked[i].initials.replace("-", " ") == given_initials
            ] or candidates
        if candidates:
            i = candidates[0]
            marked[i] = replace(marked[i], given=given or marked[i].given, corresponding=True)
    return tuple(marked)


def _acknowledgements(lines: list[_Line]) -> str | None:
    explicit = _block_after(lines, "acknowledgements") or _block_after(lines, "acknowledgments")
    if explicit:
        return explicit
    return _block_after(lines, "download references")


def _block_after(lines: list[_Line], heading: str) -> str | None:
    """The paragraphs under ``heading`` up to the next heading or page furniture."""
    for i, line in enumerate(lines):
        if line.text.lower().rstrip(":") != heading:
            continue
        paragraphs: list[str] = []
        for follower in lines[i + 1 :]:
            text = follower.text
            if not text:
                continue
            if _is_structural(text) or _CORRESPONDENCE.match(text) or _BULLET.match(text):
                break
            paragraphs.append(text)
        if paragraphs:
            return "\n\n".join(paragraphs)
    return None
