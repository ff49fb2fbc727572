"""The names (`filename`, `label`) of a user's photos by id, for the jobs the API shows.

Jobs read together with their photo's name are the store's (jobs/store/named.py); this
reads only `photos`.
"""

from __future__ import annotations

from collections.abc import Iterable

from irisd.db import Database
from irisd.identity import UNNAMED, Identity
from irisd.jobs.store import JobRecord

__all__ = ["name_of", "names"]


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
