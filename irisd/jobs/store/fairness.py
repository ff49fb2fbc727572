"""Fair queueing between users inside each priority: rounds, and a limit per user.

Each pending job carries a round (`fair_round`); the queue runs by priority, then round, then
the order of arrival. A user's next job gets the round after the user's last queued or started
job, but never one before the round now being served (the round of the last job claimed at
that priority). So users take turns: 30 reprocesses of one user take rounds r..r+29, another
user's first submit takes round r and runs after at most one of them; a user who submits one
photo at a time alternates with a user holding a backlog instead of always jumping it.
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
    """The round of the user's next job at `priority` (the next ones follow, one each)."""
    async with conn.execute(
        # The user's own: pending or taken by a worker (a job cancelled while pending does
        # not push the user's later jobs back).
        "SELECT (SELECT max(fair_round) FROM jobs WHERE priority = ? AND started_at IS NOT NULL),"
        " (SELECT max(fair_round) FROM jobs WHERE priority = ? AND user_id = ?"
        " AND (status = 'pending' OR started_at IS NOT NULL))",
        (priority, priority, user_id),
    ) as cur:
        row = await cur.fetchone()
    serving = row[0] if row and row[0] is not None else 0
    last_own = row[1] if row and row[1] is not None else None
    return serving if last_own is None else max(serving, last_own + 1)


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
