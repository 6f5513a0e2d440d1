"""The learned step of linking: which term, if any, a span the rules found names.

The rules of :mod:`litkg.link.annotator` find spans and propose a term for each. For
every span the model scores a few options: the proposed term, its parents and
grandparents (corpora annotate "breast cancer" as the broader "breast neoplasm" or the
narrower "breast carcinoma" by their own conventions), and the other terms the matched
name fits. Each (span, option) pair is described by named binary features (the surface
form, its case and shape, the words around it, how the span was found, how often the
document names the term, the option's depth and its relation to the proposed term) and
scored by a logistic regression. The best option is linked when its probability reaches
the model's threshold; otherwise the span is no mention ("disease" in a corpus that
annotates only named diseases, a gene symbol that spells a disease acronym).

The model is trained by ``scripts/train_linking_model.py`` (scikit-learn,
:mod:`litkg.link.train`) and shipped as
a JSON file of feature weights: scoring a linear model is a sum of weights, so the run
time needs neither scikit-learn nor a pickle tied to its version, and the same features
give the same sum, in the same order, on every machine.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Literal

from litkg.resources import data_dir

Relation = Literal["self", "parent", "grandparent", "alternative"]
_WORD = re.compile(r"[^\W_]+(?:['\-][^\W_]+)*")
FORMAT = "litkg-linking-model/1"
# how a span was found, when not by a dictionary name (see litkg.link.annotator)
_WAYS = frozenset({"abbreviation", "coordination", "ellipsis", "unconfirmed", "bare short form"})


@dataclass(frozen=True)
class Option:
    """A term a span may name, and how it relates to the term the rules proposed."""

    curie: str
    relation: Relation
    depth: int  # the number of the term's ancestors


@dataclass(frozen=True)
class SpanContext:
    """What the features of one span are computed from."""

    text: str  # the text part the span is in
    part: str
    start: int
    end: int
    proposed: str  # the term the rules chose
    via: str  # the dictionary name, or "abbreviation", "coordination", "ellipsis"
    label: bool  # whether the name matched is the proposed term's label
    names_fitted: int  # how many terms the matched name fits
    document_count: int  # how many spans of the document the rules link to the proposed term
    defined: bool  # whether the document defines a short form for the proposed term


def _shape(surface: str) -> str:
    letters = [c for c in surface if c.isalpha()]
    if letters and all(c.isupper() for c in letters):
        case = "caps"
    elif surface[:1].isupper():
        case = "title"
    elif any(c.isupper() for c in letters):
        case = "mixed"
    else:
        case = "lower"
    return case + ("+digit" if any(c.isdigit() for c in surface) else "")


def _neighbour_words(text: str, start: int, end: int) -> tuple[str, str]:
    before = _WORD.findall(text[max(0, start - 40) : start])
    after = _WORD.findall(text[end : end + 40])
    return (before[-1].lower() if before else "^", after[0].lower() if after else "$")


def _bucket(count: int) -> str:
    return "1" if count <= 1 else "2-3" if count <= 3 else "4+"


def span_features(span: SpanContext) -> list[str]:
    """The features every option of one span shares."""
    surface = span.text[span.start : span.end]
    words = _WORD.findall(surface.lower())
    previous, following = _neighbour_words(span.text, span.start, span.end)
    ontology = span.proposed.split(":", 1)[0]
    how = span.via if span.via in _WAYS else "name"
    features = [
        f"ont={ontology}",
        f"via={how}",
        f"via={how}|label={span.label}",
        f"shape={_shape(surface)}",
        f"shape={_shape(surface)}|ont={ontology}",
        f"words={min(len(words), 4)}",
        f"surface={' '.join(words)}",
        f"head={words[-1] if words else ''}",
        f"prev={previous}",
        f"next={following}",
        f"prev={previous}|ont={ontology}",
        f"next={following}|ont={ontology}",
        f"paren={span.text[max(0, span.start - 1) : span.start] == '('}",
        f"part={span.part.split('/', 1)[0]}",
        f"count={_bucket(span.document_count)}",
        f"fits={min(span.names_fitted, 3)}",
        f"defined={span.defined}",
    ]
    return features


def own_features(span: SpanContext, option: Option) -> list[str]:
    """The features of one option of a span, its own and not shared with the other options."""
    return [
        f"rel={option.relation}",
        f"term={option.curie}",
        f"term={option.curie}|rel={option.relation}",
        f"from={span.proposed}|rel={option.relation}",
        f"from={span.proposed}|to={option.curie}",
        f"depth={min(option.depth, 12)}|rel={option.relation}",
    ]


def related(shared: Sequence[str], relation: Relation) -> list[str]:
    """The span's shared features joined to an option's relation (a feature of the span
    says something different of the proposed term than of its parent)."""
    return [f"{f}|rel={relation}" for f in shared]


def option_features(span: SpanContext, option: Option, shared: Sequence[str]) -> list[str]:
    """Every feature of one (span, option) pair."""
    return own_features(span, option) + related(shared, option.relation) + list(shared)


@dataclass(frozen=True)
class LinkingModel:
    """A logistic regression over named binary features, with its decision threshold."""

    weights: dict[str, float]
    bias: float
    threshold: float
    trained_on: tuple[str, ...] = ()  # the ids of the documents it was trained on
    about: dict[str, Any] = field(default_factory=dict)

    def _sum(self, features: Iterable[str]) -> float:
        weights = self.weights
        return math.fsum(weights.get(f, 0.0) for f in features)

    def probability(self, features: Iterable[str]) -> float:
        """P(the option is the term the span names), for all of an option's features."""
        return _logistic(self.bias + self._sum(set(features)))

    def choose(self, span: SpanContext, options: Sequence[Option]) -> str | None:
        """The option the span names, or None when no option reaches the threshold; ties go
        to the earlier option (the proposed term comes first). The sum over the span's
        shared features is made once, and once per relation."""
        shared = span_features(span)
        base = self.bias + self._sum(shared)
        by_relation: dict[str, float] = {}
        best, best_total = None, -math.inf
        for option in options:
            joined = by_relation.get(option.relation)
            if joined is None:
                joined = by_relation[option.relation] = self._sum(related(shared, option.relation))
            total = base + joined + self._sum(own_features(span, option))
            if total > best_total:
                best, best_total = option.curie, total
        return best if _logistic(best_total) >= self.threshold else None

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "bias": self.bias,
            "threshold": self.threshold,
            "trained_on": list(self.trained_on),
            "about": self.about,
            "weights": dict(sorted(self.weights.items())),
        }

    def dump(self, path: Path) -> None:
        """Write the model as gzip JSON, byte-identical for the same model."""
        data = json.dumps(self.to_json(), ensure_ascii=False, sort_keys=True, indent=0).encode("utf-8")
        with path.open("wb") as raw, gzip.GzipFile(filename="", fileobj=raw, mode="wb", mtime=0) as handle:
            handle.write(data)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LinkingModel:
        if data.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file (format {data.get('format')!r})")
        return cls(
            {str(k): float(v) for k, v in data["weights"].items()},
            float(data["bias"]),
            float(data["threshold"]),
            tuple(data.get("trained_on", ())),
            dict(data.get("about", {})),
        )

    @classmethod
    def load(cls, path: Path) -> LinkingModel:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            return cls.from_json(json.load(handle))


def _logistic(total: float) -> float:
    return 1.0 / (1.0 + math.exp(-total)) if total > -700 else 0.0


@cache
def shipped_model() -> LinkingModel:
    """The model shipped with litkg (``_data/linking/model.json.gz``), read once per process."""
    return LinkingModel.load(data_dir("linking") / "model.json.gz")
