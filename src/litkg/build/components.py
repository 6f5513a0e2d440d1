"""Identity of works across a corpus on a Dask cluster: connected components of the
identifier graph by iterative min-label propagation, in Dask DataFrames.

The local build joins identifiers with a union-find in one process
(:class:`~litkg.rdf.identity.IdentityIndex`): every description of a work links its tokens
(DOI, PMID, PMCID, key; its first token names the description), and each group is
named by its best token. Here the same groups come out of a DataFrame of
(token, work) links, hash-partitioned by token across the workers, so no process
holds the corpus: each node starts with its own label, and each round gives every
node the smallest label among itself and its neighbours (one shuffle-join and one
grouped minimum), then takes its label's label where smaller (pointer jumping), until a
round changes nothing. Without the jump the rounds needed are the longest shortest path
within a group; with it, about the logarithm of that: two or three for bibliographic
identifiers, where a description's tokens form a star and descriptions meet at a shared
token.

Labels compare as the union-find's roots do (scheme rank, then the token), so the
label a group ends with is the root the local build gives it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

from litkg.rdf.identity import token_rank

if TYPE_CHECKING:
    import dask.dataframe as dd


def rank_key(token: str) -> str:
    """A string that sorts as the union-find orders roots: ``"0doi:…" < "1pmid:…"``."""
    return f"{token_rank(token)}{token}"


def rank_keys(tokens: pd.Series) -> pd.Series:
    """:func:`rank_key` of each token (a partition's column)."""
    return tokens.map(rank_key)


def unranked(keys: pd.Series) -> pd.Series:
    """The tokens of rank keys (their first character dropped)."""
    return keys.str.slice(1)


def _links(edges: pd.DataFrame) -> pd.DataFrame:
    """One partition of links in both directions, and each node to itself, as rank keys."""
    token, work = rank_keys(edges["token"]), rank_keys(edges["work"])
    return pd.DataFrame(
        {
            "node": pd.concat([token, work, token, work], ignore_index=True),
            "neighbour": pd.concat([work, token, token, work], ignore_index=True),
        }
    ).drop_duplicates()


def connected_components(
    edges: dd.DataFrame, partitions: int | None = None, max_rounds: int = 100
) -> tuple[dd.DataFrame, int]:
    """The group of every token in ``edges`` (columns ``token`` and ``work``: a token of
    a description, and the description's first token), as a DataFrame of ``token`` and
    ``root`` (the group's best token, as the local union-find roots it), with the rounds
    it took. ``partitions``: how many the work is hash-partitioned into (default: those
    of ``edges``). Raises RuntimeError if ``max_rounds`` do not settle it (a group with
    a path longer than that)."""
    partitions = partitions or edges.npartitions
    links = edges.map_partitions(_links, meta={"node": "str", "neighbour": "str"})
    # identical links (a work cited many times, by the same tokens) meet in one partition
    links = links.shuffle("neighbour", npartitions=partitions).map_partitions(pd.DataFrame.drop_duplicates)
    links = links.persist()
    labels = _smallest(links.rename(columns={"neighbour": "label"}), partitions).persist()
    rounds = 1
    while True:
        if rounds > max_rounds:
            raise RuntimeError(f"identity: {max_rounds} rounds of label propagation did not settle")
        offered = links.merge(
            labels.rename(columns={"node": "neighbour"}), on="neighbour", npartitions=partitions
        )
        updated = _jumped(_smallest(offered[["node", "label"]], partitions), partitions).persist()
        compared = updated.merge(labels, on="node", suffixes=("", "_before"), npartitions=partitions)
        changed = int((compared["label"] != compared["label_before"]).sum().compute())
        labels = updated
        rounds += 1
        if changed == 0:
            break
    roots = labels.map_partitions(
        lambda part: pd.DataFrame({"token": unranked(part["node"]), "root": unranked(part["label"])}),
        meta={"token": "str", "root": "str"},
    )
    return roots, rounds


def _jumped(labels: dd.DataFrame, partitions: int) -> dd.DataFrame:
    """Each node's label replaced by its label's own label where smaller (pointer
    jumping): a label travels along a chain twice as far per round, so long groups
    settle in about log2 of their length instead of their length."""
    ahead = labels.rename(columns={"node": "label", "label": "further"})
    joined = labels.merge(ahead, on="label", how="left", npartitions=partitions)
    return joined.map_partitions(_nearer, meta={"node": "str", "label": "str"})


def _nearer(part: pd.DataFrame) -> pd.DataFrame:
    further = part["further"].fillna(part["label"])
    return pd.DataFrame(
        {"node": part["node"], "label": further.where(further < part["label"], part["label"])}
    )


def _smallest(pairs: dd.DataFrame, partitions: int) -> dd.DataFrame:
    """Per node, its smallest label (columns ``node``, ``label``)."""
    return pairs.groupby("node").label.min(split_out=partitions).reset_index()
