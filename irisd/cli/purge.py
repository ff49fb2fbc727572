"""`irisd purge [--older-than DAYS]`: empty the expired trash; retention for biometric data.

It also deletes the temp copies that writes killed mid-way (kill -9, power loss) left in
local storage, as the server does when it starts.

Always deletes for good what has been in the trash longer than `[storage] trash_days` (as the
server does periodically: irisd/trash.py). With --older-than it also deletes photos, results
and jobs created more than DAYS ago, through the same domain functions the API's photo delete
uses (photos.erase, jobs/cancel.py): a purged photo's pending jobs are dropped and its running
ones asked to stop at their next step, as the API's delete does.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import click
from rich.progress import Progress

from irisd import photos, trash
from irisd.auth.tokens import load_or_create_secret
from irisd.cli.settings import config_option, load_settings
from irisd.config import Settings
from irisd.db import Database, open_database
from irisd.jobs import store
from irisd.jobs.cancel import cancel_photo
from irisd.jobs.model import LiveState
from irisd.storage import Storage, keys, open_storage
from irisd.storage.local import LocalStorage
from irisd.timestamps import iso

PARTIAL_WRITE_AGE_S = 60.0  # a write takes well under a second; older temp files are strays


@click.command()
@config_option
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    help="Also delete what was created more than DAYS days ago.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(config_path: Path | None, days: int | None, yes: bool) -> None:
    """Empty the expired trash; with --older-than, also delete what is older than DAYS days.

    Retention for biometric data: objects first, then rows, with a progress bar.
    """
    settings = load_settings(config_path)
    expired = asyncio.run(_empty_trash(settings))
    click.echo(f"Emptied the trash of {expired[0]} photos and {expired[1]} results.")
    if days is None:
        return
    cutoff = iso(datetime.now(UTC) - timedelta(days=days))  # as the database writes times
    photo_count, job_count = asyncio.run(_purge(settings, cutoff, dry_run=True))
    if photo_count + job_count == 0:
        click.echo(f"Nothing older than {days} days.")
        return
    if not yes:
        click.confirm(
            f"Delete {photo_count} photos and {job_count} other jobs created before {cutoff}?",
            abort=True,
        )
    asyncio.run(_purge(settings, cutoff, dry_run=False))
    click.echo(f"Deleted {photo_count} photos and {job_count} other jobs.")


@asynccontextmanager
async def _opened(settings: Settings) -> AsyncIterator[tuple[Database, Storage]]:
    db = await open_database(settings.data_path / "irisd.db")
    storage = await open_storage(settings, load_or_create_secret(settings))
    try:
        yield db, storage
    finally:
        await storage.close()
        await db.close()


async def _empty_trash(settings: Settings) -> tuple[int, int]:
    """Delete for good what has been in the trash longer than [storage] trash_days, and the
    copies that writes killed mid-way left behind."""
    async with _opened(settings) as (db, storage):
        if isinstance(storage, LocalStorage):  # a running server's own writes are younger
            await storage.remove_partial_writes(older_than_s=PARTIAL_WRITE_AGE_S)
        before = trash.cutoff(max(0.0, settings.storage.trash_days))
        return await trash.purge_expired(db, storage, before)


async def _purge(settings: Settings, cutoff: str, *, dry_run: bool) -> tuple[int, int]:
    async with _opened(settings) as (db, storage):
        old_photos = await photos.created_before(db, cutoff)
        old_jobs = await store.finished_before(db, cutoff)  # of newer photos: a reprocess
        if not dry_run:
            await _delete(db, storage, settings, old_photos, old_jobs)
        return len(old_photos), len(old_jobs)


async def _delete(
    db: Database,
    storage: Storage,
    settings: Settings,
    old_photos: list[photos.Photo],
    old_jobs: list[LiveState],
) -> None:
    stop_jobs = partial(cancel_photo, db, settings.data_path)
    with Progress() as bar:
        task = bar.add_task("Purging", total=len(old_photos) + len(old_jobs))
        for photo in old_photos:  # in the trash or not
            await stop_jobs(photo.id)
            await photos.erase(db, storage, photo)
            bar.advance(task)
        for job in old_jobs:
            await storage.delete_prefix(keys.processed_prefix(job.user_id, job.job_id))
            await store.delete(db, job.job_id)
            bar.advance(task)
