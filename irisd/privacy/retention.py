"""Retention: erase photos, results and jobs older than a cutoff (`[privacy] retention_days`,
or `irisd purge --older-than`), on the server's schedule and on demand.

Old photos go through `photos.erase` (their jobs stopped first, as a delete does); finished
jobs older than the cutoff whose photo is newer (a reprocess) lose their results and rows.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from irisd import photos
from irisd.db import Database
from irisd.jobs import store
from irisd.jobs.model import LiveState
from irisd.logs import get_logger
from irisd.privacy.erasure import StopJobs
from irisd.storage import Storage, keys
from irisd.timestamps import days_ago

CHECK_EVERY_S = 3600.0  # days-long periods: hourly is exact enough, and costs one query
log = get_logger(__name__)


@dataclass(frozen=True)
class Expired:
    photos: list[photos.Photo]
    jobs: list[LiveState]  # finished jobs older than the cutoff, of newer photos

    @property
    def count(self) -> int:
        return len(self.photos) + len(self.jobs)


async def expired(db: Database, before: str) -> Expired:
    return Expired(await photos.created_before(db, before), await store.finished_before(db, before))


async def expire(
    db: Database,
    storage: Storage,
    found: Expired,
    stop_jobs: StopJobs,
    advance: Callable[[], object] = lambda: None,
) -> None:
    """Erase what `expired` found, calling `advance` after each photo or job."""
    for photo in found.photos:  # in the trash or not
        await stop_jobs(photo.id)
        await photos.erase(db, storage, photo)
        advance()
    for job in found.jobs:
        await storage.delete_prefix(keys.processed_prefix(job.user_id, job.job_id))
        await store.delete(db, job.job_id)
        advance()


async def apply(db: Database, storage: Storage, days: int, stop_jobs: StopJobs) -> Expired:
    """One pass of the retention schedule (nothing when `days` is 0)."""
    if days <= 0:
        return Expired([], [])
    found = await expired(db, days_ago(days))
    await expire(db, storage, found, stop_jobs)
    if found.count:
        log.info("privacy.retention_expired", photos=len(found.photos), jobs=len(found.jobs))
    return found


async def keep_applying(db: Database, storage: Storage, days: int, stop_jobs: StopJobs) -> None:
    """The server's retention schedule after its first pass, until cancelled."""
    if days <= 0:
        return
    while True:
        await asyncio.sleep(CHECK_EVERY_S)
        try:
            await apply(db, storage, days, stop_jobs)
        except Exception:  # a storage outage must not end the schedule: try again next hour
            log.exception("privacy.retention_failed")
