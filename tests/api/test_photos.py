"""/api/v1/photos as the IrisArt app and the console use it: presigned and direct upload, etc."""

from __future__ import annotations

import asyncio
import io
import json
import uuid
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from PIL import Image, ImageOps

from irisd.db import now
from irisd.storage import keys
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.moto import MotoS3, moto_s3, s3_bucket
from tests.support.pipelines import GATE_DIR_ENV

__all__ = ["moto_s3", "s3_bucket"]

UserFactory = Callable[..., Awaitable[ApiClient]]


async def presigned_upload(
    api: ApiClient, data: bytes, session: aiohttp.ClientSession
) -> tuple[dict[str, Any], int]:
    """POST upload → PUT upload_url as the app does (bare client, image/jpeg, no auth)."""
    reply = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    assert reply.status == 201, reply.body
    async with session.put(
        reply.body["upload_url"], data=data, headers={"Content-Type": "image/jpeg"}
    ) as resp:
        await resp.read()
        return reply.body, resp.status


async def download(session: aiohttp.ClientSession, url: str) -> tuple[int, bytes]:
    async with session.get(url) as resp:
        return resp.status, await resp.read()


def without_urls(photo: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in photo.items() if not k.endswith("_url")}


async def test_presigned_flow_stores_measured_values_and_serves_the_photo(
    server: Irisd, api: ApiClient, session: aiohttp.ClientSession
) -> None:
    data = images.jpeg(300, 200)
    upload, put_status = await presigned_upload(api, data, session)
    assert put_status == 200
    assert upload["upload_url"].startswith(server.url + "/")
    assert upload["s3_key"].startswith("originals/")

    # The body holds the client's claims; the server stores what it measured.
    claims = {"file_size": 1, "width": 1, "height": 1}
    reply = await api.post(f"/api/v1/photos/{upload['photo_id']}/confirm", claims)
    assert reply.status == 200, reply.body
    photo = reply.body
    assert photo["id"] == upload["photo_id"]
    assert photo["upload_status"] == "uploaded"
    assert (photo["width"], photo["height"], photo["file_size"]) == (300, 200, len(data))
    assert set(photo) == {
        "id",
        "user_id",
        "s3_key",
        "original_url",
        "thumbnail_url",
        "width",
        "height",
        "file_size",
        "upload_status",
        "created_at",
        "updated_at",
        "filename",  # additive to API.md: whose photo it is
        "label",
    }

    fetched = await api.get(f"/api/v1/photos/{photo['id']}")
    assert fetched.status == 200
    assert without_urls(fetched.body) == without_urls(photo)
    assert await download(session, photo["original_url"]) == (200, data)
    status, thumb = await download(session, photo["thumbnail_url"])
    assert status == 200
    assert max(Image.open(io.BytesIO(thumb)).size) <= 256


async def test_content_type_may_come_as_query_parameter(api: ApiClient) -> None:
    reply = await api.post("/api/v1/photos/upload", params={"content_type": "image/jpeg"})
    assert reply.status == 201, reply.body
    assert set(reply.body) == {"upload_url", "photo_id", "s3_key"}


async def test_repeated_put_and_confirm_are_idempotent(
    api: ApiClient, session: aiohttp.ClientSession
) -> None:
    data = images.jpeg(120, 90)
    upload, _ = await presigned_upload(api, data, session)
    confirm = f"/api/v1/photos/{upload['photo_id']}/confirm"
    first = await api.post(confirm, {"file_size": len(data), "width": 120, "height": 90})
    assert first.status == 200
    # The app lost both answers and repeats PUT and confirm with the same URL.
    async with session.put(upload["upload_url"], data=data) as resp:
        assert resp.status == 200
    second = await api.post(confirm, {"file_size": len(data), "width": 120, "height": 90})
    assert second.status == 200
    assert without_urls(second.body) == without_urls(first.body)


async def test_confirmed_original_cannot_be_swapped(
    api: ApiClient, session: aiohttp.ClientSession
) -> None:
    data = images.jpeg(120, 90)
    upload, _ = await presigned_upload(api, data, session)
    photo = (await api.post(f"/api/v1/photos/{upload['photo_id']}/confirm")).body
    async with session.put(upload["upload_url"], data=images.text_named_jpg()) as resp:
        assert resp.status == 409
        assert set(await resp.json()) == {"detail"}
    assert await download(session, photo["original_url"]) == (200, data)


async def test_confirm_before_put_is_a_conflict_and_keeps_the_photo_pending(
    api: ApiClient,
) -> None:
    reply = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    confirm = await api.post(f"/api/v1/photos/{reply.body['photo_id']}/confirm")
    assert confirm.status == 409
    photo = await api.get(f"/api/v1/photos/{reply.body['photo_id']}")
    assert photo.body["upload_status"] == "pending"
    assert photo.body["original_url"] is None


async def test_direct_multipart_upload(api: ApiClient, session: aiohttp.ClientSession) -> None:
    data = images.png(80, 60)
    photo = await api.upload(data, filename="eye.png")
    assert photo["upload_status"] == "uploaded"
    assert (photo["width"], photo["height"], photo["file_size"]) == (80, 60, len(data))
    assert await download(session, photo["original_url"]) == (200, data)


async def test_exif_orientation_is_applied_to_the_measured_size(api: ApiClient) -> None:
    photo = await api.upload(images.rotated_jpeg(40, 20))
    assert (photo["width"], photo["height"]) == (20, 40)


async def test_list_is_paginated_newest_first_and_only_mine(
    server: Irisd, api: ApiClient, user_factory: UserFactory
) -> None:
    other = await user_factory(server)
    await other.upload(images.jpeg())
    ids = [(await api.upload(images.jpeg()))["id"] for _ in range(3)]

    first = await api.get("/api/v1/photos", params={"page": "1", "page_size": "2"})
    second = await api.get("/api/v1/photos", params={"page": "2", "page_size": "2"})
    assert first.status == second.status == 200
    assert [p["id"] for p in first.body["items"]] == ids[::-1][:2]
    assert [p["id"] for p in second.body["items"]] == ids[::-1][2:]
    assert (first.body["total"], first.body["page"], first.body["page_size"]) == (3, 1, 2)

    default = await api.get("/api/v1/photos", headers={"Content-Type": "application/json"})
    assert default.status == 200
    assert default.body["page_size"] == 20
    assert len(default.body["items"]) == 3


@pytest.mark.parametrize(
    "query", [{"page": "0"}, {"page": "x"}, {"page_size": "101"}, {"page_size": "0"}]
)
async def test_bad_paging_is_422(api: ApiClient, query: dict[str, str]) -> None:
    reply = await api.get("/api/v1/photos", params=query)
    assert reply.status == 422
    assert set(reply.body) == {"detail"}


async def test_foreign_and_unknown_ids_get_the_same_404(
    server: Irisd, api: ApiClient, user_factory: UserFactory
) -> None:
    other = await user_factory(server)
    foreign = (await other.upload(images.jpeg()))["id"]
    unknown = str(uuid.uuid4())
    calls = [
        ("GET", "/api/v1/photos/{}"),
        ("POST", "/api/v1/photos/{}/confirm"),
        ("DELETE", "/api/v1/photos/{}"),
    ]
    for method, path in calls:
        a = await api.request(method, path.format(foreign))
        b = await api.request(method, path.format(unknown))
        assert (a.status, a.body) == (b.status, b.body) == (404, {"detail": "Not found."})
    assert (await other.get(f"/api/v1/photos/{foreign}")).status == 200


async def add_job_with_results(server: Irisd, user_id: str, photo_id: str) -> str:
    """A finished job row and its result objects, as the engine leaves them."""
    job_id = str(uuid.uuid4())
    stamp = now()
    await server.db.execute(
        "INSERT INTO jobs (id, user_id, photo_id, status, created_at, updated_at)"
        " VALUES (?, ?, ?, 'completed', ?, ?)",
        (job_id, user_id, photo_id, stamp, stamp),
    )
    await server.storage.put(keys.processed(user_id, job_id, "png"), images.png(), "image/png")
    await server.storage.put(keys.mask(user_id, job_id), images.png(), "image/png")
    return job_id


async def no_trash(start_server: Callable[..., Awaitable[Irisd]], **changes: Any) -> Irisd:
    """A server where a delete is final at once ([storage] trash_days = 0); with a trash, the
    same happens at the purge (tests/api/test_trash.py)."""
    return await start_server(storage={"trash_days": 0}, **changes)


async def test_delete_really_deletes_objects_and_rows(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
) -> None:
    server = await no_trash(start_server)
    api = await user_factory(server)
    photo = await api.upload(images.jpeg())
    kept = await api.upload(images.jpeg())
    user_id = photo["user_id"]
    job_id = await add_job_with_results(server, user_id, photo["id"])
    await add_job_with_results(server, user_id, kept["id"])

    reply = await api.delete(f"/api/v1/photos/{photo['id']}")
    assert reply.status == 204

    stored = [
        k for prefix in keys.user_prefixes(user_id) for k in await server.storage.list(prefix)
    ]
    assert not [k for k in stored if photo["id"] in k or job_id in k]
    assert keys.original(user_id, kept["id"]) in stored
    assert await server.db.fetchone("SELECT 1 FROM photos WHERE id = ?", (photo["id"],)) is None
    assert await server.db.fetchone("SELECT 1 FROM jobs WHERE id = ?", (job_id,)) is None
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 404
    assert (await download(session, photo["original_url"]))[0] == 404


async def test_put_after_delete_does_not_bring_the_photo_back(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
) -> None:
    server = await no_trash(start_server)
    api = await user_factory(server)
    data = images.jpeg()
    upload, _ = await presigned_upload(api, data, session)
    assert (await api.delete(f"/api/v1/photos/{upload['photo_id']}")).status == 204
    async with session.put(upload["upload_url"], data=data) as resp:
        assert resp.status == 404
    assert await server.storage.size(upload["s3_key"]) is None


async def test_presigned_flow_on_s3_ends_encrypted_with_measured_type(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    moto_s3: MotoS3,
    s3_bucket: str,
    session: aiohttp.ClientSession,
) -> None:
    server = await start_server(**moto_s3.storage_changes(s3_bucket))
    api = await user_factory(server)
    data = images.png(64, 64)  # declared image/jpeg, as the app always does
    upload, put_status = await presigned_upload(api, data, session)
    assert put_status == 200
    assert upload["upload_url"].startswith(moto_s3.endpoint_url)
    reply = await api.post(f"/api/v1/photos/{upload['photo_id']}/confirm")
    assert reply.status == 200, reply.body
    head = moto_s3.client().head_object(Bucket=s3_bucket, Key=upload["s3_key"])
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "image/png"
    assert await download(session, reply.body["original_url"]) == (200, data)


async def test_real_eye_photos_are_measured_after_exif_orientation(
    api: ApiClient, session: aiohttp.ClientSession, eye_images: dict[str, list[Path]]
) -> None:
    for path in (eye_images["mobius"][0], eye_images["mmu"][0]):
        data = path.read_bytes()
        with Image.open(path) as image:
            upright = ImageOps.exif_transpose(image).size
        upload, put_status = await presigned_upload(api, data, session)
        assert put_status == 200
        reply = await api.post(f"/api/v1/photos/{upload['photo_id']}/confirm")
        assert reply.status == 200, (path.name, reply.body)
        assert (reply.body["width"], reply.body["height"]) == upright
        assert reply.body["file_size"] == len(data)
        assert await download(session, reply.body["original_url"]) == (200, data)


async def test_upload_url_uses_the_configured_public_url(
    start_server: Callable[..., Awaitable[Irisd]], user_factory: UserFactory
) -> None:
    server = await start_server(server={"public_url": "https://iris.example.org/"})
    api = await user_factory(server)
    reply = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    assert reply.body["upload_url"].startswith("https://iris.example.org/files/uploads/")


@pytest.mark.timeout(60)  # a safety net only: a job that never ends would hang here
async def test_delete_during_a_running_job_leaves_no_results_behind(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The gated test pipeline holds the job at ("segmenting", 20) until we write to its FIFO.
    monkeypatch.setenv(GATE_DIR_ENV, str(tmp_path))
    server = await no_trash(start_server, jobs={"pipeline": "tests.support.pipelines:gated"})
    api = await user_factory(server)
    photo = await api.upload(images.jpeg())
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        async for msg in socket:
            if json.loads(msg.data).get("progress", 0) >= 20:
                break
        deleting = asyncio.create_task(api.delete(f"/api/v1/photos/{photo['id']}"))
        # The worker goes on and stops at its next step boundary; the delete waits for that.
        await asyncio.to_thread((tmp_path / f"{job['job_id']}.gate").write_text, "go")
        assert (await deleting).status == 204
        # Read to the job's final message, so a late result write would be seen below.
        final = [json.loads(msg.data) async for msg in socket]
    assert final[-1]["status"] == "failed"

    stored = [k for p in keys.user_prefixes(photo["user_id"]) for k in await server.storage.list(p)]
    assert stored == []
    assert await server.db.fetchone("SELECT 1 FROM jobs WHERE id = ?", (job["job_id"],)) is None
