"""The terms whose names are most like a mention's words: candidates for a tagged span.

A mention the tagger (:mod:`litkg.link.tagger`) finds is often written unlike any name
of its term: "deficiency of the ninth component of complement" for complement component
9 deficiency, "X-linked recessive muscular dystrophy", "breast-ovary cancer". Its words
still share the rare ones with a name of the right term. Each name of the ontology (and
each name the model learnt) is a bag of its normalised words (:func:`name_key`, less a
few function words), weighted by inverse document frequency over the names; a mention's
candidates are the terms of the names with the highest cosine similarity to its words,
as DNorm ranks MeSH names by TF-IDF before it learns a better similarity. The similarity
is no link by itself: it is a feature of the options the model weighs
(:func:`litkg.link.model.similar_features`).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence

STOP_WORDS = frozenset({"of", "the", "a", "an", "in", "and", "or", "with", "to", "for", "by", "on", "due"})
MOST = 3  # the most candidate terms a span has
LEAST_SIMILAR = 0.5  # the lowest cosine similarity of a candidate
_COMMON = 5_000  # a word in more names than this finds no candidates by itself ("disease")


def _bag(key: Sequence[str]) -> frozenset[str]:
    return frozenset(key).difference(STOP_WORDS)


class SimilarNames:
    """An inverted index of names by their words, for cosine similarity of word bags."""

    def __init__(self, names: Iterable[tuple[str, Sequence[str]]]) -> None:
        """``names``: (term, normalised words) pairs."""
        bags: dict[frozenset[str], set[str]] = defaultdict(set)
        for curie, key in names:
            bag = _bag(key)
            if bag:
                bags[bag].add(curie)
        frequency: dict[str, int] = defaultdict(int)
        for bag in bags:
            for word in bag:
                frequency[word] += 1
        total = len(bags) + 1
        self._weight = {w: math.log(total / n) for w, n in frequency.items()}
        self._unknown = math.log(total)
        self._bags = list(bags)
        self._terms = [tuple(sorted(bags[b])) for b in self._bags]
        squared = {w: v * v for w, v in self._weight.items()}
        self._norms = [math.sqrt(sum(map(squared.__getitem__, b))) for b in self._bags]
        postings: dict[str, list[int]] = defaultdict(list)
        for n, bag in enumerate(self._bags):
            for word in bag:
                postings[word].append(n)
        self._postings = {w: p for w, p in postings.items() if len(p) <= _COMMON}
        self._remembered: dict[frozenset[str], list[tuple[str, float]]] = {}

    def __len__(self) -> int:
        return len(self._bags)

    def of(self, key: Sequence[str]) -> list[tuple[str, float]]:
        """The terms most similar to the words ``key``, best first (ties by term), with
        their similarity rounded to 3 places; at most :data:`MOST`, none below
        :data:`LEAST_SIMILAR`. Remembered per bag of words: a corpus names the same
        diseases again and again."""
        bag = _bag(key)
        if not bag:
            return []
        found = self._remembered.get(bag)
        if found is None:
            if len(self._remembered) >= 100_000:
                self._remembered.clear()
            found = self._remembered[bag] = self._ranked(bag)
        return found

    def _ranked(self, bag: frozenset[str]) -> list[tuple[str, float]]:
        weights = {w: self._weight.get(w, self._unknown) for w in bag}
        norm = math.sqrt(sum(v * v for v in weights.values()))
        shared: dict[int, float] = defaultdict(float)
        for word, weight in weights.items():
            squared = weight * weight
            for n in self._postings.get(word, ()):
                shared[n] += squared
        best: dict[str, float] = {}
        least = LEAST_SIMILAR - 0.0005  # below it, no similarity rounds up to LEAST_SIMILAR
        norms = self._norms
        for n, dot in shared.items():
            similarity = dot / (norm * norms[n])
            if similarity < least:
                continue
            similarity = round(similarity, 3)
            if similarity < LEAST_SIMILAR:
                continue
            for curie in self._terms[n]:
                if similarity > best.get(curie, 0.0):
                    best[curie] = similarity
        ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:MOST]
