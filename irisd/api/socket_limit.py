"""Open WebSockets per user: at most `[ws] max_sockets_per_user`, and ended when their login is.

One user's script opening hundreds of sockets (300 on one job in the attack pass) spread the
server's loop thin for everyone: every socket costs a task, a subscription and keepalives.
Past the cap a new socket gets one {"error","detail"} message and 1008, before it is
subscribed to anything, so the sockets already open (and other users') are untouched.

A socket checks its token once, when it opens. When a user's logins are revoked (logout, a
reused refresh token: auth/tokens.py), `end_sessions` ends that user's sockets opened with a
token of a login (an `irisd token` token has none, and REST keeps taking it too), so a socket
stops when REST would start answering 401 (issue 25 #6: one went on for its 600 s).
An account disabled or deleted from another process (`irisd users disable`) is found by the
server's periodic check (api/account_watch.py), which ends all of that account's sockets.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from irisd.auth.tokens import SESSION_ENDED
from irisd.errors import TooManyRequests


class TooManySockets(TooManyRequests):
    message = "Too many open connections for this account. Close some, then try again."


class Ended(asyncio.Event):
    """Set when a socket must end; `detail` is the 401's message it is ended with."""

    detail = SESSION_ENDED

    def end(self, detail: str) -> None:
        self.detail = detail
        self.set()


class SocketLimit:
    """Open sockets per user id, against a cap (0: no cap), each with its `ended` event."""

    def __init__(self, per_user: int) -> None:
        self.per_user = per_user
        self._open: defaultdict[str, dict[Ended, str | None]] = defaultdict(dict)

    @contextmanager
    def hold(self, user_id: str, family: str | None = None) -> Iterator[Ended]:
        """Count one open socket of `user_id` while inside; TooManySockets past the cap.

        The event is set when the socket's login (`family`) is revoked: it must end then.
        """
        held = self._open[user_id]
        if self.per_user and len(held) >= self.per_user:
            raise TooManySockets(user_id=user_id, open=len(held))
        ended = Ended()
        held[ended] = family
        try:
            yield ended
        finally:
            del held[ended]
            if not held:
                del self._open[user_id]

    def end_sessions(self, user_id: str) -> None:
        """Every login of `user_id` was revoked: end its sockets that belong to one."""
        for ended, family in self._open.get(user_id, {}).items():
            if family is not None:
                ended.end(SESSION_ENDED)

    def end_accounts(self, user_ids: Iterable[str], detail: str) -> None:
        """These accounts are disabled or gone: end every socket of theirs."""
        for user_id in user_ids:
            for ended in self._open.get(user_id, {}):
                ended.end(detail)

    def users(self) -> list[str]:
        """The users holding open sockets now."""
        return list(self._open)

    def count(self, user_id: str) -> int:
        return len(self._open.get(user_id, ()))
