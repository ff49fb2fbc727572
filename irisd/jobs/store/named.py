"""Reads of a user's jobs joined with their photos: each with its photo's name, searchable.

What the gallery (api/processing.py) and the trash (irisd/trash.py) list. The join with
`photos` gives each job the `filename` and `label` of its photo (identity.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from irisd.db import Database, Row
from irisd.errors import NotFound
from irisd.identity import UNNAMED, Identity, search_clause
from irisd.jobs.store.rows import JobRecord, record_of


@dataclass(frozen=True)
class Named:
    """A job as the gallery shows it: with its photo's name and its stored previews."""

    record: JobRecord
    identity: Identity = UNNAMED
    previews: int = 0  # irisd/jobs/previews.py: 0 none, 1 the result's, 2 and the original's


_WITH_NAMES = (
    "SELECT j.*, p.filename AS photo_filename, p.label AS photo_label"
    " FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.user_id = ?"
)
_SHOWN = _WITH_NAMES + " AND j.deleted_at IS NULL AND p.deleted_at IS NULL"  # trash apart
# Newest first; a batch's jobs (one created_at) in the order the photos were given.
_NEWEST_FIRST = "j.created_at DESC, j.enqueue_seq ASC"


def named_of(row: Row) -> Named:
    """A row of jobs with its photo's `photo_filename` and `photo_label`."""
    return Named(
        record_of(row), Identity(row["photo_filename"], row["photo_label"]), row["previews"]
    )


async def named_job(db: Database, user_id: str, job_id: str) -> Named:
    """The user's job (not in the trash) and its photo's name; unknown and foreign ids raise
    the same NotFound."""
    row = await db.fetchone(_SHOWN + " AND j.id = ?", (user_id, job_id))
    if row is None:
        raise NotFound(job_id=job_id)
    return named_of(row)


async def named_page(
    db: Database,
    user_id: str,
    number: int,
    page_size: int,
    search: str | None = None,
    photo_id: str | None = None,
) -> tuple[list[Named], int]:
    """One page of the user's jobs outside the trash, newest first, and the total; with
    `search`, only those of photos whose label or file name contains it; with `photo_id`,
    that photo's."""
    matching, values = search_clause("p.", search)
    if photo_id:
        matching, values = matching + " AND j.photo_id = ?", (*values, photo_id)
    rows, total = await db.fetch_page(
        _SHOWN + matching, (user_id, *values), _NEWEST_FIRST, number, page_size
    )
    return [named_of(row) for row in rows], total


async def trashed_results(db: Database, user_id: str) -> list[tuple[Named, str]]:
    """(result, deleted_at) of the user's results deleted on their own (their photo is not in
    the trash), last deleted first."""
    rows = await db.fetchall(
        _WITH_NAMES + " AND j.deleted_at IS NOT NULL AND p.deleted_at IS NULL"
        " ORDER BY j.deleted_at DESC",
        (user_id,),
    )
    return [(named_of(row), row["deleted_at"]) for row in rows]
