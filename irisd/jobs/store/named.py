"""Reads of a user's jobs joined with their photos: each with its photo's name, searchable.

What the gallery (api/processing.py) and the trash (irisd/trash.py) list. The join with
`photos` gives each job the `filename` and `label` of its photo (identity.py).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from irisd.db import Database, Row
from irisd.errors import NotFound
from irisd.identity import UNNAMED, Identity, search_clause
from irisd.jobs.model import JobKind
from irisd.jobs.store.rows import JobRecord, record_of

PROCESSED = (JobKind.PROCESS,)  # the gallery's and /processing's jobs
ALL_KINDS = tuple(JobKind)  # /ws/jobs/{id} follows a job of any kind


@dataclass(frozen=True)
class Named:
    """A job as the gallery shows it: with its photo's name and its stored previews."""

    record: JobRecord
    identity: Identity = UNNAMED
    previews: int = 0  # irisd/jobs/previews.py: 0 none, 1 the result's, 2 and the original's
    params: dict[str, Any] = field(default_factory=dict)  # an art job's parameters
    result_info: dict[str, Any] = field(default_factory=dict)  # what its result adds


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
        record_of(row),
        Identity(row["photo_filename"], row["photo_label"]),
        row["previews"],
        json.loads(row["params"] or "{}"),
        json.loads(row["result_info"] or "{}"),
    )


def _of_kinds(kinds: Sequence[JobKind]) -> tuple[str, tuple[str, ...]]:
    marks = ", ".join("?" * len(kinds))
    return f" AND j.kind IN ({marks})", tuple(kind.value for kind in kinds)


async def named_job(
    db: Database, user_id: str, job_id: str, kinds: Sequence[JobKind] = PROCESSED
) -> Named:
    """The user's job of one of `kinds` (not in the trash) and its photo's name; unknown and
    foreign ids, and jobs of other kinds, raise the same NotFound."""
    clause, values = _of_kinds(kinds)
    row = await db.fetchone(_SHOWN + clause + " AND j.id = ?", (user_id, *values, job_id))
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
    kinds: Sequence[JobKind] = PROCESSED,
) -> tuple[list[Named], int]:
    """One page of the user's jobs of `kinds` outside the trash, newest first, and the
    total; with `search`, only those of photos whose label or file name contains it; with
    `photo_id`, that photo's."""
    matching, values = search_clause("p.", search)
    clause, kind_values = _of_kinds(kinds)
    matching, values = clause + matching, (*kind_values, *values)
    if photo_id:
        matching, values = matching + " AND j.photo_id = ?", (*values, photo_id)
    rows, total = await db.fetch_page(
        _SHOWN + matching, (user_id, *values), _NEWEST_FIRST, number, page_size
    )
    return [named_of(row) for row in rows], total


async def named_window(
    db: Database, user_id: str, offset: int, limit: int, kinds: Sequence[JobKind]
) -> list[Named]:
    """`limit` of the user's jobs of `kinds` outside the trash from `offset`, newest first
    (the app's fusion list pages by offset)."""
    clause, values = _of_kinds(kinds)
    rows = await db.fetchall(
        _SHOWN + clause + " ORDER BY " + _NEWEST_FIRST + " LIMIT ? OFFSET ?",
        (user_id, *values, limit, offset),
    )
    return [named_of(row) for row in rows]


async def trashed_results(db: Database, user_id: str) -> list[tuple[Named, str]]:
    """(result, deleted_at) of the user's results deleted on their own (their photo is not in
    the trash), last deleted first."""
    rows = await db.fetchall(
        _WITH_NAMES + " AND j.kind = 'process' AND j.deleted_at IS NOT NULL"
        " AND p.deleted_at IS NULL ORDER BY j.deleted_at DESC",
        (user_id,),
    )
    return [(named_of(row), row["deleted_at"]) for row in rows]


async def latest_result(db: Database, user_id: str, photo_id: str) -> str | None:
    """The id of the photo's newest completed processing job outside the trash, if any."""
    row = await db.fetchone(
        _SHOWN + " AND j.photo_id = ? AND j.kind = 'process' AND j.status = 'completed'"
        " ORDER BY j.finished_at DESC LIMIT 1",
        (user_id, photo_id),
    )
    return str(row["id"]) if row else None
