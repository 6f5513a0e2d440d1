"""How many works cited by several CRAFT articles become one node, with and without identifiers.

Ground truth: references carrying the same PMID are the same work. For every PMID cited
by two or more of the articles, the work counts as deduplicated when all its references
get one IRI. Measured twice: with DOI/PMID/PMCID (as published) and with the
identifiers removed (the first-author/year/journal/volume/page key only).

    python benchmarks/craft_dedup.py ../shared/corpus/craft/nxml
"""

from __future__ import annotations

import sys
from collections import defaultdict
from dataclasses import replace

from litkg.parse import parse_files
from litkg.rdf.identity import IdentityIndex, reference_identity
from litkg.rdf.iris import Minter


def strip_ids(article):
    return replace(
        article,
        doi=None,
        pmid=None,
        pmcid=None,
        references=tuple(replace(r, doi=None, pmid=None, pmcid=None) for r in article.references),
    )


def measure(articles, truth) -> tuple[int, int]:
    """(works whose references all get one IRI, works) for the ground-truth groups."""
    index = IdentityIndex.from_articles(articles)
    by_source = {a.source: a for a in articles}
    minter = Minter()
    merged = 0
    for refs in truth.values():
        iris = {
            minter.work(index.canonical(reference_identity(by_source[s].references[n - 1]))) for s, n in refs
        }
        merged += len(iris) == 1
    return merged, len(truth)


if __name__ == "__main__":
    outcome = parse_files(sys.argv[1:] or ["../shared/corpus/craft/nxml"])
    articles = list(outcome.articles)
    citing: dict[str, set[str]] = defaultdict(set)
    where: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for article in articles:
        for reference in article.references:
            if reference.pmid:
                citing[reference.pmid].add(article.source)
                where[reference.pmid].append((article.source, reference.number))
    truth = {pmid: where[pmid] for pmid, sources in citing.items() if len(sources) >= 2}
    with_ids = measure(articles, truth)
    key_only = measure([strip_ids(a) for a in articles], truth)
    print(f"articles: {len(articles)}, references: {sum(len(a.references) for a in articles)}")
    print(f"PMIDs cited by 2+ articles: {len(truth)}")
    print(f"one node with identifiers: {with_ids[0]}/{with_ids[1]}")
    print(f"one node with the key only (identifiers removed): {key_only[0]}/{key_only[1]}")
