"""Worker reports → the event loop: one reader thread per pipe, `call_soon_threadsafe`.

A plain one-writer pipe per worker slot rather than a shared `multiprocessing.Queue`: a
worker killed while holding a shared queue's write lock would block every other writer,
while a report of a few dozen bytes is one atomic pipe write (below PIPE_BUF).
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

JOIN_TIMEOUT_S = 5.0  # the reader wakes at once on the sentinel; this only bounds a bug


class Bridge:
    """Reads a slot's report pipe in a thread and hands each message to the loop."""

    def __init__(
        self,
        reader: Connection,
        writer: Connection,
        loop: asyncio.AbstractEventLoop,
        deliver: Callable[[Any], None],
        name: str,
    ) -> None:
        self.reader = reader
        self.writer = writer  # the worker's end; the server writes only the stop sentinel
        self._loop = loop
        self._deliver = deliver
        self._thread = threading.Thread(target=self._read, name=name, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Wake the reader with the sentinel, wait for it, close both ends."""
        with contextlib.suppress(OSError):  # already closed: the reader has ended
            self.writer.send(None)
        self._thread.join(JOIN_TIMEOUT_S)
        self.reader.close()
        self.writer.close()

    def _read(self) -> None:
        while True:
            try:
                message = self.reader.recv()
            except (EOFError, OSError):
                return
            if message is None:
                return
            try:
                self._loop.call_soon_threadsafe(self._deliver, message)
            except RuntimeError:  # the loop is closed: the server is gone
                return
