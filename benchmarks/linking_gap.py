"""Where NCBI ``devel``'s linking figure falls short of the ``train`` folds': mentions whose
words the training documents have, and those they never had.

    python benchmarks/linking_gap.py [--shared ../shared]

Prints, for NCBI ``devel`` scored by a model trained on ``train`` and for the ``train``
abstracts each scored by a model trained on the other four of five folds (the folds of
``litkg eval-linking --folds 5``):

1. strict precision, recall and F1 of the gold mentions whose normalised words are those
   of a gold mention of the training documents ("seen"), and of the others ("unseen"),
   a prediction counted with the gold mentions of its own words;
2. the kinds of the unseen gold mentions (an acronym, a name the lexicon gives a right
   term, a name it gives another term, a coordination, no name of the lexicon), from
   the gold alone, with the recall of each kind;
3. how often the concept the training documents give a mention's words most often is
   among the mention's concepts (the corpus's conventions, from the gold alone);
4. the false positives, seen and unseen, by what the gold has at their place: a mention
   of the same span with other concepts, a mention of another span overlapping it, or
   no mention; and for those that overlap a mention of another span, whether the model
   had an option of a right concept over the gold's span (none; one below its threshold;
   one above it, which another option of its proposal beat or which was linked as well).

It trains six models (about a minute on 2 cores). Nothing here chooses anything: it
says where a figure comes from.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path

from litkg.link.annotator import Annotator
from litkg.link.evaluate import GoldDocument, GoldMention, OntologyReport, folds, read_gold, subset
from litkg.link.lexicon import Lexicon, is_acronym
from litkg.link.model import option_features, span_features
from litkg.link.tagger import ONTOLOGY
from litkg.link.tokens import name_key
from litkg.link.train import Trainer

HERE = Path(__file__).resolve().parent
NCBI = Path("corpus", "ncbi-disease", "ncbi-disease-train-dev.jsonl.gz")
KINDS = (
    "acronym",
    "lexicon name, right term",
    "lexicon name, another term",
    "coordination",
    "no lexicon name",
)
Words = tuple[str, ...]
FALSE_POSITIVES = ("same span, another concept", "overlapping span", "no gold mention")
# for a false positive over a span overlapping a gold mention: the options at the gold's span
GOLD_SPAN_OPTIONS = ("no right option", "right option below threshold", "right option above threshold")


def words_of_mentions(documents: Sequence[GoldDocument]) -> set[Words]:
    return {name_key(d.text[m.start : m.end]) for d in documents for m in d.mentions if m.mappable}


def kind_of(lexicon: Lexicon, surface: str, concepts: frozenset[str] | set[str]) -> str:
    """What an unseen gold mention is, from the gold and the lexicon alone."""
    key = name_key(surface)
    named = {e.curie for e in lexicon.lookup(key)}
    if is_acronym(surface):
        return "acronym"
    if named & concepts:
        return "lexicon name, right term"
    if named:
        return "lexicon name, another term"
    if "and" in key or "or" in key or "/" in surface:
        return "coordination"
    return "no lexicon name"


class Gap:
    """The figures of :func:`main`, summed over the scored documents of one setting."""

    def __init__(self) -> None:
        self.reports = {"seen": OntologyReport(), "unseen": OntologyReport()}
        self.kinds: Counter[str] = Counter()
        self.kinds_found: Counter[str] = Counter()
        self.false_positives: dict[str, Counter[str]] = {"seen": Counter(), "unseen": Counter()}
        self.at_gold_span: Counter[str] = Counter()

    def score(self, annotator: Annotator, documents: Sequence[GoldDocument], seen: set[Words]) -> None:
        lexicon = annotator.lexicon
        for document in documents:
            text = document.text
            gold = [m for m in document.mentions if m.ontology == ONTOLOGY]
            unscored = [(g.start, g.end) for g in gold if not g.mappable]
            predicted = {
                (m.start, m.end, m.curie)
                for m in annotator.annotate_texts([("text", text)])
                if m.curie.startswith(ONTOLOGY + ":")
                and not any(s < m.end and m.start < e for s, e in unscored)
            }
            for group, report in self.reports.items():
                inside = group == "seen"
                report.add(
                    text,
                    [g for g in gold if g.mappable and (name_key(text[g.start : g.end]) in seen) == inside],
                    {p for p in predicted if (name_key(text[p[0] : p[1]]) in seen) == inside},
                )
            scored = [g for g in gold if g.mappable]
            probabilities = None  # of each (start, end, concept) option, once needed
            for start, end, curie in predicted:
                if any((g.start, g.end) == (start, end) and curie in g.concepts for g in scored):
                    continue
                group = "seen" if name_key(text[start:end]) in seen else "unseen"
                kind = false_positive_kind(scored, start, end)
                self.false_positives[group][kind] += 1
                if kind == FALSE_POSITIVES[1]:
                    if probabilities is None:
                        probabilities = option_probabilities(annotator, text)
                    threshold = annotator.model.threshold if annotator.model is not None else 0.0
                    self.at_gold_span[gold_span_options(scored, start, end, probabilities, threshold)] += 1
            for g in gold:
                surface = text[g.start : g.end]
                if not g.mappable or name_key(surface) in seen:
                    continue
                kind = kind_of(lexicon, surface, g.concepts)
                self.kinds[kind] += 1
                self.kinds_found[kind] += any((g.start, g.end, c) in predicted for c in g.concepts)


def false_positive_kind(gold: Sequence[GoldMention], start: int, end: int) -> str:
    """What the gold has where a false positive is (see :data:`FALSE_POSITIVES`)."""
    if any((g.start, g.end) == (start, end) for g in gold):
        return FALSE_POSITIVES[0]
    if any(g.start < end and start < g.end for g in gold):
        return FALSE_POSITIVES[1]
    return FALSE_POSITIVES[2]


def option_probabilities(annotator: Annotator, text: str) -> dict[tuple[int, int, str], float]:
    """The model's probability of each option of each proposal over ``text``, by its span
    and concept (the highest where two proposals offer the same)."""
    found: dict[tuple[int, int, str], float] = {}
    model = annotator.model
    if model is None:
        return found
    for proposal in annotator.proposals([("text", text)]):
        shared = span_features(proposal.context)
        for option in proposal.options:
            start = proposal.span.start if option.start is None else option.start
            key = (start, proposal.span.end, option.curie)
            p = model.probability(option_features(proposal.context, option, shared))
            found[key] = max(p, found.get(key, 0.0))
    return found


def gold_span_options(
    gold: Sequence[GoldMention],
    start: int,
    end: int,
    probabilities: dict[tuple[int, int, str], float],
    threshold: float,
) -> str:
    """For a false positive over [start, end) that overlaps a gold mention of other bounds:
    what the options at that mention's span were (see :data:`GOLD_SPAN_OPTIONS`)."""
    right = [
        probabilities[g.start, g.end, c]
        for g in gold
        if g.start < end and start < g.end
        for c in g.concepts
        if (g.start, g.end, c) in probabilities
    ]
    if not right:
        return GOLD_SPAN_OPTIONS[0]
    return GOLD_SPAN_OPTIONS[1] if max(right) < threshold else GOLD_SPAN_OPTIONS[2]


def conventions(documents: Sequence[GoldDocument], training: Sequence[GoldDocument]) -> tuple[int, int]:
    """Of the gold mentions of ``documents`` whose words a mention of ``training`` has: how
    many, and how many have among their concepts the concept ``training`` gives those
    words most often (the first of equals by its sorted terms)."""
    given: dict[Words, Counter[tuple[str, ...]]] = defaultdict(Counter)
    for d in training:
        for m in d.mentions:
            if m.mappable:
                given[name_key(d.text[m.start : m.end])][tuple(sorted(m.concepts))] += 1
    seen = agree = 0
    for d in documents:
        for m in d.mentions:
            counts = given.get(name_key(d.text[m.start : m.end])) if m.mappable else None
            if counts:
                seen += 1
                most = min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
                agree += bool(set(most) & m.concepts)
    return seen, agree


def report(name: str, gap: Gap, agreement: tuple[int, int]) -> None:
    print(f"\n{name}")
    for group, r in gap.reports.items():
        s = r.strict
        print(
            f"  words {group:6}: {s.tp + s.fn:5} gold, {s.tp + s.fp:5} predicted, "
            f"P {s.precision:.3f}  R {s.recall:.3f}  F1 {s.f1:.3f}"
        )
    total = sum(gap.kinds.values())
    for kind in KINDS:
        n = gap.kinds[kind]
        found = gap.kinds_found[kind] / n if n else 0.0
        print(f"  unseen, {kind:27}: {n:4} ({n / total:.2f}), found {found:.2f}")
    for group, counts in gap.false_positives.items():
        shares = ", ".join(f"{kind} {counts[kind]}" for kind in FALSE_POSITIVES)
        print(f"  false positives, words {group}: {shares}")
    options = ", ".join(f"{kind} {gap.at_gold_span[kind]}" for kind in GOLD_SPAN_OPTIONS)
    print(f"  false positives over a span overlapping a gold mention, at the gold's span: {options}")
    seen, agree = agreement
    print(f"  the training's most given concept right: {agree} of {seen} ({agree / seen:.3f})")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=HERE.parent.parent / "shared")
    args = parser.parse_args()
    documents = read_gold(args.shared / NCBI)
    train, devel = subset(documents, "train"), subset(documents, "devel")

    gap = Gap()
    gap.score(Trainer()(train), devel, words_of_mentions(train))
    report("NCBI devel, trained on train", gap, conventions(devel, train))

    gap = Gap()
    seen = agree = 0
    parts = folds(train, 5)
    for i, fold in enumerate(parts):
        training = [d for j, other in enumerate(parts) if j != i for d in other]
        gap.score(Trainer()(training), fold, words_of_mentions(training))
        s, a = conventions(fold, training)
        seen, agree = seen + s, agree + a
        print(f"  (fold {i + 1}: the training's most given concept right for {a} of {s})")
    report("NCBI train, each fold trained on the other four", gap, (seen, agree))


if __name__ == "__main__":
    main()
