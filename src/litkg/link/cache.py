"""The lexicon of the shipped ontology module, built once and cached between processes.

Building the lexicon (about 100k names with their variants) takes about 2 s; reading the
cached pickle 0.3 s. The cache file is named by a hash of the module's files, of the code
that builds and reads lexicons and of the Python version, so a changed module or litkg never
reads a stale one.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from litkg.link.lexicon import Lexicon
from litkg.link.ontology import load_module
from litkg.resources import data_dir

_PACKAGE = Path(__file__).resolve().parent


@lru_cache(maxsize=1)
def shipped_lexicon() -> Lexicon:
    """The lexicon of the shipped ontology module, once per process: from the lexicon
    cache when it holds one built by this code from these files (0.3 s), else built
    (about 2.2 s) and cached for the next process."""
    return cached_lexicon(data_dir("ontology"), lexicon_cache_dir())


@contextmanager
def out_of_collectors_sight() -> Iterator[None]:
    """Within the block, the objects alive at its start (the lexicon's millions of small
    ones) are left out of the garbage collector's passes: annotating takes a fifth less
    time. They are handed back afterwards unless the caller had frozen them already."""
    frozen_by_caller = gc.get_freeze_count()
    gc.freeze()
    try:
        yield
    finally:
        if not frozen_by_caller:
            gc.unfreeze()


def lexicon_cache_dir() -> Path | None:
    """Where built lexicons are cached: ``$LITKG_CACHE_DIR`` ("off" or empty: no
    cache), else ``$XDG_CACHE_HOME/litkg``, else ``~/.cache/litkg``."""
    chosen = os.environ.get("LITKG_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "no") else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "litkg"


def lexicon_cache_file(directory: Path, cache: Path) -> Path:
    """The cache file of the lexicon of ``directory``: named by a hash of the module's
    files, of the code that builds and reads lexicons (the ``link`` package and the
    records) and of the Python version."""
    digest = hashlib.sha256(f"{sys.version_info[:2]}".encode())
    for path in (
        *(directory / name for name in ("lexicon.tsv.gz", "terms.ttl.gz", "release.json")),
        *sorted(_PACKAGE.glob("*.py")),
        _PACKAGE.parent / "records.py",
    ):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return cache / f"lexicon-{digest.hexdigest()[:24]}.pickle"


def cached_lexicon(directory: Path, cache: Path | None) -> Lexicon:
    """The lexicon of the ontology module in ``directory``, through the cache in
    ``cache`` (None: always built). The file is named by :func:`lexicon_cache_file`,
    so a changed module or litkg never reads a stale one; an unreadable one is rebuilt.
    It is only ever read from the user's own cache directory."""
    if cache is None:
        return Lexicon(load_module(directory))
    target = lexicon_cache_file(directory, cache)
    lexicon = _read_cached(target)
    if lexicon is not None:
        return lexicon
    lexicon = Lexicon(load_module(directory))
    try:
        cache.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(f".{os.getpid()}.tmp")
        partial.write_bytes(pickle.dumps(lexicon, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(partial, target)  # whole or absent, even with builds side by side
        _forget_old_lexicons(cache, target)
    except OSError:
        pass  # a read-only home: no cache, the next process builds it again
    return lexicon


def _read_cached(target: Path) -> Lexicon | None:
    """The lexicon pickled in ``target``, or None when it is missing or damaged."""
    try:
        data = target.read_bytes()
    except OSError:
        return None
    collecting = gc.isenabled()
    gc.disable()  # millions of small objects: the collector would triple the load time
    try:
        lexicon = pickle.loads(data)
    except Exception:  # noqa: BLE001 - a damaged cache file is rebuilt, whatever the damage
        return None
    finally:
        if collecting:
            gc.enable()
    return lexicon if isinstance(lexicon, Lexicon) else None


def _forget_old_lexicons(cache: Path, kept: Path, days: float = 30) -> None:
    """Remove the cached lexicons of other litkg versions left unused for ``days``
    (25 MB each): another installation still in use keeps its own."""
    limit = time.time() - days * 86_400
    for path in cache.glob("lexicon-*.pickle"):
        if path != kept and path.stat().st_atime < limit and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
