"""Real triple stores for the tests and benchmarks: an Oxigraph server and a Virtuoso
server, each started on loopback ports chosen free, with a temporary database, and
stopped afterwards. Virtuoso comes from Debian's packages (scripts/install-virtuoso.sh),
Oxigraph from PyPI (the test extras).

The Virtuoso instance gets its own virtuoso.ini: both ports on 127.0.0.1, ``DirsAllowed``
limited to its directory (the bulk loader reads only files copied there), a random dba
password set before any test runs, and a user ``litkg`` holding only the SPARQL_UPDATE
role, which is what ``litkg load`` is given, as a publisher would."""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    """A TCP port free on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class StoreMissing(RuntimeError):
    """The store's programs are not installed."""


def _wait_until_up(url: str, process: subprocess.Popen[bytes], name: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                response.read()
            return
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                error = process.stderr.read().decode(errors="replace")[:800] if process.stderr else ""
                raise RuntimeError(f"{name} did not start: {error}") from None
            time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a server process: terminate, then kill it if it lingers."""
    process.terminate()
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def oxigraph_binary() -> str:
    found = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    if not Path(found).exists():
        raise StoreMissing("the oxigraph server (PyPI package oxigraph, in the test extras) is not installed")
    return found


@contextmanager
def oxigraph(location: Path) -> Iterator[str]:
    """An Oxigraph server over the store at ``location``; yields its base URL (``/query``,
    ``/update``, ``/store``). The default graph is the union of the named graphs."""
    port = free_port()
    process = subprocess.Popen(
        [
            oxigraph_binary(),
            "serve",
            "--location",
            str(location),
            "--bind",
            f"127.0.0.1:{port}",
            "--union-default-graph",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(f"{url}/query?query=ASK%7B%7D", process, "oxigraph")
        yield url
    finally:
        stop(process)


VIRTUOSO_INI = """\
[Database]
DatabaseFile = {dir}/virtuoso.db
ErrorLogFile = {dir}/virtuoso.log
LockFile = {dir}/virtuoso.lck
TransactionFile = {dir}/virtuoso.trx
xa_persistent_file = {dir}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {dir}/virtuoso-temp.db
TransactionFile = {dir}/virtuoso-temp.trx
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
DisableUnixSocket = 1
DirsAllowed = {dir}
NumberOfBuffers = {buffers}
MaxDirtyBuffers = {dirty}
ThreadsPerQuery = 2
MaxClientConnections = 20
CheckpointInterval = 0

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerThreads = 10
EnabledDavVSP = 0
MaxKeepAlives = 10
KeepAliveTimeout = 10

[SPARQL]
ResultSetMaxRows = 1000000
MaxQueryExecutionTime = 300
MaxQueryCostEstimationTime = 0
"""


@dataclass(frozen=True)
class Virtuoso:
    """A running Virtuoso: ``/sparql`` (queries, no credentials), ``/sparql-auth``
    (updates, HTTP Digest), ``/sparql-graph-crud-auth`` (Graph Store, HTTP Digest)."""

    url: str
    sql_port: int
    directory: Path
    dba_password: str
    user: str
    password: str

    def sql(self, statements: str, timeout: float = 3600) -> str:
        """Run SQL statements through Virtuoso's isql as dba; their output."""
        done = subprocess.run(
            ["isql-vt", f"127.0.0.1:{self.sql_port}", "dba", self.dba_password, f"exec={statements}"],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0 or "*** Error" in done.stdout + done.stderr:
            raise RuntimeError(f"virtuoso isql failed on {statements[:200]!r}: {done.stdout}{done.stderr}")
        return done.stdout

    def bulk_load(self, dump: Path, default_graph: str) -> None:
        """Virtuoso's bulk loader on one N-Quads (or N-Triples) file: ``ld_dir`` over a
        copy of it inside the server's allowed directory, then ``rdf_loader_run`` and a
        checkpoint. Raises if the loader recorded an error for the file."""
        self.bulk_load_files([dump], dump.name, default_graph)

    def bulk_load_files(self, dumps: list[Path], pattern: str, default_graph: str) -> None:
        """The bulk loader on several files (gzipped ones too: Virtuoso reads .gz), as
        ``ld_dir`` takes a directory of them: every file matching ``pattern``."""
        inbox = self.directory / "inbox"
        shutil.rmtree(inbox, ignore_errors=True)
        inbox.mkdir()
        for dump in dumps:
            shutil.copy(dump, inbox / dump.name)
        self.sql(
            f"DELETE FROM DB.DBA.load_list; ld_dir('{inbox}', '{pattern}', '{default_graph}'); "
            "rdf_loader_run(); checkpoint;"
        )
        errors = self.sql("SELECT ll_file, ll_error FROM DB.DBA.load_list WHERE ll_error IS NOT NULL;")
        if "0 Rows" not in errors:
            raise RuntimeError(f"virtuoso's bulk loader failed: {errors}")


def virtuoso_binary() -> str:
    found = shutil.which("virtuoso-t")
    if not found or not shutil.which("isql-vt"):
        raise StoreMissing("Virtuoso is not installed (run scripts/install-virtuoso.sh)")
    return found


@contextmanager
def virtuoso(directory: Path, memory_mb: int = 200) -> Iterator[Virtuoso]:
    """A Virtuoso server over a new database in ``directory``, using about ``memory_mb``
    of buffers (8 KB pages)."""
    binary = virtuoso_binary()
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = free_port(), free_port()
    buffers = max(2000, memory_mb * 1024 // 8 * 2 // 3)
    (directory / "virtuoso.ini").write_text(
        VIRTUOSO_INI.format(
            dir=directory, sql_port=sql_port, http_port=http_port, buffers=buffers, dirty=buffers * 3 // 4
        ),
        encoding="utf-8",
    )
    process = subprocess.Popen(
        [binary, "+configfile", str(directory / "virtuoso.ini"), "+foreground"],
        cwd=directory,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "HOME": str(directory)},
    )
    url = f"http://127.0.0.1:{http_port}"
    try:
        _wait_until_up(f"{url}/sparql?{urllib.parse.urlencode({'query': 'ASK {}'})}", process, "virtuoso")
        started = Virtuoso(url, sql_port, directory, "dba", "litkg", secrets.token_hex(8))
        dba_password = secrets.token_hex(8)
        started.sql(
            f"DB.DBA.USER_CREATE('{started.user}', '{started.password}'); "
            f'GRANT SPARQL_UPDATE TO "{started.user}"; '
            f"DB.DBA.RDF_DEFAULT_USER_PERMS_SET('{started.user}', 3); "
            f"USER_SET_PASSWORD('dba', '{dba_password}');"
        )
        yield Virtuoso(url, sql_port, directory, dba_password, started.user, started.password)
    finally:
        stop(process)
