"""A WebSocket whose client hung up before the answer (issue 25 #10: a refused socket logged
an ERROR traceback and counted a 500 each time) is a quiet 499."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from irisd.api.appkeys import METRICS
from tests.conftest import Irisd

UPGRADE = (
    b"GET /ws/jobs?token=not-a-token HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
    b"Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
    b"Sec-WebSocket-Version: 13\r\n\r\n"
)
ANSWERS = "irisd_http_responses_total"


async def test_a_socket_whose_client_left_is_a_499_not_a_500(server: Irisd) -> None:
    url = urlsplit(server.url)
    _reader, writer = await asyncio.open_connection(url.hostname, url.port)
    writer.write(UPGRADE)
    await writer.drain()
    writer.transport.abort()  # gone before the server could answer
    metrics = server.app[METRICS]
    async with asyncio.timeout(30):  # the server's handler runs on this loop: let it finish
        while True:
            if metrics.counted(ANSWERS, status="499") or metrics.counted(ANSWERS, status="500"):
                break
            await asyncio.sleep(0)
    assert metrics.counted(ANSWERS, status="500") == 0
    assert metrics.counted(ANSWERS, status="499") == 1
