"""Build: the pipeline end to end, parse -> link -> map to RDF -> validate -> publish.

Takes input files (or directories of them) and :class:`BuildOptions`; writes the dumps,
``metadata.ttl``, ``rejects.json`` and ``report.json`` into a directory, and gives a
:class:`BuildReport`. ``build`` is what ``litkg build`` runs. Each article is mapped and validated on its
own; an article that fails parsing or validation is reported and left out, and every
other article is still published.

It streams in two parallel stages, because the identity of cited works is a property
of the whole corpus: (1) workers parse chunks of inputs, each indexing its works and
people and spooling its articles and its index to disk; the parent merges the chunk
indexes into an :class:`~litkg.rdf.identity.IdentityStore` on disk (it never holds the
articles, nor the descriptions of works). (2) Forked workers, sharing the lexicon and
reading the finished store, load each spooled chunk, then link, map and validate every
article and write its published lines to run files as it is done
(:class:`~litkg.build.spool.RunWriter`), which :class:`~litkg.build.spool.GraphSink` merges
into the dumps. Each article is validated as its whole graph (with the
descriptions of the works it cites and the terms it mentions), and published as its
own named graph; the shared descriptions go, once each, into one named graph of the
dataset (:meth:`~litkg.rdf.iris.Minter.descriptions_graph`): a worker spools a description
only the first time one of its published articles relies on it, and the sink merges
the workers' runs without duplicates.
Modules: ``options`` (what a build is asked, tuning constants), ``stages`` (the order of
the work), ``workers`` (what runs in the worker processes), ``spool`` (sorted runs and
their merge), ``dumps`` (the files written), ``shards`` (the sharded layout), ``report``
(rejects and repairs).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from litkg.build.options import BuildOptions
    from litkg.build.report import BuildReport, Reject, write_build_report
    from litkg.build.stages import build

__all__ = ["BuildOptions", "BuildReport", "Reject", "build", "write_build_report"]

# Imported when first used (PEP 562): a reader of the build's output (`litkg query`,
# `serve`, which read its shard layout) need not import the pipeline and the linker.
_HOMES = {
    "BuildOptions": "litkg.build.options",
    "BuildReport": "litkg.build.report",
    "Reject": "litkg.build.report",
    "write_build_report": "litkg.build.report",
    "build": "litkg.build.stages",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'litkg.build' has no attribute {name!r}")
