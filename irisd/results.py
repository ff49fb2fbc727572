"""A user's results (jobs) as the API shows them: each with its photo's name, searchable.

The job reads (joined with `photos` for each job's `filename` and `label`) are the store's
(jobs/store/named.py); here are the names of photos by id, which only read `photos`.
"""

from __future__ import annotations

from collections.abc import Iterable

from irisd.db import Database
from irisd.identity import UNNAMED, Identity
from irisd.jobs import store
from irisd.jobs.store import JobRecord, Named

__all__ = ["Named", "fetch", "name_of", "names", "page"]


async def fetch(db: Database, user_id: str, job_id: str) -> Named:
    """The user's job and its photo's name; unknown and foreign ids raise the same NotFound."""
    return await store.named_job(db, user_id, job_id)


async def page(
    db: Database,
    user_id: str,
    number: int,
    page_size: int,
    search: str | None = None,
    photo_id: str | None = None,
) -> tuple[list[Named], int]:
    """One page of the user's jobs, newest first, and the total; with `search`, only those of
    photos whose label or file name contains it; with `photo_id`, that photo's."""
    return await store.named_page(db, user_id, number, page_size, search, photo_id)


async def names(db: Database, user_id: str, photo_ids: Iterable[str]) -> dict[str, Identity]:
    """The names of the user's photos among `photo_ids`, by id."""
    wanted = list(dict.fromkeys(photo_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    rows = await db.fetchall(
        f"SELECT id, filename, label FROM photos WHERE user_id = ? AND id IN ({marks})"  # noqa: S608
        " AND deleted_at IS NULL",
        (user_id, *wanted),
    )
    return {row["id"]: Identity(row["filename"], row["label"]) for row in rows}


def name_of(found: dict[str, Identity], record: JobRecord) -> Identity:
    return found.get(record.state.photo_id, UNNAMED)
