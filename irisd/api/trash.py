"""The trash over HTTP: delete one result, restore a photo or a result, list the trash.

The photo delete itself stays DELETE /api/v1/photos/{id} (api/photos.py), which now moves the
photo and its results here for `[storage] trash_days` (irisd/trash.py).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from aiohttp import web

from irisd import trash
from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, SETTINGS, STORAGE
from irisd.api.urls import object_url, trash_object_url, trashed_result_url
from irisd.jobs import store

routes = web.RouteTableDef()


def _days(request: web.Request) -> float:
    return request.app[SETTINGS].storage.trash_days


@routes.delete("/api/v1/processing/jobs/{job_id}")
async def delete_result(request: web.Request) -> web.Response:
    app = request.app
    await trash.delete_result(
        app[DATABASE], app[STORAGE], _days(request), schemas.user_id(request),
        request.match_info["job_id"],
    )  # fmt: skip
    return web.Response(status=204)


@routes.post("/api/v1/photos/{photo_id}/restore")
async def restore_photo(request: web.Request) -> web.Response:
    app = request.app
    photo = await trash.restore_photo(
        app[DATABASE], app[STORAGE], schemas.user_id(request), request.match_info["photo_id"]
    )
    return web.json_response(wire.photo(photo, partial(object_url, request)))


@routes.post("/api/v1/processing/jobs/{job_id}/restore")
async def restore_result(request: web.Request) -> web.Response:
    db, user_id, job_id = (
        request.app[DATABASE],
        schemas.user_id(request),
        request.match_info["job_id"],
    )
    await trash.restore_result(db, request.app[STORAGE], user_id, job_id)
    found = await store.named_job(db, user_id, job_id)
    url = partial(object_url, request)
    return web.json_response(wire.job(found.record, url, found.identity, found.previews))


@routes.get("/api/v1/trash")
async def list_trash(request: web.Request) -> web.Response:
    days = _days(request)
    found_photos, found_results = await trash.contents(
        request.app[DATABASE], schemas.user_id(request)
    )
    # Plain URLs stop serving what is in the trash.
    url, result_url = partial(trash_object_url, request), partial(trashed_result_url, request)
    body: dict[str, Any] = {
        "trash_days": days,
        "photos": [wire.trashed_photo(item, url, days) for item in found_photos],
        "results": [wire.trashed_result(item, result_url, days) for item in found_results],
    }
    return web.json_response(body)
