"""A worker killed mid-job (kill -9): only its job is retried, once, and completes, whatever
the job's kind (processing or an art kind)."""

from __future__ import annotations

import json
import os
import signal
from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.executors import executor
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline
from tests.support.studio_jobs import KINDS, submit_kind

__all__ = ["executor", "gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]


async def attempt_count(irisd: Irisd, job_id: str) -> int:
    row = await irisd.db.fetchone("SELECT attempt_count FROM jobs WHERE id = ?", (job_id,))
    assert row is not None
    return int(row[0])


async def submit(api: ApiClient, photo_id: str) -> str:
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    assert reply.status == 201, reply.body
    return str(reply.body["job_id"])


@pytest.mark.parametrize("kind", KINDS)
async def test_killed_worker_retries_only_its_job(
    start_server: Start, user_factory: UserFactory, gates: Gates, kind: str
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    api = await user_factory(irisd)
    photos = [(await api.upload(images.jpeg(64, 48)))["id"] for _ in range(3)]
    victim = await submit_kind(api, kind, photos[0], lambda: gates.hold(photos[0]))
    await at_gate(api, victim)
    queued = [await submit(api, p) for p in photos[1:]]
    pid = gates.pid(victim)
    assert pid in irisd.engine.worker_pids()

    os.kill(pid, signal.SIGKILL)

    assert (await final(api, victim))["status"] == "completed"
    for job_id in queued:
        assert (await final(api, job_id))["status"] == "completed"
    attempts = {job_id: await attempt_count(irisd, job_id) for job_id in [victim, *queued]}
    assert attempts == {victim: 2, queued[0]: 1, queued[1]: 1}
    row = await irisd.db.fetchone("SELECT attempt_log FROM jobs WHERE id = ?", (victim,))
    assert row is not None
    first, second = json.loads(row[0])
    assert "WorkerDied" in first["cause"]
    assert second["cause"] == "completed"
    assert pid not in irisd.engine.worker_pids()  # the pool was rebuilt with a new process
