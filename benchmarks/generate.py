"""Deterministic synthetic articles in the seed page format, for benchmarks.

Each article has a title and standfirst naming cell types and diseases, 1-3 figures,
10-80 references drawn from a shared pool (so the same works are cited by many
articles and cross-article identity matters), author names with diacritics, and the
page furniture the parser must skip.

    python benchmarks/generate.py 1000 /tmp/articles
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

FAMILIES = [
    "Özdinler",
    "Boillée",
    "Müller",
    "García-López",
    "Nguyen",
    "Smith",
    "Kowalski",
    "Ångström",
    "Šimić",
    "Okafor",
    "Tanaka",
    "Dubois",
    "Rossi",
    "Ivanova",
    "Chen",
    "O'Brien",
    "Di Giorgio",
]
JOURNALS = [
    ("Nat. Neurosci.", "Nat Neurosci"),
    ("Science", "Science"),
    ("Neuron", "Neuron"),
    ("J. Neurosci.", "J Neurosci"),
    ("Glia", "Glia"),
    ("Proc. Natl. Acad. Sci. USA", "PNAS"),
    ("Brain", "Brain"),
    ("Cell", "Cell"),
]
CELLS = [
    "microglia",
    "astrocytes",
    "motor neurons",
    "macrophages",
    "oligodendrocytes",
    "T cells",
    "Schwann cells",
    "fibroblasts",
    "neurons",
    "bone marrow cells",
]
DISEASES = [
    ("amyotrophic lateral sclerosis", "ALS"),
    ("multiple sclerosis", "MS"),
    ("Alzheimer's disease", "AD"),
    ("Parkinson's disease", "PD"),
    ("Huntington's disease", "HD"),
]
VERBS = ["drive", "protect", "shape", "modulate", "limit", "accelerate"]


def _initials(rng: random.Random) -> str:
    return "".join(f"{rng.choice('ABCDEFGHJKLMNPRSTW')}." for _ in range(rng.randint(1, 2)))


def reference_pool(size: int, seed: int = 7) -> list[str]:
    """``size`` distinct Nature-style reference strings."""
    rng = random.Random(seed)
    pool = []
    for i in range(size):
        family = rng.choice(FAMILIES)
        journal = rng.choice(JOURNALS)[0]
        volume = rng.randint(1, 400)
        first = rng.randint(1, 9000) + i % 97
        year = rng.randint(1980, 2024)
        authors = f"{family}, {_initials(rng)} et al."
        if rng.random() < 0.3:
            authors = f"{family}, {_initials(rng)} & {rng.choice(FAMILIES)}, {_initials(rng)}"
        doi = f" https://doi.org/10.{1000 + i % 9000}/bench.{i}" if rng.random() < 0.2 else ""
        pool.append(f"{authors} {journal} {volume}, {first}–{first + rng.randint(2, 20)} ({year}).{doi}")
    return pool


def article_text(index: int, pool: list[str], seed: int = 11) -> str:
    """The page text of synthetic article ``index``."""
    rng = random.Random(seed * 1_000_003 + index)
    cell, other = rng.sample(CELLS, 2)
    disease, short = rng.choice(DISEASES)
    title = f"{cell.capitalize()} {rng.choice(VERBS)} {other} in {short} (study {index})"
    standfirst = (
        f"{rng.choice(FAMILIES)} and colleagues show that {cell} {rng.choice(VERBS)} {other} in "
        f"{disease} ({short}). In {short} models, {other} respond to {cell}."
    )
    authors = [f"{rng.choice(FAMILIES)}, {_initials(rng)}" for _ in range(rng.randint(1, 6))]
    cite_authors = authors[0] if len(authors) == 1 else ", ".join(authors[:-1]) + " & " + authors[-1]
    journal = rng.choice(JOURNALS)[1]
    volume, first = rng.randint(1, 60), rng.randint(1, 2000)
    year = rng.randint(2000, 2025)
    references = rng.sample(pool, rng.randint(10, min(80, len(pool))))
    lines = [
        "Skip to main content",
        "",
        "  • Article",
        "  • Published: 12 May 2021",
        "",
        title,
        "",
        standfirst,
        "",
        "Access options",
        "",
        "Buy this article",
        "",
        "Prices may be subject to local taxes which are calculated during checkout",
        "",
    ]
    for number in range(1, rng.randint(1, 3) + 1):
        lines += [
            f"Fig. {number}: {rng.choice(CELLS).capitalize()} near {rng.choice(CELLS)} in {disease}.",
            "",
        ]
    for number, reference in enumerate(references, start=1):
        lines += [f"  {number}. {reference}", "", "    Article  CAS  Google Scholar ", ""]
    lines += [
        "Download references",
        "",
        "We thank the reviewers.",
        "",
        "Author information",
        "",
        "Ethics declarations",
        "",
        "Competing interests",
        "",
        "The authors declare no competing interests.",
        "",
        "Cite this article",
        "",
        f"{cite_authors} {title}. {journal} {volume}, {first}–{first + 9} ({year}).",
        "",
        "Download citation",
        "",
    ]
    return "\n".join(lines)


def generate(count: int, out: Path, seed: int = 11) -> list[Path]:
    """Write ``count`` articles to ``out``; the reference pool grows with the corpus."""
    out.mkdir(parents=True, exist_ok=True)
    pool = reference_pool(max(200, count * 5))
    paths = []
    for index in range(count):
        path = out / f"article_{index:06d}.txt"
        path.write_text(article_text(index, pool, seed), encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    generate(int(sys.argv[1]), Path(sys.argv[2]))
