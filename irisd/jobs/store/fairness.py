"""Fair queueing between users: rounds across priorities, and a limit per user.

Each pending job carries a round (`fair_round`); the queue runs by round, then priority
(single before batch), then the order of arrival. A user's next job gets the round after the
user's last queued or started job, but never one before the round now being served (the
round of the last job claimed). So users take turns: 30 reprocesses of one user take rounds
r..r+29, another user's first submit takes round r and runs after at most one of them; a user
who submits one photo at a time alternates with a user holding a backlog instead of always
jumping it. The same holds for batches: one user's 30 singles used to run before anyone's
batch (priority came first), so a batch of 2 waited at position 29 (issue 25 #8).

Inside one user's own turns a single still goes before the user's batches: a job takes the
round after the user's last job of its priority or a higher one (a single: after the user's
last single), and the user's waiting jobs of lower priority from that round on move back one
round each (`make_room`), so no one else waits longer for it.
"""

from __future__ import annotations

import aiosqlite

from irisd.errors import TooManyRequests


class UserQueueFull(TooManyRequests):
    message = (
        "You already have the most photos waiting that one account may have. "
        "Please wait for some of them to finish, then try again."
    )


async def first_round(conn: aiosqlite.Connection, user_id: str, priority: int) -> int:
    """The round of the user's next job at `priority` (the next ones follow, one each): after
    the user's last job at that priority or a higher one, not before the round served."""
    async with conn.execute(
        # The user's own: pending or taken by a worker (a job cancelled while pending does
        # not push the user's later jobs back). Lower numbers are higher priorities.
        "SELECT (SELECT max(fair_round) FROM jobs WHERE started_at IS NOT NULL),"
        " (SELECT max(fair_round) FROM jobs WHERE priority <= ? AND user_id = ?"
        " AND (status = 'pending' OR started_at IS NOT NULL))",
        (priority, user_id),
    ) as cur:
        row = await cur.fetchone()
    serving = row[0] if row and row[0] is not None else 0
    last_own = row[1] if row and row[1] is not None else None
    return serving if last_own is None else max(serving, last_own + 1)


async def make_room(
    conn: aiosqlite.Connection, user_id: str, priority: int, first: int, count: int
) -> None:
    """The user's new jobs take rounds first..first+count-1: the user's waiting jobs of lower
    priority (a single's: the user's batches) from round `first` on move back behind them."""
    await conn.execute(
        "UPDATE jobs SET fair_round = fair_round + ? WHERE user_id = ? AND status = 'pending'"
        " AND priority > ? AND fair_round >= ?",
        (count, user_id, priority, first),
    )


async def check_user_limit(
    conn: aiosqlite.Connection, user_id: str, adding: int, limit: int
) -> None:
    """UserQueueFull if the user's waiting jobs would pass `limit` (0: no limit)."""
    if limit <= 0:
        return
    async with conn.execute(
        "SELECT count(*) FROM jobs WHERE user_id = ? AND status = 'pending'", (user_id,)
    ) as cur:
        row = await cur.fetchone()
    waiting = int(row[0]) if row else 0
    if waiting + adding > limit:
        raise UserQueueFull(user_id=user_id, waiting=waiting, limit=limit)
