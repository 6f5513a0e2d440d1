"""Typed records produced by the parsers and consumed by every later stage.

Records are frozen dataclasses: parsers return them, the linker reads them, the RDF
mapper turns them into triples. They hold what the source says, normalised only where
the docstring of a field says so.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

FigureKind = Literal["figure", "table", "video", "supplement", "box"]
# What a reference cites (JATS publication-type, normalised); None: not said (page text).
ReferenceKind = Literal[
    "journal", "book", "chapter", "conference", "data", "preprint", "web", "thesis", "patent",
    "software", "report", "other",
]


@dataclass(frozen=True)
class Person:
    """An author as the source names them: a person, or (``group``) a group author such
    as a consortium or study group, published as a foaf:Organization.

    ``family`` keeps the printed spelling (diacritics included); ``initials`` is the
    normalised form "J. P." of whatever initials were printed ("JP.", "J.P.", "J. P.");
    ``given`` is a full given name when the source shows one.
    """

    family: str
    initials: str = ""
    given: str | None = None
    as_printed: str = ""
    orcid: str | None = None
    affiliations: tuple[str, ...] = ()
    corresponding: bool = False
    group: bool = False  # a group author (consortium, study group): ``family`` holds its name

    @property
    def display_name(self) -> str:
        """Name in "Given Family" order, falling back to initials."""
        first = self.given or self.initials
        return f"{first} {self.family}".strip()


@dataclass(frozen=True)
class Reference:
    """One entry of a reference list; ``raw`` always keeps the full printed string."""

    number: int | None
    raw: str
    authors: tuple[Person, ...] = ()
    et_al: bool = False
    title: str | None = None
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    year: int | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    note: str | None = None
    line: int | None = None
    kind: ReferenceKind | None = None
    element: str | None = None  # where in the source: the JATS element ("ref bib31")


@dataclass(frozen=True)
class Figure:
    """A figure, table, video or supplementary file: its printed label ("Fig. 1"),
    number, caption (may be empty: a table can have none) and credit line.

    ``path`` names the part under its work, unique within the article: "figure/1",
    "table/2", "figure/1/supplement/1" (a figure supplement), "figure/1/source-data/1",
    "video/3", "supplementary-file/1"; a child's path starts with its parent's. Empty
    means ``{kind}/{number}`` (page text, which prints no nested parts).
    """

    label: str
    number: str
    caption: str
    credit: str | None = None
    kind: FigureKind = "figure"
    path: str = ""

    @property
    def part(self) -> str:
        """The part path of this figure under its work (see ``path``)."""
        return self.path or f"{self.kind}/{self.number}"

    @property
    def parent(self) -> str | None:
        """The part path of the figure or table this one belongs to, if any."""
        head, _, _ = self.part.rpartition("/")
        head, _, _ = head.rpartition("/")
        return head or None


SectionKind = Literal["section", "appendix", "sub-article"]


@dataclass(frozen=True)
class Section:
    """A titled block of text (JATS input); ``paragraphs`` in document order.

    A body section has no ``path`` (its text parts are "section/N/…"); an appendix
    ("appendix/N") or a sub-article -- a decision letter, an author response --
    ("sub-article/N") is a part of the article with an IRI of its own, and a
    sub-article has its own ``doi`` and ``article_type``."""

    title: str
    paragraphs: tuple[str, ...]
    kind: SectionKind = "section"
    path: str = ""
    doi: str | None = None
    article_type: str | None = None


@dataclass(frozen=True)
class Article:
    """One parsed article with everything later stages need.

    ``source`` is the path the article was read from; ``standfirst`` is the summary
    paragraph under the title (page input) and ``abstract`` the abstract (JATS input);
    ``citation`` the article's own citation as the page prints it; ``correspondence``
    the names after "Correspondence to" (the matching authors are flagged too).
    """

    source: str
    title: str
    authors: tuple[Person, ...]
    journal: str | None = None
    volume: str | None = None
    issue: str | None = None
    first_page: str | None = None
    last_page: str | None = None
    year: int | None = None
    published: str | None = None
    doi: str | None = None
    pmid: str | None = None
    pmcid: str | None = None
    accepted: str | None = None
    article_type: str | None = None
    standfirst: str | None = None
    abstract: str | None = None
    figures: tuple[Figure, ...] = ()
    references: tuple[Reference, ...] = ()
    acknowledgements: str | None = None
    competing_interests: str | None = None
    journal_abbreviation: str | None = None
    issn: tuple[str, ...] = ()
    publisher: str | None = None
    keywords: tuple[str, ...] = ()
    sections: tuple[Section, ...] = ()
    funding: tuple[str, ...] = ()
    citation: str | None = None
    correspondence: tuple[str, ...] = ()
    sha256: str = ""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready dict of every field."""
        return asdict(self)
