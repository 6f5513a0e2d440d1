from __future__ import annotations

import atexit
import os
import shutil
import socket
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED = ROOT.parent / "shared"
PAGES = Path(__file__).resolve().parent / "data" / "pages"
JATS_SAMPLE = Path(__file__).resolve().parent / "data" / "jats" / "sample.xml"
SEED_000 = SEEDS / "000_7c35d55ddc5425be.txt"
SEED_004 = SEEDS / "004_a0c03759c99e3461.txt"

# The built lexicon is cached for the session (and the processes it starts) in a
# directory of its own, not in the user's ~/.cache; removed at the end.
if "LITKG_CACHE_DIR" not in os.environ:
    os.environ["LITKG_CACHE_DIR"] = tempfile.mkdtemp(prefix="litkg-test-cache-")
    atexit.register(shutil.rmtree, os.environ["LITKG_CACHE_DIR"], True)


def shared_or_skip(*parts: str) -> Path:
    """A file of ../shared/, or skip the test when the checkout has none beside it."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} not available")
    return path


def free_port() -> int:
    """A TCP port free on the loopback interface, for servers the tests start."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
