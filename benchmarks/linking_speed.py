"""Annotating speed: the CRAFT dev texts (2.8 MB) annotated on one core, by this checkout
and, side by side in the same run, by another (``--other SRC``: a checkout's ``src/``,
e.g. a ``git worktree`` of an earlier commit), each in its own process. ``--elife``: the
23 real eLife articles instead (1.5 MB), parsed and annotated part by part as a build
links them (titles, abstracts, captions, paragraphs).

    python benchmarks/linking_speed.py [--passes 3] [--other /tmp/old/src] [--rules-only] [--elife]

Prints, per checkout: the seconds to load the lexicon and the model, then MB/s for each
pass over the texts. The first pass starts with cold word caches, as ``litkg
eval-linking`` does; later passes are what a build of many articles sees.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
GOLD = HERE.parent.parent / "shared" / "corpus" / "craft" / "cl-mondo-dev.jsonl.gz"
ELIFE = HERE.parent.parent / "shared" / "corpus" / "elife"

# Runs in a child process whose sys.path starts with the checkout measured: only the
# text of the gold file is read, so any version of litkg can run it.
CHILD = r"""
import gc, gzip, json, sys, time
from pathlib import Path
passes, rules_only, source = int(sys.argv[1]), sys.argv[2] == "1", sys.argv[3]
if source.endswith(".jsonl.gz"):
    documents = [[("text", json.loads(line)["text"])] for line in gzip.open(source, "rt")]
else:  # a folder of articles, each annotated part by part
    from litkg.link.parts import article_text_parts
    from litkg.parse import parse_file
    files = sorted(Path(source).glob("*.xml.gz"))
    documents = [list(article_text_parts(parse_file(f))) for f in files]
started = time.perf_counter()
from litkg.link import Annotator
try:
    annotator = Annotator(model=None) if rules_only else Annotator()
except TypeError:  # a litkg without the model
    annotator = Annotator()
loaded = time.perf_counter() - started
gc.freeze()
size = sum(len(t.encode("utf-8")) for parts in documents for _, t in parts)
rates = []
for _ in range(passes):
    started = time.perf_counter()
    for parts in documents:
        annotator.annotate_texts(parts)
    rates.append(size / 1e6 / (time.perf_counter() - started))
print(json.dumps({"load_seconds": loaded, "mb": size / 1e6, "mb_per_second": rates}))
"""


def measure(src: Path, passes: int, rules_only: bool, source: Path) -> dict[str, object]:
    environment = {**os.environ, "PYTHONPATH": str(src)}
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(passes), "1" if rules_only else "0", str(source)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    figures: dict[str, object] = json.loads(result.stdout)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--other", type=Path, help="another checkout's src/ to measure side by side")
    parser.add_argument("--rules-only", action="store_true", help="measure the rules without the model")
    parser.add_argument("--elife", action="store_true", help="the eLife articles, part by part")
    args = parser.parse_args()
    checkouts = [("this checkout", HERE.parent / "src")]
    if args.other:
        checkouts.append((str(args.other), args.other))
    for round_ in range(2):  # alternate, so a drift of the machine's speed hits both
        for name, src in checkouts:
            figures = measure(src, args.passes, args.rules_only, ELIFE if args.elife else GOLD)
            rates = ", ".join(f"{r:.2f}" for r in figures["mb_per_second"])  # type: ignore[attr-defined]
            print(
                f"round {round_ + 1}  {name}: load {figures['load_seconds']:.2f} s, "
                f"{figures['mb']:.2f} MB per pass, MB/s by pass: {rates}",
                flush=True,
            )


if __name__ == "__main__":
    main()
