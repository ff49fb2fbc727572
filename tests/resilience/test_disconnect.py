"""Clients that go away mid-job: the job is untouched, and coming back loses nothing."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from irisd.api.appkeys import HUB
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, at_gate, final, gates, pipeline
from tests.support.ws_clients import vanish

__all__ = ["gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]


async def held_job(
    start: Start, users: UserFactory, gates: Gates
) -> tuple[Irisd, ApiClient, dict[str, Any]]:
    """A server with a `gated` pipeline and a job held at ("segmenting", 20); its held state."""
    irisd = await start(jobs=pipeline("gated"), ws={"keepalive_s": 0.01})
    api = await users(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    return irisd, api, await at_gate(api, job["job_id"])


async def row(api: ApiClient, job_id: str) -> dict[str, Any]:
    reply = await api.get(f"/api/v1/processing/jobs/{job_id}")
    assert reply.status == 200, reply.body
    job: dict[str, Any] = reply.body
    return job


async def test_closing_mid_job_changes_nothing_and_reconnect_gets_the_end(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api, held = await held_job(start_server, user_factory, gates)  # that socket closed
    after = await row(api, held["job_id"])
    assert (after["status"], after["progress"]) == ("processing", held["progress"])
    await gates.release(held["job_id"])
    done = await final(api, held["job_id"])
    assert (done["status"], done["attempt"]) == ("completed", 1)
    assert (await row(api, held["job_id"]))["status"] == "completed"


async def test_vanishing_mid_job_frees_the_socket_and_changes_nothing(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd, api, held = await held_job(start_server, user_factory, gates)
    hub = irisd.app[HUB]
    path = f"/ws/jobs/{held['job_id']}"
    async with api.ws(path) as gone, api.ws(path) as watcher:
        await gone.receive_json()
        await watcher.receive_json()
        assert hub.connections == 2
        vanish(gone)  # no close frame: the TCP connection just ends
        while hub.connections > 1:  # the watcher's keepalives are the clock
            await watcher.receive_json()
    after = await row(api, held["job_id"])
    assert (after["status"], after["progress"], after["attempt_count"]) == (
        "processing",
        held["progress"],
        1,
    )
    await gates.release(held["job_id"])
    done = await final(api, held["job_id"])
    assert (done["status"], done["attempt"]) == ("completed", 1)


async def test_resuming_after_a_disconnect_gets_every_missed_seq_once(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api, held = await held_job(start_server, user_factory, gates)
    await gates.release(held["job_id"])  # states pass while nobody watches
    resumed = await api.watch(held["job_id"], since=held["seq"])
    assert resumed[-1]["status"] == "completed"
    seqs = [m["seq"] for m in resumed]
    assert seqs == sorted(seqs)  # a repeat is a keepalive: the same state, a new timestamp
    assert sorted(set(seqs)) == list(range(held["seq"] + 1, seqs[-1] + 1))
    assert seqs.count(seqs[-1]) == 1
    progress = [m["progress"] for m in resumed]
    assert progress == sorted(progress)


async def test_the_apps_endless_reconnects_leave_nothing_behind(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    hub = irisd.app[HUB]
    jobs = []
    for _ in range(3):
        photo = await api.upload(images.jpeg(64, 48))
        reply = await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})
        jobs.append(reply.body["job_id"])
    ends = [await final(api, job_id) for job_id in jobs]
    for job_id, end in zip(jobs, ends, strict=True):
        for _ in range(5):  # the app reconnects every 2 s while its job screen is open
            assert [m["seq"] for m in await api.watch(job_id)] == [end["seq"]]
    # Finished jobs keep no history in memory and closed sockets no subscription.
    assert (hub.connections, hub.tracked_jobs) == (0, 0)
