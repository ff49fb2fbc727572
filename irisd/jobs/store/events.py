"""The job_events reads: a job's states, a user's stream, and changes made by other processes.

Every state a job goes through is a `job_events` row, written with the job row (rows.write).
"""

from __future__ import annotations

import json

from irisd.db import Database
from irisd.jobs.model import LiveState


async def last_event_id(db: Database) -> int:
    """The newest job_events id (0 for none): a cursor from which to follow changes."""
    row = await db.fetchone("SELECT COALESCE(MAX(id), 0) FROM job_events")
    return int(row[0]) if row else 0


async def states_after(db: Database, job_id: str, seq: int) -> list[LiveState]:
    """Every recorded state of `job_id` with a seq above `seq`, in order."""
    rows = await db.fetchall(
        "SELECT state FROM job_events WHERE job_id = ? AND seq > ? ORDER BY seq", (job_id, seq)
    )
    return [_decoded(row["state"]) for row in rows]


async def user_events_after(
    db: Database, user_id: str, cursor: int, limit: int = 200
) -> list[tuple[int, LiveState]]:
    """(id, state) of every change to the user's jobs after `cursor` (job_events.id), leaving
    out jobs that are in the trash (or whose photo is), as REST does."""
    rows = await db.fetchall(
        "SELECT e.id, e.state FROM job_events e JOIN jobs j ON j.id = e.job_id"
        " JOIN photos p ON p.id = j.photo_id WHERE j.user_id = ? AND e.id > ?"
        " AND j.deleted_at IS NULL AND p.deleted_at IS NULL ORDER BY e.id LIMIT ?",
        (user_id, cursor, limit),
    )
    return [(int(row["id"]), _decoded(row["state"])) for row in rows]


async def events_after(
    db: Database, cursor: int, limit: int = 500
) -> list[tuple[int, LiveState | None]]:
    """(id, state) of every job change after `cursor`, in the order it was written; the
    state is None for a row this version cannot read (it is skipped, not retried forever)."""
    rows = await db.fetchall(
        "SELECT id, state FROM job_events WHERE id > ? ORDER BY id LIMIT ?", (cursor, limit)
    )
    return [(int(row["id"]), _readable(row["state"])) for row in rows]


async def data_version(db: Database) -> int:
    """SQLite's PRAGMA data_version: changes when another connection (the CLI) commits."""
    row = await db.fetchone("PRAGMA data_version")
    return int(row[0]) if row else 0


def _decoded(text: str) -> LiveState:
    return LiveState.from_json(json.loads(text))


def _readable(text: str) -> LiveState | None:
    try:
        return _decoded(text)
    except (ValueError, KeyError, TypeError):
        return None
