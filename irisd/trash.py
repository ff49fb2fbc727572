"""The trash: deleted photos and results, restorable by their owner for `[storage] trash_days`.

A delete marks rows (`deleted_at`) and stops the photo's jobs; the objects stay (hidden
from URLs given out before: `Storage.hide`, which a restore undoes) until the purge
(`purge_expired`: the server's periodic task and `irisd purge`) deletes them and their rows
for good. Every read here is scoped by user: no one sees or restores another's trash.
With `trash_days = 0` a delete is final at once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from irisd import photos
from irisd.db import Database, Row, now
from irisd.errors import Conflict, NotFound, StorageError
from irisd.jobs import store
from irisd.jobs.store import Named
from irisd.logs import get_logger
from irisd.storage import Storage, keys
from irisd.timestamps import days_ago, iso

StopJobs = Callable[[str], Awaitable[object]]
log = get_logger(__name__)


class StillRunning(Conflict):
    message = "This job is still running: cancel it, then delete its result once it has stopped."


class PhotoInTrash(Conflict):
    message = "This result's photo is deleted too: restore the photo, which brings it back."


@dataclass(frozen=True)
class TrashedPhoto:
    photo: photos.Photo
    deleted_at: str
    results: int  # the photo's results that went with it


@dataclass(frozen=True)
class TrashedResult:
    shown: Named
    deleted_at: str


async def holds(db: Database, key: str) -> bool:
    """Whether the stored object at `key` belongs to a photo or result in the trash: a signed
    URL given out before the delete must stop serving it then, as REST answers 404."""
    match keys.owner(key):
        case ("photo", photo_id):
            return await photos.trashed(db, photo_id)
        case ("job", job_id):
            return await store.trashed(db, job_id)
    return False


def purge_at(deleted_at: str, trash_days: float) -> str:
    """When an item deleted at `deleted_at` is purged."""
    deleted = datetime.fromisoformat(deleted_at.replace("Z", "+00:00"))
    return iso(deleted + timedelta(days=trash_days))


async def delete_photo(
    db: Database,
    storage: Storage,
    trash_days: float,
    user_id: str,
    photo_id: str,
    stop_jobs: StopJobs,
) -> None:
    """Move the photo and its results to the trash (its running jobs stopped first)."""
    if trash_days <= 0:
        await photos.delete_photo(db, storage, user_id, photo_id, stop_jobs)
        return
    photo = await photos.get_photo(db, user_id, photo_id)
    await stop_jobs(photo.id)
    stamp = now()
    async with db.transaction() as conn:
        await conn.execute(
            "UPDATE photos SET deleted_at = ? WHERE id = ? AND user_id = ? AND deleted_at IS NULL",
            (stamp, photo.id, user_id),
        )
        await store.trash_jobs_of_photo(conn, photo.id, stamp)
    jobs = [job.job_id for job in await store.jobs_of_photo(db, photo.id)]
    await _hide(storage, _photo_keys(user_id, photo.id, jobs), photo_id=photo.id)


async def delete_result(
    db: Database, storage: Storage, trash_days: float, user_id: str, job_id: str
) -> None:
    """Move one finished job (its result) to the trash; the photo and its other jobs stay."""
    status = await store.status_outside_trash(db, user_id, job_id)
    if not status.final:
        raise StillRunning(job_id=job_id)
    if trash_days <= 0:
        await _erase_result(db, storage, user_id, job_id)
        return
    await store.trash_result(db, user_id, job_id, now())
    await _hide(storage, [keys.processed_prefix(user_id, job_id)], job_id=job_id)


async def restore_photo(
    db: Database, storage: Storage, user_id: str, photo_id: str
) -> photos.Photo:
    """Bring back a trashed photo with the results deleted along with it."""
    row = await _owned(
        db,
        "SELECT deleted_at FROM photos WHERE id = ? AND user_id = ? AND deleted_at IS NOT NULL",
        (photo_id, user_id),
    )
    went_with = await store.trashed_with_photo(db, photo_id, row["deleted_at"])
    # Objects first: if storage fails, the photo stays in the trash and the restore can be
    # repeated (get and size find an object wherever it is meanwhile).
    await storage.reveal(_photo_keys(user_id, photo_id, went_with))
    async with db.transaction() as conn:
        await store.restore_jobs_of_photo(conn, photo_id, row["deleted_at"])
        await conn.execute("UPDATE photos SET deleted_at = NULL WHERE id = ?", (photo_id,))
    return await photos.get_photo(db, user_id, photo_id)


async def restore_result(db: Database, storage: Storage, user_id: str, job_id: str) -> None:
    """Bring back one trashed result; its photo must not be in the trash itself."""
    if await store.photo_deleted_of_trashed(db, user_id, job_id) is not None:
        raise PhotoInTrash(job_id=job_id)
    await storage.reveal([keys.processed_prefix(user_id, job_id)])
    await store.restore_result(db, job_id)


async def contents(db: Database, user_id: str) -> tuple[list[TrashedPhoto], list[TrashedResult]]:
    """The user's trash, last deleted first: photos, and results deleted on their own."""
    found_photos = await store.trashed_photos(db, user_id)
    found_results = await store.trashed_results(db, user_id)
    return (
        [TrashedPhoto(photos.Photo.from_row(r), r["deleted_at"], n) for r, n in found_photos],
        [TrashedResult(shown, deleted_at) for shown, deleted_at in found_results],
    )


async def purge_expired(db: Database, storage: Storage, before: str) -> tuple[int, int]:
    """Delete for good what was trashed before `before`: objects first, then rows.

    Returns (photos, results) purged. A photo's jobs were stopped when it was trashed.
    """
    photo_rows = await db.fetchall(
        "SELECT * FROM photos WHERE deleted_at IS NOT NULL AND deleted_at < ?", (before,)
    )
    for row in photo_rows:
        await photos.erase(db, storage, photos.Photo.from_row(row))
    results = await store.trashed_before(db, before)
    for job_id, user_id in results:
        await _erase_result(db, storage, user_id, job_id)
    return len(photo_rows), len(results)


async def _owned(db: Database, sql: str, params: tuple[str, str]) -> Row:
    """The row `sql` finds for (id, user): unknown and foreign ids raise the same NotFound."""
    row = await db.fetchone(sql, params)
    if row is None:
        raise NotFound(id=params[0])
    return row


def _photo_keys(user_id: str, photo_id: str, job_ids: list[str]) -> list[str]:
    """The prefixes of a photo's objects and of its jobs' (ids are fixed-length UUIDs, so
    each names only its own objects)."""
    return [
        keys.original(user_id, photo_id),
        keys.thumbnail(user_id, photo_id),
        *(keys.processed_prefix(user_id, job_id) for job_id in job_ids),
    ]


async def _hide(storage: Storage, prefixes: list[str], **context: str) -> None:
    """Hide a trashed item's objects from URLs given out before; the item is in the trash
    whatever happens here, so a storage outage leaves those URLs to their expiry (as before)
    and is logged, not answered as a failed delete."""
    try:
        await storage.hide(prefixes)
    except StorageError:
        log.warning("trash.hide_failed", **context)


async def _erase_result(db: Database, storage: Storage, user_id: str, job_id: str) -> None:
    await storage.delete_prefix(keys.processed_prefix(user_id, job_id))
    await store.delete(db, job_id)


def purge_interval_s(trash_days: float) -> float:
    """How often the server looks for expired trash: a tenth of the period, within [0.5 s, 1 h]."""
    return min(3600.0, max(0.5, trash_days * 86400 / 10))


async def keep_purging(db: Database, storage: Storage, trash_days: float) -> None:
    """The server's periodic purge of expired trash, until cancelled (nothing with no trash)."""
    if trash_days <= 0:
        return
    while True:
        try:
            purged, results = await purge_expired(db, storage, days_ago(trash_days))
            if purged or results:
                log.info("trash.purged", photos=purged, results=results)
        except Exception:  # a storage outage must not end the loop: try again next round
            log.exception("trash.purge_failed")
        await asyncio.sleep(purge_interval_s(trash_days))
