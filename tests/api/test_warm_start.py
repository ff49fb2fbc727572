"""Warm start: workers load their models when the server starts, /readyz waits for one, and a
job that must wait for a cold worker says "Getting ready..." in its additive `note`."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable

from tests.api.test_auth import assert_detail
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, final, gates

__all__ = ["gates"]

StartServer = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]
COLD = {"pipeline": "tests.support.cold_pipeline:process", "warm_start": True}


async def test_a_job_waiting_for_a_cold_worker_says_getting_ready(
    start_server: StartServer, user_factory: UserFactory, gates: Gates
) -> None:
    gate = gates.directory / "warm.gate"
    os.mkfifo(gate)  # the worker's warm_up() waits here: its models are "loading"
    server = await start_server(jobs=COLD)
    api = await user_factory(server)
    assert_detail(await api.get("/readyz", auth=False), 503, "no worker has loaded its models")
    photo = await api.upload(images.jpeg())
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).expect(201)
    assert job["note"] == "Getting ready..."
    assert job["current_step"] in ("Waiting in line...", "Preparing your image...")
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        first = await asyncio.wait_for(socket.receive_json(), timeout=30)
    assert first["note"] == "Getting ready..."
    assert first["step"] in ("Waiting in line...", "Preparing your image...")

    await gates.release("warm")  # the models are loaded
    assert (await final(api, job["job_id"]))["status"] == "completed"
    assert (await api.get("/readyz", auth=False)).status == 200
    done = (await api.get(f"/api/v1/processing/jobs/{job['job_id']}")).expect(200)
    assert done["note"] is None
