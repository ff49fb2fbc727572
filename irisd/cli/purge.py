"""`irisd purge [--older-than DAYS]`: empty the expired trash; retention for biometric data.

It also deletes the temp copies that writes killed mid-way (kill -9, power loss) left in
local storage, as the server does when it starts.

Always deletes for good what has been in the trash longer than `[storage] trash_days` (as the
server does periodically: irisd/trash.py). With --older-than, or else `[privacy]
retention_days` when set, it also deletes photos, results and jobs created more than DAYS ago,
through the retention the server applies (irisd/privacy/retention.py, photos.erase,
jobs/cancel.py): a purged photo's pending jobs are dropped and its running ones asked to stop
at their next step, as the API's delete does.
"""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import click
from rich.progress import Progress

from irisd import trash
from irisd.cli.settings import config_option, load_settings, opened
from irisd.config import Settings
from irisd.jobs.cancel import cancel_photo
from irisd.privacy import retention
from irisd.storage.local import LocalStorage
from irisd.timestamps import days_ago

PARTIAL_WRITE_AGE_S = 60.0  # a write takes well under a second; older temp files are strays


@click.command()
@config_option
@click.option(
    "--older-than",
    "days",
    type=click.IntRange(min=0),
    default=None,
    help="Also delete what was created more than DAYS days ago"
    " (default: [privacy] retention_days, when set).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def purge(config_path: Path | None, days: int | None, yes: bool) -> None:
    """Empty the expired trash; with --older-than, also delete what is older than DAYS days.

    Retention for biometric data: objects first, then rows, with a progress bar.
    """
    settings = load_settings(config_path)
    expired = asyncio.run(_empty_trash(settings))
    click.echo(f"Emptied the trash of {expired[0]} photos and {expired[1]} results.")
    days = days if days is not None else settings.privacy.retention_days or None
    if days is None:
        return
    cutoff = days_ago(days)  # as the database writes times
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


async def _empty_trash(settings: Settings) -> tuple[int, int]:
    """Delete for good what has been in the trash longer than [storage] trash_days, and the
    copies that writes killed mid-way left behind."""
    async with opened(settings) as (db, storage):
        if isinstance(storage, LocalStorage):  # a running server's own writes are younger
            await storage.remove_partial_writes(older_than_s=PARTIAL_WRITE_AGE_S)
        before = days_ago(max(0.0, settings.storage.trash_days))
        return await trash.purge_expired(db, storage, before)


async def _purge(settings: Settings, cutoff: str, *, dry_run: bool) -> tuple[int, int]:
    async with opened(settings) as (db, storage):
        found = await retention.expired(db, cutoff)
        if not dry_run:
            stop_jobs = partial(cancel_photo, db, settings.data_path)
            with Progress() as bar:
                task = bar.add_task("Purging", total=found.count)
                await retention.expire(db, storage, found, stop_jobs, partial(bar.advance, task))
        return len(found.photos), len(found.jobs)
