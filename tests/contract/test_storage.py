"""One contract suite for every Storage backend (local disk, S3 on moto), then their specifics."""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator

import aiohttp
import pytest

from irisd import photo_uploads
from irisd.api.urls import join
from irisd.auth.users import create_user
from irisd.config import Settings
from irisd.errors import (
    ObjectMissing,
    StorageError,
    StorageUnavailable,
    TransientFailure,
    classify,
)
from irisd.storage import keys, open_storage
from irisd.storage.local import LocalStorage
from tests.conftest import PASSWORD, Irisd
from tests.contract.conftest import Backend
from tests.support import images
from tests.support.moto import MotoS3, s3_settings

S3_SECRET = "unused: S3 signs its URLs with its own keys"
DATA = b"\x00\x01 not really an image \xff" * 100


def unique_user() -> str:
    return str(uuid.uuid4())


async def test_put_then_get_returns_the_same_bytes(backend: Backend) -> None:
    key = keys.original(unique_user(), "p1")
    await backend.storage.put(key, DATA, "image/jpeg")
    assert await backend.storage.get(key) == DATA
    assert await backend.storage.size(key) == len(DATA)


async def test_put_replaces_the_object(backend: Backend) -> None:
    key = keys.original(unique_user(), "p1")
    await backend.storage.put(key, b"first", "image/jpeg")
    await backend.storage.put(key, b"second", "image/jpeg")
    assert await backend.storage.get(key) == b"second"


async def test_missing_key_is_object_missing(backend: Backend) -> None:
    key = keys.original(unique_user(), "nothing-here")
    with pytest.raises(ObjectMissing):
        await backend.storage.get(key)
    assert await backend.storage.size(key) is None


async def test_delete_removes_and_tolerates_missing(backend: Backend) -> None:
    key = keys.thumbnail(unique_user(), "p1")
    await backend.storage.put(key, DATA, "image/jpeg")
    await backend.storage.delete(key)
    await backend.storage.delete(key)
    assert await backend.storage.size(key) is None


async def test_list_and_delete_prefix_touch_only_matching_keys(backend: Backend) -> None:
    user = unique_user()
    job, other = str(uuid.uuid4()), str(uuid.uuid4())
    mine = [keys.processed(user, job, "png"), keys.mask(user, job)]
    kept = [keys.processed(user, other, "png"), keys.original(user, "p1")]
    for key in mine + kept:
        await backend.storage.put(key, DATA, "image/png")

    assert await backend.storage.list(keys.processed_prefix(user, job)) == sorted(mine)
    assert await backend.storage.list(f"processed/{user}/") == sorted(
        [*mine, keys.processed(user, other, "png")]
    )
    assert await backend.storage.delete_prefix(keys.processed_prefix(user, job)) == 2
    assert await backend.storage.list(keys.processed_prefix(user, job)) == []
    for key in kept:
        assert await backend.storage.get(key) == DATA


async def test_hidden_objects_are_still_read_sized_deleted_and_revealed(backend: Backend) -> None:
    user, job = unique_user(), str(uuid.uuid4())
    key, gone = keys.processed(user, job, "png"), keys.mask(user, job)
    for name in (key, gone):
        await backend.storage.put(name, DATA, "image/png")
    await backend.storage.hide([keys.processed_prefix(user, job)])
    assert await backend.storage.get(key) == DATA  # the server still reaches a trashed item
    assert await backend.storage.size(key) == len(DATA)
    await backend.storage.delete(gone)
    assert await backend.storage.size(gone) is None
    await backend.storage.reveal([keys.processed_prefix(user, job)])
    assert await backend.storage.list(keys.processed_prefix(user, job)) == [key]
    await backend.storage.hide([keys.processed_prefix(user, job)])
    assert await backend.storage.delete_prefix(keys.processed_prefix(user, job)) == 1  # a purge
    assert await backend.storage.size(key) is None


async def test_list_of_unknown_prefix_is_empty(backend: Backend) -> None:
    assert await backend.storage.list(f"processed/{unique_user()}/") == []


async def test_ping_answers(backend: Backend) -> None:
    await backend.storage.ping()


@pytest.fixture
async def served(backend: Backend, start_server: Callable[..., Awaitable[Irisd]]) -> Irisd:
    """The irisd server on the backend's settings (it serves local URLs; S3 serves its own)."""
    return await start_server(backend.settings)


async def test_presigned_get_downloads_over_http(
    backend: Backend, served: Irisd, session: aiohttp.ClientSession
) -> None:
    key = keys.thumbnail(unique_user(), "p1")
    thumb = images.jpeg(32, 32)
    await backend.storage.put(key, thumb, "image/jpeg")
    url = join(served.url, backend.storage.presign_get(key))
    assert url.startswith("http")
    async with session.get(url) as resp:
        assert resp.status == 200
        assert await resp.read() == thumb
        assert resp.content_type == "image/jpeg"


async def test_presigned_put_uploads_and_can_be_repeated(
    backend: Backend, served: Irisd, session: aiohttp.ClientSession
) -> None:
    user = await create_user(served.db, f"{uuid.uuid4()}@example.test", PASSWORD)
    photo, url = await photo_uploads.create_pending(
        served.db, backend.storage, user.id, "image/jpeg"
    )
    url = join(served.url, url)
    for body in (b"attempt one", b"attempt two"):  # the app retries PUT with the same URL
        async with session.put(url, data=body, headers={"Content-Type": "image/jpeg"}) as resp:
            assert resp.status == 200
    # The PUT lands at the upload key; confirm keeps a checked copy at the photo's own key.
    assert await backend.storage.get(keys.upload(user.id, photo.id)) == b"attempt two"
    assert await backend.storage.size(photo.s3_key) is None


# --- S3 only --------------------------------------------------------------------------------


async def test_s3_put_applies_server_side_encryption(
    moto_s3: MotoS3, s3_bucket: str, make_settings: Callable[..., Settings]
) -> None:
    storage = await open_storage(make_settings(**moto_s3.storage_changes(s3_bucket)), S3_SECRET)
    try:
        key = keys.original(unique_user(), "p1")
        await storage.put(key, DATA, "image/jpeg")
    finally:
        await storage.close()
    head = moto_s3.client().head_object(Bucket=s3_bucket, Key=key)
    assert head["ServerSideEncryption"] == "AES256"


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A port on 127.0.0.1 that refuses connections: bound (nobody else takes it), not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.parametrize("call", ["put", "get", "list", "ping"])
async def test_unreachable_s3_is_storage_unavailable_and_transient(
    closed_port: int, make_settings: Callable[..., Settings], call: str
) -> None:
    endpoint = f"http://127.0.0.1:{closed_port}"
    storage = await open_storage(make_settings(storage=s3_settings(endpoint, "gone")), S3_SECRET)
    operations = {
        "put": lambda: storage.put("originals/u/p", DATA, "image/jpeg"),
        "get": lambda: storage.get("originals/u/p"),
        "list": lambda: storage.list("originals/"),
        "ping": storage.ping,
    }
    try:
        with pytest.raises(StorageUnavailable) as caught:
            await operations[call]()
    finally:
        await storage.close()
    assert isinstance(caught.value, ConnectionError)
    assert isinstance(classify(caught.value), TransientFailure)


async def test_s3_presigned_urls_are_absolute_s3_urls(
    moto_s3: MotoS3, s3_bucket: str, make_settings: Callable[..., Settings]
) -> None:
    storage = await open_storage(make_settings(**moto_s3.storage_changes(s3_bucket)), S3_SECRET)
    try:
        url = storage.presign_put(keys.original("u", "p"), "image/jpeg")
    finally:
        await storage.close()
    assert url.startswith(moto_s3.endpoint_url)
    assert "X-Amz-Signature=" in url
    # Nothing but the host is signed: the app's own Content-Type header must be accepted.
    assert "X-Amz-SignedHeaders=host" in url


# --- local only: keys and signatures (moto does not check S3 signatures) --------------------


@pytest.fixture
async def local(start_server: Callable[..., Awaitable[Irisd]]) -> Irisd:
    return await start_server()


def local_storage(irisd: Irisd) -> LocalStorage:
    storage = irisd.storage
    assert isinstance(storage, LocalStorage)
    return storage


@pytest.mark.parametrize(
    "key",
    ["../secret", "originals/../../x", "/etc/passwd", "originals/.hidden", "a//b", "", "a\\b"],
)
async def test_local_refuses_unsafe_keys(local: Irisd, key: str) -> None:
    with pytest.raises(StorageError):
        await local_storage(local).put(key, DATA, "image/jpeg")


async def test_local_writes_under_the_objects_dir(local: Irisd) -> None:
    storage = local_storage(local)
    key = keys.thumbnail(unique_user(), "p1")
    await storage.put(key, DATA, "image/jpeg")
    assert (local.settings.data_path / "objects" / key).read_bytes() == DATA


async def fetch(session: aiohttp.ClientSession, method: str, url: str) -> int:
    async with session.request(method, url, data=b"x" if method == "PUT" else None) as resp:
        await resp.read()
        return resp.status


def tamper(url: str) -> str:
    last = url[-1]
    return url[:-1] + ("0" if last != "0" else "1")


async def test_local_bad_or_expired_signatures_get_403(
    local: Irisd, session: aiohttp.ClientSession
) -> None:
    storage = local_storage(local)
    key = keys.thumbnail(unique_user(), "p1")
    await storage.put(key, DATA, "image/jpeg")
    good = storage.presign_get(key)
    past = int(time.time()) - 1
    refused = {
        "tampered signature": tamper(good),
        "expired": storage.signer.url("GET", key, expires=past),
        "expiry moved later": good.replace("expires=", "expires=9"),
        "no signature": good.split("?")[0],
        "signed for another key": good.replace("p1.jpg", "p2.jpg"),
        "signed for PUT": storage.signer.url("PUT", key),
        "non-ASCII signature": good.split("sig=")[0] + "sig=%C2%B2",  # found by the fuzz test
    }
    assert await fetch(session, "GET", local.url + good) == 200
    for why, url in refused.items():
        assert await fetch(session, "GET", local.url + url) == 403, why


async def test_local_get_url_cannot_put_and_only_originals_are_writable(
    local: Irisd, session: aiohttp.ClientSession
) -> None:
    storage = local_storage(local)
    key = keys.thumbnail(unique_user(), "p1")
    assert await fetch(session, "PUT", local.url + storage.presign_get(key)) == 403
    assert await fetch(session, "PUT", local.url + storage.presign_put(key, "image/jpeg")) == 403
    assert await storage.size(key) is None


async def test_local_get_has_private_no_store_and_sniffed_type(
    local: Irisd, session: aiohttp.ClientSession
) -> None:
    storage = local_storage(local)
    key = keys.original(unique_user(), "p1")  # no extension: the type comes from the bytes
    await storage.put(key, images.png(), "image/png")
    async with session.get(local.url + storage.presign_get(key)) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Control"] == "private, no-store"
        assert resp.content_type == "image/png"


async def test_local_signed_url_for_missing_object_is_404(
    local: Irisd, session: aiohttp.ClientSession
) -> None:
    storage = local_storage(local)
    url = storage.presign_get(keys.original(unique_user(), "never-written"))
    assert await fetch(session, "GET", local.url + url) == 404
