"""The art studio's calls (issue 27) end to end with the real art code: styles, HD exports,
fusions and compositions on real prints, through the app's routes and the job WebSocket.

Real server on loopback, real worker processes; the processing pipeline is the test
pipeline `disc` (a real textured iris print, quick), the art kinds run irisd.art for real.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest
from PIL import Image

from irisd.jobs.model import ART_DISPLAY, JobKind
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import DISC_IRIS_RADIUS, DISC_SIDE, final
from tests.support.studio_jobs import PRESET, job_id_of, processed, submit_art

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]
PRESET_FIELDS = {
    "id", "name", "displayName", "description", "category", "tier", "thumbnailUrl",
    "sortOrder", "listedTier",
}  # fmt: skip


async def serve(start_server: Start, user_factory: UserFactory) -> tuple[Irisd, ApiClient]:
    irisd = await start_server(jobs={"pipeline": "tests.support.pipelines:disc"})
    return irisd, await user_factory(irisd)


async def photo(api: ApiClient) -> str:
    return str((await api.upload(images.jpeg(64, 48)))["id"])


async def fetch_image(session: aiohttp.ClientSession, url: str) -> tuple[bytes, Image.Image]:
    async with session.get(url) as resp:
        assert resp.status == 200, url
        data = await resp.read()
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        return data, image


async def test_presets_list_all_fifteen_as_available(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory)
    reply = await api.get("/api/v1/styles/presets")
    assert reply.status == 200, reply.body
    assert reply.body["premium"] == []  # the app locks "premium": on a box nothing is
    listed = reply.body["free"]
    assert len(listed) == 15
    assert {p["tier"] for p in listed} == {"free"}
    assert all(set(p) == PRESET_FIELDS for p in listed)
    assert PRESET in {p["id"] for p in listed}


async def test_a_style_runs_as_a_job_with_the_apps_steps_preview_and_full_size(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    _, api = await serve(start_server, user_factory)
    photo_id = await photo(api)
    source = await processed(api, photo_id)
    reply = await submit_art(api, "style", [source], photo_id)
    assert reply.status == 201, reply.body
    created = reply.body
    assert (created["stylePreset"]["id"], created["processingJobId"]) == (PRESET, source)
    assert created["status"] == "pending"
    seen = [m async for m in api.messages(created["id"])]
    done = seen[-1]
    assert done.get("status") == "completed", seen
    steps = {m["step"] for m in seen if m["status"] == "processing"}
    assert set(ART_DISPLAY[JobKind.STYLE].values()) <= steps
    job = (await api.get(f"/api/v1/styles/jobs/{created['id']}")).body
    assert (job["status"], job["progress"], job["currentStep"]) == ("completed", 100, "Complete!")
    _, full = await fetch_image(session, job["resultUrl"])
    _, preview = await fetch_image(session, job["previewUrl"])
    assert full.size == (DISC_SIDE, DISC_SIDE)
    assert max(preview.size) <= 512
    listed = (await api.get("/api/v1/styles/jobs", params={"photo_id": photo_id})).body
    assert [item["id"] for item in listed["items"]] == [created["id"]]
    assert listed["total"] == 1


async def test_an_export_says_its_size_dpi_and_whether_it_was_enlarged(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    _, api = await serve(start_server, user_factory)
    photo_id = await photo(api)
    source = await processed(api, photo_id)
    body = {"sourceType": "processed", "sourceJobId": source, "printSize": "20x20cm"}
    reply = await api.post("/api/v1/exports/hd", body)
    assert reply.status == 201, reply.body
    done = await final(api, reply.body["id"])
    assert done["status"] == "completed", done
    job = (await api.get(f"/api/v1/exports/jobs/{reply.body['id']}")).body
    data, image = await fetch_image(session, job["resultUrl"])
    assert job["isPaid"] is True
    assert job["fileSizeBytes"] == len(data) == done["file_size_bytes"]
    assert image.size == (job["resultWidth"], job["resultHeight"])
    # The photo's iris (600 px) had more detail than the 256 px print keeps: the print's is
    # what an export can honestly use, and 20 cm at 300 dpi is far more than that.
    assert DISC_SIDE < 2 * DISC_IRIS_RADIUS
    assert (job["nativePx"], job["enlarged"]) == (DISC_SIDE, True)
    assert job["resultWidth"] == round(20 / 2.54 * 300)
    assert (job["dpi"], job["format"], job["printSize"]) == (300, "png", "20x20cm")
    assert job["detailDpi"] == pytest.approx(DISC_SIDE / (20 / 2.54), abs=0.1)
    listed = (await api.get("/api/v1/exports/jobs")).body
    assert [item["id"] for item in listed["items"]] == [job["id"]]


@pytest.mark.parametrize("kind", ["fusion", "composition"])
async def test_two_prints_are_blended_or_laid_out_as_a_job(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession, kind: str
) -> None:
    _, api = await serve(start_server, user_factory)
    sources = [await processed(api, await photo(api)) for _ in range(2)]
    reply = await submit_art(api, kind, sources, "")
    assert reply.status == 201, reply.body
    assert reply.body["status"] == "submitted"
    fusion_id = job_id_of(kind, reply.body)
    done = await final(api, fusion_id)
    assert (done["status"], done["kind"]) == ("completed", kind), done
    found = (await api.get(f"/api/v1/fusion/{fusion_id}")).body
    assert (found["fusion_type"], found["source_artwork_ids"]) == (kind, sources)
    _, image = await fetch_image(session, found["result_url"])
    assert image.size == (found["result_width"], found["result_height"])
    listed = (await api.get("/api/v1/fusion", params={"offset": 0, "limit": 20})).body
    assert [item["id"] for item in listed] == [fusion_id]


async def test_another_users_artwork_is_not_found_whatever_the_circle(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd, api = await serve(start_server, user_factory)
    other = await user_factory(irisd)
    mine = await processed(api, await photo(api))
    theirs = await processed(other, await photo(other))
    body = {"artwork_ids": [mine, theirs], "circle_id": "shared", "blend_mode": "poisson"}
    reply = await api.post("/api/v1/fusion", body)
    unknown = {**body, "artwork_ids": [mine, "00000000-0000-0000-0000-000000000000"]}
    assert (reply.status, reply.body) == (404, (await api.post("/api/v1/fusion", unknown)).body)
    export = {"sourceType": "processed", "sourceJobId": theirs}
    assert (await api.post("/api/v1/exports/hd", export)).status == 404


async def test_ai_generation_is_refused_as_not_on_this_box(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory)
    reply = await api.post("/api/v1/styles/generate?photo_id=x&processing_job_id=y")
    assert reply.status == 403
    assert "not available on this box" in reply.body["detail"]


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/v1/styles/apply", {"photoId": "x", "stylePresetId": "no_such_style"}),
        ("/api/v1/exports/hd", {"sourceType": "ai_generated", "sourceJobId": "x"}),
        ("/api/v1/fusion", {"artwork_ids": ["only-one"], "blend_mode": "alpha"}),
        ("/api/v1/composition", {"artwork_ids": ["a", "b"], "layout": "spiral"}),
    ],
)
async def test_bad_studio_requests_are_refused_with_a_sentence(
    start_server: Start, user_factory: UserFactory, path: str, body: dict[str, Any]
) -> None:
    _, api = await serve(start_server, user_factory)
    reply = await api.post(path, body)
    assert reply.status in (404, 422), reply.body
    assert isinstance(reply.body["detail"], str)
