"""WebSocket /ws/jobs/{job_id} and /ws/jobs exactly as API.md and the IrisArt app need them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import jwt
import pytest

from irisd.jobs.model import CHECKPOINTS, COMPLETE_DISPLAY, WAITING_DISPLAY, Step
from tests.conftest import Irisd
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.executors import executor
from tests.support.pipelines import (
    FINAL,
    NOTES,
    WARNINGS,
    Gates,
    at_gate,
    final,
    gates,
    pipeline,
)

__all__ = ["executor", "gates"]

Start = Callable[..., Awaitable[Irisd]]
UserFactory = Callable[..., Awaitable[ApiClient]]
DISPLAYS = {step.display for step in Step} | {WAITING_DISPLAY, COMPLETE_DISPLAY}


async def serve(start: Start, users: UserFactory, name: str, **ws: Any) -> tuple[Irisd, ApiClient]:
    irisd = await start(jobs=pipeline(name), ws=ws)
    return irisd, await users(irisd)


async def submit(api: ApiClient, content: bytes | None = None) -> dict[str, Any]:
    photo = await api.upload(content or images.jpeg(64, 48))
    reply = await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})
    assert reply.status == 201, reply.body
    job: dict[str, Any] = reply.body
    return job


async def refused(api: ApiClient, path: str, token: str | None = None) -> tuple[list[Any], Any]:
    """Every message of a socket the server refuses, and its close code."""
    async with api.ws(path, token=token) as socket:
        received = [json.loads(m.data) async for m in socket if m.type == aiohttp.WSMsgType.TEXT]
        return received, socket.close_code


def progress_only(messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m for m in messages if m["status"] not in FINAL]


async def test_job_streams_steps_in_order_then_completion(
    start_server: Start, user_factory: UserFactory, session: aiohttp.ClientSession
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    job = await submit(api)
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        messages = [json.loads(m.data) async for m in socket if m.type == aiohttp.WSMsgType.TEXT]
        assert socket.close_code == 1000
    *progress, last = messages
    for message in progress:
        assert {"job_id", "status", "progress", "step", "timestamp"} <= set(message)
        assert message["step"] in DISPLAYS
    values = [m["progress"] for m in progress]
    assert values == sorted(values)
    seqs = [m["seq"] for m in messages]
    assert seqs == sorted(seqs)
    distinct = sorted({m["seq"]: m["progress"] for m in messages}.values())
    assert set(CHECKPOINTS[1:]) <= set(distinct)  # 5 may pass before the socket opens
    steps = [m["step"] for m in progress if m["status"] == "processing"]
    order = [Step(s).display for s in ("loading", "segmenting", "removing_reflections",
                                       "enhancing", "saving")]  # fmt: skip
    assert [s for i, s in enumerate(steps) if i == 0 or steps[i - 1] != s] == [
        s for s in order if s in steps
    ]
    assert {"Finding your iris...", "Removing reflections...", "Enhancing quality..."} <= set(steps)
    assert last["status"] == "completed"
    assert last["step"] == COMPLETE_DISPLAY
    assert last["progress"] == 100
    assert (last["result_width"], last["result_height"]) == (8, 8)
    assert last["processing_time_ms"] >= 0
    assert (last["quality_notes"], last["warnings"], last["needs_check"]) == ([], [], False)
    assert last["print_ready"] is False  # an 8 px result
    assert all("quality_notes" not in m for m in progress)  # Completion only
    async with session.get(last["result_url"]) as resp:
        assert resp.status == 200
        assert (await resp.read()).startswith(b"\x89PNG")


async def test_finished_job_answers_at_once_with_its_final_message(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    job = await submit(api)
    first = await final(api, job["job_id"])
    again = await api.watch(job["job_id"])
    assert len(again) == 1
    assert again[0]["status"] == "completed"
    assert again[0]["seq"] == first["seq"]


async def test_completion_carries_the_notes_and_warnings_live_on_reconnect_and_in_replays(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    """The live message (the engine's state, through the hub), a reconnect (the job row) and
    the replays (job_events) all read the same notes, warnings and call to check the print."""
    _, api = await serve(start_server, user_factory, "gated")
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    gates.note(photo["id"], *NOTES)
    gates.warn(photo["id"], *WARNINGS)
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    held = await at_gate(api, job["job_id"])
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        live = [await socket.receive_json()]
        await gates.release(job["job_id"])
        while live[-1]["status"] not in FINAL:
            live.append(await socket.receive_json())
    last = live[-1]
    said = {"quality_notes": [*WARNINGS, *NOTES], "warnings": list(WARNINGS), "needs_check": True}
    assert last["status"] == "completed"
    assert all("needs_check" not in m for m in live[:-1])  # Completion only

    (again,) = await api.watch(job["job_id"])
    replay = await api.watch(job["job_id"], since=held["seq"])
    async with api.ws("/ws/jobs", since=0) as socket:
        streamed = await socket.receive_json()
        while streamed.get("seq") != last["seq"]:
            streamed = await socket.receive_json()
    rest = (await api.get(f"/api/v1/processing/jobs/{job['job_id']}")).body
    for message in (last, again, replay[-1], streamed, rest):
        assert {key: message[key] for key in said} == said, message
    assert (again["seq"], replay[-1]["seq"]) == (last["seq"], last["seq"])


async def test_failed_job_sends_one_error_message(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory, "quality_issue")
    job = await submit(api)
    await final(api, job["job_id"])
    (message,) = await api.watch(job["job_id"])
    assert message["status"] == "failed"
    assert message["error_type"] == "quality_issue"
    assert message["message"]
    assert message["suggestion"].startswith("Try capturing a new photo")


async def test_bad_tokens_unknown_and_foreign_jobs_get_one_error_then_1008(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd, api = await serve(start_server, user_factory, "ok")
    other = await user_factory(irisd)
    job = await submit(api)
    path = f"/ws/jobs/{job['job_id']}"
    claims = jwt.decode(api.access_token or "", options={"verify_signature": False})
    secret = (irisd.settings.data_path / "jwt_secret").read_text().strip()
    expired = jwt.encode({**claims, "exp": claims["iat"] - 10}, secret, algorithm="HS256")
    cases = [
        (path, "not-a-jwt"),
        (path, ""),
        (path, expired),
        (path, api.refresh_token),
        ("/ws/jobs/00000000-0000-4000-8000-000000000000", api.access_token),
        ("/ws/jobs/not-even-a-uuid", api.access_token),
        (path, other.access_token),
    ]
    answers = []
    for target, token in cases:
        messages, code = await refused(api, target, token=token)
        assert code == 1008, (target, messages)
        assert len(messages) == 1
        assert set(messages[0]) == {"error", "detail"}
        answers.append(messages[0])
    # Unknown, malformed and foreign job ids are indistinguishable.
    assert answers[4] == answers[5] == answers[6]


async def test_keepalive_repeats_the_state_while_nothing_changes(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "gated", keepalive_s=0.05)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    held = await at_gate(api, job["job_id"])
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        repeats = [await socket.receive_json() for _ in range(4)]
    assert {m["seq"] for m in repeats} == {held["seq"]}
    assert len({m["timestamp"] for m in repeats}) > 1
    assert all(m["timestamp"].endswith("Z") for m in repeats)  # as REST writes times
    await gates.release(job["job_id"])
    assert (await final(api, job["job_id"]))["status"] == "completed"


async def test_since_replays_every_later_seq_exactly_once(
    start_server: Start, user_factory: UserFactory
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    job = await submit(api)
    last = await final(api, job["job_id"])
    replay = await api.watch(job["job_id"], since=2)
    assert [m["seq"] for m in replay] == list(range(3, last["seq"] + 1))
    assert replay[-1]["status"] == "completed"


async def test_connection_time_limit_sends_the_contract_message_and_closes_1000(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "gated", max_connection_s=0.3)
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    while (await api.get(f"/api/v1/processing/jobs/{job['job_id']}")).body["progress"] < 20:
        # Reconnect as the app does until the job is held (each socket lives only 0.3 s).
        await api.watch(job["job_id"])
    async with api.ws(f"/ws/jobs/{job['job_id']}") as socket:
        messages = [json.loads(m.data) async for m in socket if m.type == aiohttp.WSMsgType.TEXT]
        assert socket.close_code == 1000
    assert messages[-1] == {
        "error": "Connection timeout",
        "detail": "Maximum connection time exceeded. Job continues in background.",
    }
    await gates.release(job["job_id"])
    assert (await final(api, job["job_id"]))["status"] == "completed"


async def test_user_stream_carries_every_job_and_resumes_from_a_cursor(
    start_server: Start, user_factory: UserFactory
) -> None:
    irisd, api = await serve(start_server, user_factory, "ok")
    other = await user_factory(irisd)
    finished: dict[str, dict[str, Any]] = {}
    seen: list[dict[str, Any]] = []
    async with api.ws("/ws/jobs") as socket:
        jobs = [await submit(api), await submit(api)]
        await submit(other)  # another user's job never shows up here
        wanted = {j["job_id"] for j in jobs}
        while set(finished) != wanted:
            message = await socket.receive_json()
            if message.get("keepalive"):
                continue
            seen.append(message)
            assert message["job_id"] in wanted
            if message["status"] in FINAL:
                finished[message["job_id"]] = message
    cursors = [m["cursor"] for m in seen]
    assert cursors == sorted(cursors)
    assert len(set(cursors)) == len(cursors)
    middle = cursors[len(cursors) // 2]
    async with api.ws("/ws/jobs", since=middle) as socket:
        replay = []
        while len(replay) < len([c for c in cursors if c > middle]):
            message = await socket.receive_json()
            if not message.get("keepalive"):
                replay.append(message)
    assert [m["cursor"] for m in replay] == [c for c in cursors if c > middle]


@pytest.mark.parametrize("since", ["-1", "abc"])
async def test_bad_since_is_refused(
    start_server: Start, user_factory: UserFactory, since: str
) -> None:
    _, api = await serve(start_server, user_factory, "ok")
    job = await submit(api)
    url = api.url(f"/ws/jobs/{job['job_id']}").replace("http://", "ws://")
    async with api.session.ws_connect(f"{url}?token={api.access_token}&since={since}") as socket:
        message = await socket.receive_json()
        closing = await socket.receive()
    assert set(message) == {"error", "detail"}
    assert closing.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
    assert socket.close_code == 1008


async def test_metrics_count_open_sockets(
    start_server: Start, user_factory: UserFactory, gates: Gates
) -> None:
    _, api = await serve(start_server, user_factory, "gated")
    photo = await api.upload(images.jpeg(64, 48))
    gates.hold(photo["id"])
    job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
    await at_gate(api, job["job_id"])

    async def gauge() -> str:
        reply = await api.get("/metrics")
        text = reply.body.decode() if isinstance(reply.body, bytes) else reply.body
        return next(line for line in text.splitlines() if line.startswith("irisd_websocket_conn"))

    path = f"/ws/jobs/{job['job_id']}"
    async with api.ws(path) as first, api.ws("/ws/jobs") as second:
        await first.receive_json()
        await second.receive_json()
        assert await gauge() == "irisd_websocket_connections 2"
    while await gauge() != "irisd_websocket_connections 0":
        pass  # the server unsubscribes just after its close reply; each scrape is a round trip
    await gates.release(job["job_id"])
    assert (await final(api, job["job_id"]))["status"] == "completed"
