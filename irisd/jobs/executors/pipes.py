"""Pipe → event loop: the one reader of a report pipe, for the local slots and the Ray driver.

A plain one-writer pipe per worker slot rather than a shared `multiprocessing.Queue`: a
worker killed while holding a shared queue's write lock would block every other writer,
while a report of a few dozen bytes is one atomic pipe write (below PIPE_BUF). The Ray
executor and its driver process read their pipe with the same `relay`, each at its end.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any


def relay(
    conn: Connection,
    loop: asyncio.AbstractEventLoop,
    receive: Callable[[Any], None],
    ended: Callable[[], None] = lambda: None,
) -> None:
    """Run in a reader thread: each message to `receive` on `loop`, in order, then `ended`
    on `loop` once the other side has gone (the pipe closed) or sent the stop sentinel
    (None). Returns at once when the loop is closed: this side is gone too."""
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            break
        if message is None:
            break
        try:
            loop.call_soon_threadsafe(receive, message)
        except RuntimeError:  # the loop is closed: this side is gone too
            return
    with contextlib.suppress(RuntimeError):
        loop.call_soon_threadsafe(ended)
