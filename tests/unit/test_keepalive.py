"""The keepalive ticker of idle job sockets and the frames it writes."""

from __future__ import annotations

import asyncio
import json
import struct
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from irisd.api.keepalive import Idle, Ticker, repeating, text_frame
from irisd.db import open_database
from irisd.jobs.hub import Hub
from irisd.metrics import Metrics


@pytest.mark.parametrize(("size", "header"), [(5, 2), (200, 4), (70_000, 10)])
def test_text_frame_is_a_final_unmasked_text_frame(size: int, header: int) -> None:
    frame = text_frame("x" * size)
    assert frame[0] == 0x81  # FIN + text
    assert frame[1] & 0x80 == 0  # servers do not mask
    length = {2: frame[1], 4: struct.unpack("!H", frame[2:4])[0]}.get(header)
    if header == 10:
        length = struct.unpack("!Q", frame[2:10])[0]
    assert length == size
    assert frame[header:] == b"x" * size


def test_repeating_frames_carry_the_message_with_a_fresh_timestamp_last() -> None:
    render = repeating({"job_id": "j", "timestamp": "old", "seq": 3})
    text = render()[2:].decode()
    assert list(json.loads(text)) == ["job_id", "seq", "timestamp"]
    assert json.loads(text)["timestamp"].endswith("Z")


class Transport(asyncio.WriteTransport):
    """A socket's transport as the ticker sees it: a write buffer, and writes that may fail."""

    def __init__(self, buffered: int = 0, broken: bool = False) -> None:
        super().__init__()
        self.buffered = buffered
        self.broken = broken
        self.frames: list[bytes] = []
        self.written = asyncio.Event()

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def is_closing(self) -> bool:
        return False

    def write(self, data: bytes | bytearray | memoryview) -> None:
        if self.broken:
            raise ConnectionResetError("gone")
        self.frames.append(bytes(data))
        self.written.set()


@pytest.fixture
async def hub(tmp_path: Path) -> AsyncIterator[Hub]:
    db = await open_database(tmp_path / "irisd.db")
    yield Hub(db, Metrics())
    await db.close()


def parked(transport: Transport, renders: list[int], seq: int = 3) -> Idle:
    def render() -> bytes:
        renders.append(seq)
        return text_frame(f'{{"seq": {seq}}}')

    return Idle("job", seq, render, transport, web.WebSocketResponse())  # open, unprepared


async def test_one_frame_per_job_and_state_goes_to_every_idle_socket(hub: Hub) -> None:
    ticker = Ticker(interval_s=0.001)
    renders: list[int] = []
    transports = [Transport(), Transport()]
    subs = [hub.subscribe(job_id="job") for _ in transports]
    idles = [parked(t, renders) for t in transports]
    waits = [asyncio.create_task(ticker.idle(s, i, 60)) for s, i in zip(subs, idles, strict=True)]
    for transport in transports:
        await transport.written.wait()
    for sub in subs:
        sub.wake()
    assert await asyncio.gather(*waits) == [True, True]
    await ticker.close()
    assert transports[0].frames[0] == transports[1].frames[0] == text_frame('{"seq": 3}')
    assert len(renders) == max(len(t.frames) for t in transports)  # one render a tick
    assert not any(idle.due for idle in idles)


@pytest.mark.parametrize("trouble", [{"buffered": 1}, {"broken": True}])
async def test_a_socket_that_cannot_take_a_frame_is_woken_to_send_it_itself(
    hub: Hub, trouble: dict[str, Any]
) -> None:
    ticker = Ticker(interval_s=0.001)
    transport = Transport(**trouble)  # a slow reader's full buffer, or a write that fails
    idle = parked(transport, [])
    assert await ticker.idle(hub.subscribe(job_id="job"), idle, 60) is True
    await ticker.close()
    assert idle.due
    assert transport.frames == []
