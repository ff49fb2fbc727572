"""The storage backend under contract: local disk and S3 (moto), one parametrised fixture."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

import pytest

from irisd.auth.secret import load_or_create_secret
from irisd.config import Settings
from irisd.storage import Storage, open_storage
from tests.support.moto import MotoS3, moto_s3, s3_bucket

__all__ = ["moto_s3", "s3_bucket"]


@dataclass
class Backend:
    name: str
    settings: Settings
    storage: Storage


@pytest.fixture(params=["local", "s3"])
async def backend(
    request: pytest.FixtureRequest, make_settings: Callable[..., Settings]
) -> AsyncIterator[Backend]:
    """A freshly opened, empty store of each kind (S3: a new bucket on the session's moto)."""
    if request.param == "s3":
        moto: MotoS3 = request.getfixturevalue("moto_s3")
        settings = make_settings(**moto.storage_changes(request.getfixturevalue("s3_bucket")))
    else:
        settings = make_settings()
    storage = await open_storage(settings, load_or_create_secret(settings))
    yield Backend(request.param, settings, storage)
    await storage.close()
