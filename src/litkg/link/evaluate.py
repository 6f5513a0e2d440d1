"""Score the annotator against gold mentions (CRAFT CL and MONDO annotations).

Strict: same span and same term. Lenient: overlapping span and same term. Scores per
ontology, with the most frequent false positives and false negatives.
"""

from __future__ import annotations

import gzip
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litkg.link import Annotator


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


@dataclass
class OntologyReport:
    strict: Score = field(default_factory=Score)
    lenient: Score = field(default_factory=Score)
    false_positives: Counter[str] = field(default_factory=Counter)
    false_negatives: Counter[str] = field(default_factory=Counter)

    def to_dict(self, top: int = 20) -> dict[str, object]:
        return {
            "strict": self.strict.to_dict(),
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

    @property
    def megabytes_per_second(self) -> float:
        return self.characters / 1e6 / self.seconds if self.seconds else 0.0

    def to_dict(self, top: int = 20) -> dict[str, object]:
        return {
            "documents": self.documents,
            "characters": self.characters,
            "seconds": round(self.seconds, 3),
            "mb_per_second": round(self.megabytes_per_second, 3),
            "ontologies": {name: report.to_dict(top) for name, report in self.ontologies.items()},
        }


def read_gold(path: Path) -> list[dict[str, Any]]:
    """Documents of a gzip JSONL file: {"id", "text", "annotations": [...]}."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(documents: list[dict[str, Any]], annotator: Annotator | None = None) -> EvaluationReport:
    """Run the annotator over each document's text and score it per ontology."""
    annotator = annotator or Annotator()
    reports = {"CL": OntologyReport(), "MONDO": OntologyReport()}
    seconds = 0.0
    characters = 0
    for document in documents:
        text = document["text"]
        characters += len(text.encode("utf-8"))
        started = time.perf_counter()
        mentions = annotator.annotate_texts([("text", text)])
        seconds += time.perf_counter() - started
        predicted = {(m.start, m.end, m.curie) for m in mentions}
        for name, report in reports.items():
            prefix = name + ":"
            gold = {
                (a["start"], a["end"], a["concept"])
                for a in document["annotations"]
                if a["ontology"] == name and a["concept"].startswith(prefix)
            }
            pred = {p for p in predicted if p[2].startswith(prefix)}
            report.strict.tp += len(gold & pred)
            report.strict.fp += len(pred - gold)
            report.strict.fn += len(gold - pred)
            for s, e, c in pred - gold:
                report.false_positives[f"{text[s:e]} -> {c}"] += 1
            for s, e, c in gold - pred:
                report.false_negatives[f"{text[s:e]} -> {c}"] += 1

            def overlaps(a: tuple[int, int, str], others: set[tuple[int, int, str]]) -> bool:
                return any(a[2] == o[2] and a[0] < o[1] and o[0] < a[1] for o in others)

            report.lenient.tp += sum(overlaps(g, pred) for g in gold)
            report.lenient.fn += sum(not overlaps(g, pred) for g in gold)
            report.lenient.fp += sum(not overlaps(p, gold) for p in pred)
    return EvaluationReport(len(documents), characters, seconds, reports)
