"""The art studio's submissions (issue 27): what each art job works from, checked for the
caller, as the `ArtSpec` the engine queues (`Engine.submit_art`).

Every source is one of the caller's own completed results (jobs/art_params.py: an "artwork"
is a processing or style job id); another user's id is "not found" like an unknown one,
whatever else the request names (the app's `circle_id`: there are no circles on a box). Each
source's photo passes the same consent check as processing (privacy/gate.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from irisd import photos
from irisd.config import PrivacySettings
from irisd.db import Database
from irisd.errors import Conflict, InvalidField
from irisd.jobs import art_params, store
from irisd.jobs.art_params import Source
from irisd.jobs.model import JobKind
from irisd.jobs.store import ArtSpec
from irisd.privacy import gate

MIN_SOURCES, MAX_SOURCES = 2, 4  # a fusion or composition (the app's own bounds)
ExportSource = Literal["processed", "styled"]
EXPORT_SOURCES: dict[str, tuple[JobKind, ...]] = {
    "processed": (JobKind.PROCESS,),
    "styled": (JobKind.STYLE,),
}


class NothingToStyle(Conflict):
    message = "This photo has no processed iris yet: process it first, then apply a style."


class OtherPhoto(InvalidField):
    message = "'processingJobId' must be a processing job of the photo named by 'photoId'."


async def style(
    db: Database,
    privacy: PrivacySettings,
    user_id: str,
    photo_id: str,
    preset_id: str,
    processing_job_id: str | None,
) -> ArtSpec:
    """A style of the photo's print: the processing job named, else its newest result."""
    photo = await photos.get_uploaded_photo(db, user_id, photo_id)
    job_id = processing_job_id or await store.latest_result(db, user_id, photo.id)
    if job_id is None:
        raise NothingToStyle(photo_id=photo_id)
    found = await art_params.source(db, user_id, job_id, (JobKind.PROCESS,))
    if found.photo_id != photo.id:
        raise OtherPhoto(job_id=job_id)
    await gate.check(db, privacy, photo)
    return art_params.spec(JobKind.STYLE, [found], preset=preset_id)


async def export(
    db: Database,
    privacy: PrivacySettings,
    user_id: str,
    source_type: ExportSource,
    source_job_id: str,
    choices: dict[str, str | None],
) -> ArtSpec:
    """An HD export of a processed or styled print; `choices`: print_size and format."""
    found = await art_params.source(db, user_id, source_job_id, EXPORT_SOURCES[source_type])
    await _consented(db, privacy, user_id, [found])
    native = await art_params.native_px(db, found)
    return art_params.spec(
        JobKind.EXPORT, [found], native_px=native, source_type=source_type, **choices
    )


async def combine(
    db: Database,
    privacy: PrivacySettings,
    user_id: str,
    kind: JobKind,
    artwork_ids: Sequence[str],
    choice: dict[str, str],
) -> ArtSpec:
    """A fusion (choice: mode) or composition (choice: layout) of 2..4 of the caller's
    artworks, in the order given."""
    found = [await art_params.source(db, user_id, job_id) for job_id in artwork_ids]
    await _consented(db, privacy, user_id, found)
    return art_params.spec(kind, found, **choice)


async def _consented(
    db: Database, privacy: PrivacySettings, user_id: str, sources: Sequence[Source]
) -> None:
    for photo_id in dict.fromkeys(source.photo_id for source in sources):
        await gate.check(db, privacy, await photos.get_photo(db, user_id, photo_id))
