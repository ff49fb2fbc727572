"""Every bad input of the issue gets the contract's code, loses nothing; the server stays well."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import aiohttp
import pytest

from irisd.storage import keys
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient

UserFactory = Callable[..., Awaitable[ApiClient]]

# (name, maker of the bytes, status at confirm / direct upload). A 1 x 1 image decodes, but no
# iris can be in it: refused at once as an invalid photo (422), not left to fail later as a job.
BAD_FILES: list[tuple[str, Callable[[], bytes], int]] = [
    ("empty file", images.empty, 415),
    ("text file named .jpg", images.text_named_jpg, 415),
    ("truncated JPEG", images.truncated_jpeg, 415),
    ("1x1 image", images.one_pixel, 422),
    ("100 MP PNG bomb", images.png_bomb, 413),
]


def is_detail(body: object) -> bool:
    return isinstance(body, dict) and set(body) == {"detail"} and bool(body["detail"])


async def still_healthy(api: ApiClient) -> None:
    """/healthz answers and an ordinary upload still works after the bad input."""
    assert (await api.get("/healthz", auth=False)).status == 200
    photo = await api.upload(images.jpeg())
    assert photo["upload_status"] == "uploaded"


async def stored_keys(server: Irisd, user_id: str) -> list[str]:
    return [k for p in keys.user_prefixes(user_id) for k in await server.storage.list(p)]


async def test_bad_files_via_presigned_upload_fail_their_photo_and_keep_nothing(
    server: Irisd, api: ApiClient, session: aiohttp.ClientSession
) -> None:
    for name, make, status in BAD_FILES:
        upload = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
        async with session.put(upload.body["upload_url"], data=make()) as resp:
            assert resp.status == 200, name
        confirm = f"/api/v1/photos/{upload.body['photo_id']}/confirm"
        reply = await api.post(confirm, {"file_size": 1000, "width": 640, "height": 480})
        assert reply.status == status, (name, reply.body)
        assert is_detail(reply.body), name
        photo = (await api.get(f"/api/v1/photos/{upload.body['photo_id']}")).body
        assert photo["upload_status"] == "failed", name
        assert await server.storage.size(upload.body["s3_key"]) is None, name
        # Confirming again gives a clear answer, not a crash or a sudden success.
        assert (await api.post(confirm)).status == 409, name
    await still_healthy(api)


async def test_bad_files_via_direct_upload_are_refused_and_nothing_is_stored(
    server: Irisd, api: ApiClient
) -> None:
    for name, make, status in BAD_FILES:
        form = aiohttp.FormData()
        form.add_field("file", make(), filename="eye.jpg", content_type="image/jpeg")
        reply = await api.request("POST", "/api/v1/photos", data=form)
        assert reply.status == status, (name, reply.body)
        assert is_detail(reply.body), name
    assert (await api.get("/api/v1/photos")).body["total"] == 0
    user_id = (await api.get("/api/v1/users/me")).body["id"]
    assert await stored_keys(server, user_id) == []
    await still_healthy(api)


@pytest.fixture
async def small_limits(start_server: Callable[..., Awaitable[Irisd]]) -> Irisd:
    return await start_server(uploads={"max_bytes": 50_000})


async def test_oversize_bodies_are_413_on_every_way_in(
    small_limits: Irisd, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    api = await user_factory(small_limits)
    big = images.jpeg(600, 600, quality=100) + b"\x00" * 60_000
    assert len(big) > 50_000

    form = aiohttp.FormData()
    form.add_field("file", big, filename="eye.jpg", content_type="image/jpeg")
    assert (await api.request("POST", "/api/v1/photos", data=form)).status == 413

    upload = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    async with session.put(upload.body["upload_url"], data=big) as resp:
        assert resp.status == 413
        assert is_detail(await resp.json())

    # Sent without Content-Length (chunked), the limit is counted while reading.
    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 8192):
            yield big[start : start + 8192]

    owner = upload.body["s3_key"].split("/")[1]  # originals/{user}/{photo}
    upload_key = keys.upload(owner, upload.body["photo_id"])  # where the signed PUT lands
    async with session.put(upload.body["upload_url"], data=chunks()) as resp:
        assert resp.status == 413
    assert await small_limits.storage.size(upload_key) is None

    # An object that got in some other way (an S3 PUT cannot be capped) is refused at confirm.
    await small_limits.storage.put(upload_key, big, "image/jpeg")
    reply = await api.post(f"/api/v1/photos/{upload.body['photo_id']}/confirm")
    assert reply.status == 413
    assert await small_limits.storage.size(upload_key) is None
    assert await small_limits.storage.size(upload.body["s3_key"]) is None
    await still_healthy(api)


async def test_bad_requests_get_the_contract_codes(api: ApiClient) -> None:
    json_header = {"Content-Type": "application/json"}
    pending = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    confirm = f"/api/v1/photos/{pending.body['photo_id']}/confirm"
    cases = [
        ("malformed JSON", "/api/v1/photos/upload", b'{"content_type": ', json_header, 400),
        ("JSON that is not an object", "/api/v1/photos/upload", b"[1, 2]", json_header, 400),
        ("malformed JSON at confirm", confirm, b"{width: 3}", json_header, 400),
        ("missing content_type", "/api/v1/photos/upload", b"{}", json_header, 422),
        (
            "content_type not a string",
            "/api/v1/photos/upload",
            b'{"content_type": 5}',
            json_header,
            422,
        ),
        (
            "declared type not an image",
            "/api/v1/photos/upload",
            b'{"content_type": "text/plain"}',
            json_header,
            415,
        ),
        ("claimed size not a number", confirm, b'{"width": "big"}', json_header, 422),
        ("JSON to the multipart endpoint", "/api/v1/photos", b'{"file": "x"}', json_header, 415),
        (
            "broken multipart",
            "/api/v1/photos",
            b"--x\r\nnonsense",
            {"Content-Type": "multipart/form-data; boundary=x"},
            400,
        ),
    ]
    for name, path, body, headers, status in cases:
        reply = await api.request("POST", path, data=body, headers=headers)
        assert reply.status == status, (name, reply.body)
        assert is_detail(reply.body), name

    form = aiohttp.FormData()
    form.add_field("photo", images.jpeg(), filename="eye.jpg", content_type="image/jpeg")
    reply = await api.request("POST", "/api/v1/photos", data=form)
    assert reply.status == 422, "multipart without a file field"
    assert (await api.get(f"/api/v1/photos/{pending.body['photo_id']}")).status == 200
    await still_healthy(api)
