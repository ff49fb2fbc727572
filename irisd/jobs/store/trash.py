"""The jobs side of the trash (irisd/trash.py): `jobs.deleted_at` marks, and what is in it.

A photo's jobs are marked with the photo's own deletion time, so a restore brings back the
results that went with it and not those deleted on their own before. The photo-and-jobs
marks take the caller's connection: the photo's row changes in the same transaction.
"""

from __future__ import annotations

import aiosqlite

from irisd.db import Database, Row
from irisd.errors import NotFound
from irisd.jobs.model import JobStatus

# A photo's jobs are its own and the art jobs that work from it besides their first photo (a
# fusion of two photos' prints goes to the trash with either): `job_photos`, below.


async def trash_jobs_of_photo(conn: aiosqlite.Connection, photo_id: str, stamp: str) -> None:
    """Mark the photo's jobs not yet in the trash as deleted at `stamp` (the photo's time)."""
    await conn.execute(
        "UPDATE jobs SET deleted_at = ? WHERE (photo_id = ? OR id IN"
        " (SELECT job_id FROM job_photos WHERE photo_id = ?)) AND deleted_at IS NULL",
        (stamp, photo_id, photo_id),
    )


async def restore_jobs_of_photo(conn: aiosqlite.Connection, photo_id: str, deleted_at: str) -> None:
    """Bring back the photo's jobs that went to the trash with it (at its `deleted_at`)."""
    await conn.execute(
        "UPDATE jobs SET deleted_at = NULL WHERE (photo_id = ? OR id IN"
        " (SELECT job_id FROM job_photos WHERE photo_id = ?)) AND deleted_at = ?",
        (photo_id, photo_id, deleted_at),
    )


async def trashed_with_photo(db: Database, photo_id: str, deleted_at: str) -> list[str]:
    """The ids of the photo's jobs that went to the trash with it (at its `deleted_at`)."""
    rows = await db.fetchall(
        "SELECT id FROM jobs WHERE (photo_id = ? OR id IN"
        " (SELECT job_id FROM job_photos WHERE photo_id = ?)) AND deleted_at = ?",
        (photo_id, photo_id, deleted_at),
    )
    return [str(row["id"]) for row in rows]


async def status_outside_trash(db: Database, user_id: str, job_id: str) -> JobStatus:
    """The status of the user's job when neither it nor its photo is in the trash; unknown,
    foreign and trashed ids raise the same NotFound."""
    row = await db.fetchone(
        "SELECT j.status FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.id = ?"
        " AND j.user_id = ? AND j.deleted_at IS NULL AND p.deleted_at IS NULL",
        (job_id, user_id),
    )
    if row is None:
        raise NotFound(id=job_id)
    return JobStatus(row["status"])


async def trashed(db: Database, job_id: str) -> bool:
    """Whether the job or its photo is in the trash (any user's; False for an unknown id)."""
    row = await db.fetchone(
        "SELECT 1 FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.id = ?"
        " AND (j.deleted_at IS NOT NULL OR p.deleted_at IS NOT NULL)",
        (job_id,),
    )
    return row is not None


async def trash_result(db: Database, user_id: str, job_id: str, stamp: str) -> None:
    """Mark one of the user's jobs as deleted at `stamp` (its photo stays)."""
    await db.execute(
        "UPDATE jobs SET deleted_at = ? WHERE id = ? AND user_id = ?", (stamp, job_id, user_id)
    )


async def photo_deleted_of_trashed(db: Database, user_id: str, job_id: str) -> str | None:
    """When the photo of the user's trashed job was deleted (None: it is not in the trash);
    unknown, foreign and untrashed ids raise the same NotFound."""
    row = await db.fetchone(
        "SELECT p.deleted_at AS photo_deleted FROM jobs j JOIN photos p ON p.id = j.photo_id"
        " WHERE j.id = ? AND j.user_id = ? AND j.deleted_at IS NOT NULL",
        (job_id, user_id),
    )
    if row is None:
        raise NotFound(id=job_id)
    deleted: str | None = row["photo_deleted"]
    return deleted


async def restore_result(db: Database, job_id: str) -> None:
    """Bring back one trashed job (its photo is not in the trash: the caller checked)."""
    await db.execute("UPDATE jobs SET deleted_at = NULL WHERE id = ?", (job_id,))


async def trashed_photos(db: Database, user_id: str) -> list[tuple[Row, int]]:
    """(photo row, how many of its results went to the trash with it) for each of the user's
    trashed photos, last deleted first."""
    rows = await db.fetchall(
        "SELECT p.*, (SELECT count(*) FROM jobs j WHERE j.photo_id = p.id"
        " AND j.deleted_at = p.deleted_at) AS results FROM photos p"
        " WHERE p.user_id = ? AND p.deleted_at IS NOT NULL ORDER BY p.deleted_at DESC",
        (user_id,),
    )
    return [(row, int(row["results"])) for row in rows]


async def trashed_before(db: Database, before: str) -> list[tuple[str, str]]:
    """(job id, user id) of every job put in the trash before `before` (for the purge)."""
    rows = await db.fetchall(
        "SELECT id, user_id FROM jobs WHERE deleted_at IS NOT NULL AND deleted_at < ?", (before,)
    )
    return [(row["id"], row["user_id"]) for row in rows]
