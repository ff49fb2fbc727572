"""Deleted means deleted on the feeds too (issue 25 #6): a socket on a trashed job answers as
REST does, a signed URL given out before a delete stops serving, and a socket opened before
logout ends with it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp

from irisd.auth.tokens import SESSION_ENDED
from tests.api.test_trash import completed_job
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.moto import MotoS3, moto_s3, s3_bucket
from tests.support.pipelines import Gates, at_gate, gates, pipeline

__all__ = ["gates", "moto_s3", "s3_bucket"]

UserFactory = Callable[..., Awaitable[ApiClient]]
Start = Callable[..., Awaitable[Irisd]]
# Past this many messages without the refusal, the socket was not ended (it sends a
# keepalive every keepalive_s while the job is held).
MANY = 40


async def fetch(session: aiohttp.ClientSession, url: str) -> int:
    async with session.get(url) as reply:
        await reply.read()
        return reply.status


async def test_a_socket_on_a_job_whose_photo_is_in_the_trash_is_refused_as_rest_is(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    job_id = await completed_job(api, photo["id"])
    assert (await api.delete(f"/api/v1/photos/{photo['id']}")).status == 204
    assert (await api.get(f"/api/v1/processing/jobs/{job_id}")).status == 404

    async with api.ws(f"/ws/jobs/{job_id}") as socket:
        message = await socket.receive_json()
        await socket.receive()  # the close
    assert message == {"error": "Job not found", "detail": "Job not found."}
    assert socket.close_code == 1008


async def test_a_result_url_given_before_a_delete_stops_serving_but_the_trash_shows_it(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    job = (await api.get(f"/api/v1/processing/jobs/{await completed_job(api, photo['id'])}")).body
    assert await fetch(session, job["result_url"]) == 200
    assert await fetch(session, photo["original_url"]) == 200

    assert (await api.delete(f"/api/v1/photos/{photo['id']}")).status == 204
    assert await fetch(session, job["result_url"]) == 404
    assert await fetch(session, photo["original_url"]) == 404
    assert await fetch(session, photo["thumbnail_url"]) == 404

    trashed = (await api.get("/api/v1/trash")).body["photos"][0]
    assert await fetch(session, trashed["thumbnail_url"]) == 200  # the owner's trash view
    (await api.post(f"/api/v1/photos/{photo['id']}/restore")).expect(200)
    assert await fetch(session, job["result_url"]) == 200


async def test_a_socket_opened_before_logout_is_ended_by_it(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    irisd = await start_server(jobs=pipeline("gated"), ws={"keepalive_s": 0.05})
    api = await user_factory(irisd)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    await at_gate(api, job["job_id"])
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket, api.ws("/ws/jobs") as stream:
        assert "status" in await socket.receive_json()
        (await api.post("/api/v1/auth/logout")).expect(200)
        for ws in (socket, stream):
            assert await until_refused(ws) == {
                "error": "Authentication failed",
                "detail": SESSION_ENDED,
            }
            await ws.receive()  # the close
            assert ws.close_code == 1008
    await gates.release(job["job_id"])


async def until_refused(ws: aiohttp.ClientWebSocketResponse) -> dict[str, str]:
    """The first message that is an error, among the next MANY."""
    for _ in range(MANY):
        message = await ws.receive_json()
        if "error" in message:
            return dict(message)
    raise AssertionError(f"{MANY} messages and the socket still streams")


async def test_a_replay_of_the_users_stream_leaves_out_what_is_in_the_trash(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), ws={"keepalive_s": 0.05})
    api = await user_factory(irisd)
    kept, gone, result_gone = [await api.upload(images.jpeg(64, 48)) for _ in range(3)]
    kept_job, gone_job, trashed_job = [
        await completed_job(api, photo["id"]) for photo in (kept, gone, result_gone)
    ]
    assert (await api.delete(f"/api/v1/photos/{gone['id']}")).status == 204
    assert (await api.delete(f"/api/v1/processing/jobs/{trashed_job}")).status == 204

    seen = set()
    async with api.ws("/ws/jobs", since=0) as stream:
        # The replay comes first; the first keepalive follows its last message.
        while "keepalive" not in (message := await stream.receive_json()):
            seen.add(message["job_id"])
    assert seen == {kept_job}, (gone_job, trashed_job)


async def test_on_s3_a_url_given_before_a_delete_stops_serving_until_the_restore(
    start_server: Start,
    user_factory: UserFactory,
    session: aiohttp.ClientSession,
    moto_s3: MotoS3,
    s3_bucket: str,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), **moto_s3.storage_changes(s3_bucket))
    api = await user_factory(irisd)
    photo, other = await api.upload(images.jpeg(64, 48)), await api.upload(images.jpeg(64, 48))
    job = (await api.get(f"/api/v1/processing/jobs/{await completed_job(api, photo['id'])}")).body
    lone_id = await completed_job(api, other["id"])
    lone = (await api.get(f"/api/v1/processing/jobs/{lone_id}")).body
    given = [job["result_url"], photo["original_url"], photo["thumbnail_url"], lone["result_url"]]
    assert given[0].startswith(moto_s3.endpoint_url)  # S3 serves them, not irisd
    assert [await fetch(session, url) for url in given] == [200] * 4

    assert (await api.delete(f"/api/v1/photos/{photo['id']}")).status == 204
    assert (await api.delete(f"/api/v1/processing/jobs/{lone_id}")).status == 204
    assert [await fetch(session, url) for url in given] == [404] * 4
    assert await fetch(session, other["original_url"]) == 200  # the lone result's photo stays

    trash = (await api.get("/api/v1/trash")).body
    shown = [trash["photos"][0]["thumbnail_url"], trash["results"][0]["result_url"]]
    shown.append(trash["results"][0]["thumbnail_url"])  # its photo's, not in the trash
    assert [await fetch(session, url) for url in shown] == [200] * 3

    (await api.post(f"/api/v1/photos/{photo['id']}/restore")).expect(200)
    (await api.post(f"/api/v1/processing/jobs/{lone_id}/restore")).expect(200)
    assert [await fetch(session, url) for url in given] == [200] * 4
