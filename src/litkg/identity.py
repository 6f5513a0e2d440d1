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
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from litkg.records import Article, Person, Reference

_RANK = {"doi": 0, "pmid": 1, "pmcid": 2, "key": 3, "raw": 4}
_SCHEMES = ("doi", "pmid", "pmcid")


@lru_cache(maxsize=262_144)
def fold(text: str) -> str:
    """Lower-case ASCII slug: diacritics folded, runs of other characters -> "-".

    "Boillée" -> "boillee"; "Di Giorgio" -> "di-giorgio"; "Nat. Neurosci." -> "nat-neurosci".
    """
    decomposed = unicodedata.normalize("NFKD", text)
    ascii_text = "".join(c for c in decomposed if not unicodedata.combining(c))
    ascii_text = ascii_text.replace("ß", "ss").replace("ø", "o").replace("Ø", "o").replace("æ", "ae")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.casefold()).strip("-")


def journal_key(journal: str) -> str:
    """ "Nat. Neurosci." and "Nat Neurosci" -> "nat-neurosci"; a leading "The" is dropped."""
    return fold(re.sub(r"^the\s+", "", journal.strip(), flags=re.IGNORECASE))


def person_key(person: Person) -> str:
    """ "Özdinler, P.H." -> "ozdinler_p-h"; family name alone when no initials are known."""
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


def _filled(reference: Reference) -> int:
    fields = (
        reference.title,
        reference.journal,
        reference.volume,
        reference.issue,
        reference.first_page,
        reference.last_page,
        reference.year,
        reference.doi,
    )
    return sum(f is not None for f in fields) + len(reference.authors)


def as_description(article: Article) -> Reference:
    """An article's own metadata in the shape of a reference (the work's description)."""
    return Reference(
        number=None,
        raw=article.citation or article.title,
        authors=article.authors,
        title=article.title,
        journal=article.journal_abbreviation or article.journal,
        volume=article.volume,
        issue=article.issue,
        first_page=article.first_page,
        last_page=article.last_page,
        year=article.year,
        doi=article.doi,
        pmid=article.pmid,
        pmcid=article.pmcid,
    )


class IdentityIndex:
    """Identity over a corpus: which descriptions name one work, and one person.

    Works: equal tokens mean one work (union-find); each work gets one canonical
    description -- the article's own metadata when the work is an article of the
    corpus, else the fullest reference to it -- so every article's graph describes a
    shared work with the same triples. People: one name per person key, keeping
    diacritics and full given names where any source prints them.
    """

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        # per first token of a description: the best one seen, (rank, -fields, origin, description)
        self._best: dict[str, tuple[int, int, str, Reference]] = {}
        # per first token: every DOI, PMID and PMCID its descriptions give, as (scheme, value)
        self._ids: dict[str, set[tuple[str, str]]] = {}
        # spellings of each person (family, given, ORCID) with how often each occurs
        self._people: dict[str, Counter[tuple[str, str | None, str | None]]] = {}
        self._person_cache: dict[str, tuple[str, str | None, str | None]] = {}
        self._canonical_cache: dict[str, Reference] = {}
        self._article_types: dict[str, str] = {}
        self._type_cache: dict[str, str] = {}
        self._built = False

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> IdentityIndex:
        """Index the articles, every work their references point to, and every author."""
        index = cls()
        for article in articles:
            index.add_article(article)
        index._build_canonical()  # once here, not in every worker process
        return index

    def add_article(self, article: Article) -> None:
        """Index one article, the works its references point to, and the people named."""
        identity = article_identity(article)
        self.add(identity, as_description(article), rank=0, origin=article.source)
        if article.article_type:
            self._article_types[identity.tokens[0]] = article.article_type
        for person in article.authors:
            self.add_person(person)
        for reference in article.references:
            origin = f"{article.source}#{reference.number or 0:06d}"
            self.add(reference_identity(reference), reference, rank=1, origin=origin)
            for person in reference.authors:
                self.add_person(person)

    def merge(self, other: IdentityIndex) -> None:
        """Add what ``other`` indexed (over later articles): the same index as if its
        articles had been added here, so corpora can be indexed in parallel parts."""
        self._built = False
        for token in other._parent:
            root = other._find(token)
            if root != token:
                self.add(WorkIdentity((token, root)))
            else:
                self._find(token)
        for token, best in other._best.items():
            mine = self._best.get(token)
            if mine is None or best[:3] < mine[:3]:
                self._best[token] = best
        for token, ids in other._ids.items():
            self._ids.setdefault(token, set()).update(ids)
        for key, spellings in other._people.items():
            self._people.setdefault(key, Counter()).update(spellings)
        self._person_cache.clear()
        self._article_types.update(other._article_types)

    def build(self) -> IdentityIndex:
        """Choose each work's canonical description now (done lazily otherwise)."""
        self._build_canonical()
        return self

    def _find(self, token: str) -> str:
        root = token
        while self._parent.setdefault(root, root) != root:
            root = self._parent[root]
        while self._parent[token] != root:
            self._parent[token], token = root, self._parent[token]
        return root

    def add(
        self, identity: WorkIdentity, description: Reference | None = None, rank: int = 1, origin: str = ""
    ) -> None:
        """Record that all tokens of ``identity`` name one work (described by ``description``)."""
        self._built = False
        roots = sorted({self._find(t) for t in identity.tokens}, key=_token_order)
        for other in roots[1:]:
            self._parent[other] = roots[0]
        if description is not None:
            token = identity.tokens[0]
            candidate = (rank, -_filled(description), origin, description)
            best = self._best.get(token)
            if best is None or candidate[:3] < best[:3]:
                self._best[token] = candidate
            ids = {(scheme, value) for scheme in _SCHEMES if (value := getattr(description, scheme))}
            if ids:
                self._ids.setdefault(token, set()).update(ids)

    def add_person(self, person: Person) -> None:
        self._people.setdefault(person_key(person), Counter())[
            (person.family, person.given, person.orcid)
        ] += 1
        self._person_cache.clear()

    def canonical(self, identity: WorkIdentity) -> str:
        """The best token of the group ``identity`` belongs to (its own best if unindexed)."""
        known = [t for t in identity.tokens if t in self._parent]
        if not known:
            return identity.best
        return self._find(known[0])

    def describe(self, identity: WorkIdentity, fallback: Reference) -> Reference:
        """The canonical description of the work ``identity`` names."""
        root = self.canonical(identity)
        if root not in self._parent:
            return fallback
        if not self._built:
            self._build_canonical()
        return self._canonical_cache.get(root, fallback)

    def _build_canonical(self) -> None:
        self._built = True
        self._canonical_cache = {}
        self._type_cache = {}
        for token, label in sorted(self._article_types.items()):
            self._type_cache.setdefault(self._find(token), label)
        groups: dict[str, list[str]] = {}
        for token in self._best:
            groups.setdefault(self._find(token), []).append(token)
        for root, tokens in groups.items():
            best = min((self._best[t] for t in tokens), key=lambda b: b[:3])[3]
            ids: dict[str, set[str]] = {scheme: set() for scheme in _SCHEMES}
            for token in tokens:
                for scheme, value in self._ids.get(token, ()):
                    ids[scheme].add(value)
            self._canonical_cache[root] = replace(
                best,
                doi=best.doi or min(ids["doi"], default=None),
                pmid=best.pmid or min(ids["pmid"], default=None),
                pmcid=best.pmcid or min(ids["pmcid"], default=None),
            )

    def article_type(self, identity: WorkIdentity) -> str | None:
        """The printed type label of the work, when it is an article of the corpus."""
        if not self._built:
            self._build_canonical()
        return self._type_cache.get(self.canonical(identity))

    def person(self, person: Person) -> Person:
        """One spelling per person: diacritics and a full given name win, then frequency."""
        key = person_key(person)
        chosen = self._person_cache.get(key)
        if chosen is None:
            variants = self._people.get(key)
            if not variants:
                return person
            chosen = self._person_cache[key] = _preferred_spelling(variants)
        family, given, orcid = chosen
        return replace(person, family=family, given=given or person.given, orcid=person.orcid or orcid)


def _preferred_spelling(
    variants: Counter[tuple[str, str | None, str | None]],
) -> tuple[str, str | None, str | None]:
    """Diacritics, then frequency, then the text for the family name; the longest given
    name; the first ORCID."""
    frequency: Counter[str] = Counter()
    for (family, _, _), count in variants.items():
        frequency[family] += count
    family = max(sorted(frequency), key=lambda f: (sum(not c.isascii() for c in f), frequency[f], f))
    givens = sorted({given for _, given, _ in variants if given})
    orcids = sorted({orcid for _, _, orcid in variants if orcid})
    return family, max(givens, key=lambda g: (len(g), g)) if givens else None, orcids[0] if orcids else None
