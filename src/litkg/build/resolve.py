"""The identity of works and people across a corpus, resolved on a Dask cluster.

The local build merges each chunk's :class:`~litkg.rdf.identity.IdentityIndex` into one
store. Here each chunk's index becomes rows (:func:`index_rows`), the rows of all
chunks are Dask DataFrames spread over the workers, and every rule of the local index
runs as a shuffle by key: the groups of tokens (:func:`~litkg.build.components.connected_components`),
each group's canonical description (the best description: rank, then fields, then
origin; completed with the group's smallest DOI, PMID and PMCID), the printed type of
the corpus article in a group, a person's spelling, the spellings an ORCID iD comes
with, an organization's name, and which inputs are the same article.

A chunk's mapper then needs the answers to its own questions only. Each chunk asks
them as rows of (chunk, kind, key); they are joined with the resolved answers in a few
rounds (tokens -> roots -> descriptions and types -> the people and organizations those
descriptions name -> ORCID iDs), and each chunk's answers are written, as one
:class:`~litkg.rdf.identity.IdentityView`, to the spool (:func:`write_views`). No process
holds the corpus; the client holds only the duplicates found.
"""

from __future__ import annotations

import pickle
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa

from litkg.build.components import connected_components
from litkg.rdf.identity import (
    IdentityIndex,
    IdentityView,
    Pickled,
    Spelling,
    _preferred_name,
    _preferred_spelling,
    article_identity,
    as_description,
    filled_fields,
    organization_key,
    person_key,
    reference_identity,
)
from litkg.records import Article, Person, Reference

if TYPE_CHECKING:
    import dask.dataframe as dd

# Pickled answers, as Arrow binary: Dask would turn an object column into strings.
BYTES = pd.ArrowDtype(pa.binary())
# Each table's columns, with their types.
TABLES: dict[str, dict[str, Any]] = {
    "edges": {"token": "str", "work": "str"},
    "best": {"work": "str", "order": "str", "description": BYTES},
    "ids": {"work": "str", "scheme": "str", "value": "str"},
    "people": {"key": "str", "family": "str", "given": "str", "orcid": "str", "count": "int64"},
    "organizations": {"key": "str", "name": "str", "count": "int64"},
    "types": {"work": "str", "label": "str", "position": "int64"},
    "claims": {"source": "str", "work": "str", "unfilled": "int64"},
    "questions": {"chunk": "int64", "kind": "str", "key": "str"},
}
ANSWERS: dict[str, Any] = {"chunk": "int64", "kind": "str", "key": "str", "value": BYTES}
# A description's order among a group's: rank, then the fields it lacks, then origin, as
# one string that sorts as the tuple does (a description has far fewer than 10^7 fields).
_FIELDS_BOUND = 10_000_000


def description_order(rank: int, unfilled: int, origin: str) -> str:
    """(rank, unfilled, origin) as a string with the same order: ``unfilled`` is minus
    the fields filled, so it is shifted to be positive and padded."""
    return f"{rank}{_FIELDS_BOUND + unfilled:08d}{origin}"


def _frame(name: str, rows: Iterable[tuple[Any, ...]]) -> pd.DataFrame:
    columns = TABLES[name]
    frame = pd.DataFrame(list(rows), columns=list(columns))
    return frame.astype(columns) if len(frame) else _empty(columns)


def _empty(columns: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({name: pd.Series([], dtype=dtype) for name, dtype in columns.items()})


def index_rows(chunk: int, part: IdentityIndex, articles: list[Article]) -> dict[str, pd.DataFrame]:
    """The rows of one chunk's identity index (``part``, of its ``articles``): what the
    local build merges into its store, with each article's claim to be its work."""
    claims = [(a.source, *_claim(a)) for a in articles]
    # a work's printed type is the last one given, in input order, as the local merge keeps it
    types = [
        (article_identity(a).tokens[0], a.article_type, chunk * _PER_CHUNK + number)
        for number, a in enumerate(articles)
        if a.article_type
    ]
    return {
        "edges": _frame("edges", part.links()),
        "best": _frame(
            "best",
            (
                (token, description_order(rank, unfilled, origin), pickle.dumps(description, 5))
                for token, rank, unfilled, origin, description in part.best_descriptions()
            ),
        ),
        "ids": _frame("ids", part.identifiers()),
        "people": _frame(
            "people",
            (
                (key, family, given or "", orcid or "", count)
                for key, family, given, orcid, count in part.spellings()
            ),
        ),
        "organizations": _frame("organizations", part.organization_names()),
        "types": _frame("types", types),
        "claims": _frame("claims", claims),
    }


_PER_CHUNK = 1_000_000  # articles in a chunk, at most: positions are chunk * this + index


def _claim(article: Article) -> tuple[str, int]:
    return article_identity(article).tokens[0], -filled_fields(as_description(article))


def questions(chunk: int, articles: Iterable[Article]) -> pd.DataFrame:
    """What mapping the chunk's articles asks of the corpus's identity, before any
    answer: the tokens of every work, and the people, organizations and ORCID iDs the
    articles name (the descriptions of cited works name more, asked later)."""
    rows: set[tuple[int, str, str]] = set()
    for article in articles:
        identities = [article_identity(article), *map(reference_identity, article.references)]
        rows.update((chunk, "token", token) for identity in identities for token in identity.tokens)
        if article.publisher:
            rows.add((chunk, "organization", organization_key(article.publisher)))
        people = [*article.authors, *(p for r in article.references for p in r.authors)]
        rows.update(_people_questions(chunk, people))
    return _frame("questions", sorted(rows))


def _people_questions(chunk: int, people: Iterable[Person]) -> Iterator[tuple[int, str, str]]:
    for person in people:
        if person.group:
            yield chunk, "organization", organization_key(person.family)
            continue
        yield chunk, "person", person_key(person)
        if person.orcid:
            yield chunk, "orcid", person.orcid
        for affiliation in person.affiliations:
            yield chunk, "organization", organization_key(affiliation)


class Resolved:
    """The corpus's identity, resolved over the chunks' rows (lazy Dask DataFrames, each
    a table of answers: kind, key, value)."""

    def __init__(self, tables: dict[str, dd.DataFrame], partitions: int) -> None:
        self.partitions = partitions
        roots, self.rounds = connected_components(tables["edges"], partitions)
        self.roots = roots.persist()
        by_work = self.roots.rename(columns={"token": "work", "root": "key"})
        self._tables = tables
        self._by_work = by_work
        # each spelling of a person with its count over the corpus: read by both the
        # spellings and the ORCID iDs' spellings
        self._people = (
            tables["people"]
            .groupby(["key", "family", "given", "orcid"])["count"]
            .sum(split_out=partitions)
            .reset_index()
        )
        answers = {
            "token": self.roots.rename(columns={"token": "key", "root": "value"}).map_partitions(
                _pickled_values, meta=_answer_meta()
            ),
            "description": self._descriptions(),
            "type": self._types(),
            "person": self._spellings(),
            "orcid": self._orcid_spellings(),
            "organization": self._organizations(),
        }
        import dask.dataframe as dd

        # one table of every answer, by (kind, key), made once and kept on the workers
        self.answers = dd.concat([table.assign(kind=kind) for kind, table in answers.items()])
        self.answers = self.answers.shuffle("key", npartitions=partitions).persist()

    def _descriptions(self) -> dd.DataFrame:
        best = self._tables["best"].merge(self._by_work, on="work", npartitions=self.partitions)
        ids = self._tables["ids"].merge(self._by_work, on="work", npartitions=self.partitions)
        smallest = ids.groupby(["key", "scheme"]).value.min(split_out=self.partitions).reset_index()
        grouped = best[["key", "order", "description"]].shuffle("key", npartitions=self.partitions)
        chosen = grouped.map_partitions(_first_by_order, meta=_empty({"key": "str", "description": BYTES}))
        known = smallest.map_partitions(_ids_by_key, meta=_empty(_IDS))
        joined = chosen.merge(known, on="key", how="left", npartitions=self.partitions)
        return joined.map_partitions(_completed, meta=_answer_meta())

    def _types(self) -> dd.DataFrame:
        types = self._tables["types"].merge(self._by_work, on="work", npartitions=self.partitions)
        return types.shuffle("key", npartitions=self.partitions).map_partitions(
            _first_type, meta=_answer_meta()
        )

    def _spellings(self) -> dd.DataFrame:
        grouped = self._people.shuffle("key", npartitions=self.partitions)
        return grouped.map_partitions(_chosen_spellings, meta=_answer_meta())

    def _orcid_spellings(self) -> dd.DataFrame:
        """Per ORCID iD of two name keys or more, the spellings of each key (so the
        person node gets one name: :func:`~litkg.rdf.identity._one_per_orcid`)."""
        people = self._people
        pairs = people[people["orcid"] != ""][["orcid", "key"]].drop_duplicates(split_out=self.partitions)
        keys = pairs.groupby("orcid").key.count(split_out=self.partitions).reset_index()
        shared = pairs.merge(keys[keys["key"] > 1][["orcid"]], on="orcid", npartitions=self.partitions)
        spellings = people.merge(shared, on="key", suffixes=("", "_shared"), npartitions=self.partitions)
        grouped = spellings.shuffle("orcid_shared", npartitions=self.partitions)
        return grouped.map_partitions(_spellings_of_orcids, meta=_answer_meta())

    def _organizations(self) -> dd.DataFrame:
        names = (
            self._tables["organizations"]
            .groupby(["key", "name"])["count"]
            .sum(split_out=self.partitions)
            .reset_index()
        )
        return names.shuffle("key", npartitions=self.partitions).map_partitions(
            _chosen_names, meta=_answer_meta()
        )

    def duplicates(self) -> dict[str, str]:
        """Inputs that are the same article as another input, each with the input
        published instead (as :func:`~litkg.build.stages.duplicate_inputs` chooses)."""
        claims = self._tables["claims"].merge(self._by_work, on="work", npartitions=self.partitions)
        grouped = claims.shuffle("key", npartitions=self.partitions)
        found = grouped.map_partitions(
            _duplicates_of_groups, meta={"source": "str", "chosen": "str"}
        ).compute()
        return dict(zip(found["source"], found["chosen"], strict=True))

    def answer(self, asked: dd.DataFrame) -> dd.DataFrame:
        """The answers to ``asked`` (chunk, kind, key): rows (chunk, kind, key, value) of
        every question that has one (a key the corpus never named has none)."""
        found = asked.merge(self.answers, on=["kind", "key"], npartitions=self.partitions)
        return found[[*ANSWERS, FOLLOW]]


# The column of the questions an answer raises ((kind, key) pairs, pickled; b"": none),
# made once per answer where the answer is made: not once per chunk that asks for it
# (unpickling each description a chunk was answered took a sixth of the identity stage).
FOLLOW = "follow"


def _answer_meta() -> pd.DataFrame:
    return _empty({"key": "str", "value": BYTES, FOLLOW: BYTES})


def _answers(
    keys: Iterable[str], values: Iterable[bytes], follows: Iterable[bytes] | None = None
) -> pd.DataFrame:
    """A table of answers: each key with its pickled value and the questions it raises."""
    keys, values = list(keys), list(values)
    return pd.DataFrame(
        {
            "key": pd.Series(keys, dtype="str"),
            "value": pd.Series(values, dtype=BYTES),
            FOLLOW: pd.Series(list(follows) if follows is not None else [b""] * len(keys), dtype=BYTES),
        }
    )


def _raised(questions: Iterable[tuple[str, str]]) -> bytes:
    found = tuple(questions)
    return pickle.dumps(found, 5) if found else b""


def _pickled_values(part: pd.DataFrame) -> pd.DataFrame:
    """The roots of tokens: each asks for its group's description and type."""
    roots = list(part["value"])
    return _answers(
        part["key"],
        (pickle.dumps(v, 5) for v in roots),
        (_raised((("description", root), ("type", root))) for root in roots),
    )


def _first_by_order(part: pd.DataFrame) -> pd.DataFrame:
    """Per key, the description first in order (the partition holds each key whole)."""
    chosen = part.sort_values(["key", "order"], kind="stable").drop_duplicates("key")
    return chosen[["key", "description"]]


_IDS = {"key": "str", "doi": "str", "pmid": "str", "pmcid": "str"}


def _ids_by_key(part: pd.DataFrame) -> pd.DataFrame:
    """Per key, its smallest value of each scheme ("" where it has none)."""
    found: dict[str, dict[str, str]] = {}
    for key, scheme, value in zip(part["key"], part["scheme"], part["value"], strict=True):
        found.setdefault(key, {})[scheme] = value
    rows = [
        (key, ids.get("doi", ""), ids.get("pmid", ""), ids.get("pmcid", "")) for key, ids in found.items()
    ]
    return pd.DataFrame(rows, columns=list(_IDS)).astype(_IDS) if rows else _empty(_IDS)


def _completed(part: pd.DataFrame) -> pd.DataFrame:
    """Each group's best description completed with the identifiers it lacks."""
    from dataclasses import replace

    values = []
    follows = []  # the people and organizations each description names
    columns = (part["description"], part["doi"], part["pmid"], part["pmcid"])
    for blob, doi, pmid, pmcid in zip(*columns, strict=True):
        best: Reference = pickle.loads(blob)
        if isinstance(doi, str) and (doi or pmid or pmcid):
            filled = replace(
                best,
                doi=best.doi or doi or None,
                pmid=best.pmid or pmid or None,
                pmcid=best.pmcid or pmcid or None,
            )
            blob = pickle.dumps(filled, 5) if filled != best else blob
        values.append(blob)
        follows.append(_raised((kind, key) for _, kind, key in _people_questions(0, best.authors)))
    return _answers(part["key"], values, follows)


def _first_type(part: pd.DataFrame) -> pd.DataFrame:
    """Per group, the printed type of its article whose token comes first (of one
    token's, the last given)."""
    last = part.sort_values(["work", "position"], kind="stable").drop_duplicates("work", keep="last")
    chosen = last.sort_values(["key", "work"], kind="stable").drop_duplicates("key")
    return _answers(chosen["key"], (pickle.dumps(v, 5) for v in chosen["label"]))


def _spelling_counts(part: pd.DataFrame, by: str) -> dict[str, Counter[Spelling]]:
    found: dict[str, Counter[Spelling]] = {}
    rows = zip(part[by], part["family"], part["given"], part["orcid"], part["count"], strict=True)
    for key, family, given, orcid, count in rows:
        found.setdefault(key, Counter())[(family, given or None, orcid or None)] += int(count)
    return found


def _chosen_spellings(part: pd.DataFrame) -> pd.DataFrame:
    found = _spelling_counts(part, "key")
    chosen = [_preferred_spelling(found[key]) for key in found]
    return _answers(
        found,
        (pickle.dumps(spelling, 5) for spelling in chosen),
        (_raised([("orcid", spelling[2])] if spelling[2] else []) for spelling in chosen),
    )


def _spellings_of_orcids(part: pd.DataFrame) -> pd.DataFrame:
    """Per ORCID iD, the spellings of each of its name keys, in key order."""
    by_orcid: dict[str, dict[str, Counter[Spelling]]] = {}
    rows = zip(
        part["orcid_shared"],
        part["key"],
        part["family"],
        part["given"],
        part["orcid"],
        part["count"],
        strict=True,
    )
    for shared, key, family, given, orcid, count in rows:
        by_key = by_orcid.setdefault(shared, {})
        by_key.setdefault(key, Counter())[(family, given or None, orcid or None)] += int(count)
    values = (pickle.dumps([keys[k] for k in sorted(keys)], 5) for keys in by_orcid.values())
    return _answers(by_orcid, values)


def _chosen_names(part: pd.DataFrame) -> pd.DataFrame:
    found: dict[str, Counter[str]] = {}
    for key, name, count in zip(part["key"], part["name"], part["count"], strict=True):
        found.setdefault(key, Counter())[name] += int(count)
    return _answers(found, (pickle.dumps(_preferred_name(found[key]), 5) for key in found))


def _duplicates_of_groups(part: pd.DataFrame) -> pd.DataFrame:
    """Per group of claims of one article, the inputs not published: all but the one
    with the fullest description, then the first by source."""
    ordered = part.sort_values(["key", "unfilled", "source"], kind="stable")
    chosen = ordered.drop_duplicates("key").set_index("key")["source"]
    others = ordered[ordered.duplicated("key")]
    return pd.DataFrame(
        {"source": others["source"].to_numpy(), "chosen": chosen.loc[others["key"]].to_numpy()},
        columns=["source", "chosen"],
    ).astype("str")


# --- the questions of each chunk, in rounds --------------------------------------------


def followed_questions(answers: pd.DataFrame) -> pd.DataFrame:
    """The questions the answers of one round raise: a token's root asks for the
    group's description and type; a description asks for the people and
    organizations it names; a person's spelling asks for its ORCID iD's spellings."""
    rows: set[tuple[int, str, str]] = set()
    for chunk, follow in zip(answers["chunk"], answers[FOLLOW], strict=True):
        if follow:
            rows.update((int(chunk), kind, key) for kind, key in pickle.loads(follow))
    return _frame("questions", sorted(rows))


def view_of(rows: pd.DataFrame) -> IdentityView:
    """One chunk's answers as the identity its mapper reads."""
    tables: dict[str, dict[str, bytes]] = {
        kind: {} for kind in ("token", "description", "type", "person", "orcid", "organization")
    }
    for kind, key, value in zip(rows["kind"], rows["key"], rows["value"], strict=True):
        tables[kind][key] = value
    return IdentityView(
        roots=Pickled(tables["token"]),
        descriptions=Pickled(tables["description"]),
        types=Pickled(tables["type"]),
        spellings=Pickled(tables["person"]),
        orcids=Pickled(tables["orcid"]),
        organizations=Pickled(tables["organization"]),
    )
