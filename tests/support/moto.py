"""moto's standalone S3 server on 127.0.0.1:0 (session-scoped) and a fresh bucket per test."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from moto.server import ThreadedMotoServer

REGION = "us-east-1"
# moto accepts any credentials; these are placeholders, not secrets.
ACCESS_KEY = "testing"
SECRET_KEY = "testing"

_buckets = itertools.count(1)


@dataclass(frozen=True)
class MotoS3:
    """A running moto server: its endpoint and a boto3 client for checking state from tests."""

    endpoint_url: str

    def client(self) -> Any:
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY,
            aws_secret_access_key=SECRET_KEY,
        )

    def create_bucket(self) -> str:
        name = f"irisd-test-{next(_buckets)}"
        self.client().create_bucket(Bucket=name)
        return name

    def storage_changes(self, bucket: str) -> dict[str, Any]:
        """`make_settings(**changes)` arguments for the s3 backend on this server."""
        return {"storage": s3_settings(self.endpoint_url, bucket)}


def s3_settings(endpoint_url: str, bucket: str) -> dict[str, Any]:
    return {
        "backend": "s3",
        "s3_bucket": bucket,
        "s3_endpoint_url": endpoint_url,
        "s3_region": REGION,
        "s3_access_key_id": ACCESS_KEY,
        "s3_secret_access_key": SECRET_KEY,
        "s3_connect_timeout_s": 1.0,
        "s3_read_timeout_s": 10.0,
    }


@pytest.fixture(scope="session")
def moto_s3() -> Iterator[MotoS3]:
    """One moto server for the whole session (tests isolate themselves by bucket)."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield MotoS3(f"http://{host}:{port}")
    server.stop()


@pytest.fixture
def s3_bucket(moto_s3: MotoS3) -> str:
    """A new, empty bucket on the session's moto server."""
    return moto_s3.create_bucket()
