"""Reads of job rows: one job, a user's page, the operators' list, a photo's jobs, old ones."""

from __future__ import annotations

import json
from typing import Any

from irisd.db import Database
from irisd.errors import NotFound
from irisd.jobs.model import LiveState
from irisd.jobs.store.rows import JobRecord, record_of, state_of

_NEWEST_FIRST = "created_at DESC, enqueue_seq DESC"  # enqueue_seq: a batch shares created_at


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
    rows, total = await db.fetch_page(
        "SELECT * FROM jobs WHERE user_id = ?", (user_id,), _NEWEST_FIRST, page, page_size
    )
    return [record_of(r) for r in rows], total


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
    """Every job of the photo, whatever its status (a photo delete stops and removes them)."""
    rows = await db.fetchall(
        "SELECT * FROM jobs WHERE photo_id = ?"
        " OR id IN (SELECT job_id FROM job_photos WHERE photo_id = ?)",
        (photo_id, photo_id),
    )
    return [state_of(r) for r in rows]


async def finished_before(db: Database, cutoff: str) -> list[LiveState]:
    """Finished jobs created before `cutoff` whose photo is newer (a reprocess long ago).

    What a purge removes besides its old photos, whose jobs go with them.
    """
    rows = await db.fetchall(
        "SELECT j.* FROM jobs j JOIN photos p ON p.id = j.photo_id"
        " WHERE j.created_at < ? AND p.created_at >= ? AND j.status IN ('completed', 'failed')",
        (cutoff, cutoff),
    )
    return [state_of(r) for r in rows]


async def active_for_user(db: Database, user_id: str) -> list[LiveState]:
    """The user's pending and processing jobs outside the trash, oldest first (the start of
    /ws/jobs)."""
    rows = await db.fetchall(
        "SELECT j.* FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.user_id = ?"
        " AND j.status IN ('pending', 'processing') AND j.deleted_at IS NULL"
        " AND p.deleted_at IS NULL ORDER BY j.created_at",
        (user_id,),
    )
    return [state_of(row) for row in rows]


async def attempt_log(db: Database, job_id: str) -> list[dict[str, Any]]:
    row = await db.fetchone("SELECT attempt_log FROM jobs WHERE id = ?", (job_id,))
    return list(json.loads(row[0])) if row else []
