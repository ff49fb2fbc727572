"""Keepalives of idle job sockets: one ticker for the whole server, frames written as is.

While a /ws/jobs/{job_id} socket has nothing new to send, its handler parks in
`Ticker.idle()`. Every `[ws] keepalive_s` the ticker repeats each parked socket's latest
state: framed once per job and state, and written straight to the transport of each socket
whose write buffer is empty. A socket with a full buffer (a slow reader, or one going away)
is woken with `Idle.due` set instead, and its own task sends the keepalive under the send
timeout.

One ticker for all sockets, each keepalive framed once per job and state and written as is,
instead of a timer, a wake-up, an encoding and a framing per socket: at 2 messages/s,
1,000 watchers cost ~2.0 % of a core instead of ~12 %; the writes alone, from a bare asyncio
loop, take ~1.6 % (bench/server/ws_fanout.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import struct
from collections.abc import Callable
from typing import Any

from aiohttp import web

from irisd.jobs.hub import Subscription
from irisd.timestamps import now


class Idle:
    """A parked job socket: how the ticker writes its keepalive, and whether it could not."""

    __slots__ = ("due", "render", "state", "transport", "ws")

    def __init__(
        self,
        job_id: str,
        seq: int,
        render: Callable[[], bytes],
        transport: asyncio.WriteTransport,
        ws: web.WebSocketResponse,
    ) -> None:
        self.state = (job_id, seq)  # the state the socket sent last; its keepalive repeats it
        self.render = render  # that state's message, fresh timestamp, as a ready frame
        self.transport = transport  # written to directly: a whole frame, never waits
        self.ws = ws  # once its close handshake has begun (ws.closed), no more frames
        self.due = False  # the ticker could not send it: the socket's own task must


class Ticker:
    """Sends the keepalives of every parked job socket, on one fixed cadence."""

    def __init__(self, interval_s: float) -> None:
        self.interval_s = interval_s
        self._parked: dict[Subscription, Idle] = {}
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    async def idle(self, sub: Subscription, idle: Idle, timeout_s: float) -> bool:
        """Wait for a change (True) or `timeout_s` (False); keepalives meanwhile come from the
        ticker, or it sets `idle.due` and wakes the socket when it cannot take one now."""
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._run())
        self._parked[sub] = idle
        try:
            return await sub.wait(timeout_s)
        finally:
            del self._parked[sub]

    async def close(self) -> None:
        """Stop ticking (server shutdown); the hub wakes the parked sockets to end."""
        self._closed = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        loop = asyncio.get_running_loop()
        due = loop.time()
        while self._parked and not self._closed:
            due += self.interval_s  # a fixed cadence: the ticks themselves don't drift
            await asyncio.sleep(max(0.0, due - loop.time()))
            self._tick()

    def _tick(self) -> None:
        frames: dict[tuple[str, int], bytes] = {}  # every socket of a job shares one frame
        for sub, idle in self._parked.items():  # no await inside: nothing changes meanwhile
            transport = idle.transport
            if transport.get_write_buffer_size() or transport.is_closing() or idle.ws.closed:
                _hand_back(sub, idle)  # a slow reader (or gone): its own task deals with it
                continue
            frame = frames.get(idle.state)
            if frame is None:
                frame = frames[idle.state] = idle.render()
            try:
                transport.write(frame)  # its task is parked in idle(): frames cannot interleave
            except Exception:  # noqa: BLE001 - one bad socket must not stop every keepalive
                _hand_back(sub, idle)  # its own task sends it, or finds the socket gone


def _hand_back(sub: Subscription, idle: Idle) -> None:
    idle.due = True
    sub.wake()


def repeating(message: dict[str, Any]) -> Callable[[], bytes]:
    """`message` as a ready frame with a fresh `timestamp` at each call.

    Encoded once, with the timestamp moved last: each keepalive only splices in a fresh one.
    """
    rest = {name: value for name, value in message.items() if name != "timestamp"}
    head = json.dumps(rest)[:-1] + ', "timestamp": "'
    return lambda: text_frame(head + now() + '"}')


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
