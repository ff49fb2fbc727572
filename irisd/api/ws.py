"""WebSockets: /ws/jobs/{job_id} (API.md) and /ws/jobs, the stream of all a user's jobs.

/ws/jobs/{job_id}?token=ACCESS[&since=SEQ]: after auth and ownership checks, the job's current
state (or, with `since`, every state after SEQ, each exactly once), then one message per
change and the latest state again every `[ws] keepalive_s` while nothing changes; the final
message, then close 1000. Errors: one {"error", "detail"} message, then close 1008.

/ws/jobs?token=ACCESS[&since=CURSOR]: the same Progress/Completion/Error messages for every
job of the user, each with a `cursor`. Without `since` it starts with the current state of
every pending or processing job; with `since=CURSOR` (the last cursor a client saw) it replays
every change after it first. While nothing changes it sends {"keepalive": true, "cursor",
"timestamp"} every keepalive_s. Neither socket ever changes a job.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
from collections.abc import Callable, Coroutine
from typing import Any

from aiohttp import WSCloseCode, web

from irisd.api.bearer import check_ws_token
from irisd.api.urls import absolute
from irisd.appkeys import DATABASE, HUB, SETTINGS, STORAGE
from irisd.auth.users import User
from irisd.errors import BadRequest, NotFound, RequestError
from irisd.jobs import store
from irisd.jobs.hub import Idle, Subscription
from irisd.jobs.model import JobStatus, LiveState
from irisd.logs import get_logger
from irisd.timestamps import now

routes = web.RouteTableDef()
log = get_logger(__name__)

TIMEOUT_MESSAGE = {
    "error": "Connection timeout",
    "detail": "Maximum connection time exceeded. Job continues in background.",
}
# Per socket, what a client that stops reading can leave queued before sends block: a kernel
# send buffer (autotuning would let each grow to 4 MB) plus the transport's own buffer.
SEND_BUFFER_BYTES = 32 * 1024
WRITE_BUFFER_HIGH_BYTES = 16 * 1024
_ERROR_TITLES = {400: "Bad request", 401: "Authentication failed", 404: "Job not found"}


class SlowClient(Exception):
    """The client did not take a message within the send timeout."""


def message(request: web.Request, state: LiveState) -> dict[str, Any]:
    """The Progress, Completion or Error message of API.md for `state`."""
    data: dict[str, Any] = {
        "job_id": state.job_id,
        "status": state.status.value,
        "progress": state.progress,
        "step": state.display,
        "timestamp": now(),
        "seq": state.seq,
        "attempt": state.attempt,
        "queue_position": state.queue_position,
    }
    if state.status is JobStatus.COMPLETED and state.result_key:
        data["result_url"] = absolute(request, request.app[STORAGE].presign_get(state.result_key))
        data["processing_time_ms"] = state.processing_time_ms
        data["result_width"] = state.result_width
        data["result_height"] = state.result_height
        data["quality_score"] = state.quality_score
        data["quality_notes"] = list(state.quality_notes)  # additive to API.md: [] when none
    elif state.status is JobStatus.FAILED:
        data["error_type"] = state.error_type
        data["message"] = state.error_message
        data["suggestion"] = state.suggestion
    return data


@routes.get("/ws/jobs/{job_id}")
async def job_socket(request: web.Request) -> web.WebSocketResponse:
    ws = await _accept(request)
    try:
        user = await check_ws_token(request, request.query.get("token"))
        state = await _owned_job(request, user, request.match_info["job_id"])
        since = _since(request)
    except RequestError as exc:
        return await _refuse(ws, exc)
    sub = request.app[HUB].subscribe(job_id=state.job_id)
    await _run(request, ws, sub, lambda: _stream_job(request, ws, sub, state, since))
    return ws


@routes.get("/ws/jobs")
async def user_socket(request: web.Request) -> web.WebSocketResponse:
    ws = await _accept(request)
    try:
        user = await check_ws_token(request, request.query.get("token"))
        since = _since(request)
    except RequestError as exc:
        return await _refuse(ws, exc)
    sub = request.app[HUB].subscribe(user_id=user.id)
    await _run(request, ws, sub, lambda: _stream_user(request, ws, sub, user.id, since))
    return ws


async def _accept(request: web.Request) -> web.WebSocketResponse:
    # No permessage-deflate: a message is ~250 bytes, and a zlib context per socket cost
    # ~127 KB and 1.6x the CPU of 1,000 idle watchers (bench/ws_fanout.py --deflate).
    ws = web.WebSocketResponse(compress=False)
    await ws.prepare(request)
    transport = request.transport
    if transport is not None:
        transport.set_write_buffer_limits(high=WRITE_BUFFER_HIGH_BYTES)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER_BYTES)
    return ws


async def _refuse(ws: web.WebSocketResponse, exc: RequestError) -> web.WebSocketResponse:
    title = _ERROR_TITLES.get(exc.status, "Request refused")
    await ws.send_json({"error": title, "detail": exc.text})
    await ws.close(code=WSCloseCode.POLICY_VIOLATION)
    return ws


async def _owned_job(request: web.Request, user: User, job_id: str) -> LiveState:
    state = await store.fetch(request.app[DATABASE], job_id)
    if state is None or state.user_id != user.id:
        raise NotFound("Job not found.", job_id=job_id)  # one answer for unknown and foreign
    return state


def _since(request: web.Request) -> int | None:
    raw = request.query.get("since")
    if raw is None:
        return None
    if not raw.isdigit():
        raise BadRequest("'since' must be a whole number.")
    return int(raw)


async def _run(
    request: web.Request,
    ws: web.WebSocketResponse,
    sub: Subscription,
    stream: Callable[[], Coroutine[Any, Any, None]],
) -> None:
    """Run `stream` until it ends or the client goes away; the job is never touched."""
    reader = asyncio.create_task(_drain(ws))
    sender = asyncio.create_task(stream())
    try:
        await asyncio.wait({reader, sender}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        sub.close()
        for task in (reader, sender):
            task.cancel()
        results = await asyncio.gather(reader, sender, return_exceptions=True)
    if isinstance(results[1], SlowClient) and request.transport is not None:
        request.transport.abort()  # it stopped reading: a close frame would not reach it
    elif not ws.closed:
        going_away = request.app[HUB].closing
        await ws.close(code=WSCloseCode.GOING_AWAY if going_away else WSCloseCode.OK)


async def _drain(ws: web.WebSocketResponse) -> None:
    """Read (and ignore) what the client sends; returns when it disconnects."""
    async for _msg in ws:
        pass


async def _send(request: web.Request, ws: web.WebSocketResponse, data: dict[str, Any]) -> None:
    try:
        async with asyncio.timeout(request.app[SETTINGS].ws.send_timeout_s):  # no extra Task
            await ws.send_json(data)
    except TimeoutError as exc:
        raise SlowClient from exc


async def _stream_job(
    request: web.Request,
    ws: web.WebSocketResponse,
    sub: Subscription,
    state: LiveState,
    since: int | None,
) -> None:
    settings = request.app[SETTINGS].ws
    hub = request.app[HUB]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.max_connection_s
    latest, last = state, state.seq
    if since is None:
        await _send(request, ws, message(request, state))
        if state.status.final:
            return
    else:
        last = since
    while True:
        for change in await hub.states_after(state.job_id, last):
            await _send(request, ws, message(request, change))
            latest, last = change, change.seq
            if change.status.final:
                return
        if latest.status.final or hub.closing:
            return  # resumed after the final state, or the server is stopping
        remaining = deadline - loop.time()
        if remaining <= 0:
            await _send(request, ws, TIMEOUT_MESSAGE)
            return
        await hub.idle(sub, _idle(request, ws, latest), remaining)
        if sub.keepalive_due:  # the ticker found this socket's buffer full: send it ourselves
            sub.keepalive_due = False
            await _send(request, ws, message(request, latest))


def _idle(request: web.Request, ws: web.WebSocketResponse, latest: LiveState) -> Idle:
    """How the hub's ticker sends this socket its keepalives (the latest state, again)."""
    transport = request.transport
    if transport is None:
        raise ConnectionResetError("the client is gone")
    # Encoded once, with the timestamp moved last: each keepalive only splices in a fresh one.
    data = message(request, latest)
    del data["timestamp"]
    head = json.dumps(data)[:-1] + ', "timestamp": "'
    return Idle(
        seq=latest.seq,
        render=lambda: text_frame(head + now() + '"}'),
        transport=transport,
        closed=lambda: ws.closed,
    )


def text_frame(text: str) -> bytes:
    """One unmasked, uncompressed, final text frame (RFC 6455 5.2), as servers send them.

    The ticker writes keepalives through this rather than aiohttp's writer: per socket, that
    is one transport write of shared bytes instead of an encoding, a header and two coroutines.
    """
    payload = text.encode()
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x81, size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x81, 126, size)
    else:
        header = struct.pack("!BBQ", 0x81, 127, size)
    return header + payload


async def _stream_user(
    request: web.Request,
    ws: web.WebSocketResponse,
    sub: Subscription,
    user_id: str,
    since: int | None,
) -> None:
    settings = request.app[SETTINGS].ws
    hub = request.app[HUB]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + settings.max_connection_s
    cursor = since if since is not None else await hub.user_cursor()
    if since is None:
        for state in await store.active_for_user(request.app[DATABASE], user_id):
            await _send(request, ws, {**message(request, state), "cursor": cursor})
    while True:
        for event_id, state in await hub.user_events_after(user_id, cursor):
            await _send(request, ws, {**message(request, state), "cursor": event_id})
            cursor = event_id
        if hub.closing:
            return
        remaining = deadline - loop.time()
        if remaining <= 0:
            await _send(request, ws, TIMEOUT_MESSAGE)
            return
        if not await sub.wait(min(settings.keepalive_s, remaining)):
            await _send(request, ws, {"keepalive": True, "cursor": cursor, "timestamp": now()})
