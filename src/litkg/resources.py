"""Locate the data files litkg ships: SHACL shapes, SPARQL queries, ontology modules.

In a wheel they are inside the package (``litkg/_data/…``); in a source checkout or
editable install they are the top-level ``shapes/``, ``queries/`` and ``ontology/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def data_dir(name: str) -> Path:
    """Directory of shipped data ``name`` ("shapes", "queries", "ontology")."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"litkg data directory {name!r} not found next to {_PACKAGE}")
