"""Identity of works across articles and input formats.

A work is known by any of: DOI, PMID, PMCID, and a normalised *key* built from first
author's family name (diacritics folded), year, journal abbreviation (dots and spacing
normalised), volume and first page. Two descriptions share a node when they share any
one of these. :class:`IdentityIndex` joins them over a whole corpus (union-find) and
names each group by its best token: DOI, then PMID, PMCID, key, and last a hash of the
reference string when nothing else is known.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from litkg.records import Article, Person, Reference

_RANK = {"doi": 0, "pmid": 1, "pmcid": 2, "key": 3, "raw": 4}


def fold(text: str) -> str:
    """Lower-case ASCII slug: diacritics folded, runs of other characters -> "-".

    "Boillée" -> "boillee"; "Di Giorgio" -> "di-giorgio"; "Nat. Neurosci." -> "nat-neurosci".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = ascii_text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def journal_key(journal: str) -> str:
    """"Nat. Neurosci." and "Nat Neurosci" -> "nat-neurosci"; a leading "The" is dropped."""
    return fold(re.sub(r"^the\s+", "", journal.strip(), flags=re.IGNORECASE))


def person_key(person: Person) -> str:
    """"Özdinler, P.H." -> "ozdinler_p-h"; family name alone when no initials are known."""
    initials = fold(person.initials)
    return f"{fold(person.family)}_{initials}" if initials else fold(person.family)


def work_key(
    family: str | None,
    year: int | None,
    journal: str | None,
    volume: str | None,
    first_page: str | None,
) -> str | None:
    """The documented key "family_year_journal[_volume[_firstpage]]", or None when the
    first three are not all known."""
    if not family or year is None or not journal:
        return None
    parts = [fold(family), str(year), journal_key(journal)]
    if volume:
        parts.append(fold(volume))
        if first_page:
            parts.append(fold(first_page))
    elif first_page:
        parts.extend(["", fold(first_page)])
    return "_".join(parts)


@dataclass(frozen=True)
class WorkIdentity:
    """The identifying tokens of one description of a work ("doi:…", "key:…")."""

    tokens: tuple[str, ...]

    @property
    def best(self) -> str:
        return min(self.tokens, key=_token_order)


def _token_order(token: str) -> tuple[int, str]:
    return _RANK[token.split(":", 1)[0]], token


def _identity(
    doi: str | None,
    pmid: str | None,
    pmcid: str | None,
    key: str | None,
    fallback: str,
) -> WorkIdentity:
    tokens = []
    if doi:
        tokens.append(f"doi:{doi.lower()}")
    if pmid:
        tokens.append(f"pmid:{pmid}")
    if pmcid:
        tokens.append(f"pmcid:{pmcid.upper()}")
    if key:
        tokens.append(f"key:{key}")
    if not tokens:
        tokens.append(f"raw:{hashlib.sha256(fallback.encode()).hexdigest()[:16]}")
    return WorkIdentity(tuple(tokens))


def article_identity(article: Article) -> WorkIdentity:
    """Identity of an article from its own metadata."""
    family = article.authors[0].family if article.authors else None
    journal = article.journal_abbreviation or article.journal
    key = work_key(family, article.year, journal, article.volume, article.first_page)
    return _identity(article.doi, article.pmid, article.pmcid, key, f"{article.title}|{article.source}")


def reference_identity(reference: Reference) -> WorkIdentity:
    """Identity of the work a reference points to."""
    family = reference.authors[0].family if reference.authors else None
    key = work_key(family, reference.year, reference.journal, reference.volume, reference.first_page)
    return _identity(reference.doi, reference.pmid, reference.pmcid, key, fold(reference.raw))


class IdentityIndex:
    """Union of work identities over a corpus: equal tokens mean one work."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> IdentityIndex:
        """Index the articles and every work their references point to."""
        index = cls()
        for article in articles:
            index.add(article_identity(article))
            for reference in article.references:
                index.add(reference_identity(reference))
        return index

    def _find(self, token: str) -> str:
        root = token
        while self._parent.setdefault(root, root) != root:
            root = self._parent[root]
        while self._parent[token] != root:
            self._parent[token], token = root, self._parent[token]
        return root

    def add(self, identity: WorkIdentity) -> None:
        """Record that all tokens of ``identity`` name one work."""
        roots = sorted({self._find(t) for t in identity.tokens}, key=_token_order)
        for other in roots[1:]:
            self._parent[other] = roots[0]

    def canonical(self, identity: WorkIdentity) -> str:
        """The best token of the group ``identity`` belongs to (its own best if unindexed)."""
        known = [t for t in identity.tokens if t in self._parent]
        if not known:
            return identity.best
        return self._find(known[0])
