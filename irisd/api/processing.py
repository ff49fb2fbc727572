"""/api/v1/processing: submit, batch, get, list, reprocess, cancel (API.md "Processing jobs")."""

from __future__ import annotations

from typing import Any, TypeGuard

from aiohttp import web

from irisd import photos
from irisd.api import schemas
from irisd.api.urls import absolute
from irisd.appkeys import DATABASE, ENGINE, STORAGE
from irisd.errors import BadRequest, Conflict, InvalidField, NotFound
from irisd.jobs import store
from irisd.jobs.model import JobStatus
from irisd.jobs.store import BATCH_PRIORITY, SINGLE_PRIORITY, JobRecord
from irisd.storage import keys

routes = web.RouteTableDef()

MAX_BATCH = 10
BAD_PHOTO_ID = "'photo_id' must be the id of one of your photos."
BAD_PHOTO_IDS = f"'photo_ids' must be a list of 1 to {MAX_BATCH} photo ids."
NONE_VALID = "None of these photos can be processed: they are unknown or not uploaded yet."


def job_json(request: web.Request, record: JobRecord) -> dict[str, Any]:
    """The contract's Job. URLs are presigned and absolute (the phone fetches them as they are).

    `current_step` is the display text ("Finding your iris..."), not the internal step name:
    it is what the app puts on screen, and the same text the WebSocket's `step` carries.
    `quality_notes` (additive to API.md) are short sentences on what holds a completed
    result back: `[]` for a clean result and for a job that has not completed.
    """
    s = record.state
    storage = request.app[STORAGE]

    def url(key: str | None) -> str | None:
        return absolute(request, storage.presign_get(key)) if key else None

    done = s.status is JobStatus.COMPLETED
    return {
        "job_id": s.job_id,
        "photo_id": s.photo_id,
        "status": s.status.value,
        "current_step": s.display,
        "progress": s.progress,
        "error_type": s.error_type,
        "error_message": s.error_message,
        "suggestion": s.suggestion,
        "attempt_count": s.attempt,
        "result_url": url(s.result_key) if done else None,
        "mask_url": url(s.mask_key) if done else None,
        "original_url": url(keys.original(s.user_id, s.photo_id)),
        "processing_time_ms": s.processing_time_ms,
        "result_width": s.result_width,
        "result_height": s.result_height,
        "quality_score": s.quality_score,
        "quality_notes": list(s.quality_notes) if done else [],
        "queue_position": s.queue_position if s.status is JobStatus.PENDING else None,
        "websocket_url": f"/ws/jobs/{s.job_id}",
        "created_at": record.created_at,
        "updated_at": s.updated_at,
    }


@routes.post("/api/v1/processing/submit")
async def submit(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    photo_id = body.get("photo_id")
    if not isinstance(photo_id, str) or not photo_id:
        raise InvalidField(BAD_PHOTO_ID)
    user_id = schemas.user_id(request)
    photo = await photos.get_uploaded_photo(request.app[DATABASE], user_id, photo_id)
    [record] = await request.app[ENGINE].submit(user_id, [photo.id], SINGLE_PRIORITY)
    return web.json_response(job_json(request, record), status=201)


@routes.post("/api/v1/processing/batch")
async def batch(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    photo_ids = body.get("photo_ids")
    if not _is_id_list(photo_ids):
        raise InvalidField(BAD_PHOTO_IDS)
    user_id = schemas.user_id(request)
    valid = [p for p in dict.fromkeys(photo_ids) if await _processable(request, user_id, p)]
    if not valid:
        raise BadRequest(NONE_VALID)
    records = await request.app[ENGINE].submit(user_id, valid, BATCH_PRIORITY)
    return web.json_response({"jobs": [job_json(request, r) for r in records]}, status=201)


def _is_id_list(value: Any) -> TypeGuard[list[str]]:
    return (
        isinstance(value, list)
        and 1 <= len(value) <= MAX_BATCH
        and all(isinstance(item, str) and item for item in value)
    )


async def _processable(request: web.Request, user_id: str, photo_id: str) -> bool:
    """Skipped in a batch: unknown, foreign and not-yet-uploaded photos (API.md)."""
    try:
        await photos.get_uploaded_photo(request.app[DATABASE], user_id, photo_id)
    except (NotFound, Conflict):
        return False
    return True


@routes.get("/api/v1/processing/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    return web.json_response(await schemas.paged(request, store.list_for_user, job_json))


@routes.get("/api/v1/processing/jobs/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    record = await store.fetch_for_user(
        request.app[DATABASE], schemas.user_id(request), request.match_info["job_id"]
    )
    return web.json_response(job_json(request, record))


@routes.post("/api/v1/processing/jobs/{job_id}/reprocess")
async def reprocess(request: web.Request) -> web.Response:
    # The app sends an empty body (with a JSON content type): the body is never read.
    user_id = schemas.user_id(request)
    db = request.app[DATABASE]
    record = await store.fetch_for_user(db, user_id, request.match_info["job_id"])
    photo = await photos.get_uploaded_photo(db, user_id, record.state.photo_id)
    [new] = await request.app[ENGINE].submit(user_id, [photo.id], SINGLE_PRIORITY)
    return web.json_response(job_json(request, new), status=201)


@routes.post("/api/v1/processing/jobs/{job_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    record = await request.app[ENGINE].cancel(
        schemas.user_id(request), request.match_info["job_id"]
    )
    return web.json_response(job_json(request, record))
