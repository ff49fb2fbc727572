"""Light previews stored with each result: the result and its original's square as WebPs of at
most 512 px, for gallery tiles; the full images stay for the compare view and download."""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from PIL import Image

from irisd.jobs import previews
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import final, pipeline

UserFactory = Callable[..., Awaitable[ApiClient]]


async def fetched(session: aiohttp.ClientSession, url: str) -> bytes:
    async with session.get(url) as resp:
        assert resp.status == 200, url
        return await resp.read()


@pytest.mark.timeout(300)
async def test_a_real_result_gets_both_previews_light_and_square(
    start_server: Callable[..., Awaitable[Irisd]],
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    irisd = await start_server(pipeline={"output_size": 1024})
    api = await user_factory(irisd)
    photo = await api.upload_file(eye_images["mmu"][0])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    assert (await final(api, job_id))["status"] == "completed"
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).expect(200)

    full = await fetched(session, job["result_url"])
    after = await fetched(session, job["preview_url"])
    before = await fetched(session, job["original_preview_url"])
    sizes = []
    for data in (after, before):
        with Image.open(io.BytesIO(data)) as image:
            assert image.format == "WEBP"
            sizes.append(image.size)
    side = min(previews.SIDE, job["result_width"])
    assert sizes[0] == (side, side)  # the result, at most 512 px
    assert sizes[1][0] == sizes[1][1] <= previews.SIDE  # the original's square around the iris
    assert len(after) + len(before) < len(full) / 2
    listed = (await api.get("/api/v1/processing/jobs")).body["items"][0]
    assert listed["preview_url"]
    assert listed["original_preview_url"]
    # The before preview is the iris of the original: its middle is the darkest (the pupil).
    with Image.open(io.BytesIO(before)) as image:
        grey = np.asarray(image.convert("L"), dtype=float)
    h, w = grey.shape
    middle = grey[h * 3 // 8 : h * 5 // 8, w * 3 // 8 : w * 5 // 8].mean()
    assert middle < grey.mean()


async def test_a_mask_that_does_not_fit_the_photo_gives_only_the_results_preview(
    start_server: Callable[..., Awaitable[Irisd]], user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))  # an 8 px stand-in result and mask
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    await final(api, job_id)
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).expect(200)
    assert job["preview_url"]
    assert job["original_preview_url"] is None
    pending = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    assert pending["preview_url"] is None


def test_the_iris_square_is_found_from_the_widest_row_of_the_mask() -> None:
    mask = np.zeros((100, 200), np.uint8)
    yy, xx = np.mgrid[0:100, 0:200]
    mask[(xx - 120) ** 2 + (yy - 50) ** 2 <= 30**2] = 255
    mask[:30] = 0  # a lid over the top: the widest row still gives centre and radius
    x0, y0, side = previews.iris_square(mask) or (0, 0, 0)
    assert abs((x0 + side / 2) - 120.5) <= 1
    assert abs((y0 + side / 2) - 50.5) <= 1
    assert side == 2 * int(np.ceil(30.5 * 1.06))
