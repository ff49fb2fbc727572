"""A photo's bytes coming in: a presigned upload then confirm, or a direct upload.

Checked by `intake` by content, never by what the client declared; only the bytes checked
are kept, at a key no signed URL can write.
"""

from __future__ import annotations

import uuid

from irisd.config import UploadSettings
from irisd.db import Database, now
from irisd.errors import (
    Conflict,
    InvalidField,
    NotFound,
    ObjectMissing,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from irisd.identity import UNNAMED, Identity
from irisd.intake import Inspection, Intake
from irisd.keyed_locks import KeyedLocks
from irisd.photos import (
    FAILED,
    PENDING,
    UPLOADED,
    NotUploaded,
    Photo,
    delete_objects,
    get_photo,
)
from irisd.storage import Storage, keys

# What a client may declare when asking for an upload URL; the bytes decide at confirm.
DECLARABLE_TYPES = frozenset(
    {"image/jpeg", "image/jpg", "image/png", "image/webp", "image/tiff", "image/heic", "image/heif"}
)


class Rejected(Conflict):
    message = "This photo was rejected by the upload checks. Please upload it again."


class AlreadyConfirmed(Conflict):
    message = "This photo is already confirmed and cannot be replaced."


_INTAKE_ERRORS = (PayloadTooLarge, UnsupportedMediaType, InvalidField)
_checking = KeyedLocks()  # photo id → its confirm, or a PUT of its upload, one at a time

_COLUMNS = tuple(Photo.__dataclass_fields__)  # the dataclass's fields are the row's columns
_INSERT = (
    f"INSERT INTO photos ({', '.join(_COLUMNS)})"  # noqa: S608 - fixed names, not values
    f" VALUES ({', '.join('?' for _ in _COLUMNS)})"
)


async def create_pending(
    db: Database, storage: Storage, user_id: str, content_type: str, named: Identity = UNNAMED
) -> tuple[Photo, str]:
    """A pending photo and its presigned PUT URL (root-relative for local storage)."""
    media_type = content_type.split(";", 1)[0].strip().lower()  # "image/jpeg; q=1" is fine
    if media_type not in DECLARABLE_TYPES:
        raise UnsupportedMediaType(declared=content_type)
    photo = _new_photo(user_id, media_type, PENDING, named=named)
    await _insert(db, photo)
    return photo, storage.presign_put(keys.upload(user_id, photo.id), media_type)


async def confirm(
    db: Database,
    storage: Storage,
    limits: UploadSettings,
    intake: Intake,
    user_id: str,
    photo_id: str,
) -> Photo:
    """Check the uploaded bytes by content and keep exactly the bytes checked.

    The signed URL writes `keys.upload`; confirm reads it once, checks what it read and stores
    that copy at the photo's own key, which no signed URL can write: a PUT that races the
    check (to irisd's URL or to S3's) cannot swap what is kept. Confirms of one photo run one
    at a time, and irisd's own PUT waits for them (`write_upload`). Idempotent for a photo
    already confirmed.
    """
    async with _checking.hold(photo_id):
        photo = await get_photo(db, user_id, photo_id)
        if photo.upload_status == UPLOADED:
            return photo
        upload_key = keys.upload(user_id, photo_id)
        try:
            data = await _load_upload(storage, photo, upload_key, limits)
            found = await intake.inspect(data, limits.max_pixels)
        except _INTAKE_ERRORS:
            await _reject(db, storage, photo)
            raise
        accepted = await _accept(db, storage, photo, data, found)
        await storage.delete(upload_key)  # its checked copy is kept: the upload has served
        return accepted


async def upload(
    db: Database,
    storage: Storage,
    limits: UploadSettings,
    intake: Intake,
    user_id: str,
    data: bytes,
    named: Identity = UNNAMED,
) -> Photo:
    """Direct upload: check `data`, then store it and its row; nothing is kept if it fails."""
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(size=len(data))
    found = await intake.inspect(data, limits.max_pixels)
    photo = _new_photo(user_id, found.content_type, UPLOADED, found, len(data), named)
    await _store(storage, photo.s3_key, data, found, user_id, photo.id)
    try:
        await _insert(db, photo)
    except BaseException:
        await delete_objects(storage, photo)
        raise
    return photo


async def write_upload(db: Database, storage: Storage, key: str, data: bytes) -> None:
    """A signed PUT of `data` to the upload key `key` (local storage's /files route).

    Written while its photo awaits confirm, never during one (they take turns per photo). A
    signed URL outlives its photo: a PUT after DELETE is refused (404), and after confirm the
    same bytes again are a no-op (the app repeats PUTs) while other bytes are refused (409).
    """
    user_id, photo_id = _upload_owner(key)
    async with _checking.hold(photo_id):
        row = await db.fetchone(
            "SELECT upload_status, s3_key FROM photos WHERE id = ? AND user_id = ?"
            " AND deleted_at IS NULL",
            (photo_id, user_id),
        )
        if row is None:
            raise NotFound(key=key)
        if row["upload_status"] != UPLOADED:
            await storage.put(key, data, "application/octet-stream")
            return
        try:
            same = await storage.get(row["s3_key"]) == data
        except ObjectMissing:
            same = False
        if not same:
            raise AlreadyConfirmed(key=key)


def _upload_owner(key: str) -> tuple[str, str]:
    """(user id, photo id) of an upload key, as `keys.upload` spells it; else NotFound."""
    parts = key.split("/")
    if len(parts) != 3 or key != keys.upload(parts[1], parts[2]):
        raise NotFound(key=key)
    return parts[1], parts[2]


def _new_photo(
    user_id: str,
    content_type: str,
    status: str,
    found: Inspection | None = None,
    file_size: int | None = None,
    named: Identity = UNNAMED,
) -> Photo:
    photo_id = str(uuid.uuid4())
    stamp = now()
    return Photo(
        id=photo_id,
        user_id=user_id,
        s3_key=keys.original(user_id, photo_id),
        content_type=content_type,
        width=found.width if found else None,
        height=found.height if found else None,
        file_size=file_size,
        upload_status=status,
        created_at=stamp,
        updated_at=stamp,
        filename=named.filename,
        label=named.label,
    )


async def _insert(db: Database, photo: Photo) -> None:
    await db.execute(_INSERT, [getattr(photo, name) for name in _COLUMNS])


async def _load_upload(storage: Storage, photo: Photo, key: str, limits: UploadSettings) -> bytes:
    size = await storage.size(key)
    if size is None:
        raise Rejected() if photo.upload_status == FAILED else NotUploaded()
    if size > limits.max_bytes:
        # S3 presigned PUTs cannot cap the size, so it is checked here.
        raise PayloadTooLarge(size=size)
    try:
        return await storage.get(key)
    except ObjectMissing as exc:
        raise NotUploaded() from exc


async def _store(
    storage: Storage, key: str, data: bytes, found: Inspection, user_id: str, photo_id: str
) -> None:
    await storage.put(key, data, found.content_type)
    await storage.put(keys.thumbnail(user_id, photo_id), found.thumbnail, "image/jpeg")


async def _accept(
    db: Database, storage: Storage, photo: Photo, data: bytes, found: Inspection
) -> Photo:
    # Re-put the checked bytes through `put`: it sets the measured Content-Type and, on S3,
    # server-side encryption, which a presigned PUT from the app does not carry.
    await _store(storage, photo.s3_key, data, found, photo.user_id, photo.id)
    changed = await db.execute(
        "UPDATE photos SET upload_status = ?, content_type = ?, width = ?, height = ?,"
        " file_size = ?, updated_at = ? WHERE id = ? AND user_id = ?",
        (
            UPLOADED,
            found.content_type,
            found.width,
            found.height,
            len(data),
            now(),
            photo.id,
            photo.user_id,
        ),
    )
    if not changed:  # deleted while we checked it: leave nothing behind
        await delete_objects(storage, photo)
        raise NotFound()
    return await get_photo(db, photo.user_id, photo.id)


async def _reject(db: Database, storage: Storage, photo: Photo) -> None:
    await storage.delete(keys.upload(photo.user_id, photo.id))
    await db.execute(
        "UPDATE photos SET upload_status = ?, updated_at = ? WHERE id = ? AND user_id = ?",
        (FAILED, now(), photo.id, photo.user_id),
    )
