"""SIGKILL the server mid-job and start it again: the job completes, nothing is lost (a job
of any kind: processing or an art kind).

A real `irisd serve` subprocess (tests/support/server.py). The worker dies with the server
(no orphan keeps a GPU); after the restart the job found `processing` gets its one counted
retry, and a WebSocket resuming with `?since=0` sees every state in order, none missing.
"""

from __future__ import annotations

import asyncio
import os
import select
from collections.abc import Callable

import aiohttp
import pytest

from irisd.auth.users import create_user
from irisd.config import Settings
from irisd.db import open_database
from tests.conftest import PASSWORD
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.executors import executor
from tests.support.pipelines import Gates, at_gate, gates, messages_until, pipeline
from tests.support.server import ServerProcess
from tests.support.studio_jobs import KINDS, submit_kind

__all__ = ["executor", "gates"]

FINAL = ("completed", "failed")


async def add_user(settings: Settings) -> str:
    db = await open_database(settings.data_path / "irisd.db")
    try:
        user = await create_user(db, "restart@example.test", PASSWORD)
    finally:
        await db.close()
    return user.email


def wait_gone(pid: int, timeout_s: float) -> bool:
    """Wait for a process that is not our child to end (pidfd: no polling)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        readable, _, _ = select.select([fd], [], [], timeout_s)
        return bool(readable)
    finally:
        os.close(fd)


@pytest.mark.parametrize("kind", KINDS)
async def test_job_survives_a_killed_server(
    make_settings: Callable[..., Settings],
    gates: Gates,
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
    kind: str,
) -> None:
    settings = make_settings(jobs=pipeline("gated"))
    email = await add_user(settings)
    server = await asyncio.to_thread(server_process, settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    job_id = await submit_kind(api, kind, photo_id, lambda: gates.hold(photo_id))
    await at_gate(api, job_id)
    worker_pid = gates.pid(job_id)

    await asyncio.to_thread(server.kill)
    assert await asyncio.to_thread(wait_gone, worker_pid, 30.0), "the worker outlived its server"

    url = await asyncio.to_thread(server.start)
    api = ApiClient(session, url)
    await api.login(email, PASSWORD)
    seen = await messages_until(api, job_id, lambda m: m.get("status") in FINAL, since=0)
    assert seen[-1]["status"] == "completed"
    seqs = [m["seq"] for m in seen]
    assert seqs == sorted(seqs)
    assert sorted(set(seqs)) == list(range(seqs[0], seqs[-1] + 1))  # none missing
    assert seen[-1]["attempt"] == 2  # the attempt the crash cut short counted


async def test_a_retry_interrupted_by_a_crash_fails_as_server_error(
    make_settings: Callable[..., Settings],
    gates: Gates,
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
) -> None:
    settings = make_settings(jobs=pipeline("gated"))
    email = await add_user(settings)
    server = await asyncio.to_thread(server_process, settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    gates.hold(photo_id)
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body["job_id"]
    await at_gate(api, job_id)
    await asyncio.to_thread(server.kill)
    # As if the interrupted attempt had already been the job's one retry.
    db = await open_database(settings.data_path / "irisd.db")
    try:
        await db.execute("UPDATE jobs SET attempt_count = 2 WHERE id = ?", (job_id,))
    finally:
        await db.close()

    url = await asyncio.to_thread(server.start)
    api = ApiClient(session, url)
    await api.login(email, PASSWORD)
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).body
    assert (job["status"], job["error_type"]) == ("failed", "server_error")
    assert job["error_message"] == "Something went wrong. Please try again later."


async def test_a_clean_stop_puts_the_running_job_back_uncounted(
    make_settings: Callable[..., Settings],
    gates: Gates,
    server_process: Callable[..., ServerProcess],
    session: aiohttp.ClientSession,
) -> None:
    settings = make_settings(jobs=pipeline("gated"))
    email = await add_user(settings)
    server = await asyncio.to_thread(server_process, settings)
    api = ApiClient(session, server.url)
    await api.login(email, PASSWORD)
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    gates.hold(photo_id)
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body["job_id"]
    await at_gate(api, job_id)

    assert await asyncio.to_thread(server.stop) == 0  # SIGTERM: a clean shutdown
    gates.unhold(photo_id)  # its next attempt 1 runs straight through

    url = await asyncio.to_thread(server.start)
    api = ApiClient(session, url)
    await api.login(email, PASSWORD)
    seen = await messages_until(api, job_id, lambda m: m.get("status") in FINAL)
    assert seen[-1]["status"] == "completed"
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).body
    assert job["attempt_count"] == 1  # the server stopped; the job did not fail
