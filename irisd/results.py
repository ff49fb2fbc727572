"""A user's results (jobs) as the API shows them: each with its photo's name, searchable.

Reads only; the jobs table's writes stay in jobs/store. The join with `photos` gives each job
the `filename` and `label` of its photo (identity.py), and the gallery its search.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from irisd.db import Database, Row
from irisd.errors import NotFound
from irisd.identity import UNNAMED, Identity, search_clause
from irisd.jobs.store import JobRecord
from irisd.jobs.store.rows import record_of


@dataclass(frozen=True)
class Named:
    """A job as the gallery shows it: with its photo's name and its stored previews."""

    record: JobRecord
    identity: Identity = UNNAMED
    previews: int = 0  # irisd/previews.py: 0 none, 1 the result's, 2 and the original's


_SELECT = (
    "SELECT j.*, p.filename AS photo_filename, p.label AS photo_label"
    " FROM jobs j JOIN photos p ON p.id = j.photo_id WHERE j.user_id = ?"
    " AND j.deleted_at IS NULL AND p.deleted_at IS NULL"  # the trash is listed apart
)
# Newest first; a batch's jobs (one created_at) in the order the photos were given.
_NEWEST_FIRST = "j.created_at DESC, j.enqueue_seq ASC"


def named(row: Row) -> Named:
    """A row of jobs with its photo's `photo_filename` and `photo_label`."""
    return Named(
        record_of(row), Identity(row["photo_filename"], row["photo_label"]), row["previews"]
    )


async def fetch(db: Database, user_id: str, job_id: str) -> Named:
    """The user's job and its photo's name; unknown and foreign ids raise the same NotFound."""
    row = await db.fetchone(_SELECT + " AND j.id = ?", (user_id, job_id))
    if row is None:
        raise NotFound(job_id=job_id)
    return named(row)


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
    matching, values = search_clause("p.", search)
    if photo_id:
        matching, values = matching + " AND j.photo_id = ?", (*values, photo_id)
    rows, total = await db.fetch_page(
        _SELECT + matching, (user_id, *values), _NEWEST_FIRST, number, page_size
    )
    return [named(row) for row in rows], total


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
