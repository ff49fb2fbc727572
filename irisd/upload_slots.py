"""How many uploads the server reads into memory at once: per user and in total.

An upload's bytes are held whole while they are read, checked and stored (up to `[uploads]
max_bytes`, 40 MB, each): 40 parallel 35 MB uploads by one user grew the server by 1.74 GB.
A request takes a slot before it reads its body and gives it back when it is answered;
without one it waits with its body unread (the socket's buffers only, as aiohttp stops
reading), so `max_parallel` bounds the bytes held for all users and `max_parallel_per_user`
lets no one user take every slot. A user may have `WAITING_PER_USER_FACTOR` times their own
allowance waiting (more than a browser's 6 connections to one host, so the console's
multi-photo upload just queues); past that, 429.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import ClassVar

from irisd.errors import TooManyRequests

WAITING_PER_USER_FACTOR = 4
RETRY_AFTER_S = 5


class TooManyUploads(TooManyRequests):
    headers: ClassVar[dict[str, str]] = {"Retry-After": str(RETRY_AFTER_S)}
    message = "Too many uploads at once. Please wait for the others to finish."


class UploadSlots:
    """`async with slots.hold(user_id):` around reading and storing one upload."""

    def __init__(self, max_parallel: int, max_parallel_per_user: int) -> None:
        self.max_parallel = max(1, max_parallel)
        self.max_parallel_per_user = max(1, min(max_parallel_per_user, self.max_parallel))
        self.reading: Counter[str] = Counter()
        self.waiting: Counter[str] = Counter()
        # Notified on every change: waiters wake to look again (and tests watch the counts).
        self.changed = asyncio.Condition()

    @asynccontextmanager
    async def hold(self, user_id: str) -> AsyncIterator[None]:
        async with self.changed:
            if not self._free(user_id):
                if self.waiting[user_id] >= WAITING_PER_USER_FACTOR * self.max_parallel_per_user:
                    raise TooManyUploads(user_id=user_id)
                self.waiting[user_id] += 1
                self.changed.notify_all()
                try:
                    await self.changed.wait_for(lambda: self._free(user_id))
                finally:
                    self.waiting[user_id] -= 1
                    self.waiting += Counter()  # drop users with nothing waiting
            self.reading[user_id] += 1
            self.changed.notify_all()
        try:
            yield
        finally:
            async with self.changed:
                self.reading[user_id] -= 1
                self.reading += Counter()
                self.changed.notify_all()

    def _free(self, user_id: str) -> bool:
        return (
            self.reading.total() < self.max_parallel
            and self.reading[user_id] < self.max_parallel_per_user
        )
