"""How many of the ontologies' own labels the shipped annotator links, each written alone
in plain sentences: a check of the model on names no gold corpus chose, for the terms
its training documents never used (CRAFT annotates with a CL of about 2012; NCBI
Disease with MeSH and OMIM concepts mapped to MONDO).

    python benchmarks/label_recall.py [--ontology MONDO|CL] [--count 150] [--seed 38] [--show]

Draws ``--count`` terms at random (``--seed``) from the shipped module, leaving out
labels with a comma or a parenthesis (written so in no paper: "Stickler syndrome, type
6", "neuroblast (sensu Vertebrata)") and MONDO's diseases of non-human animals; writes
each label into two sentences, as the only mention of its document; and prints how many
of those sentences link exactly the label's words to the label's term. ``--show`` lists
the labels not linked and what was linked over them instead. Figures only: nothing
here is a target, and no rule or parameter is chosen from it.
"""

from __future__ import annotations

import argparse
import random
from collections import Counter

from litkg.link import Annotator
from litkg.link.lexicon import ANIMAL_DISEASE

SENTENCES = {
    "MONDO": (
        "The patient was diagnosed with {} at the age of ten.",
        "We studied {} in a cohort of families.",
    ),
    "CL": ("Each {} was imaged in the section.", "We counted every {} after treatment."),
}


def sampled_labels(annotator: Annotator, ontology: str, count: int, seed: int) -> list[tuple[str, str]]:
    """``count`` (term, label) pairs of the ontology, drawn at random."""
    labels = annotator.lexicon.module.labels
    terms = sorted(
        curie
        for curie, label in labels.items()
        if curie.startswith(ontology + ":")
        and "," not in label
        and "(" not in label
        and ANIMAL_DISEASE not in annotator.lexicon.ancestors(curie)
    )
    return [(curie, labels[curie]) for curie in random.Random(seed).sample(terms, min(count, len(terms)))]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--ontology", choices=sorted(SENTENCES), default="MONDO")
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=38)
    parser.add_argument("--show", action="store_true", help="list the labels not linked")
    args = parser.parse_args()
    annotator = Annotator()
    labels = annotator.lexicon.module.labels
    linked = 0
    missed: Counter[tuple[str, str]] = Counter()
    by_words: Counter[tuple[int, bool]] = Counter()
    pairs = sampled_labels(annotator, args.ontology, args.count, args.seed)
    for curie, label in pairs:
        for sentence in SENTENCES[args.ontology]:
            text = sentence.format(label)
            start = text.index(label)
            over = [m for m in annotator.annotate_texts([("text", text)]) if m.start == start]
            hit = any(m.end == start + len(label) and m.curie == curie for m in over)
            linked += hit
            by_words[min(len(label.split()), 4), hit] += 1
            if not hit:
                instead = ", ".join(f"{m.exact} -> {labels.get(m.curie, m.curie)}" for m in over) or "nothing"
                missed[label, instead] += 1
    total = 2 * len(pairs)
    print(
        f"{args.ontology}: {linked} of {total} sentences link the label ({linked / total:.1%}); "
        f"{len(pairs)} labels, seed {args.seed}"
    )
    for words in sorted({w for w, _ in by_words}):
        right, all_ = by_words[words, True], by_words[words, True] + by_words[words, False]
        print(f"  labels of {words}{'+' if words == 4 else ''} word(s): {right} of {all_}")
    if args.show:
        for (label, instead), n in sorted(missed.items()):
            print(f"  not linked ({n}/2): {label}   [{instead}]")


if __name__ == "__main__":
    main()
