"""The IrisArt app's whole flow, as its client code does it, on real eye photos and the real
pipeline: login/json → photos/upload → PUT upload_url → confirm → submit → WebSocket → result.
"""

from __future__ import annotations

from pathlib import Path

import aiohttp
import cv2
import numpy as np

from irisd.jobs.model import CHECKPOINTS, COMPLETE_DISPLAY, WAITING_DISPLAY, Step
from tests.conftest import Irisd
from tests.support.clients import ApiClient
from tests.support.executors import executor

__all__ = ["executor"]  # the flow runs on the local pool and on a Ray cluster

APP_HEADERS = {"Content-Type": "application/json"}  # the app sends it on every call
DISPLAY = {s.display: s for s in Step}


async def upload_as_the_app_does(
    api: ApiClient, session: aiohttp.ClientSession, data: bytes
) -> str:
    ticket = await api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    assert ticket.status == 201, ticket.body
    # A bare HTTP client: absolute URL, image/jpeg whatever the file is, no Authorization.
    async with session.put(
        ticket.body["upload_url"], data=data, headers={"Content-Type": "image/jpeg"}
    ) as put:
        assert put.status in (200, 204)
    confirm = await api.post(
        f"/api/v1/photos/{ticket.body['photo_id']}/confirm",
        {"file_size": len(data), "width": 0, "height": 0},
    )
    assert confirm.status == 200, confirm.body
    assert confirm.body["upload_status"] == "uploaded"
    return str(ticket.body["photo_id"])


async def test_the_app_flow_on_a_real_eye_ends_with_a_downloadable_iris(
    server: Irisd,
    api: ApiClient,
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    photo_id = await upload_as_the_app_does(api, session, eye_images["mmu"][0].read_bytes())
    job = await api.post("/api/v1/processing/submit", {"photo_id": photo_id}, headers=APP_HEADERS)
    assert job.status == 201, job.body
    messages = await api.watch(job.body["job_id"])

    *progress, last = messages
    assert last["status"] == "completed", last
    steps = [m["step"] for m in progress]
    assert set(steps) <= {*DISPLAY, WAITING_DISPLAY}
    order = [DISPLAY[s] for s in steps if s in DISPLAY]
    assert order == sorted(order, key=list(Step).index)  # never back to an earlier step
    values = [m["progress"] for m in messages]
    assert values == sorted(values)
    assert {30, 40, 60, 80, 90, 95, 100} <= set(values) <= set(range(101))
    assert set(values) & set(CHECKPOINTS)
    assert last["step"] == COMPLETE_DISPLAY
    for key in ("result_url", "processing_time_ms", "result_width", "result_height"):
        assert last[key] is not None, key

    async with session.get(last["result_url"]) as resp:
        assert resp.status == 200
        image = cv2.imdecode(np.frombuffer(await resp.read(), np.uint8), cv2.IMREAD_UNCHANGED)
    assert image.shape[:2] == (last["result_height"], last["result_width"])
    assert image.shape[2] == 4  # PNG: outside the iris is transparent
    alpha = image[..., 3]
    assert 0 < np.count_nonzero(alpha) < alpha.size  # an iris, and a transparent outside

    rest = await api.get(f"/api/v1/processing/jobs/{job.body['job_id']}", headers=APP_HEADERS)
    assert rest.body["status"] == "completed"
    assert 0.0 <= rest.body["quality_score"] <= 1.0
    assert rest.body["result_url"].startswith(server.url)
