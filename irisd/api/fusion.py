"""/api/v1/fusion and /api/v1/composition: 2..4 of the caller's artworks blended into one
iris or laid out side by side (the app's fusion screens; snake_case like its types).

The app also sends a `circle_id`: circles and consent between users do not exist on a box,
so it is accepted and ignored, and every artwork must be the caller's own (another user's
id is "not found", as an unknown one is). The answer is always `submitted`.
"""

from __future__ import annotations

from functools import partial
from typing import Any, get_args

from aiohttp import web

from irisd import studio
from irisd.api import schemas, wire_studio
from irisd.api.appkeys import DATABASE, ENGINE, SETTINGS
from irisd.api.urls import object_url
from irisd.art.fusion import BlendMode
from irisd.art.layout import Layout
from irisd.errors import InvalidField
from irisd.jobs import store
from irisd.jobs.model import JobKind

routes = web.RouteTableDef()

KINDS = (JobKind.FUSION, JobKind.COMPOSITION)
MODES: tuple[str, ...] = get_args(BlendMode)
LAYOUTS: tuple[str, ...] = get_args(Layout)
BAD_ARTWORKS = (
    f"'artwork_ids' must be a list of {studio.MIN_SOURCES} to {studio.MAX_SOURCES} different"
    " ids of your processed or styled results."
)
MAX_LIMIT = 100


def _artwork_ids(body: dict[str, Any]) -> list[str]:
    value = schemas.spelled(body, "artwork_ids", "artworkIds")
    ok = isinstance(value, list) and all(isinstance(item, str) and item for item in value)
    if not ok or not studio.MIN_SOURCES <= len(set(value)) == len(value) <= studio.MAX_SOURCES:
        raise InvalidField(BAD_ARTWORKS)
    return list(value)


def _one_of(
    body: dict[str, Any], names: tuple[str, ...], allowed: tuple[str, ...], default: str | None
) -> str:
    value = schemas.spelled(body, *names)
    value = default if value is None else value
    if value not in allowed:
        raise InvalidField(f"'{names[0]}' must be one of {', '.join(allowed)}.")
    return str(value)


async def _submit(request: web.Request, kind: JobKind, choice: dict[str, str],
                  artwork_ids: list[str]) -> web.Response:  # fmt: skip
    user_id, db = schemas.user_id(request), request.app[DATABASE]
    privacy = request.app[SETTINGS].privacy
    spec = await studio.combine(db, privacy, user_id, kind, artwork_ids, choice)
    record = await request.app[ENGINE].submit_art(user_id, spec)
    return web.json_response(wire_studio.fusion_submitted(record), status=201)


@routes.post("/api/v1/fusion")
async def fuse(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    artwork_ids = _artwork_ids(body)
    mode = _one_of(body, ("blend_mode", "blendMode"), MODES, "poisson")
    return await _submit(request, JobKind.FUSION, {"mode": mode}, artwork_ids)


@routes.post("/api/v1/composition")
async def compose(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    artwork_ids = _artwork_ids(body)
    layout = _one_of(body, ("layout",), LAYOUTS, None)
    return await _submit(request, JobKind.COMPOSITION, {"layout": layout}, artwork_ids)


@routes.get("/api/v1/fusion/{fusion_id}")
async def get_fusion(request: web.Request) -> web.Response:
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    found = await store.named_job(db, user_id, request.match_info["fusion_id"], KINDS)
    return web.json_response(wire_studio.fusion(found, partial(object_url, request)))


@routes.post("/api/v1/fusion/{fusion_id}/cancel")
async def cancel(request: web.Request) -> web.Response:
    """Additive: stop a fusion or composition (pending: at once; running: at its next step)."""
    user_id, job_id = schemas.user_id(request), request.match_info["fusion_id"]
    await request.app[ENGINE].cancel(user_id, job_id, KINDS)
    found = await store.named_job(request.app[DATABASE], user_id, job_id, KINDS)
    return web.json_response(wire_studio.fusion(found, partial(object_url, request)))


@routes.get("/api/v1/fusion")
async def list_fusions(request: web.Request) -> web.Response:
    """The app's list: a plain array, paged by `offset` and `limit` (its getUserFusions)."""
    offset = _whole(request, "offset", 0, schemas.MAX_PAGE)
    limit = _whole(request, "limit", 20, MAX_LIMIT)
    db, user_id = request.app[DATABASE], schemas.user_id(request)
    window = await store.named_window(db, user_id, offset, limit, KINDS)
    url = partial(object_url, request)
    return web.json_response([wire_studio.fusion(found, url) for found in window])


def _whole(request: web.Request, name: str, default: int, top: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    value = schemas.whole_number(raw.strip(), 0, top)
    if value is None:
        raise InvalidField(f"'{name}' must be a whole number from 0 to {top}.")
    return value
