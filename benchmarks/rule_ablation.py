"""Which rules of the annotator earn their keep on held-out folds: cross-validated F1 with
each rule switched off in turn, against all rules on.

    python benchmarks/rule_ablation.py [--corpus craft|ncbi-train] [--rules NAME,...] [--jobs 2]

Each run is ``cross_validate`` with 5 folds (a model trained on the other folds scores
each), in its own process, with one rule of ``litkg.link.annotator`` replaced by one that
does nothing. ``craft``: the 65 CRAFT dev documents, from which the rules were written,
so only the learned step is held out; ``ncbi-train``: the 593 NCBI ``train`` abstracts,
whose folds' errors were read for a few later rules (see the README). Prints strict F1
per ontology and the change against all rules on. A rule whose removal raises F1 on both
corpora does not earn its keep. The rules in the lexicon (name variants) are not here: the
lexicon is cached between processes by its code, not by a patch made at run time.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus"
CORPORA = {
    "craft": (CORPUS / "craft" / "cl-mondo-dev.jsonl.gz", None),
    "ncbi-train": (CORPUS / "ncbi-disease" / "ncbi-disease-train-dev.jsonl.gz", "train"),
}
# what switching each rule off means, as code run before the folds
RULES = {
    "none": "",
    "defined_acronyms_only": "drop_entry_rule('defined_acronyms_only')",
    "short_names_named_in_full": "drop_entry_rule('short_names_named_in_full')",
    "context_words_used": "drop_entry_rule('context_words_used')",
    "initials_in_capitals": "drop_entry_rule('initials_in_capitals')",
    "coordination": "A.Annotator._coordinated = lambda self, text, chosen, document: []",
    "ellipses": "A.Annotator._take_ellipses = lambda self, text, tokens, heads, chosen: None",
    "short_forms": "A.Annotator._take_short_forms = lambda self, text, tokens, definitions, chosen: None",
    "unconfirmed_spans": "A._unconfirmed = lambda text, candidates, definitions, chosen: []",
    "widened_options": "A._widened = lambda text, words, span, previous_end, proposed: ()",
    "inner_mentions_dropped": "A.outermost = lambda mentions: list(mentions)",
    "species_epithets": "A.species_epithet = lambda text, start, end: False",
    "gene_symbols": (
        "import litkg.link.model as M\n"
        "A.gene_named_forms = lambda parts: frozenset()\n"
        "M.in_symbol_chain = lambda text, start, end: False"
    ),
    "long_form_resolution": "A.as_their_long_forms = lambda parts, abbreviations, mentions: list(mentions)",
    "half_brackets": "import litkg.link.tagger as T\nT.bracketed = lambda run: True",
}

CHILD = r"""
import json, sys
import litkg.link.annotator as A
from litkg.link.evaluate import cross_validate, read_gold, subset
from litkg.link.train import Trainer

def drop_entry_rule(name):
    A.ENTRY_RULES = tuple(r for r in A.ENTRY_RULES if r.__name__ != name)

path, part, patch = sys.argv[1], sys.argv[2] or None, sys.argv[3]
exec(patch)
documents = subset(read_gold(__import__("pathlib").Path(path)), part)
report = cross_validate(documents, 5, Trainer())
print(json.dumps({name: round(r.strict.f1, 4) for name, r in report.ontologies.items()}))
"""


def run(corpus: str, rule: str) -> dict[str, float]:
    path, part = CORPORA[corpus]
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), part or "", RULES[rule]],
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--corpus", choices=sorted(CORPORA), default="craft")
    parser.add_argument("--rules", default=",".join(RULES), help="comma-separated, of: " + ", ".join(RULES))
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    rules = ["none", *(r for r in args.rules.split(",") if r and r != "none")]
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        parser.error(f"unknown rules: {', '.join(unknown)}")
    with ThreadPoolExecutor(args.jobs) as pool:
        figures = dict(zip(rules, pool.map(lambda r: run(args.corpus, r), rules), strict=True))
    base = figures["none"]
    print(f"{args.corpus}, 5-fold cross-validated strict F1, one rule off at a time")
    for rule, scores in figures.items():
        cells = "  ".join(
            f"{name} {f1:.4f}" + ("" if rule == "none" else f" ({f1 - base[name]:+.4f})")
            for name, f1 in scores.items()
        )
        print(f"  {'all rules on' if rule == 'none' else rule + ' off':32} {cells}", flush=True)


if __name__ == "__main__":
    main()
