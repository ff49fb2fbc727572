"""`irisd purge --older-than DAYS`: retention for biometric data (photos, results, jobs).

Works on the database and storage directly, through the same domain functions the API's
photo delete uses (photos.delete_photo, jobs/cancel.py): a purged photo's pending jobs are
dropped and its running ones asked to stop at their next step, as the API's delete does.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path

import click
from rich.progress import Progress

from irisd import photos
from irisd.auth.tokens import load_or_create_secret
from irisd.cli.settings import config_option, load_settings
from irisd.config import Settings
from irisd.db import Database, open_database
from irisd.jobs import store
from irisd.jobs.cancel import cancel_photo
from irisd.jobs.model import LiveState
from irisd.storage import Storage, keys, open_storage
from irisd.timestamps import iso


@click.command()
@config_option
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    required=True,
    help="Delete what was created more than DAYS days ago.",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(config_path: Path | None, days: int, yes: bool) -> None:
    """Delete photos, results and jobs older than DAYS days.

    Retention for biometric data: objects first, then rows, with a progress bar.
    """
    settings = load_settings(config_path)
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


async def _purge(settings: Settings, cutoff: str, *, dry_run: bool) -> tuple[int, int]:
    db = await open_database(settings.data_path / "irisd.db")
    storage = await open_storage(settings, load_or_create_secret(settings))
    try:
        old_photos = await photos.created_before(db, cutoff)
        old_jobs = await store.finished_before(db, cutoff)  # of newer photos: a reprocess
        if not dry_run:
            await _delete(db, storage, settings, old_photos, old_jobs)
        return len(old_photos), len(old_jobs)
    finally:
        await storage.close()
        await db.close()


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
        for photo in old_photos:
            await photos.delete_photo(db, storage, photo.user_id, photo.id, stop_jobs)
            bar.advance(task)
        for job in old_jobs:
            await storage.delete_prefix(keys.processed_prefix(job.user_id, job.job_id))
            await store.delete(db, job.job_id)
            bar.advance(task)
