"""All job SQL: insert, claim (BEGIN IMMEDIATE), save_state (+ job_events), positions, recovery,
and the job_events reads (a job's states, a user's stream, other processes' changes).

A job row holds every field of LiveState; `save_state` writes the row and its `job_events`
row in one transaction, guarded by the previous seq, so a resuming WebSocket sees every
state exactly once and a stale writer cannot overwrite a newer state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import aiosqlite

from irisd import db as dbm
from irisd.db import Database, Row
from irisd.errors import Cancelled, JobFailure, NotFound, ServerFailure, TooManyRequests
from irisd.jobs import progress
from irisd.jobs.model import JobStatus, LiveState, Step

MAX_ATTEMPTS = 2  # the first run and one retry (API.md)
SINGLE_PRIORITY = 0  # claimed first: lower numbers first
BATCH_PRIORITY = 1

_PENDING_IN_ORDER = "SELECT * FROM jobs WHERE status = 'pending' ORDER BY priority, enqueue_seq"
_UPDATE_STATE = (
    "UPDATE jobs SET (status, step, progress, attempt_count, queue_position, error_type,"
    " error_message, suggestion, result_key, mask_key, processing_time_ms, result_width,"
    " result_height, quality_score, quality_notes, updated_at, seq)"
    " = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),"
    " finished_at = CASE WHEN ? THEN ? ELSE finished_at END"
    " WHERE id = ? AND seq = ?"
)


P = ParamSpec("P")
T = TypeVar("T")


def _uninterrupted(write: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
    """Finish a write transaction even when the calling task is cancelled (server stop).

    A cancel that lands while aiosqlite runs BEGIN or COMMIT in its thread leaves the shared
    connection inside a transaction; every later write then fails. Shielded, the write
    completes (or rolls back) and only then does the caller see its CancelledError.
    """

    @functools.wraps(write)
    async def run(*args: P.args, **kwargs: P.kwargs) -> T:
        task = asyncio.ensure_future(write(*args, **kwargs))
        try:
            return await asyncio.shield(task)
        except asyncio.CancelledError:
            with contextlib.suppress(Exception):
                await task
            raise

    return run


@dataclass(frozen=True)
class JobRecord:
    """A job as the API shows it: its live state plus the row's creation time."""

    state: LiveState
    created_at: str


def state_of(row: Row) -> LiveState:
    return LiveState(
        job_id=row["id"],
        user_id=row["user_id"],
        photo_id=row["photo_id"],
        status=JobStatus(row["status"]),
        seq=row["seq"],
        progress=row["progress"],
        step=Step(row["step"]) if row["step"] else None,
        attempt=row["attempt_count"],
        queue_position=row["queue_position"],
        error_type=row["error_type"],
        error_message=row["error_message"],
        suggestion=row["suggestion"],
        result_key=row["result_key"],
        mask_key=row["mask_key"],
        processing_time_ms=row["processing_time_ms"],
        result_width=row["result_width"],
        result_height=row["result_height"],
        quality_score=row["quality_score"],
        quality_notes=notes_of(row["quality_notes"]),
        updated_at=row["updated_at"],
    )


def notes_of(column: str | None) -> tuple[str, ...]:
    """The quality_notes column (a JSON list, NULL when there are none) as a tuple."""
    return tuple(json.loads(column)) if column else ()


def notes_column(notes: tuple[str, ...]) -> str | None:
    return json.dumps(list(notes)) if notes else None


def record_of(row: Row) -> JobRecord:
    return JobRecord(state_of(row), row["created_at"])


# --- submit and queue ----------------------------------------------------------------------


@_uninterrupted
async def insert(
    db: Database, user_id: str, photo_ids: Sequence[str], priority: int, limit: int
) -> tuple[list[str], list[LiveState]]:
    """New pending jobs for `photo_ids`, in that order (enqueue_seq), with queue positions.

    Raises TooManyRequests when the queue would grow past `limit` (nothing is inserted).
    Returns (the new job ids, every state that changed: the new jobs and those moved back).
    """
    now = dbm.now()
    job_ids = [str(uuid.uuid4()) for _ in photo_ids]
    async with db.transaction() as conn:
        pending, last_seq = await _queue_stats(conn)
        if pending + len(photo_ids) > limit:
            raise TooManyRequests(pending=pending, limit=limit)
        for offset, (job_id, photo_id) in enumerate(zip(job_ids, photo_ids, strict=True), 1):
            # seq 0 and no event: the first state (seq 1) is the one with its queue position.
            await conn.execute(
                "INSERT INTO jobs (id, user_id, photo_id, priority, enqueue_seq, seq,"
                " created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                (job_id, user_id, photo_id, priority, last_seq + offset, now, now),
            )
        return job_ids, await _reposition(conn, now)


async def pending_count(db: Database) -> int:
    row = await db.fetchone("SELECT count(*) FROM jobs WHERE status = 'pending'")
    return int(row[0]) if row else 0


@_uninterrupted
async def save_measures(db: Database, job_id: str, measures: dict[str, float]) -> None:
    """The pipeline's quality measures of a finished job (kept for operators, not on the wire)."""
    await db.execute("UPDATE jobs SET measures = ? WHERE id = ?", (json.dumps(measures), job_id))


@_uninterrupted
async def claim_next(db: Database) -> tuple[LiveState | None, list[LiveState]]:
    """Take the first pending job in queue order: → processing, attempt + 1.

    Returns (the claimed state or None, the pending states whose position changed).
    """
    now = dbm.now()
    async with db.transaction() as conn:
        async with conn.execute(_PENDING_IN_ORDER + " LIMIT 1") as cur:
            row = await cur.fetchone()
        if row is None:
            return None, []
        state = progress.started(state_of(row), row["attempt_count"] + 1, now)
        await _write(conn, state)
        await conn.execute(
            "UPDATE jobs SET started_at = coalesce(started_at, ?) WHERE id = ?", (now, state.job_id)
        )
        return state, await _reposition(conn, now)


@_uninterrupted
async def save_state(db: Database, state: LiveState) -> bool:
    """Write `state` to the job row and job_events; False if the row moved on (stale state)."""
    async with db.transaction() as conn:
        return await _write(conn, state)


@_uninterrupted
async def reposition(db: Database) -> list[LiveState]:
    """Recompute queue positions; returns the pending states whose position changed."""
    async with db.transaction() as conn:
        return await _reposition(conn, dbm.now())


async def _queue_stats(conn: aiosqlite.Connection) -> tuple[int, int]:
    async with conn.execute(
        "SELECT (SELECT count(*) FROM jobs WHERE status = 'pending'),"
        " (SELECT coalesce(max(enqueue_seq), 0) FROM jobs)"
    ) as cur:
        row = await cur.fetchone()
    # An aggregate query always answers exactly one row.
    return (int(row[0]), int(row[1])) if row else (0, 0)


async def _reposition(conn: aiosqlite.Connection, now: str) -> list[LiveState]:
    async with conn.execute(_PENDING_IN_ORDER) as cur:
        rows = await cur.fetchall()
    changed = []
    for position, row in enumerate(rows, start=1):
        moved = progress.queued(state_of(row), position, now)
        if moved is not None and await _write(conn, moved):
            changed.append(moved)
    return changed


async def _write(conn: aiosqlite.Connection, state: LiveState) -> bool:
    s = state
    cur = await conn.execute(
        _UPDATE_STATE,
        (
            *(s.status.value, s.step.value if s.step else None, s.progress, s.attempt),
            *(s.queue_position, s.error_type, s.error_message, s.suggestion),
            *(s.result_key, s.mask_key, s.processing_time_ms, s.result_width, s.result_height),
            *(s.quality_score, notes_column(s.quality_notes), s.updated_at, s.seq),
            *(s.status.final, s.updated_at, s.job_id, s.seq - 1),
        ),
    )
    if cur.rowcount != 1:
        return False
    await conn.execute(
        "INSERT INTO job_events (job_id, seq, state) VALUES (?, ?, ?)",
        (s.job_id, s.seq, json.dumps(s.to_json())),
    )
    return True


# --- reads ---------------------------------------------------------------------------------


async def fetch(db: Database, job_id: str) -> LiveState | None:
    """The stored state of any job (internal: no ownership check)."""
    row = await db.fetchone("SELECT * FROM jobs WHERE id = ?", (job_id,))
    return state_of(row) if row else None


async def fetch_for_user(db: Database, user_id: str, job_id: str) -> JobRecord:
    """The user's job; unknown and foreign ids raise the same NotFound."""
    row = await db.fetchone("SELECT * FROM jobs WHERE id = ? AND user_id = ?", (job_id, user_id))
    if row is None:
        raise NotFound(job_id=job_id)
    return record_of(row)


async def list_for_user(
    db: Database, user_id: str, page: int, page_size: int
) -> tuple[list[JobRecord], int]:
    """One page of the user's jobs, newest first, and the total count."""
    rows = await db.fetchall(
        "SELECT * FROM jobs WHERE user_id = ? ORDER BY created_at DESC, enqueue_seq DESC"
        " LIMIT ? OFFSET ?",
        (user_id, page_size, (page - 1) * page_size),
    )
    total = await db.fetchone("SELECT count(*) FROM jobs WHERE user_id = ?", (user_id,))
    return [record_of(r) for r in rows], int(total[0]) if total else 0


async def list_all(db: Database, limit: int, status: str | None = None) -> list[JobRecord]:
    """The newest jobs of every user (operators' CLI)."""
    rows = await db.fetchall(
        "SELECT * FROM jobs WHERE ? IS NULL OR status = ?"
        " ORDER BY created_at DESC, enqueue_seq DESC LIMIT ?",
        (status, status, limit),
    )
    return [record_of(r) for r in rows]


async def processing(db: Database) -> list[LiveState]:
    rows = await db.fetchall("SELECT * FROM jobs WHERE status = 'processing'")
    return [state_of(r) for r in rows]


async def jobs_of_photo(db: Database, photo_id: str) -> list[LiveState]:
    rows = await db.fetchall("SELECT * FROM jobs WHERE photo_id = ?", (photo_id,))
    return [state_of(r) for r in rows]


async def attempt_log(db: Database, job_id: str) -> list[dict[str, Any]]:
    row = await db.fetchone("SELECT attempt_log FROM jobs WHERE id = ?", (job_id,))
    return list(json.loads(row[0])) if row else []


@_uninterrupted
async def log_attempt(db: Database, job_id: str, attempt: int, started_at: str, cause: str) -> None:
    """Append {attempt, started_at, ended_at, cause} to the job's attempt log."""
    entry = {"attempt": attempt, "started_at": started_at, "ended_at": dbm.now(), "cause": cause}
    await db.execute(
        "UPDATE jobs SET attempt_log = json_insert(attempt_log, '$[#]', json(?)) WHERE id = ?",
        (json.dumps(entry), job_id),
    )


# --- cancel and recovery -------------------------------------------------------------------


@_uninterrupted
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
        await _write(conn, state)
        return state, await _reposition(conn, now)


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
    """(id, state) of every change to the user's jobs after `cursor` (job_events.id)."""
    rows = await db.fetchall(
        "SELECT e.id, e.state FROM job_events e JOIN jobs j ON j.id = e.job_id "
        "WHERE j.user_id = ? AND e.id > ? ORDER BY e.id LIMIT ?",
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


def _decoded(text: str) -> LiveState:
    return LiveState.from_json(json.loads(text))


def _readable(text: str) -> LiveState | None:
    try:
        return _decoded(text)
    except (ValueError, KeyError, TypeError):
        return None


async def data_version(db: Database) -> int:
    """SQLite's PRAGMA data_version: changes when another connection (the CLI) commits."""
    row = await db.fetchone("PRAGMA data_version")
    return int(row[0]) if row else 0


@_uninterrupted
async def request_cancel(db: Database, job_id: str) -> None:
    """Mark a running job to stop (read again at the next start, should the server die)."""
    await db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))


@_uninterrupted
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
            await _write(conn, state)
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


async def active_for_user(db: Database, user_id: str) -> list[LiveState]:
    """The user's pending and processing jobs, oldest first (the start of /ws/jobs)."""
    rows = await db.fetchall(
        "SELECT * FROM jobs WHERE user_id = ? AND status IN ('pending', 'processing')"
        " ORDER BY created_at",
        (user_id,),
    )
    return [state_of(row) for row in rows]
