"""/api/v1/styles: the app's style presets, style jobs and (not on a box) AI generation."""

from __future__ import annotations

from functools import partial
from typing import Any

from aiohttp import web

from irisd import studio
from irisd.api import schemas, wire_studio
from irisd.api.appkeys import DATABASE, ENGINE, SETTINGS
from irisd.api.urls import object_url
from irisd.art import styles
from irisd.errors import NotAvailable, NotFound
from irisd.jobs import store
from irisd.jobs.model import JobKind

routes = web.RouteTableDef()

KINDS = (JobKind.STYLE,)
BAD_PHOTO_ID = "'photoId' must be the id of one of your photos."
BAD_PRESET_ID = "'stylePresetId' must be the id of a style preset."
BAD_JOB_ID = "'processingJobId' must be the id of one of your processing jobs."


class UnknownPreset(NotFound):
    message = "There is no style preset with this id."


class NoGeneration(NotAvailable):
    message = (
        "AI art generation is not available on this box: it needs models that are not"
        " installed here. Apply one of the style presets instead."
    )


def _preset(preset_id: str) -> styles.Preset:
    try:
        return styles.preset(preset_id)
    except styles.UnknownPreset:
        raise UnknownPreset(preset_id=preset_id) from None


def _job(request: web.Request, found: store.Named) -> dict[str, Any]:
    shown = _preset(str(found.params.get("preset", "")))
    return wire_studio.style_job(found, shown, partial(object_url, request))


@routes.get("/api/v1/styles/presets")
async def presets(request: web.Request) -> web.Response:
    return web.json_response(wire_studio.presets(styles.PRESETS))


@routes.post("/api/v1/styles/apply")
async def apply(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    photo_id = schemas.text_id(schemas.spelled(body, "photoId", "photo_id"), BAD_PHOTO_ID)
    preset_id = schemas.text_id(
        schemas.spelled(body, "stylePresetId", "style_preset_id"), BAD_PRESET_ID
    )
    processing = schemas.spelled(body, "processingJobId", "processing_job_id")
    if processing is not None:
        processing = schemas.text_id(processing, BAD_JOB_ID)
    _preset(preset_id)
    user_id, db = schemas.user_id(request), request.app[DATABASE]
    privacy = request.app[SETTINGS].privacy
    spec = await studio.style(db, privacy, user_id, photo_id, preset_id, processing)
    record = await request.app[ENGINE].submit_art(user_id, spec)
    found = await store.named_job(db, user_id, record.state.job_id, KINDS)
    return web.json_response(_job(request, found), status=201)


@routes.get("/api/v1/styles/jobs/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    found = await store.named_job(db, user_id, request.match_info["job_id"], KINDS)
    return web.json_response(_job(request, found))


@routes.get("/api/v1/styles/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    page, page_size = schemas.page_query(request)
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    photo_id = request.query.get("photo_id") or None
    items, total = await store.named_page(
        db, user_id, page, page_size, photo_id=photo_id, kinds=KINDS
    )
    return web.json_response(wire_studio.page([_job(request, item) for item in items], total))


@routes.post("/api/v1/styles/jobs/{job_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    """Additive: stop a style job (pending: at once; running: at its next step)."""
    user_id, job_id = schemas.user_id(request), request.match_info["job_id"]
    await request.app[ENGINE].cancel(user_id, job_id, KINDS)
    found = await store.named_job(request.app[DATABASE], user_id, job_id, KINDS)
    return web.json_response(_job(request, found))


@routes.post("/api/v1/styles/generate")
async def generate(request: web.Request) -> web.Response:
    raise NoGeneration()
