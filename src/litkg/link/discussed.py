"""Which cited works an article *discusses* (CiTO ``cito:discusses``), read from its summary.

Two cues are recognised in the standfirst or abstract:

- a named author: "Chiot and colleagues", "Smith et al.", "Smith and co-workers",
  "Smith and Jones" -> the references whose first author has that family name (if
  several, those of the article's own year, else the most recent);
- "in this issue" (also "in the current issue", "in this volume") -> the references
  in the article's own journal and volume (or, without a volume, of its own year).
"""

from __future__ import annotations

import re

from litkg.rdf.identity import journal_key
from litkg.records import Article, Reference
from litkg.text import fold

_NAME = (
    r"(?P<name>[A-Z][\w'’\-]+(?:\s+(?:van|von|de|di|da|del|der|la|le)\s+[A-Z][\w'’\-]+|\s+[A-Z][\w'’\-]+)?)"
)
_NAMED_AUTHOR = re.compile(
    rf"\b{_NAME}\s+(?:and\s+(?:colleagues|co-?workers|collaborators)|et\s+al\.?|and\s+(?P<second>[A-Z][\w'’\-]+)\b)"
)
_THIS_ISSUE = re.compile(r"\bin\s+(?:this|the\s+current|the\s+same)\s+(?:issue|volume)\b", re.IGNORECASE)


def discussed_references(article: Article) -> tuple[int, ...]:
    """Numbers of the references the article's summary text discusses, ascending."""
    text = " ".join(t for t in (article.standfirst, article.abstract) if t)
    if not text:
        return ()
    numbered = [r for r in article.references if r.number is not None]
    found: set[int] = set()
    for match in _NAMED_AUTHOR.finditer(text):
        found.update(_by_first_author(numbered, match.group("name"), article.year))
    if _THIS_ISSUE.search(text):
        found.update(_same_issue(numbered, article))
    return tuple(sorted(found))


def _by_first_author(references: list[Reference], name: str, year: int | None) -> list[int]:
    wanted = fold(name)
    hits = [r for r in references if r.authors and fold(r.authors[0].family) == wanted]
    if len(hits) > 1:
        same_year = [r for r in hits if year is not None and r.year == year]
        if same_year:
            hits = same_year
        else:
            latest = max((r.year or 0) for r in hits)
            hits = [r for r in hits if (r.year or 0) == latest]
    return [r.number for r in hits if r.number is not None]


def _same_issue(references: list[Reference], article: Article) -> list[int]:
    journal = article.journal_abbreviation or article.journal
    if not journal:
        return []
    key = journal_key(journal)
    numbers = []
    for reference in references:
        if not reference.journal or journal_key(reference.journal) != key or reference.number is None:
            continue
        if article.volume and reference.volume:
            if reference.volume == article.volume:
                numbers.append(reference.number)
        elif article.year is not None and reference.year == article.year:
            numbers.append(reference.number)
    return numbers
