"""The HTTP and WebSocket transport; `routes()` is the route table, read top to bottom like API.md.

Handlers by API.md section: auth.py, photos.py, processing.py, ws.py (over feeds.py, with
keepalive.py's ticker), ops.py (with openapi.py and openapi_paths.py), files.py (local
storage's signed URLs); trash.py (additive: deleted photos and results, restorable for a
while); privacy.py (additive: the app's consent flow, erasure and export of a person's data);
styles.py, exports.py and fusion.py (additive: the app's art studio, docs/studio-api.md, over
wire_studio.py's shapes).
What every handler shares: appkeys.py (the server's shared objects on the app), bearer.py
(the Bearer middleware and the WebSocket token check), schemas.py (reading requests), wire.py
(every JSON shape sent back), urls.py (absolute and presigned URLs), errors.py (RequestError
-> {"detail"}) and access.py (the request log). http_runner.py is aiohttp's runner.
"""

from __future__ import annotations

from aiohttp import web

from irisd.api import (
    auth,
    exports,
    files,
    fusion,
    ops,
    photos,
    privacy,
    processing,
    styles,
    trash,
    ws,
)


def routes() -> list[web.AbstractRouteDef]:
    return [
        *auth.routes,
        *photos.routes,
        *processing.routes,
        *styles.routes,
        *exports.routes,
        *fusion.routes,
        *trash.routes,
        *privacy.routes,
        *ws.routes,
        *ops.routes,
        *files.routes,
    ]
