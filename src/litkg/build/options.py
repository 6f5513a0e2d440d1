"""What a build is asked to do, and the tuning constants it runs with, each with its reason."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass

from litkg.rdf.iris import DEFAULT_BASE
from litkg.rdf.metadata import DEFAULT_LICENSE
from litkg.validate import Engine


@dataclass(frozen=True)
class BuildOptions:
    """The choices of one build (``litkg build``'s options) and its tuning constants."""

    base: str = DEFAULT_BASE  # every minted IRI starts with it
    formats: Sequence[str] = ("ttl",)  # dumps written: ttl, nt, nq, trig, jsonld
    license_iri: str = DEFAULT_LICENSE  # stated for the dataset
    link: bool = True  # find cell types and diseases in the text
    jobs: int | None = None  # worker processes; None: see parallel_from
    shacl_engine: Engine = "turbo"
    shards: int | None = None  # also write the quads as at most this many N-Quads shards
    scheduler_timeout: float = 30.0  # seconds to reach a Dask scheduler (--scheduler) before giving up

    # --- tuning ---------------------------------------------------------------------
    # From this many inputs on, ``jobs`` defaults to the cores: below it, starting the
    # worker processes (forking, the lexicon in each) costs more than it saves.
    parallel_from: int = 50
    # Articles per task at most: bounds what a worker holds at once (about 130k lines).
    max_batch: int = 64
    # Tasks per worker at least, where the inputs allow: small enough tasks that the
    # last ones do not leave the other workers idle.
    tasks_per_job: int = 8
    # Times an article is mapped again without the parts that fail the shapes, at most:
    # each round drops what the last one placed; a third round has never been needed.
    gate_rounds: int = 3
    # Works whose citation counts are validated, and spooled, together: memory stays
    # small (a few MB) while the validator's per-call cost is spread.
    counts_per_run: int = 5_000
    # Lines the sink buffers before writing a sorted run (about 100 MB at most).
    sink_buffer_lines: int = 500_000
    # Shared descriptions (cited works, terms) each process remembers: most citations in
    # a corpus go to a small share of the works; each is kept compressed (~0.7 KB).
    shared_memo_size: int = 65_536

    def workers(self, inputs: int) -> int:
        """The worker processes for ``inputs`` inputs."""
        if self.jobs is not None:
            return self.jobs
        return (os.cpu_count() or 1) if inputs >= self.parallel_from else 1

    def batch_size(self, inputs: int, jobs: int) -> int:
        """Inputs per task."""
        return min(self.max_batch, max(1, inputs // (max(jobs, 1) * self.tasks_per_job)))
