"""Train the linking model litkg ships (src/litkg/_data/linking/model.json.gz).

    .venv/bin/python scripts/train_linking_model.py [--shared ../shared]

It is trained on the gold data in ``../shared/corpus/``: the 65 CRAFT dev documents
(CL and MONDO) and the 593 ``train`` abstracts of the NCBI Disease corpus (MONDO). The
NCBI ``devel`` abstracts are never used, so the README's NCBI figures come from
documents the model never saw; the README's CRAFT figures come from cross-validation
(``litkg eval-linking --folds 5``), where each fold is scored by a model trained
without it. The output is the same file for the same data and code.

The two corpora annotate by different conventions (NCBI maps each mention to a MeSH
concept, so "breast cancer" is MONDO's broader "breast neoplasm"). The model is adapted
to CRAFT's (``Trainer(target=...)``): CRAFT's documents are full-text articles, as the
texts a build links are, and NCBI's abstracts teach it what the corpora share. Training
takes about three minutes.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import sklearn

from litkg.link.evaluate import corpus_name, read_gold, subset
from litkg.link.train import Trainer
from litkg.resources import data_dir

ROOT = Path(__file__).resolve().parent.parent
CRAFT = Path("craft", "cl-mondo-dev.jsonl.gz")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--out", type=Path, default=data_dir("linking") / "model.json.gz")
    args = parser.parse_args()
    corpus = args.shared / "corpus"
    craft = read_gold(corpus / CRAFT)
    ncbi = subset(read_gold(corpus / "ncbi-disease" / "ncbi-disease-train-dev.jsonl.gz"), "train")
    documents = craft + ncbi
    about = {
        "corpora": {"craft/cl-mondo-dev.jsonl.gz": len(craft), "ncbi-disease train": len(ncbi)},
        "scikit-learn": sklearn.__version__,
    }
    trainer = Trainer(target=corpus_name(CRAFT))
    model = trainer.train(documents, about)
    model.dump(args.out)
    print(
        f"{args.out}: {len(model.weights)} weights, C={model.about['C']}, threshold {model.threshold}, "
        f"inner cross-validated F1 {model.about['inner_cv_f1']}, {len(model.names)} learnt names, "
        f"trained on {len(documents)} documents, adapted to {model.about.get('adapted_to')}"
    )


if __name__ == "__main__":
    main()
