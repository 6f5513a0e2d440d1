"""Score the annotator against gold mentions, per ontology.

Two gold layouts are read: CRAFT's (`../shared/corpus/craft/`, one ``concept`` per
annotation) and the NCBI Disease corpus mapped to MONDO (`../shared/corpus/ncbi-disease/`,
a ``concepts`` list and a ``mappable`` flag). A prediction is right when its term is one of
the gold mention's concepts; strict: the same span, lenient: an overlapping span. A
prediction overlapping a gold mention that maps to no term of its ontology is not scored.
Scores per ontology, with the most frequent false positives and false negatives.

Gold files name terms of the release they were annotated with (CRAFT's MONDO predates
the one litkg ships). A gold concept the shipped release deprecates is read as the term
the release says replaces it; one deprecated with no replacement is no term of the
ontology, so a mention left with none is not scored, like an unmappable NCBI mention.

Figures are read the way they will be used: :func:`cross_validate` scores each fold of
documents with a model trained on the other folds only, and :func:`train_then_score`
scores one set of documents with a model trained on another.
"""

from __future__ import annotations

import gzip
import json
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from litkg.link.annotator import Annotator, Mention
from litkg.link.cache import out_of_collectors_sight

Ontology = Literal["CL", "MONDO"]
ONTOLOGIES: tuple[Ontology, ...] = ("CL", "MONDO")


@dataclass(frozen=True)
class GoldMention:
    """One annotated mention: where it is and every term it may be linked to."""

    start: int
    end: int
    ontology: Ontology
    concepts: frozenset[str]  # empty when the annotated ids map to no term of the ontology
    text: str

    @property
    def mappable(self) -> bool:
        return bool(self.concepts)


@dataclass(frozen=True)
class GoldDocument:
    """One gold document: its text, its mentions, and the subset it belongs to."""

    id: str
    text: str
    mentions: tuple[GoldMention, ...]
    subset: str | None = None  # "train"/"devel" in the NCBI corpus
    corpus: str = ""  # the gold file's name without its suffixes: "cl-mondo-dev"

    @property
    def size(self) -> int:
        return len(self.text.encode("utf-8"))


class GoldError(ValueError):
    """A gold file that cannot be read; the message names the file and the line."""


Current = Callable[[str], "str | None"]  # a term, or what replaces it, or None: OntologyModule.current


def _gold_mention(annotation: dict[str, Any], current: Current) -> GoldMention | None:
    """A mention of CL or MONDO, or None for another ontology's (one CRAFT "MONDO"
    annotation is an HP term)."""
    ontology = annotation["ontology"]
    if ontology not in ONTOLOGIES:
        return None
    if "concepts" in annotation:
        concepts = annotation["concepts"] if annotation.get("mappable", True) else []
    else:
        concepts = [annotation["concept"]]
    concepts = [c for c in concepts if c.startswith(ontology + ":")]
    if not concepts and "concepts" not in annotation:
        return None
    live = {term for term in map(current, concepts) if term is not None}
    return GoldMention(
        int(annotation["start"]),
        int(annotation["end"]),
        ontology,
        frozenset(live),
        annotation.get("text", ""),
    )


def _gold_document(record: dict[str, Any], corpus: str, current: Current) -> GoldDocument:
    mentions = (_gold_mention(a, current) for a in record["annotations"])
    subset = next((str(v) for k, v in record.items() if k.endswith("_subset")), None)
    return GoldDocument(
        str(record["id"]), record["text"], tuple(m for m in mentions if m is not None), subset, corpus
    )


def read_gold(path: Path, current: Current | None = None) -> list[GoldDocument]:
    """The documents of a (gzip) JSONL gold file, one object per line with ``id``,
    ``text`` and ``annotations``; each gold concept read through ``current`` (default: the
    shipped ontology module's, which replaces deprecated terms)."""
    if current is None:
        from litkg.link.ontology import shipped_module

        current = shipped_module().current
    opener: Callable[..., Any] = gzip.open if path.suffix == ".gz" else open
    documents = []
    with opener(path, "rt", encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                documents.append(_gold_document(json.loads(line), corpus_name(path), current))
            except (ValueError, KeyError, TypeError, AttributeError) as exc:
                raise GoldError(
                    f"{path}:{number}: not a gold document ({type(exc).__name__}: {exc})"
                ) from exc
    return documents


def corpus_name(path: Path) -> str:
    """The name a gold file gives its documents' corpus: "cl-mondo-dev.jsonl.gz" -> "cl-mondo-dev"."""
    return path.name.split(".", 1)[0]


def subset(documents: Iterable[GoldDocument], name: str | None) -> list[GoldDocument]:
    """The documents of one subset ("train", "devel"), or all for None."""
    return [d for d in documents if name is None or d.subset == name]


def folds(documents: Sequence[GoldDocument], k: int, seed: int | None = None) -> list[list[GoldDocument]]:
    """``k`` folds of whole documents: with the distinct ids sorted, the documents of the
    i-th id go to fold i mod k, so every fold is fixed by the ids alone and a document
    given twice (the NCBI training set holds one) is never in two folds. With a ``seed``
    the sorted ids are shuffled first (``random.Random(seed)``): another partition, as
    fixed, to see how far the figures move with the partition alone."""
    ids = sorted({d.id for d in documents})
    if not 2 <= k <= len(ids):
        raise ValueError(f"--folds must be between 2 and the number of documents ({len(ids)}), not {k}")
    if seed is not None:
        random.Random(seed).shuffle(ids)
    fold_of = {identifier: i % k for i, identifier in enumerate(ids)}
    parts: list[list[GoldDocument]] = [[] for _ in range(k)]
    for document in sorted(documents, key=lambda d: d.id):
        parts[fold_of[document.id]].append(document)
    return parts


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_dict(self) -> dict[str, float | int]:
        return {
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "f1": round(self.f1, 4),
        }


RESAMPLES = 2_000  # the bootstrap's resamples of the scored documents
LEVEL = 0.95  # the share of the resamples' F1 an interval holds


@dataclass(frozen=True)
class Interval:
    """Where the strict F1 of resamples of the scored documents lies: the middle ``level``
    of the F1s of ``resamples`` draws of as many documents, with replacement. It says how
    far the figure could move with another sample of as many documents of the same kind
    (the NCBI `devel` subset is 100 abstracts), not how good the annotator is."""

    low: float
    high: float
    level: float
    resamples: int
    documents: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "low": round(self.low, 4),
            "high": round(self.high, 4),
            "level": self.level,
            "resamples": self.resamples,
            "documents": self.documents,
        }


def bootstrap_f1(
    counts: Sequence[tuple[int, int, int]], resamples: int = RESAMPLES, level: float = LEVEL, seed: int = 0
) -> Interval | None:
    """The percentile bootstrap interval of the F1 of per-document (tp, fp, fn) counts,
    each resample summed before its F1 is taken (as the figure itself is); None for fewer
    than two documents. The same counts give the same interval (a seeded generator)."""
    if len(counts) < 2:
        return None
    draw = random.Random(seed)
    size = len(counts)
    scores = []
    for _ in range(resamples):
        tp = fp = fn = 0
        for t, p, n in draw.choices(counts, k=size):
            tp, fp, fn = tp + t, fp + p, fn + n
        scores.append(Score(tp, fp, fn).f1)
    scores.sort()
    cut = (1 - level) / 2
    return Interval(
        scores[int(cut * (resamples - 1))], scores[round((1 - cut) * (resamples - 1))], level, resamples, size
    )


Predicted = tuple[int, int, str]  # start, end, term


def _same_span(gold: GoldMention, predicted: Predicted) -> bool:
    return (gold.start, gold.end) == predicted[:2]


def _overlapping(gold: GoldMention, predicted: Predicted) -> bool:
    return gold.start < predicted[1] and predicted[0] < gold.end


@dataclass
class OntologyReport:
    strict: Score = field(default_factory=Score)
    lenient: Score = field(default_factory=Score)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)
    # each scored document's strict (tp, fp, fn), for the bootstrap interval
    documents: list[tuple[int, int, int]] = field(default_factory=list)

    def add(self, text: str, gold: Sequence[GoldMention], predicted: set[Predicted]) -> None:
        """Count one document's predictions against its scored gold mentions."""
        for score, fits in ((self.strict, _same_span), (self.lenient, _overlapping)):
            found = [any(fits(g, p) and p[2] in g.concepts for p in predicted) for g in gold]
            right = {p for p in predicted if any(fits(g, p) and p[2] in g.concepts for g in gold)}
            score.tp += sum(found)
            score.fn += found.count(False)
            score.fp += len(predicted - right)
            if fits is _same_span:
                self.documents.append((sum(found), len(predicted - right), found.count(False)))
                for s, e, c in sorted(predicted - right):
                    self.false_positives[f"{text[s:e]} -> {c}"] += 1
                for g, hit in zip(gold, found, strict=True):
                    if not hit:
                        self.false_negatives[f"{text[g.start : g.end]} -> {min(g.concepts)}"] += 1

    def merge(self, other: OntologyReport) -> None:
        for mine, theirs in ((self.strict, other.strict), (self.lenient, other.lenient)):
            mine.tp, mine.fp, mine.fn = mine.tp + theirs.tp, mine.fp + theirs.fp, mine.fn + theirs.fn
        self.false_positives.update(other.false_positives)
        self.false_negatives.update(other.false_negatives)
        self.documents.extend(other.documents)

    def interval(self) -> Interval | None:
        """The bootstrap interval of the strict F1 over the scored documents (:func:`bootstrap_f1`)."""
        return bootstrap_f1(self.documents)

    def to_dict(self, top: int = 20) -> dict[str, object]:
        interval = self.interval()
        return {
            "strict": self.strict.to_dict(),
            "strict_f1_interval": interval.to_dict() if interval else None,
            "lenient": self.lenient.to_dict(),
            "top_false_positives": self.false_positives.most_common(top),
            "top_false_negatives": self.false_negatives.most_common(top),
        }


@dataclass
class EvaluationReport:
    documents: int
    characters: int
    seconds: float
    ontologies: dict[str, OntologyReport]
    # which documents each figure comes from: the held-out documents of each fold, and
    # what the model that scored them was trained on
    held_out: list[list[str]] = field(default_factory=list)
    trained_on: list[str] = field(default_factory=list)

    @property
    def megabytes_per_second(self) -> float:
        return self.characters / 1e6 / self.seconds if self.seconds else 0.0

    def merge(self, other: EvaluationReport) -> None:
        self.documents += other.documents
        self.characters += other.characters
        self.seconds += other.seconds
        for name, report in other.ontologies.items():
            self.ontologies.setdefault(name, OntologyReport()).merge(report)
        self.held_out.extend(other.held_out)
        self.trained_on.extend(other.trained_on)

    def to_dict(self, top: int = 20) -> dict[str, object]:
        return {
            "documents": self.documents,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
            "mb_per_second": round(self.megabytes_per_second, 3),
            "held_out": self.held_out,
            "trained_on": self.trained_on,
            "ontologies": {name: report.to_dict(top) for name, report in self.ontologies.items()},
        }


def score_document(
    document: GoldDocument, mentions: Iterable[Mention], reports: dict[str, OntologyReport]
) -> None:
    """Add one document's mentions to the per-ontology reports. Predictions that overlap a
    gold mention with no term of their ontology are not scored."""
    predicted = {(m.start, m.end, m.curie) for m in mentions}
    for name, report in reports.items():
        gold = [m for m in document.mentions if m.ontology == name]
        unscored = [g for g in gold if not g.mappable]
        mine = {
            p
            for p in predicted
            if p[2].startswith(name + ":") and not any(_overlapping(u, p) for u in unscored)
        }
        report.add(document.text, [g for g in gold if g.mappable], mine)


def annotated_ontologies(documents: Iterable[GoldDocument]) -> tuple[Ontology, ...]:
    """The ontologies the gold documents annotate: a corpus of diseases only (NCBI) does
    not count cell types as false positives."""
    found = {m.ontology for d in documents for m in d.mentions}
    return tuple(o for o in ONTOLOGIES if o in found)


def evaluate(documents: Sequence[GoldDocument], annotator: Annotator | None = None) -> EvaluationReport:
    """Run the annotator over each document's text and score it per ontology."""
    annotator = annotator or Annotator()
    reports: dict[str, OntologyReport] = {name: OntologyReport() for name in annotated_ontologies(documents)}
    seconds = 0.0
    with out_of_collectors_sight():
        for document in documents:
            started = time.perf_counter()
            mentions = annotator.annotate_texts([("text", document.text)])
            seconds += time.perf_counter() - started
            score_document(document, mentions, reports)
    return EvaluationReport(len(documents), sum(d.size for d in documents), seconds, reports)


AnnotatorTrainer = Callable[[Sequence[GoldDocument]], Annotator]  # e.g. litkg.link.train.Trainer


def train_then_score(
    train: AnnotatorTrainer, training: Sequence[GoldDocument], held_out: Sequence[GoldDocument]
) -> EvaluationReport:
    """Score ``held_out`` with an annotator trained on ``training`` only."""
    if {d.id for d in training} & {d.id for d in held_out}:
        raise ValueError("a document is both trained on and scored")
    report = evaluate(held_out, train(training))
    report.held_out = [sorted(d.id for d in held_out)]
    report.trained_on = sorted(d.id for d in training)
    return report


def cross_validate(
    documents: Sequence[GoldDocument],
    k: int,
    train: AnnotatorTrainer,
    extra: Sequence[GoldDocument] = (),
    seed: int | None = None,
) -> EvaluationReport:
    """Document-level k-fold cross-validation: each fold is scored by an annotator trained
    on the other folds (and on ``extra``, another corpus, less any document of the fold),
    and the figures are summed over the folds (``seed``: see :func:`folds`)."""
    parts = folds(documents, k, seed)
    reports: dict[str, OntologyReport] = {name: OntologyReport() for name in annotated_ontologies(documents)}
    total = EvaluationReport(0, 0, 0.0, reports)
    for i, fold in enumerate(parts):
        held = {d.id for d in fold}
        training = [d for j, other in enumerate(parts) if j != i for d in other]
        training += [d for d in extra if d.id not in held]
        report = train_then_score(train, training, fold)
        report.trained_on = [
            f"fold {i + 1}: the other {k - 1} folds"
            + (" and the extra training documents" if extra else "")
            + f" ({len(training)} documents)"
        ]
        total.merge(report)
    return total
