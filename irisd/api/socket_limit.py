"""At most `[ws] max_sockets_per_user` open WebSockets per user; the newest past it is refused.

One user's script opening hundreds of sockets (300 on one job in the attack pass) spread the
server's loop thin for everyone: every socket costs a task, a subscription and keepalives.
Past the cap a new socket gets one {"error","detail"} message and 1008, before it is
subscribed to anything, so the sockets already open (and other users') are untouched.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from irisd.errors import TooManyRequests


class TooManySockets(TooManyRequests):
    message = "Too many open connections for this account. Close some, then try again."


class SocketLimit:
    """Open sockets per user id, against a cap (0: no cap)."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._open: Counter[str] = Counter()

    @contextmanager
    def hold(self, user_id: str) -> Iterator[None]:
        """Count one open socket of `user_id` while inside; TooManySockets past the cap."""
        if self.per_user and self._open[user_id] >= self.per_user:
            raise TooManySockets(user_id=user_id, open=self._open[user_id])
        self._open[user_id] += 1
        try:
            yield
        finally:
            self._open[user_id] -= 1
            if not self._open[user_id]:
                del self._open[user_id]

    def count(self, user_id: str) -> int:
        return self._open[user_id]
