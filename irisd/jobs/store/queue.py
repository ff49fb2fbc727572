"""The queue in the jobs table: insert, claim (BEGIN IMMEDIATE), positions, drop, recovery.

Pending jobs are claimed by users' turns (fairness.py: round-robin between users, across
priorities), then by priority (single before batch), then in the order they were queued
(enqueue_seq).
Every pending job carries its 1-based queue position, rewritten (as a
new state, so a new seq) whenever the jobs ahead of it change.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import aiosqlite

from irisd import db as dbm
from irisd.db import Database, Row
from irisd.errors import Cancelled, JobFailure, ServerFailure, TooManyRequests
from irisd.jobs import progress
from irisd.jobs.model import JobKind, LiveState
from irisd.jobs.store import fairness
from irisd.jobs.store.rows import (
    PENDING_IN_ORDER,
    JobRecord,
    params_of,
    record_of,
    state_of,
    uninterrupted,
    write,
)

MAX_ATTEMPTS = 2  # the first run and one retry (API.md)
SINGLE_PRIORITY = 0  # claimed first: lower numbers first
BATCH_PRIORITY = 1


@uninterrupted
async def insert(
    db: Database,
    user_id: str,
    photo_ids: Sequence[str],
    priority: int,
    limit: int,
    user_limit: int = 0,
) -> tuple[list[JobRecord], list[LiveState]]:
    """New pending jobs for `photo_ids`, in that order (enqueue_seq), with queue positions.

    Raises TooManyRequests when the queue would grow past `limit`, or the user's waiting
    jobs past `user_limit` (0: none); nothing is inserted then.
    Returns (the new jobs, every state that changed: the new jobs and those moved back).
    """
    now = dbm.now()
    async with db.transaction() as conn:
        job_ids = await _insert(conn, user_id, photo_ids, priority, (limit, user_limit), now)
        changed = await _reposition(conn, now)
    # A new job always gets a position (it had none), so its first state is among `changed`.
    firsts = {state.job_id: state for state in changed}
    return [JobRecord(firsts[job_id], now) for job_id in job_ids], changed


@uninterrupted
async def insert_unless_pending(
    db: Database, user_id: str, photo_id: str, priority: int, limit: int, user_limit: int = 0
) -> tuple[JobRecord, bool, list[LiveState]]:
    """A new pending job for the photo, or the user's job for it that is still pending.

    Returns (the job, whether it is new, every state that changed). Checked and inserted in
    one transaction, so two identical requests at once queue one job.
    """
    now = dbm.now()
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT * FROM jobs WHERE user_id = ? AND photo_id = ? AND status = 'pending'"
            " AND kind = 'process' ORDER BY enqueue_seq LIMIT 1",
            (user_id, photo_id),
        ) as cur:
            row = await cur.fetchone()
        if row is not None:
            return record_of(row), False, []
        [job_id] = await _insert(conn, user_id, [photo_id], priority, (limit, user_limit), now)
        changed = await _reposition(conn, now)
    [first] = [state for state in changed if state.job_id == job_id]
    return JobRecord(first, now), True, changed


@dataclass(frozen=True)
class ArtSpec:
    """An art job to queue: its kind, JSON parameters and the photos it works from (the
    first is its `photo_id`; the others go to `job_photos`, so the trash follows each)."""

    kind: JobKind
    params: str
    photo_ids: tuple[str, ...]


@uninterrupted
async def insert_art(
    db: Database, user_id: str, spec: ArtSpec, priority: int, limit: int, user_limit: int = 0
) -> tuple[JobRecord, list[LiveState]]:
    """A new pending art job, queued with the same limits and turns as processing's.

    Returns (the job, every state that changed)."""
    now = dbm.now()
    async with db.transaction() as conn:
        [job_id] = await _insert(
            conn, user_id, spec.photo_ids[:1], priority, (limit, user_limit), now, spec
        )
        for photo_id in dict.fromkeys(spec.photo_ids[1:]):
            await conn.execute(
                "INSERT OR IGNORE INTO job_photos (job_id, photo_id) VALUES (?, ?)",
                (job_id, photo_id),
            )
        changed = await _reposition(conn, now)
    [first] = [state for state in changed if state.job_id == job_id]
    return JobRecord(first, now), changed


async def spec_of(db: Database, state: LiveState) -> ArtSpec:
    """The art job's kind, parameters and photos, to queue it again (`irisd jobs retry`)."""
    others = await db.fetchall("SELECT photo_id FROM job_photos WHERE job_id = ?", (state.job_id,))
    photo_ids = (state.photo_id, *(str(other["photo_id"]) for other in others))
    return ArtSpec(state.kind, await params_of(db, state.job_id), photo_ids)


async def _insert(
    conn: aiosqlite.Connection,
    user_id: str,
    photo_ids: Sequence[str],
    priority: int,
    limits: tuple[int, int],
    now: str,
    art: ArtSpec | None = None,
) -> list[str]:
    """Insert the rows (limits checked first); returns their job ids."""
    limit, user_limit = limits
    pending, last_seq = await _queue_stats(conn)
    if pending + len(photo_ids) > limit:
        raise TooManyRequests(pending=pending, limit=limit)
    await fairness.check_user_limit(conn, user_id, len(photo_ids), user_limit)
    first_round = await fairness.first_round(conn, user_id, priority)
    await fairness.make_room(conn, user_id, priority, first_round, len(photo_ids))
    job_ids = [str(uuid.uuid4()) for _ in photo_ids]
    for offset, (job_id, photo_id) in enumerate(zip(job_ids, photo_ids, strict=True)):
        # seq 0 and no event: the first state (seq 1) is the one with its queue position.
        await conn.execute(
            "INSERT INTO jobs (id, user_id, photo_id, priority, enqueue_seq, fair_round, seq,"
            " created_at, updated_at, kind, params) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
            (job_id, user_id, photo_id, priority, last_seq + offset + 1, first_round + offset,
             now, now, art.kind.value if art else JobKind.PROCESS.value,
             art.params if art else None),
        )  # fmt: skip
    return job_ids


async def pending_count(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM jobs WHERE status = 'pending'")
    return int(row[0]) if row else 0


@uninterrupted
async def claim_next(db: Database) -> tuple[LiveState | None, list[LiveState]]:
    """Take the first pending job in queue order: → processing, attempt + 1.

    Returns (the claimed state or None, the pending states whose position changed).
    """
    now = dbm.now()
    async with db.transaction() as conn:
        async with conn.execute(PENDING_IN_ORDER + " LIMIT 1") as cur:
            row = await cur.fetchone()
        if row is None:
            return None, []
        state = progress.started(state_of(row), row["attempt_count"] + 1, now)
        await write(conn, state)
        await conn.execute(
            "UPDATE jobs SET started_at = coalesce(started_at, ?) WHERE id = ?", (now, state.job_id)
        )
        return state, await _reposition(conn, now)


@uninterrupted
async def cancel_pending(db: Database, job_id: str) -> tuple[LiveState | None, list[LiveState]]:
    """Drop a pending job at once (failed/cancelled) and move the others up.

    Returns (the cancelled state, or None if the job was no longer pending; moved states).
    """
    now = dbm.now()
    async with db.transaction() as conn:
        async with conn.execute(
            "SELECT * FROM jobs WHERE id = ? AND status = 'pending'", (job_id,)
        ) as cur:
            row = await cur.fetchone()
        if row is None:
            return None, []
        state = progress.failed(state_of(row), Cancelled(), now)
        await write(conn, state)
        return state, await _reposition(conn, now)


async def _queue_stats(conn: aiosqlite.Connection) -> tuple[int, int]:
    async with conn.execute(
        "SELECT (SELECT count(*) FROM jobs WHERE status = 'pending'),"
        " (SELECT coalesce(max(enqueue_seq), 0) FROM jobs)"
    ) as cur:
        row = await cur.fetchone()
    # An aggregate query always answers exactly one row.
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def _reposition(conn: aiosqlite.Connection, now: str) -> list[LiveState]:
    async with conn.execute(PENDING_IN_ORDER) as cur:
        rows = await cur.fetchall()
    changed = []
    for position, row in enumerate(rows, start=1):
        moved = progress.queued(state_of(row), position, now)
        if moved is not None and await write(conn, moved):
            changed.append(moved)
    return changed


# --- recovery ------------------------------------------------------------------------------


@uninterrupted
async def recover_on_start(db: Database) -> tuple[list[LiveState], list[LiveState]]:
    """Jobs left `processing` by a dead server: one counted retry, or failed if it was one.

    Returns (states re-queued or repositioned, states that failed for good).
    """
    now = dbm.now()
    requeued: list[LiveState] = []
    failed: list[LiveState] = []
    async with db.transaction() as conn:
        async with conn.execute("SELECT * FROM jobs WHERE status = 'processing'") as cur:
            rows = await cur.fetchall()
        for row in rows:
            state = _recovered(row, now)
            await write(conn, state)
            (failed if state.status.final else requeued).append(state)
        moved = await _reposition(conn, now)
    return _latest(requeued + moved), failed


def _recovered(row: Row, now: str) -> LiveState:
    state = state_of(row)
    failure: JobFailure | None = None
    if row["cancel_requested"]:
        failure = Cancelled()
    elif row["attempt_count"] >= MAX_ATTEMPTS:
        failure = ServerFailure(cause="the server stopped during the last attempt")
    return progress.failed(state, failure, now) if failure else progress.requeued(state, now)


def _latest(states: list[LiveState]) -> list[LiveState]:
    """The newest state per job, in first-seen order."""
    newest: dict[str, LiveState] = {}
    for state in states:
        if state.job_id not in newest or newest[state.job_id].seq < state.seq:
            newest[state.job_id] = state
    return list(newest.values())
