"""Photos: the row, reading, listing, labels and deletion. Uploads are photo_uploads.py."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from irisd.db import Database, Row, now
from irisd.errors import Conflict, NotFound
from irisd.identity import search_clause
from irisd.jobs import store
from irisd.storage import Storage, keys

PENDING = "pending"
UPLOADED = "uploaded"
FAILED = "failed"


class NotUploaded(Conflict):
    message = "No file has been uploaded for this photo yet."


@dataclass(frozen=True)
class Photo:
    id: str
    user_id: str
    s3_key: str
    content_type: str
    width: int | None
    height: int | None
    file_size: int | None
    upload_status: str
    created_at: str
    updated_at: str
    filename: str | None = None
    label: str | None = None

    @classmethod
    def from_row(cls, row: Row) -> Photo:
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})


async def get_photo(db: Database, user_id: str, photo_id: str) -> Photo:
    """The user's photo; unknown and foreign ids raise the same `NotFound`."""
    row = await db.fetchone(
        "SELECT * FROM photos WHERE id = ? AND user_id = ? AND deleted_at IS NULL",
        (photo_id, user_id),
    )
    if row is None:
        raise NotFound()
    return Photo.from_row(row)


async def trashed(db: Database, photo_id: str) -> bool:
    """Whether the photo is in the trash (any user's; False for an unknown id)."""
    row = await db.fetchone(
        "SELECT 1 FROM photos WHERE id = ? AND deleted_at IS NOT NULL", (photo_id,)
    )
    return row is not None


async def get_uploaded_photo(db: Database, user_id: str, photo_id: str) -> Photo:
    """The user's photo, which must have passed its checks (for submitting jobs)."""
    photo = await get_photo(db, user_id, photo_id)
    if photo.upload_status != UPLOADED:
        raise NotUploaded(photo_id=photo_id)
    return photo


async def list_photos(
    db: Database, user_id: str, page: int, page_size: int, search: str | None = None
) -> tuple[list[Photo], int]:
    """One page of the user's photos, newest first, and the total; with `search`, only those
    whose label or file name contains it."""
    matching, values = search_clause("", search)
    select = "SELECT * FROM photos WHERE user_id = ? AND deleted_at IS NULL" + matching  # noqa: S608
    newest_first = "created_at DESC, rowid DESC"
    rows, total = await db.fetch_page(select, (user_id, *values), newest_first, page, page_size)
    return [Photo.from_row(row) for row in rows], total


async def set_label(db: Database, user_id: str, photo_id: str, label: str | None) -> Photo:
    """Name the user's photo (None clears the label)."""
    changed = await db.execute(
        "UPDATE photos SET label = ?, updated_at = ? WHERE id = ? AND user_id = ?"
        " AND deleted_at IS NULL",
        (label, now(), photo_id, user_id),
    )
    if not changed:
        raise NotFound()
    return await get_photo(db, user_id, photo_id)


async def created_before(db: Database, cutoff: str) -> list[Photo]:
    """Every user's photos created before `cutoff` (retention: `irisd purge`)."""
    rows = await db.fetchall("SELECT * FROM photos WHERE created_at < ?", (cutoff,))
    return [Photo.from_row(row) for row in rows]


async def delete_photo(
    db: Database,
    storage: Storage,
    user_id: str,
    photo_id: str,
    stop_jobs: Callable[[str], Awaitable[object]],
) -> None:
    """Delete the photo's objects (original, thumbnail, every job's results) and rows now."""
    photo = await get_photo(db, user_id, photo_id)
    # Stop running jobs first, so none writes a result after its prefix was emptied.
    await stop_jobs(photo.id)
    await erase(db, storage, photo)


async def erase(db: Database, storage: Storage, photo: Photo) -> None:
    """Delete a photo whose jobs no longer run: every object, then its rows (the jobs' too)."""
    user_id = photo.user_id
    for job in await store.jobs_of_photo(db, photo.id):
        await storage.delete_prefix(keys.processed_prefix(user_id, job.job_id))
        if job.photo_id != photo.id:  # an art job from this photo and others: no cascade
            await store.delete(db, job.job_id)
    await delete_objects(storage, photo)
    # Objects before rows: if storage fails, the row remains and the delete can be repeated.
    # (A presigned S3 PUT still in its TTL could write the upload key again, never served but
    # kept; irisd's own /files PUT refuses it (write_upload), S3 cannot: keep [storage]
    # url_ttl_s short, or expire `uploads/` with a bucket lifecycle rule.)
    await db.execute("DELETE FROM photos WHERE id = ? AND user_id = ?", (photo.id, user_id))


async def delete_objects(storage: Storage, photo: Photo) -> None:
    await storage.delete(keys.upload(photo.user_id, photo.id))
    await storage.delete(photo.s3_key)
    await storage.delete(keys.thumbnail(photo.user_id, photo.id))
