"""Ends the open WebSockets of accounts disabled or deleted by another process.

`irisd users disable` runs in its own process: REST refuses the account on its next request
(every request loads the user), but a socket checks its token only when it opens. Rather than
a query per socket per keepalive, one task checks every `[ws] account_check_s` which of the
users holding sockets are still enabled, in one query for all of them, and ends the sockets
of the others with REST's own 401 (then close 1008), so one ends within that time.
"""

from __future__ import annotations

import asyncio

from irisd.api.bearer import NO_ACCOUNT
from irisd.api.socket_limit import SocketLimit
from irisd.auth.users import inactive_among
from irisd.db import Database
from irisd.logs import get_logger

log = get_logger(__name__)

MIN_EVERY_S = 0.05  # a 0 in the config must not spin the loop


async def keep_checking(db: Database, sockets: SocketLimit, every_s: float) -> None:
    """Forever: end the sockets of accounts found disabled or deleted."""
    while True:
        await asyncio.sleep(max(every_s, MIN_EVERY_S))
        holders = sockets.users()
        if not holders:
            continue  # no socket, no query
        try:
            gone = await inactive_among(db, holders)
        except Exception:  # a busy database must not end the watch
            log.exception("ws.account_check_failed")
            continue
        if gone:
            log.info("ws.accounts_ended", users=len(gone))
            sockets.end_accounts(gone, NO_ACCOUNT)
