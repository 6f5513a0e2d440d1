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
import os
import pickle
import re
import sqlite3
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from litkg.records import Article, Person, Reference
from litkg.text import fold

V = TypeVar("V")

_RANK = {"doi": 0, "pmid": 1, "pmcid": 2, "key": 3, "raw": 4}
_SCHEMES = ("doi", "pmid", "pmcid")


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


def token_rank(token: str) -> int:
    """How good a token is as a work's name: DOI 0, PMID 1, PMCID 2, key 3, hash 4."""
    return _RANK[token.split(":", 1)[0]]


def _token_order(token: str) -> tuple[int, str]:
    return token_rank(token), token


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


def filled_fields(reference: Reference) -> int:
    """How many fields of a description are known (authors count one each)."""
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


class _WorkGroups:
    """What both back ends of identity share: the union-find over identifying tokens,
    the printed types of the corpus's own articles, and the questions answered from
    them. A subclass stores the groups' canonical descriptions and the people."""

    def __init__(self) -> None:
        self._parent: dict[str, str] = {}
        self._article_types: dict[str, str] = {}  # first token of an article -> its printed type
        self._type_cache: dict[str, str] = {}  # group root -> the type of its article
        self._built = False

    def build(self) -> _WorkGroups:
        raise NotImplementedError

    def _canonical_description(self, root: str) -> Reference | None:
        raise NotImplementedError

    def _find(self, token: str) -> str:
        return _find(self._parent, token)

    def _group_types(self) -> None:
        """The article types by group, once the groups are final."""
        self._type_cache = {}
        for token, label in sorted(self._article_types.items()):
            self._type_cache.setdefault(self._find(token), label)

    def canonical(self, identity: WorkIdentity) -> str:
        """The best token of the group ``identity`` belongs to (its own best if unindexed)."""
        known = [t for t in identity.tokens if t in self._parent]
        if not known:
            return identity.best
        return _find(self._parent, known[0])

    def describe(self, identity: WorkIdentity, fallback: Reference) -> Reference:
        """The canonical description of the work ``identity`` names (``fallback`` if unindexed)."""
        root = self.canonical(identity)
        if root not in self._parent:
            return fallback
        if not self._built:
            self.build()
        found = self._canonical_description(root)
        return fallback if found is None else found

    def article_type(self, identity: WorkIdentity) -> str | None:
        """The printed type label of the work, when it is an article of the corpus."""
        if not self._built:
            self.build()
        return self._type_cache.get(self.canonical(identity))


class IdentityIndex(_WorkGroups):
    """Identity over a corpus: which descriptions name one work, and one person.

    Works: equal tokens mean one work (union-find); each work gets one canonical
    description -- the article's own metadata when the work is an article of the
    corpus, else the fullest reference to it -- so every article's graph describes a
    shared work with the same triples. People: one name per person key, keeping
    diacritics and full given names where any source prints them.
    """

    def __init__(self) -> None:
        super().__init__()
        # per first token of a description: the best one seen, (rank, -fields, origin, description)
        self._best: dict[str, tuple[int, int, str, Reference]] = {}
        # per first token: every DOI, PMID and PMCID its descriptions give, as (scheme, value)
        self._ids: dict[str, set[tuple[str, str]]] = {}
        # spellings of each person (family, given, ORCID) with how often each occurs
        self._people: dict[str, Counter[tuple[str, str | None, str | None]]] = {}
        self._person_cache: dict[str, tuple[str, str | None, str | None]] = {}
        self._orcid_keys: dict[str, list[str]] | None = None  # ORCID -> the name keys it comes with
        self._canonical_cache: dict[str, Reference] = {}
        # spellings of each organization name (by the fold its IRI is minted from), with counts
        self._organizations: dict[str, Counter[str]] = {}

    @classmethod
    def from_articles(cls, articles: Iterable[Article]) -> IdentityIndex:
        """Index the articles, every work their references point to, and every author."""
        index = cls()
        for article in articles:
            index.add_article(article)
        index.build()  # once here, not in every worker process
        return index

    def add_article(self, article: Article) -> None:
        """Index one article, the works its references point to, and the people named."""
        identity = article_identity(article)
        self.add(identity, as_description(article), rank=0, origin=article.source)
        if article.article_type:
            self._article_types[identity.tokens[0]] = article.article_type
        if article.publisher:
            self.add_organization(article.publisher)
        for person in article.authors:
            self.add_person(person)
        for reference in article.references:
            origin = f"{article.source}#{reference.number or 0:06d}"
            self.add(reference_identity(reference), reference, rank=1, origin=origin)
            for person in reference.authors:
                self.add_person(person)

    # What the index holds, as rows: what IdentityStore.merge writes and the cluster build
    # (litkg.build.resolve) turns into tables.

    def links(self) -> Iterator[tuple[str, str]]:
        """(token, the root of its group here) for every token: the groups, as links."""
        for token in list(self._parent):
            yield token, self._find(token)

    def best_descriptions(self) -> Iterator[tuple[str, int, int, str, Reference]]:
        """(first token, rank, minus the fields filled, origin, description): the best
        description of each first token seen."""
        for token, (rank, unfilled, origin, description) in self._best.items():
            yield token, rank, unfilled, origin, description

    def identifiers(self) -> Iterator[tuple[str, str, str]]:
        """(first token, scheme, value): each DOI, PMID and PMCID a description gives."""
        for token, ids in self._ids.items():
            for scheme, value in ids:
                yield token, scheme, value

    def spellings(self) -> Iterator[tuple[str, str, str | None, str | None, int]]:
        """(person key, family, given or initials, ORCID, count): each spelling of a person."""
        for key, spellings in self._people.items():
            for (family, given, orcid), count in spellings.items():
                yield key, family, given, orcid, count

    def organization_names(self) -> Iterator[tuple[str, str, int]]:
        """(organization key, name, count): each spelling of an organization."""
        for key, names in self._organizations.items():
            for name, count in names.items():
                yield key, name, count

    @property
    def article_types(self) -> dict[str, str]:
        """The printed type of each article indexed, by its first token."""
        return self._article_types

    def merge(self, other: IdentityIndex) -> None:
        """Add what ``other`` indexed (over later articles): the same index as if its
        articles had been added here, so corpora can be indexed in parallel parts."""
        self._built = False
        _join_groups(self._parent, other)
        for token, best in other._best.items():
            mine = self._best.get(token)
            if mine is None or best[:3] < mine[:3]:
                self._best[token] = best
        for token, ids in other._ids.items():
            self._ids.setdefault(token, set()).update(ids)
        for key, spellings in other._people.items():
            self._people.setdefault(key, Counter()).update(spellings)
        for key, names in other._organizations.items():
            self._organizations.setdefault(key, Counter()).update(names)
        self._person_cache.clear()
        self._orcid_keys = None
        self._article_types.update(other._article_types)

    def add(
        self, identity: WorkIdentity, description: Reference | None = None, rank: int = 1, origin: str = ""
    ) -> None:
        """Record that all tokens of ``identity`` name one work (described by ``description``)."""
        self._built = False
        _join(self._parent, identity.tokens)
        if description is not None:
            token = identity.tokens[0]
            candidate = (rank, -filled_fields(description), origin, description)
            best = self._best.get(token)
            if best is None or candidate[:3] < best[:3]:
                self._best[token] = candidate
            ids = {(scheme, value) for scheme in _SCHEMES if (value := getattr(description, scheme))}
            if ids:
                self._ids.setdefault(token, set()).update(ids)

    def add_person(self, person: Person) -> None:
        """Record a spelling of a person: their names and ORCID iD, and the names of the
        organizations they are affiliated with (or, for a group author, the group's)."""
        if person.group:
            self.add_organization(person.family)
            return
        # initials stand for the given name where none is printed: "J.-P." and "J. P." fold
        # to one key, so one of them must be chosen, or the node gets two given names
        self._people.setdefault(person_key(person), Counter())[
            (person.family, person.given or person.initials or None, person.orcid)
        ] += 1
        for affiliation in person.affiliations:
            self.add_organization(affiliation)
        self._person_cache.clear()
        self._orcid_keys = None

    def add_organization(self, name: str) -> None:
        self._organizations.setdefault(organization_key(name), Counter())[name] += 1

    def organization(self, name: str) -> str:
        """One spelling per organization IRI (names that fold alike are one node)."""
        variants = self._organizations.get(organization_key(name))
        return _preferred_name(variants) if variants else name

    def _canonical_description(self, root: str) -> Reference | None:
        return self._canonical_cache.get(root)

    def build(self) -> IdentityIndex:
        """Choose each work's canonical description now (done lazily otherwise)."""
        self._built = True
        self._canonical_cache = {}
        self._group_types()
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
        return self

    def person(self, person: Person) -> Person:
        """One spelling per person: diacritics and a full given name win, then frequency."""
        key = person_key(person)
        chosen = self._person_cache.get(key)
        if chosen is None:
            variants = self._people.get(key)
            if not variants:
                return person
            chosen = self._person_cache[key] = _preferred_spelling(variants)
        respelled = _respelled(person, chosen)
        if respelled.orcid is None:
            return respelled
        if self._orcid_keys is None:
            found: dict[str, set[str]] = {}
            for name_key, spellings in self._people.items():
                for _, _, orcid in spellings:
                    if orcid:
                        found.setdefault(orcid, set()).add(name_key)
            self._orcid_keys = {orcid: sorted(keys) for orcid, keys in found.items()}
        keys = self._orcid_keys.get(respelled.orcid, [])
        return _one_per_orcid(respelled, [self._people[k] for k in keys])


def _find(parent: dict[str, str], token: str) -> str:
    """The root of ``token`` in the union-find ``parent`` (added as its own root if new)."""
    root = token
    while parent.setdefault(root, root) != root:
        root = parent[root]
    while parent[token] != root:
        parent[token], token = root, parent[token]
    return root


def _join(parent: dict[str, str], tokens: Iterable[str]) -> None:
    """Make ``tokens`` one group, rooted at its best token."""
    roots = sorted({_find(parent, t) for t in tokens}, key=_token_order)
    for other in roots[1:]:
        parent[other] = roots[0]


def _join_groups(parent: dict[str, str], part: IdentityIndex) -> None:
    """Add the groups of tokens ``part`` found to the union-find ``parent``."""
    for token, root in part.links():
        if root != token:
            _join(parent, (token, root))
        else:
            _find(parent, token)


def _one_per_orcid(person: Person, spellings: list[Counter[tuple[str, str | None, str | None]]]) -> Person:
    """One description per ORCID iD, whose IRI names the person: when the iD comes with
    people of several name keys (a shared or mistaken iD, a changed name), the spelling
    is chosen over all of them, so the node never gets two names. ``spellings``: the
    variants of each name key the iD comes with."""
    if len(spellings) < 2:
        return person
    combined: Counter[tuple[str, str | None, str | None]] = Counter()
    for variants in spellings:
        combined.update(variants)
    family, given, _ = _preferred_spelling(combined)
    return replace(person, family=family, given=given or person.given)


def _respelled(person: Person, chosen: tuple[str, str | None, str | None]) -> Person:
    family, given, orcid = chosen
    return replace(person, family=family, given=given or person.given, orcid=person.orcid or orcid)


def organization_key(name: str) -> str:
    """What an organization's IRI is minted from: names equal under it are one node."""
    return fold(name)


def _preferred_name(variants: Counter[str]) -> str:
    """An organization's name among its spellings: diacritics, then mixed case over all
    capitals, then frequency, then the text."""
    return max(
        sorted(variants),
        key=lambda n: (sum(not c.isascii() for c in n), sum(c.islower() for c in n), variants[n], n),
    )


def _preferred_spelling(
    variants: Counter[tuple[str, str | None, str | None]],
) -> tuple[str, str | None, str | None]:
    """Diacritics, then frequency, then the text for the family name; a full given name
    (one with lower-case letters) over initials, then the longest; the first ORCID."""
    frequency: Counter[str] = Counter()
    for (family, _, _), count in variants.items():
        frequency[family] += count
    family = max(sorted(frequency), key=lambda f: (sum(not c.isascii() for c in f), frequency[f], f))
    givens = sorted({given for _, given, _ in variants if given})
    orcids = sorted({orcid for _, _, orcid in variants if orcid})
    return (
        family,
        max(givens, key=lambda g: (g != g.upper(), len(g), g)) if givens else None,
        orcids[0] if orcids else None,
    )


class _Bounded(OrderedDict[Any, Any]):
    """A dict that forgets its least recently added entries beyond ``size``."""

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def __reduce__(self) -> tuple[Any, ...]:
        return type(self), (self.size,)  # a cache travels empty

    def remember(self, key: object, value: object) -> None:
        self[key] = value
        if len(self) > self.size:
            self.popitem(last=False)


_SCHEMA = """
CREATE TABLE best (token TEXT PRIMARY KEY, rank INTEGER, unfilled INTEGER, origin TEXT, description BLOB);
CREATE TABLE ids (token TEXT, scheme TEXT, value TEXT, PRIMARY KEY (token, scheme, value));
CREATE TABLE people (key TEXT, family TEXT, given TEXT, orcid TEXT, count INTEGER,
                     PRIMARY KEY (key, family, given, orcid));
CREATE INDEX people_by_orcid ON people (orcid);
CREATE TABLE organizations (key TEXT, name TEXT, count INTEGER, PRIMARY KEY (key, name));
CREATE TABLE canonical (root TEXT PRIMARY KEY, description BLOB);
"""


class IdentityStore(_WorkGroups):
    """The :class:`IdentityIndex` of a whole corpus, kept on disk so memory stays flat.

    Only the union-find over identifying tokens (short strings) and the article types
    stay in memory; every description of a work, every identifier a description gives
    and every spelling of a person go into an SQLite file, as the parts indexed in
    parallel are merged (:meth:`merge`). :meth:`build` then writes each work's canonical
    description; the queries (:meth:`canonical`, :meth:`describe`, :meth:`article_type`,
    :meth:`person`) answer exactly as an :class:`IdentityIndex` of the same articles
    would, reading the file through small caches. A forked process opens its own
    read-only connection.
    """

    def __init__(self, path: Path, cache: int = 4_096) -> None:
        super().__init__()
        self.path = Path(path)
        self._descriptions: _Bounded = _Bounded(cache)
        self._spellings: _Bounded = _Bounded(cache)
        self.path.unlink(missing_ok=True)
        self._writer: sqlite3.Connection | None = sqlite3.connect(self.path)
        self._writer.executescript("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;" + _SCHEMA)
        self._reader: tuple[int, sqlite3.Connection] | None = None

    def _write(self) -> sqlite3.Connection:
        if self._writer is None:
            raise RuntimeError(f"{self.path}: the identity store is built and read-only")
        return self._writer

    def _read(self) -> sqlite3.Connection:
        """A read-only connection of this process: a forked worker opens its own (a
        connection must not cross a fork)."""
        if self._reader is None or self._reader[0] != os.getpid():
            self._reader = (os.getpid(), sqlite3.connect(f"{self.path.as_uri()}?mode=ro", uri=True))
        return self._reader[1]

    def __getstate__(self) -> dict[str, Any]:
        if self._writer is not None:
            raise TypeError("an identity store can be handed to another process once built")
        return {**self.__dict__, "_reader": None}

    def close(self) -> None:
        """Close this process's connections (the file stays until its directory goes)."""
        for connection in (self._writer, self._reader[1] if self._reader else None):
            if connection is not None:
                connection.close()
        self._writer = self._reader = None

    def merge(self, part: IdentityIndex) -> None:
        """Add what ``part`` indexed (as :meth:`IdentityIndex.merge` does)."""
        db = self._write()
        self._built = False
        _join_groups(self._parent, part)
        db.executemany(
            "INSERT INTO best VALUES (?, ?, ?, ?, ?) ON CONFLICT (token) DO UPDATE SET"
            " rank = excluded.rank, unfilled = excluded.unfilled, origin = excluded.origin,"
            " description = excluded.description"
            " WHERE (excluded.rank, excluded.unfilled, excluded.origin)"
            " < (best.rank, best.unfilled, best.origin)",
            (
                (token, rank, unfilled, origin, pickle.dumps(description, pickle.HIGHEST_PROTOCOL))
                for token, rank, unfilled, origin, description in part.best_descriptions()
            ),
        )
        db.executemany("INSERT OR IGNORE INTO ids VALUES (?, ?, ?)", part.identifiers())
        db.executemany(
            "INSERT INTO people VALUES (?, ?, ?, ?, ?) ON CONFLICT (key, family, given, orcid)"
            " DO UPDATE SET count = count + excluded.count",
            (
                (key, family, given or "", orcid or "", count)
                for key, family, given, orcid, count in part.spellings()
            ),
        )
        db.executemany(
            "INSERT INTO organizations VALUES (?, ?, ?) ON CONFLICT (key, name)"
            " DO UPDATE SET count = count + excluded.count",
            part.organization_names(),
        )
        self._article_types.update(part.article_types)

    def build(self) -> IdentityStore:
        """Write each work's canonical description: the best description of its group,
        completed with the group's smallest DOI, PMID and PMCID it lacks. The store is
        read-only from here."""
        db = self._write()
        db.execute("CREATE TEMP TABLE roots (token TEXT PRIMARY KEY, root TEXT)")
        db.executemany(
            "INSERT INTO roots VALUES (?, ?)", ((t, _find(self._parent, t)) for t in list(self._parent))
        )
        ids: dict[str, dict[str, str]] = {}
        for root, scheme, value in db.execute(
            "SELECT root, scheme, min(value) FROM ids JOIN roots USING (token) GROUP BY root, scheme"
        ):
            ids.setdefault(root, {})[scheme] = value
        rows = db.execute(
            "SELECT root, description FROM best JOIN roots USING (token)"
            " ORDER BY root, rank, unfilled, origin"
        )

        def canonical() -> Iterable[tuple[str, bytes]]:
            previous = None
            for root, blob in rows:
                if root == previous:
                    continue
                previous = root
                known = ids.get(root, {})
                if known:
                    best: Reference = pickle.loads(blob)
                    filled = replace(
                        best,
                        doi=best.doi or known.get("doi"),
                        pmid=best.pmid or known.get("pmid"),
                        pmcid=best.pmcid or known.get("pmcid"),
                    )
                    if filled != best:
                        blob = pickle.dumps(filled, pickle.HIGHEST_PROTOCOL)
                yield root, blob

        db.execute("DELETE FROM canonical")
        db.executemany("INSERT INTO canonical VALUES (?, ?)", list(canonical()))
        db.execute("DROP TABLE roots")
        db.commit()
        db.close()
        self._writer = None
        self._group_types()
        self._descriptions.clear()
        self._spellings.clear()
        self._built = True
        return self

    def _canonical_description(self, root: str) -> Reference | None:
        found = self._descriptions.get(root)
        if found is None:
            row = self._read().execute("SELECT description FROM canonical WHERE root = ?", (root,)).fetchone()
            if row is None:
                return None
            found = pickle.loads(row[0])
            self._descriptions.remember(root, found)
        return found if isinstance(found, Reference) else None

    def person(self, person: Person) -> Person:
        key = person_key(person)
        chosen = self._spellings.get(key)
        if chosen is None:
            rows = self._read().execute(
                "SELECT family, given, orcid, count FROM people WHERE key = ?", (key,)
            )
            variants = Counter({(f, g or None, o or None): n for f, g, o, n in rows})
            if not variants:
                return person
            chosen = _preferred_spelling(variants)
            self._spellings.remember(key, chosen)
        respelled = _respelled(person, chosen)
        if respelled.orcid is None:
            return respelled
        spellings = self._spellings.get(("orcid", respelled.orcid))
        if spellings is None:
            spellings = self._spellings_of_orcid(respelled.orcid)
            self._spellings.remember(("orcid", respelled.orcid), spellings)
        return _one_per_orcid(respelled, spellings)

    def organization(self, name: str) -> str:
        key = ("organization", organization_key(name))
        chosen = self._spellings.get(key)
        if chosen is None:
            rows = self._read().execute(
                "SELECT name, count FROM organizations WHERE key = ?", (organization_key(name),)
            )
            variants = Counter({spelling: count for spelling, count in rows})
            chosen = _preferred_name(variants) if variants else name
            self._spellings.remember(key, chosen)
        return str(chosen)

    def _spellings_of_orcid(self, orcid: str) -> list[Counter[tuple[str, str | None, str | None]]]:
        """The variants of each name key ``orcid`` comes with (none when only one key)."""
        db = self._read()
        rows = db.execute("SELECT DISTINCT key FROM people WHERE orcid = ? ORDER BY key", (orcid,))
        keys = [key for (key,) in rows]
        if len(keys) < 2:
            return []
        spellings = []
        for name_key in keys:
            rows = db.execute("SELECT family, given, orcid, count FROM people WHERE key = ?", (name_key,))
            spellings.append(Counter({(f, g or None, o or None): n for f, g, o, n in rows}))
        return spellings


Spelling = tuple[str, str | None, str | None]  # a person's family name, given name, ORCID iD


class Pickled(Mapping[str, V]):
    """A table of pickled values, each unpickled when first read: a chunk's answers are
    written to the spool as the cluster resolved them (pickled), not unpickled to be
    pickled again, and pickling the table keeps them pickled."""

    def __init__(self, raw: dict[str, bytes]) -> None:
        self._raw = raw
        self._read: dict[str, V] = {}

    def __getitem__(self, key: str) -> V:
        found = self._read.get(key, _UNREAD)
        if found is _UNREAD:
            found = self._read[key] = pickle.loads(self._raw[key])
        return found  # type: ignore[return-value]

    def get(self, key: str, default: Any = None) -> Any:
        return self[key] if key in self._raw else default

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __contains__(self, key: object) -> bool:
        return key in self._raw

    def __reduce__(self) -> tuple[Any, ...]:
        return (Pickled, (self._raw,))


_UNREAD = object()


@dataclass(frozen=True)
class IdentityView:
    """What a corpus's identity answers for one part of it (a chunk of articles), as
    resolved on a cluster (:mod:`litkg.build.resolve`): the answers to every question
    the part's articles ask, and no others. Its queries answer exactly as an
    :class:`IdentityIndex` of the whole corpus would, for those questions.

    ``roots``: token -> its group's root; ``descriptions`` and ``types``: root -> the
    group's canonical description and the printed type of the corpus article in it;
    ``spellings``: person key -> the chosen (family, given, ORCID); ``orcids``: ORCID
    iD -> the spellings of each name key it comes with (only iDs of two keys or more);
    ``organizations``: organization key -> the chosen name."""

    roots: Mapping[str, str]
    descriptions: Mapping[str, Reference]
    types: Mapping[str, str]
    spellings: Mapping[str, Spelling]
    orcids: Mapping[str, list[Counter[Spelling]]]
    organizations: Mapping[str, str]

    def canonical(self, identity: WorkIdentity) -> str:
        for token in identity.tokens:
            root = self.roots.get(token)
            if root is not None:
                return root
        return identity.best

    def describe(self, identity: WorkIdentity, fallback: Reference) -> Reference:
        return self.descriptions.get(self.canonical(identity), fallback)

    def article_type(self, identity: WorkIdentity) -> str | None:
        return self.types.get(self.canonical(identity))

    def person(self, person: Person) -> Person:
        chosen = self.spellings.get(person_key(person))
        if chosen is None:
            return person
        respelled = _respelled(person, chosen)
        if respelled.orcid is None:
            return respelled
        return _one_per_orcid(respelled, self.orcids.get(respelled.orcid, []))

    def organization(self, name: str) -> str:
        return self.organizations.get(organization_key(name), name)


# What the mapping reads identities from: a corpus index in memory, or on disk, or the
# part of one a cluster resolved for a chunk of articles.
Identities = IdentityIndex | IdentityStore | IdentityView
