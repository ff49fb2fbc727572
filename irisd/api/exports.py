"""/api/v1/exports: the app's HD export jobs (a print at a named print size, with its dpi)."""

from __future__ import annotations

from functools import partial
from typing import Any

from aiohttp import web

from irisd import studio
from irisd.api import schemas, wire_studio
from irisd.api.appkeys import DATABASE, ENGINE, SETTINGS
from irisd.api.urls import object_url
from irisd.art import export
from irisd.errors import InvalidField
from irisd.jobs import store
from irisd.jobs.model import JobKind

routes = web.RouteTableDef()

KINDS = (JobKind.EXPORT,)
FORMATS = ("png", "tiff")
BAD_SOURCE_TYPE = (
    '\'sourceType\' must be "processed" or "styled" (AI generation is not on this box).'
)
BAD_SOURCE_ID = "'sourceJobId' must be the id of one of your processing or style jobs."
BAD_FORMAT = '\'format\' must be "png" or "tiff".'


def _print_size(value: Any) -> str | None:
    if value is None:
        return None
    sizes = [size.id for size in export.PRINT_SIZES]
    if value not in sizes:
        raise InvalidField(f"'printSize' must be one of {', '.join(sizes)}.")
    return str(value)


def _job(request: web.Request, found: store.Named) -> dict[str, Any]:
    return wire_studio.export_job(found, partial(object_url, request))


@routes.post("/api/v1/exports/hd")
async def request_export(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    source_type = schemas.spelled(body, "sourceType", "source_type")
    if source_type not in studio.EXPORT_SOURCES:
        raise InvalidField(BAD_SOURCE_TYPE)
    source_id = schemas.text_id(
        schemas.spelled(body, "sourceJobId", "source_job_id"), BAD_SOURCE_ID
    )
    file_format = schemas.spelled(body, "format") or "png"
    if file_format not in FORMATS:
        raise InvalidField(BAD_FORMAT)
    choices = {
        "print_size": _print_size(schemas.spelled(body, "printSize", "print_size")),
        "format": file_format,
    }
    user_id, db = schemas.user_id(request), request.app[DATABASE]
    privacy = request.app[SETTINGS].privacy
    spec = await studio.export(db, privacy, user_id, source_type, source_id, choices)
    record = await request.app[ENGINE].submit_art(user_id, spec)
    found = await store.named_job(db, user_id, record.state.job_id, KINDS)
    return web.json_response(_job(request, found), status=201)


@routes.get("/api/v1/exports/jobs/{job_id}")
async def get_job(request: web.Request) -> web.Response:
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    found = await store.named_job(db, user_id, request.match_info["job_id"], KINDS)
    return web.json_response(_job(request, found))


@routes.get("/api/v1/exports/jobs/{job_id}/payment-status")
async def payment_status(request: web.Request) -> web.Response:
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    found = await store.named_job(db, user_id, request.match_info["job_id"], KINDS)
    return web.json_response(wire_studio.payment_status(found.record.state.job_id))


@routes.post("/api/v1/exports/jobs/{job_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    """Additive: stop an export job (pending: at once; running: at its next step)."""
    user_id, job_id = schemas.user_id(request), request.match_info["job_id"]
    await request.app[ENGINE].cancel(user_id, job_id, KINDS)
    found = await store.named_job(request.app[DATABASE], user_id, job_id, KINDS)
    return web.json_response(_job(request, found))


@routes.get("/api/v1/exports/jobs")
async def list_jobs(request: web.Request) -> web.Response:
    page, page_size = schemas.page_query(request)
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    items, total = await store.named_page(db, user_id, page, page_size, kinds=KINDS)
    return web.json_response(wire_studio.page([_job(request, item) for item in items], total))
