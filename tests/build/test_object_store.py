"""The cluster build on an S3 object store: the inputs read from a bucket and the shards
written to one, by worker processes that share nothing but the store. The store is a
moto server on 127.0.0.1, started and stopped here; s3fs talks to it as to S3."""

from __future__ import annotations

import gzip
import json
import logging
import os
from collections.abc import Iterator

import distributed
import pytest

from conftest import SEEDS
from litkg.build import BuildOptions, build

pytestmark = pytest.mark.slow

BUCKET = "litkg-test"


@pytest.fixture(scope="module")
def s3() -> Iterator[object]:
    """An S3 endpoint on a free loopback port, with test credentials, for this process and
    the worker processes started while it runs (they read fsspec's settings from the
    environment)."""
    import fsspec
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
    saved = {name: os.environ.get(name) for name in settings}
    os.environ.update(settings)
    saved_conf = fsspec.config.conf.get("s3")
    fsspec.config.conf["s3"] = {"endpoint_url": endpoint}  # this process read its settings at import
    try:
        store = fsspec.filesystem("s3", skip_instance_cache=True)
        store.mkdir(BUCKET)
        yield store
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        if saved_conf is None:
            fsspec.config.conf.pop("s3", None)
        else:
            fsspec.config.conf["s3"] = saved_conf
        server.stop()


def test_the_cluster_build_reads_and_writes_an_s3_bucket(s3, tmp_path):
    from litkg.build.cluster import build_on_cluster

    for seed in sorted(SEEDS.glob("*.txt")):
        s3.pipe(f"{BUCKET}/seeds/{seed.name}", seed.read_bytes())
    s3.pipe(f"{BUCKET}/seeds/broken.txt", b"\xff\xfe not an article")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        host="127.0.0.1",
        dashboard_address="127.0.0.1:0",
        silence_logs=logging.ERROR,
    ) as cluster:
        report = build_on_cluster(
            [f"s3://{BUCKET}/seeds/"],
            f"s3://{BUCKET}/out",
            BuildOptions(link=False),
            cluster.scheduler_address,
        )
    manifest = json.loads(s3.cat(f"{BUCKET}/out/manifest.json"))
    lines = [
        line
        for shard in manifest["shards"]
        for line in gzip.decompress(s3.cat(f"{BUCKET}/out/{shard['file']}")).splitlines()
    ]
    assert len(report.published) == 2
    assert [(r.source, r.stage) for r in report.rejects] == [(f"s3://{BUCKET}/seeds/broken.txt", "parse")]
    assert sorted(s3.ls(f"{BUCKET}/out", detail=False)) == sorted(
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
