"""The route table, read top to bottom like API.md."""

from __future__ import annotations

from aiohttp import web

from irisd.api import auth, files, ops, photos, processing, ws


def routes() -> list[web.AbstractRouteDef]:
    return [
        *auth.routes,
        *photos.routes,
        *processing.routes,
        *ws.routes,
        *ops.routes,
        *files.routes,
    ]
