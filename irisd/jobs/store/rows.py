"""A job row: its LiveState, the one guarded write of a state, and the row's other writes.

`write` updates the row only if its seq is the one before the new state's, and adds the
`job_events` row in the same transaction: a resuming WebSocket then sees every state exactly
once, and a stale writer cannot overwrite a newer state.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import ParamSpec, TypeVar

import aiosqlite

from irisd import db as dbm
from irisd.db import Database, Row
from irisd.jobs.model import JobKind, JobStatus, LiveState, step_named

P = ParamSpec("P")
T = TypeVar("T")

# Users' turns first (store/fairness.py), then priority, then first come, first served.
PENDING_IN_ORDER = (
    "SELECT * FROM jobs WHERE status = 'pending' ORDER BY fair_round, priority, enqueue_seq"
)
_UPDATE_STATE = (
    "UPDATE jobs SET (status, step, progress, attempt_count, queue_position, error_type,"
    " error_message, suggestion, result_key, mask_key, processing_time_ms, result_width,"
    " result_height, quality_score, quality_notes, quality_warnings, file_size_bytes,"
    " updated_at, seq) = (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?),"
    " finished_at = CASE WHEN ? THEN ? ELSE finished_at END"
    " WHERE id = ? AND seq = ?"
)


def uninterrupted(write: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[T]]:
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
        step=step_named(row["step"]) if row["step"] else None,
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
        warnings=notes_of(row["quality_warnings"]),
        updated_at=row["updated_at"],
        kind=JobKind(row["kind"]),
        file_size_bytes=row["file_size_bytes"],
    )


def notes_of(column: str | None) -> tuple[str, ...]:
    """A notes column (quality_notes, quality_warnings: a JSON list, NULL when there are
    none) as a tuple."""
    return tuple(json.loads(column)) if column else ()


def notes_column(notes: tuple[str, ...]) -> str | None:
    return json.dumps(list(notes)) if notes else None


def record_of(row: Row) -> JobRecord:
    return JobRecord(state_of(row), row["created_at"])


async def write(conn: aiosqlite.Connection, state: LiveState) -> bool:
    """Write `state` and its job_events row; False if the row moved on (a stale state)."""
    s = state
    cur = await conn.execute(
        _UPDATE_STATE,
        (
            *(s.status.value, s.step.value if s.step else None, s.progress, s.attempt),
            *(s.queue_position, s.error_type, s.error_message, s.suggestion),
            *(s.result_key, s.mask_key, s.processing_time_ms, s.result_width, s.result_height),
            *(s.quality_score, notes_column(s.quality_notes), notes_column(s.warnings)),
            *(s.file_size_bytes, s.updated_at, s.seq),
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


@uninterrupted
async def save_state(db: Database, state: LiveState) -> bool:
    """Write `state` to the job row and job_events; False if the row moved on (stale state)."""
    async with db.transaction() as conn:
        return await write(conn, state)


@uninterrupted
async def save_measures(db: Database, job_id: str, measures: dict[str, float]) -> None:
    """The pipeline's quality measures of a finished job (kept for operators, not on the wire)."""
    await db.execute("UPDATE jobs SET measures = ? WHERE id = ?", (json.dumps(measures), job_id))


async def params_of(db: Database, job_id: str) -> str:
    """An art job's JSON parameters (jobs/art_params.py); "" for a `process` job."""
    row = await db.fetchone("SELECT params FROM jobs WHERE id = ?", (job_id,))
    return str(row["params"] or "") if row else ""


async def measures_of(db: Database, job_id: str) -> dict[str, float]:
    """The pipeline's measures of a finished `process` job ({} when there are none)."""
    row = await db.fetchone("SELECT measures FROM jobs WHERE id = ?", (job_id,))
    return dict(json.loads(row["measures"])) if row and row["measures"] else {}


@uninterrupted
async def save_result_info(db: Database, job_id: str, info: dict[str, object]) -> None:
    """What an art result adds to its Job (an export's dpi, format, enlarged, native_px)."""
    await db.execute("UPDATE jobs SET result_info = ? WHERE id = ?", (json.dumps(info), job_id))


@uninterrupted
async def log_attempt(db: Database, job_id: str, attempt: int, started_at: str, cause: str) -> None:
    """Append {attempt, started_at, ended_at, cause} to the job's attempt log."""
    entry = {"attempt": attempt, "started_at": started_at, "ended_at": dbm.now(), "cause": cause}
    await db.execute(
        "UPDATE jobs SET attempt_log = json_insert(attempt_log, '$[#]', json(?)) WHERE id = ?",
        (json.dumps(entry), job_id),
    )


@uninterrupted
async def request_cancel(db: Database, job_id: str) -> None:
    """Mark a running job to stop (read again at the next start, should the server die)."""
    await db.execute("UPDATE jobs SET cancel_requested = 1 WHERE id = ?", (job_id,))


@uninterrupted
async def save_previews(db: Database, job_id: str, count: int) -> None:
    """How many light previews were stored with the job's result (irisd/jobs/previews.py)."""
    await db.execute("UPDATE jobs SET previews = ? WHERE id = ?", (count, job_id))


@uninterrupted
async def delete(db: Database, job_id: str) -> None:
    """Remove the job's row and its job_events (retention; its objects go first)."""
    await db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
