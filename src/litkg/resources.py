"""Locate the data files litkg ships inside the package: SHACL shapes, SPARQL queries, ontology module.

They live in ``litkg/_data/`` (``shapes/``, ``queries/``, ``ontology/``), in a source checkout, an
editable install and a wheel alike.
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent / "_data"


def data_dir(name: str) -> Path:
    """Directory of shipped data ``name`` ("shapes", "queries", "ontology", "linking")."""
    candidate = DATA / name
    if not candidate.is_dir():
        raise FileNotFoundError(f"litkg data directory {name!r} not found in {DATA}")
    return candidate
