"""Raw WebSocket clients that misbehave on purpose: one that never reads, one that vanishes.

aiohttp's client always reads (its reader task drains the socket into memory), so a client
that stops reading has to be a bare TCP socket: it does the upgrade handshake itself and then
leaves everything the server sends in a small kernel receive buffer. Linux reports how many
bytes wait there (FIONREAD), which is how a test sees that the buffer is full: the count
stops moving while the server keeps sending to others.
"""

from __future__ import annotations

import array
import asyncio
import base64
import fcntl
import json
import os
import socket
import struct
import termios
from typing import Any
from urllib.parse import urlsplit

import aiohttp

RECEIVE_BUFFER_BYTES = 4096  # the kernel's floor is about this: it fills after a few messages


class StalledSocket:
    """A WebSocket client that completes the handshake and then never reads again."""

    def __init__(self, sock: socket.socket, received: bytes) -> None:
        self.sock = sock
        self.received = received  # every byte read after the 101 response

    @classmethod
    async def open(cls, base_url: str, path: str, token: str) -> StalledSocket:
        url = urlsplit(base_url)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        # Set before connect, so the advertised window is small from the first segment.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER_BYTES)
        sock.setblocking(False)
        loop = asyncio.get_running_loop()
        await loop.sock_connect(sock, (url.hostname or "127.0.0.1", url.port or 80))
        key = base64.b64encode(os.urandom(16)).decode()
        request = (
            f"GET {path}?token={token} HTTP/1.1\r\nHost: {url.netloc}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        )
        await loop.sock_sendall(sock, request.encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = await loop.sock_recv(sock, 1024)
            assert chunk, f"closed during the handshake: {head!r}"
            head += chunk
        status, _, rest = head.partition(b"\r\n\r\n")
        assert status.startswith(b"HTTP/1.1 101"), status
        # The first message proves the server subscribed this socket; after it, no reads.
        while not text_messages(rest):
            chunk = await loop.sock_recv(sock, 1024)
            assert chunk, "closed before the first message"
            rest += chunk
        return cls(sock, rest)

    def take_queued(self) -> list[dict[str, Any]]:
        """Every message received so far, reading what waits now without waiting for more."""
        if waiting := self.queued_bytes():
            self.received += self.sock.recv(waiting)
        return text_messages(self.received)

    def queued_bytes(self) -> int:
        """Bytes the server sent that wait unread in this socket's receive buffer."""
        count = array.array("i", [0])
        fcntl.ioctl(self.sock.fileno(), termios.FIONREAD, count)
        return count[0]

    async def read_to_end(self) -> list[dict[str, Any]]:
        """Read everything until the server closes or resets; the JSON text messages."""
        loop = asyncio.get_running_loop()
        try:
            while chunk := await loop.sock_recv(self.sock, 65536):
                self.received += chunk
        except ConnectionResetError:
            pass  # an abort: what was already read still counts
        return text_messages(self.received)

    def close(self) -> None:
        self.sock.close()


def text_messages(data: bytes) -> list[dict[str, Any]]:
    """The JSON of each complete, unmasked text frame in `data` (server → client)."""
    messages = []
    offset = 0
    while (frame := _frame(data, offset)) is not None:
        opcode, payload, offset = frame
        if opcode == 0x1:
            messages.append(json.loads(payload))
    return messages


def _frame(data: bytes, offset: int) -> tuple[int, bytes, int] | None:
    if len(data) < offset + 2:
        return None
    opcode, length = data[offset] & 0x0F, data[offset + 1] & 0x7F
    offset += 2
    if length == 126:
        if len(data) < offset + 2:
            return None
        (length,) = struct.unpack_from("!H", data, offset)
        offset += 2
    elif length == 127:
        if len(data) < offset + 8:
            return None
        (length,) = struct.unpack_from("!Q", data, offset)
        offset += 8
    if len(data) < offset + length:
        return None
    return opcode, data[offset : offset + length], offset + length


def vanish(socket_: aiohttp.ClientWebSocketResponse) -> None:
    """Drop the TCP connection without a close frame, as a phone losing signal does."""
    transport = socket_._response.connection and socket_._response.connection.transport
    assert transport is not None
    transport.abort()
