"""Operations: /healthz, /readyz, /metrics and the OpenAPI document."""

from __future__ import annotations

from aiohttp import web

from irisd.api import wire
from irisd.api.appkeys import DATABASE, ENGINE, METRICS, SETTINGS, STORAGE
from irisd.api.errors import detail
from irisd.api.openapi import document
from irisd.auth.secrets_equal import secrets_equal
from irisd.errors import StorageError, Unauthorized

routes = web.RouteTableDef()


@routes.get("/healthz")
async def healthz(_request: web.Request) -> web.Response:
    return web.json_response(wire.status("ok"))


@routes.get("/readyz")
async def readyz(request: web.Request) -> web.Response:
    """200 when the database is writable, storage answers and a worker is warm."""
    problems = []
    if not await request.app[DATABASE].writable():
        problems.append("database is not writable")
    try:
        await request.app[STORAGE].ping()
    except StorageError:
        problems.append("storage does not answer")
    if not request.app[ENGINE].alive():
        problems.append("the worker pool is not running")
    elif not request.app[ENGINE].warm():
        problems.append("no worker has loaded its models yet")
    if problems:
        return detail(503, "Not ready: " + "; ".join(problems) + ".")
    return web.json_response(wire.status("ready"))


@routes.get("/metrics")
async def metrics(request: web.Request) -> web.Response:
    """Prometheus text; with `[server] metrics_token`, only for a Bearer of that token."""
    expected = request.app[SETTINGS].server.metrics_token
    if expected:
        given = request.headers.get("Authorization", "")
        if not secrets_equal(given, f"Bearer {expected}"):
            raise Unauthorized("GET /metrics needs the configured metrics token.")
    return web.Response(
        text=request.app[METRICS].render(), content_type="text/plain", charset="utf-8"
    )


@routes.get("/api/openapi.json")
async def openapi(_request: web.Request) -> web.Response:
    return web.json_response(document())
