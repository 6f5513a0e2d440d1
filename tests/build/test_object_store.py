"""The cluster build on an object store: the inputs read from a bucket and the shards
written to one, by worker processes that share nothing but the store. Two stores, each an
emulator on 127.0.0.1 started and stopped here: S3 (a moto server, reached by s3fs) and
Google Cloud Storage (gcp-storage-emulator, reached by gcsfs)."""

from __future__ import annotations

import contextlib
import gzip
import json
import logging
import os
from collections.abc import Iterator

import distributed
import fsspec
import pytest

from conftest import SEEDS
from litkg.build import BuildOptions, build
from stores import free_port

pytestmark = pytest.mark.slow

BUCKET = "litkg-test"


@contextlib.contextmanager
def _environment(settings: dict[str, str]) -> Iterator[None]:
    """`settings` in os.environ while the block runs; worker processes started inside it
    inherit them, which is how they learn the endpoint (fsspec reads FSSPEC_<PROTOCOL>_<KWARG>
    at import)."""
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@contextlib.contextmanager
def _configured(protocol: str, kwargs: dict[str, str]) -> Iterator[None]:
    """fsspec's settings for `protocol` in this process, which read its environment at import."""
    saved = fsspec.config.conf.get(protocol)
    fsspec.config.conf[protocol] = kwargs
    try:
        yield
    finally:
        if saved is None:
            fsspec.config.conf.pop(protocol, None)
        else:
            fsspec.config.conf[protocol] = saved


@contextlib.contextmanager
def _s3() -> Iterator[object]:
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    settings = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "FSSPEC_S3_ENDPOINT_URL": endpoint,
    }
    try:
        with _environment(settings), _configured("s3", {"endpoint_url": endpoint}):
            store = fsspec.filesystem("s3", skip_instance_cache=True)
            store.mkdir(BUCKET)
            yield store
    finally:
        server.stop()


@contextlib.contextmanager
def _gs() -> Iterator[object]:
    from gcp_storage_emulator.server import create_server

    port = free_port()
    server = create_server("127.0.0.1", port, in_memory=True)
    server.start()
    settings = {
        "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{port}",
        "FSSPEC_GS_TOKEN": "anon",
        "FSSPEC_GS_PROJECT": "litkg-test",
        # gcsfs's default asks each bucket's type over gRPC, which the emulator does not
        # serve (a minute's timeout per bucket); real GCS answers it
        "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
    }
    try:
        with _environment(settings), _configured("gs", {"token": "anon", "project": "litkg-test"}):
            store = fsspec.filesystem("gs", skip_instance_cache=True)
            store.mkdir(BUCKET)
            yield store
    finally:
        server.stop()


@pytest.fixture(scope="module", params=["s3", "gs"])
def bucket(request: pytest.FixtureRequest) -> Iterator[tuple[str, object]]:
    """(protocol, its filesystem) with an empty bucket BUCKET, for this process and the
    worker processes started while it runs."""
    with {"s3": _s3, "gs": _gs}[request.param]() as store:
        yield request.param, store


def test_the_cluster_build_reads_and_writes_a_bucket(bucket, tmp_path):
    from litkg.build.cluster import build_on_cluster

    protocol, store = bucket
    for seed in sorted(SEEDS.glob("*.txt")):
        store.pipe(f"{BUCKET}/seeds/{seed.name}", seed.read_bytes())
    store.pipe(f"{BUCKET}/seeds/broken.txt", b"\xff\xfe not an article")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        report = build_on_cluster(
            [f"{protocol}://{BUCKET}/seeds/"],
            f"{protocol}://{BUCKET}/out",
            BuildOptions(link=False),
            cluster.scheduler_address,
        )
    manifest = json.loads(store.cat(f"{BUCKET}/out/manifest.json"))
    lines = [
        line
        for shard in manifest["shards"]
        for line in gzip.decompress(store.cat(f"{BUCKET}/out/{shard['file']}")).splitlines()
    ]
    assert len(report.published) == 2
    assert [(r.source, r.stage) for r in report.rejects] == [
        (f"{protocol}://{BUCKET}/seeds/broken.txt", "parse")
    ]
    store.invalidate_cache()
    assert sorted(store.ls(f"{BUCKET}/out", detail=False)) == sorted(
        f"{BUCKET}/out/{name}"
        for name in [
            *(shard["file"] for shard in manifest["shards"]),
            "manifest.json",
            "metadata.ttl",
            "rejects.json",
            "report.json",
        ]
    )  # the spool is gone
    local = build(
        [SEEDS], tmp_path / "local", formats=["nq"], link=False
    )  # storage is tested here, not linking
    assert len(local.published) == 2
    assert sorted(lines) == sorted((tmp_path / "local" / "graph.nq").read_bytes().splitlines())
