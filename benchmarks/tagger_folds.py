"""The mention tagger alone (``litkg.link.tagger``), cross-validated: each fold's disease
spans found by a tagger trained on the other folds, against every gold disease mention.

    python benchmarks/tagger_folds.py [--corpus ncbi-train|craft] [--folds 5]

A change to the tagger shows here in about 15 seconds, where the linking figures it
feeds (``litkg eval-linking --folds 5``) take one to three minutes. The tagger is asked
as the annotator asks it: in the sentences around the rules' disease spans, those spans
marked. A span is right when it is a gold mention's exactly (strict), or overlaps one
(lenient). The folds are those of ``eval-linking``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from litkg.link.annotator import TAGGED_PREFIX
from litkg.link.evaluate import folds, read_gold, subset
from litkg.link.tagger import ONTOLOGY
from litkg.link.train import Trainer

HERE = Path(__file__).resolve().parent
CORPORA = {
    "ncbi-train": (Path("corpus", "ncbi-disease", "ncbi-disease-train-dev.jsonl.gz"), "train"),
    "craft": (Path("corpus", "craft", "cl-mondo-dev.jsonl.gz"), None),
}


def scores(right_found: int, found: int, right_gold: int, gold: int) -> tuple[float, float, float]:
    """Precision (of the spans found, those right), recall (of the gold, those found), F1."""
    precision = right_found / found if found else 0.0
    recall = right_gold / gold if gold else 0.0
    total = precision + recall
    return precision, recall, 2 * precision * recall / total if total else 0.0


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="ncbi-train")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    path, part = CORPORA[args.corpus]
    documents = subset(read_gold(args.shared / path), part)
    trainer = Trainer()  # its rules and training sequences, as a model's training makes them
    parts = folds(documents, args.folds)
    place = {id(d): n for n, d in enumerate(documents)}
    jobs = [[place[id(d)] for other in parts if other is not fold for d in other] for fold in parts]
    taggers = trainer._taggers(documents, jobs)  # as a model's cross-fitted taggers are trained
    right = found = gold = 0
    overlapping_found = overlapped_gold = 0
    for fold, tagger in zip(parts, taggers, strict=True):
        for document in fold:
            rules = trainer._rules_of(document)
            chosen = [(s.start, s.end) for s in rules.chosen["text"] if s.curie.startswith(TAGGED_PREFIX)]
            spans = tagger.spans(document.text, rules.tokens["text"], chosen) if tagger else frozenset()
            mentions = {(m.start, m.end) for m in document.mentions if m.ontology == ONTOLOGY}
            right += len(spans & mentions)
            overlapping_found += sum(any(_overlap(s, m) for m in mentions) for s in spans)
            overlapped_gold += sum(any(_overlap(s, m) for s in spans) for m in mentions)
            found += len(spans)
            gold += len(mentions)
    print(f"{args.corpus}, {args.folds} folds: {found} spans tagged, {gold} gold {ONTOLOGY} mentions")
    for name, figures in (
        ("strict", scores(right, found, right, gold)),
        ("lenient", scores(overlapping_found, found, overlapped_gold, gold)),
    ):
        precision, recall, score = figures
        print(f"  {name:8} P {precision:.4f}  R {recall:.4f}  F1 {score:.4f}")


if __name__ == "__main__":
    main()
