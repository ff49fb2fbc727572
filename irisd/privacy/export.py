"""Access and portability: a ZIP of what is held about a person (an account, or a client of
it by label) with a JSON of it all.

    data.json                 the account, the person's photos (trashed ones too), their jobs,
                              consents and erasures: every row held about them
    photos/{photo_id}.{ext}   each original as uploaded, and its thumbnail
    results/{job_id}...       every object each job wrote (result, mask, previews)

Nothing of another account is read: every query is scoped by the account's id.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import IO, Any

from irisd import photos, timestamps
from irisd.auth.users import User
from irisd.db import Database
from irisd.jobs import store
from irisd.jobs.model import LiveState
from irisd.logs import get_logger
from irisd.privacy import consents, erasure
from irisd.privacy.person import Scope
from irisd.storage import Storage, keys

MANIFEST = "data.json"
_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp", "image/tiff": "tif",
               "image/bmp": "bmp", "image/heic": "heic", "image/heif": "heif"}  # fmt: skip
log = get_logger(__name__)


@dataclass(frozen=True)
class Plan:
    """What an export holds: the JSON document and the stored objects, by name in the ZIP."""

    document: dict[str, Any]
    objects: list[tuple[str, str]]  # (name in the ZIP, storage key)


async def plan(db: Database, storage: Storage, user: User, scope: Scope) -> Plan:
    """Read every row held about the person and list their stored objects."""
    where, values = scope.clause()
    rows = await db.fetchall(
        f"SELECT * FROM photos WHERE {where} ORDER BY created_at",  # noqa: S608
        values,
    )
    held, jobs, objects = [], [], []
    for row in rows:
        photo = photos.Photo.from_row(row)
        held.append({**dataclasses.asdict(photo), "deleted_at": row["deleted_at"]})
        objects += await _photo_objects(storage, photo)
        for job in await store.jobs_of_photo(db, photo.id):
            jobs.append(job.to_json())
            objects += await _job_objects(storage, job)
    document = {
        "exported_at": timestamps.now(),
        # A client's export names the staff account holding it, not that account's email.
        "account": {"id": user.id}
        if scope.label is not None
        else {"id": user.id, "email": user.email, "created_at": timestamps.iso(user.created_at)},
        "label": scope.label,
        "photos": held,
        "jobs": jobs,
        "consents": [dataclasses.asdict(c) for c in await consents.of(db, scope)],
        "erasures": [dict(row) for row in await erasure.of(db, scope)],
        "files": [name for name, _key in objects],
    }
    return Plan(document, objects)


async def _photo_objects(storage: Storage, photo: photos.Photo) -> list[tuple[str, str]]:
    ext = _EXTENSIONS.get(photo.content_type, "bin")
    named = [
        (f"photos/{photo.id}.{ext}", photo.s3_key),
        (f"photos/{photo.id}_thumbnail.jpg", keys.thumbnail(photo.user_id, photo.id)),
    ]
    return [(name, key) for name, key in named if await storage.size(key) is not None]


async def _job_objects(storage: Storage, job: LiveState) -> list[tuple[str, str]]:
    """The objects a job wrote, by their known keys: `size` finds an object in the trash too
    (S3 moves a trashed item's objects), where listing the job's prefix would not."""
    named = [job.result_key, job.mask_key]
    named += [keys.preview(job.user_id, job.job_id), keys.original_preview(job.user_id, job.job_id)]
    found = [key for key in dict.fromkeys(named) if key]
    return [
        (f"results/{key.rsplit('/', 1)[1]}", key)
        for key in found
        if await storage.size(key) is not None
    ]


async def write(
    storage: Storage,
    planned: Plan,
    out: IO[bytes],
    advance: Callable[[], object] = lambda: None,
) -> None:
    """Write the ZIP to `out` (a file opened for writing), calling `advance` per object."""
    with zipfile.ZipFile(out, "w") as archive:
        text = json.dumps(planned.document, indent=2, ensure_ascii=False)
        await asyncio.to_thread(_add, archive, MANIFEST, text.encode(), zipfile.ZIP_DEFLATED)
        for name, key in planned.objects:
            data = await storage.get(key)
            # Images are compressed already: stored as they are.
            await asyncio.to_thread(_add, archive, name, data, zipfile.ZIP_STORED)
            advance()


def _add(archive: zipfile.ZipFile, name: str, data: bytes, method: int) -> None:
    archive.writestr(name, data, compress_type=method)


def audit(planned: Plan, user_id: str, by: str, scope: Scope) -> None:
    """The export's audit line: who, for whom, how much; no label, no file names."""
    document = planned.document
    log.info(
        "privacy.exported", user_id=user_id, by=by, for_client=scope.label is not None,
        photos=len(document["photos"]), jobs=len(document["jobs"]),
        objects=len(planned.objects), at=document["exported_at"],
    )  # fmt: skip
