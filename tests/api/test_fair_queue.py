"""The queue is shared fairly (issue 14 #3): a per-user limit, turns between users, and a
repeated reprocess of a waiting photo answered with that job. Real server, real worker."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.api.test_auth import assert_detail
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, at_gate, gates, pipeline
from tests.support.studio_jobs import ART_KINDS, sources_for, submit_art

__all__ = ["gates"]

StartServer = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]
SUBMIT = "/api/v1/processing/submit"


async def submit(api: ApiClient, photo_id: str) -> dict[str, object]:
    job: dict[str, object] = (await api.post(SUBMIT, {"photo_id": photo_id})).expect(201)
    return job


async def held_job(api: ApiClient, gates: Gates) -> dict[str, object]:
    """A job holding the one worker at its gate, so later jobs wait in line."""
    photo = await api.upload(images.jpeg())
    gates.hold(photo["id"])
    job = await submit(api, photo["id"])
    await at_gate(api, str(job["job_id"]))
    return job


async def test_one_users_reprocesses_cannot_shut_another_user_out(
    start_server: StartServer, user_factory: UserFactory, gates: Gates
) -> None:
    server = await start_server(jobs={**pipeline("gated"), "queue_limit": 10,
                                      "user_queue_limit": 3})  # fmt: skip
    busy, other = await user_factory(server), await user_factory(server)
    held = await held_job(busy, gates)
    photos = [await busy.upload(images.jpeg()) for _ in range(4)]
    for photo in photos[:3]:
        await submit(busy, photo["id"])
    refused = await busy.post(SUBMIT, {"photo_id": photos[3]["id"]})
    assert_detail(refused, 429, "wait for some of them to finish")
    reprocess = await busy.post(f"/api/v1/processing/jobs/{held['job_id']}/reprocess")
    assert_detail(reprocess, 429)
    # The other user's first photo gets in, and is next in line: the busy user's turn in this
    # round is the job running now.
    first = await submit(other, (await other.upload(images.jpeg()))["id"])
    assert first["queue_position"] == 1
    await gates.release(str(held["job_id"]))


async def test_reprocess_again_while_waiting_answers_the_waiting_job(
    start_server: StartServer, user_factory: UserFactory, gates: Gates
) -> None:
    server = await start_server(jobs=pipeline("gated"))
    api = await user_factory(server)
    held = await held_job(api, gates)
    path = f"/api/v1/processing/jobs/{held['job_id']}/reprocess"
    queued = await api.post(path)
    assert queued.status == 201
    again = await api.post(path)
    assert again.status == 200
    assert again.body["job_id"] == queued.body["job_id"]
    assert again.body["status"] == "pending"
    listed = (await api.get("/api/v1/processing/jobs")).expect(200)
    assert listed["total"] == 2
    await gates.release(str(held["job_id"]))


async def test_another_users_batch_takes_turns_with_one_users_singles(
    start_server: StartServer, user_factory: UserFactory, gates: Gates
) -> None:
    server = await start_server(jobs=pipeline("gated"))
    busy, other = await user_factory(server), await user_factory(server)
    held = await held_job(busy, gates)
    photo = await busy.upload(images.jpeg())
    for _ in range(30):
        await submit(busy, photo["id"])
    ids = [(await other.upload(images.jpeg()))["id"] for _ in range(2)]
    batch = (await other.post("/api/v1/processing/batch", {"photo_ids": ids})).expect(201)
    # The busy user's turn in the round served is the running job: the batch is next, then
    # the two take turns.
    assert [job["queue_position"] for job in batch["jobs"]] == [1, 3]
    await gates.release(str(held["job_id"]))


@pytest.mark.parametrize("kind", ART_KINDS)
async def test_one_users_art_jobs_take_turns_and_count_against_their_limit(
    start_server: StartServer, user_factory: UserFactory, gates: Gates, kind: str
) -> None:
    server = await start_server(jobs={**pipeline("gated"), "queue_limit": 10,
                                      "user_queue_limit": 2})  # fmt: skip
    busy, other = await user_factory(server), await user_factory(server)
    photo_id = str((await busy.upload(images.jpeg()))["id"])
    sources = await sources_for(busy, kind, photo_id)
    held = await held_job(busy, gates)
    for _ in range(2):
        assert (await submit_art(busy, kind, sources, photo_id)).status == 201
    assert_detail(await submit_art(busy, kind, sources, photo_id), 429)
    # The other user's first job is next in line, ahead of the busy user's waiting art jobs.
    first = await submit(other, (await other.upload(images.jpeg()))["id"])
    assert first["queue_position"] == 1
    await gates.release(str(held["job_id"]))
