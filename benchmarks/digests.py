"""Digests of every file a build writes, for checking that a change leaves the output byte-identical.

Builds the seeds, the CRAFT JATS files and a generated corpus with every output format and
prints one ``sha256  corpus/file`` line per file (``report.json`` included; the build
time in ``metadata.ttl`` is fixed by ``SOURCE_DATE_EPOCH``), so two commits can be
compared with ``diff``:

    python benchmarks/digests.py --out /tmp/digests-a > a.txt   # on one commit
    python benchmarks/digests.py --out /tmp/digests-b > b.txt   # on another
    diff a.txt b.txt

The generated corpus comes from ``benchmarks/generate.py`` (deterministic, ``--articles`` of
them). Paths are relative to the repository; ``../shared/`` must be beside it for CRAFT.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld")


def corpora(work: Path, articles: int) -> dict[str, Path]:
    """The inputs by corpus name; the generated one is written under ``work``."""
    generated = work / "generated-input"
    if not generated.exists():
        subprocess.run(
            [sys.executable, str(ROOT / "benchmarks" / "generate.py"), str(articles), str(generated)],
            check=True,
            capture_output=True,
        )
    return {
        "seeds": ROOT / "seeds",
        "craft": ROOT.parent / "shared" / "corpus" / "craft" / "nxml",
        "generated": generated,
    }


def build(inputs: Path, out: Path) -> None:
    """Run ``litkg build`` with every format; a non-zero exit other than 'some rejected' fails."""
    command = [sys.executable, "-m", "litkg", "build", str(inputs), "-o", str(out)]
    for fmt in FORMATS:
        command += ["-f", fmt]
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1767225600"}  # metadata.ttl's build times
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode not in (0, 1):
        raise SystemExit(f"build of {inputs} failed:\n{result.stderr}")


def digests(out: Path) -> list[tuple[str, str]]:
    """(sha256, relative path) for every file under ``out``, sorted by path."""
    rows = []
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rows.append((hashlib.sha256(path.read_bytes()).hexdigest(), str(path.relative_to(out))))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="work directory (created)")
    parser.add_argument("--articles", type=int, default=300, help="generated articles")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for name, inputs in corpora(args.out, args.articles).items():
        out = args.out / name
        build(inputs, out)
        for digest, path in digests(out):
            print(f"{digest}  {name}/{path}")


if __name__ == "__main__":
    main()
