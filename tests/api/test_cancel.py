"""jobs/cancel.py: one decision, "queued or running", whichever process asks.

A real server runs the `gated` test pipeline in real workers; the cancels come from a
second SQLite connection, as the CLI's would, and from a real `irisd jobs cancel` process.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import pytest

from irisd.db import Database, open_database
from irisd.jobs import store
from irisd.jobs.cancel import Outcome, cancel, cancel_flag
from irisd.jobs.model import JobStatus, LiveState
from irisd.storage import keys
from tests.conftest import REPO, Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.executors import executor
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline
from tests.support.studio_jobs import KINDS, submit_kind

__all__ = ["executor", "gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]


@pytest.fixture
async def irisd(start_server: Start, gates: Gates) -> Irisd:
    return await start_server(jobs=pipeline("gated"))  # after `gates` named its directory


@pytest.fixture
async def api(irisd: Irisd, user_factory: UserFactory) -> ApiClient:
    return await user_factory(irisd)


@pytest.fixture
async def other(irisd: Irisd) -> AsyncIterator[Database]:
    """A second connection to the server's database, as another process (the CLI) has."""
    db = await open_database(irisd.settings.data_path / "irisd.db")
    yield db
    await db.close()


async def held_job(api: ApiClient, gates: Gates, kind: str = "process") -> str:
    """A job of `kind` blocked at its gate (processing, progress 20) until the test releases
    it."""
    photo_id = (await api.upload(images.jpeg()))["id"]
    job_id = await submit_kind(api, kind, photo_id, lambda: gates.hold(photo_id))
    await at_gate(api, job_id)
    return job_id


async def queued_job(api: ApiClient) -> str:
    photo_id = (await api.upload(images.jpeg()))["id"]
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    assert reply.body["status"] == "pending", reply.body
    job_id: str = reply.body["job_id"]
    return job_id


async def stored(db: Database, job_id: str) -> LiveState:
    state = await store.fetch(db, job_id)
    assert state is not None
    return state


async def cli_cancel(irisd: Irisd, job_id: str, tmp_path: Path) -> tuple[int, str]:
    """`irisd jobs cancel JOB_ID` as a separate process on the server's data dir."""
    empty = tmp_path / "cli.toml"
    empty.write_text("", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("IRISD_")}
    env |= {"PYTHONPATH": str(REPO), "IRISD_DATA_DIR": irisd.settings.data_dir}
    proc = await asyncio.create_subprocess_exec(
        *(sys.executable, "-m", "irisd", "jobs", "cancel", "--config", str(empty), job_id),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
        env=env,
        cwd=tmp_path,
    )
    out, _ = await proc.communicate()
    return await proc.wait(), out.decode()


async def test_a_queued_job_is_dropped_at_once_and_the_queue_moves_up(
    irisd: Irisd, api: ApiClient, gates: Gates, other: Database
) -> None:
    running = await held_job(api, gates)
    first, second = await queued_job(api), await queued_job(api)

    done = await cancel(other, irisd.settings.data_path, await stored(other, first))
    assert done.outcome is Outcome.DROPPED
    assert (done.state.status, done.state.error_type) == (JobStatus.FAILED, "cancelled")
    moved = {s.job_id: s.queue_position for s in done.changed if s.job_id != first}
    assert moved == {second: 1}
    assert await stored(other, first) == done.state

    again = await cancel(other, irisd.settings.data_path, await stored(other, first))
    assert (again.outcome, again.changed) == (Outcome.CANCELLED, ())
    assert (await stored(other, first)).seq == done.state.seq  # nothing written twice

    await gates.release(running)
    assert (await final(api, second))["status"] == "completed"
    assert (await stored(other, first)).attempt == 0  # never claimed


@pytest.mark.parametrize("kind", KINDS)
async def test_a_running_job_stops_at_its_next_step(
    irisd: Irisd, api: ApiClient, gates: Gates, other: Database, kind: str
) -> None:
    job_id = await held_job(api, gates, kind)
    before = await stored(other, job_id)

    done = await cancel(other, irisd.settings.data_path, before)
    assert (done.outcome, done.state, done.changed) == (Outcome.STOPPING, before, ())
    assert cancel_flag(irisd.settings.data_path, job_id).exists()

    await gates.release(job_id)
    last = await final(api, job_id)
    assert (last["status"], last["error_type"]) == ("failed", "cancelled")
    after = await stored(other, job_id)
    assert (after.progress, after.attempt) == (20, 1)  # no step after the cancel was taken
    owner = after.user_id
    assert await irisd.storage.list(keys.processed_prefix(owner, job_id)) == []
    assert not cancel_flag(irisd.settings.data_path, job_id).exists()


async def test_a_job_claimed_after_the_caller_read_it_is_stopped_not_dropped(
    irisd: Irisd, api: ApiClient, gates: Gates, other: Database
) -> None:
    ahead = await held_job(api, gates)
    photo_id = (await api.upload(images.jpeg()))["id"]
    gates.hold(photo_id)
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo_id})
    job_id = reply.body["job_id"]
    read_while_queued = await stored(other, job_id)
    assert read_while_queued.status is JobStatus.PENDING
    await gates.release(ahead)
    await at_gate(api, job_id)  # claimed and running now

    done = await cancel(other, irisd.settings.data_path, read_while_queued)
    assert done.outcome is Outcome.STOPPING
    await gates.release(job_id)
    assert (await final(api, job_id))["error_type"] == "cancelled"


async def test_the_cli_process_cancels_while_the_server_runs(
    irisd: Irisd, api: ApiClient, gates: Gates, tmp_path: Path
) -> None:
    running = await held_job(api, gates)
    waiting = await queued_job(api)

    async with api.ws(f"/ws/jobs/{waiting}") as socket:
        assert (await socket.receive_json())["status"] == "pending"
        code, out = await cli_cancel(irisd, waiting, tmp_path)
        assert (code, out.strip()) == (0, f"Cancelled pending job {waiting}.")
        # The server's catch-up brings the other process's change to the open socket.
        async with asyncio.timeout(30):  # a bound on failure; it takes about a second
            seen = [json.loads(msg.data) async for msg in socket]
    assert (seen[-1]["status"], seen[-1]["error_type"]) == ("failed", "cancelled")

    code, out = await cli_cancel(irisd, running, tmp_path)
    assert (code, out.strip()) == (0, f"Asked running job {running} to stop at its next step.")
    await gates.release(running)
    assert (await final(api, running))["error_type"] == "cancelled"


async def test_a_finished_job_is_left_as_it_is(
    irisd: Irisd, api: ApiClient, other: Database, tmp_path: Path
) -> None:
    job_id = await queued_job(api)
    assert (await final(api, job_id))["status"] == "completed"
    before = await stored(other, job_id)

    done = await cancel(other, irisd.settings.data_path, before)
    assert (done.outcome, done.state, done.changed) == (Outcome.FINISHED, before, ())
    assert not cancel_flag(irisd.settings.data_path, job_id).exists()
    reply = await api.post(f"/api/v1/processing/jobs/{job_id}/cancel")
    assert (reply.status, reply.body) == (409, {"detail": "This job has already finished."})
    code, out = await cli_cancel(irisd, job_id, tmp_path)
    assert code == 1
    assert f"Job {job_id} has already finished (completed)." in out
    assert await stored(other, job_id) == before
