"""/api/v1/processing: submit, batch, get, list, reprocess, cancel (API.md "Processing jobs")."""

from __future__ import annotations

from functools import partial
from typing import Any, TypeGuard

from aiohttp import web

from irisd import photo_names, photos
from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, ENGINE, SETTINGS
from irisd.api.urls import object_url
from irisd.errors import BadRequest, Conflict, InvalidField, NotFound
from irisd.identity import UNNAMED, Identity
from irisd.jobs import store
from irisd.jobs.store import BATCH_PRIORITY, SINGLE_PRIORITY, JobRecord
from irisd.privacy import gate

routes = web.RouteTableDef()

MAX_BATCH = 10
BAD_PHOTO_ID = "'photo_id' must be the id of one of your photos."
BAD_PHOTO_IDS = f"'photo_ids' must be a list of 1 to {MAX_BATCH} photo ids."
NONE_VALID = "None of these photos can be processed: they are unknown or not uploaded yet."


def _job(request: web.Request, record: JobRecord, named: Identity = UNNAMED) -> dict[str, Any]:
    return wire.job(record, partial(object_url, request), named, warm=_warm(request))


def _named_job(request: web.Request, found: store.Named) -> dict[str, Any]:
    url = partial(object_url, request)
    return wire.job(found.record, url, found.identity, found.previews, _warm(request))


def _warm(request: web.Request) -> bool:
    return request.app[ENGINE].warm()


async def _name(request: web.Request, record: JobRecord) -> Identity:
    found = await photo_names.names(
        request.app[DATABASE], record.state.user_id, [record.state.photo_id]
    )
    return photo_names.name_of(found, record)


@routes.post("/api/v1/processing/submit")
async def submit(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    photo_id = body.get("photo_id")
    if not isinstance(photo_id, str) or not photo_id:
        raise InvalidField(BAD_PHOTO_ID)
    user_id = schemas.user_id(request)
    photo = await photos.get_uploaded_photo(request.app[DATABASE], user_id, photo_id)
    await gate.check(request.app[DATABASE], request.app[SETTINGS].privacy, photo)
    [record] = await request.app[ENGINE].submit(user_id, [photo.id], SINGLE_PRIORITY)
    named = Identity(photo.filename, photo.label)
    return web.json_response(_job(request, record, named), status=201)


@routes.post("/api/v1/processing/batch")
async def batch(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    photo_ids = body.get("photo_ids")
    if not _is_id_list(photo_ids):
        raise InvalidField(BAD_PHOTO_IDS)
    user_id = schemas.user_id(request)
    found = [await _processable(request, user_id, p) for p in dict.fromkeys(photo_ids)]
    processable = [photo for photo in found if photo is not None]
    if not processable:
        raise BadRequest(NONE_VALID)
    await gate.check_all(request.app[DATABASE], request.app[SETTINGS].privacy, processable)
    valid = [photo.id for photo in processable]
    records = await request.app[ENGINE].submit(user_id, valid, BATCH_PRIORITY)
    names = {photo.id: Identity(photo.filename, photo.label) for photo in processable}
    reply = wire.jobs(records, partial(object_url, request), names, _warm(request))
    return web.json_response(reply, status=201)


def _is_id_list(value: Any) -> TypeGuard[list[str]]:
    return (
        isinstance(value, list)
        and 1 <= len(value) <= MAX_BATCH
        and all(isinstance(item, str) and item for item in value)
    )


async def _processable(request: web.Request, user_id: str, photo_id: str) -> photos.Photo | None:
    """None for what a batch skips: unknown, foreign and not-yet-uploaded photos (API.md)."""
    try:
        return await photos.get_uploaded_photo(request.app[DATABASE], user_id, photo_id)
    except (NotFound, Conflict):
        return None


@routes.get("/api/v1/processing/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    query = request.query
    fetch = partial(store.named_page, search=query.get("label"), photo_id=query.get("photo_id"))
    return web.json_response(await schemas.paged(request, fetch, _named_job))


@routes.get("/api/v1/processing/jobs/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    found = await store.named_job(
        request.app[DATABASE], schemas.user_id(request), request.match_info["job_id"]
    )
    return web.json_response(_named_job(request, found))


@routes.post("/api/v1/processing/jobs/{job_id}/reprocess")
async def reprocess(request: web.Request) -> web.Response:
    # The app sends an empty body (with a JSON content type): the body is never read.
    user_id = schemas.user_id(request)
    db = request.app[DATABASE]
    found = await store.named_job(db, user_id, request.match_info["job_id"])
    photo = await photos.get_uploaded_photo(db, user_id, found.record.state.photo_id)
    await gate.check(db, request.app[SETTINGS].privacy, photo)
    # Asked again while the photo's job still waits (a double tap): that job, not a second.
    job, new = await request.app[ENGINE].resubmit(user_id, photo.id)
    return web.json_response(_job(request, job, found.identity), status=201 if new else 200)


@routes.post("/api/v1/processing/jobs/{job_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    record = await request.app[ENGINE].cancel(
        schemas.user_id(request), request.match_info["job_id"]
    )
    return web.json_response(_job(request, record, await _name(request, record)))
