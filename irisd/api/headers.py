"""Browser security headers on every response, and the Origin check of WebSockets.

The console (`/`, `/static/`) gets a Content-Security-Policy that allows what static/ uses and
nothing else: its own modules and stylesheet, images from this server (results, originals on
signed URLs), `blob:` (the upload previews) and the storage's origin when that is elsewhere
(S3, or `public_url`), fetch and WebSocket to this server. Everything else (JSON, signed files)
gets `default-src 'none'`, so a stored file that is also HTML can never run as a page, and
`nosniff` keeps a browser from guessing that it is. `Server` names no versions.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from functools import cache
from urllib.parse import urlsplit

from aiohttp import web

from irisd.api.appkeys import SETTINGS
from irisd.config import Settings

SERVER = "irisd"
CONSOLE_PATHS = ("/static/",)
_COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",  # for browsers that predate frame-ancestors
    "Referrer-Policy": "no-referrer",
}
_LOCKED = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# TLS mode: browsers keep to https:// for a year. No includeSubDomains: other devices under
# the clinic's domain may not speak HTTPS.
HSTS = "max-age=31536000"


def secure(headers: MutableMapping[str, str], policy: str = _LOCKED) -> None:
    """Add the headers every response carries (the console passes its own policy)."""
    headers.update(_COMMON)
    headers["Content-Security-Policy"] = policy
    headers["Server"] = SERVER


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    """on_response_prepare: runs before aiohttp writes its default Server header."""
    console = request.path == "/" or request.path.startswith(CONSOLE_PATHS)
    settings = request.app[SETTINGS]
    secure(response.headers, console_policy(settings) if console else _LOCKED)
    if settings.server.tls_cert:
        response.headers["Strict-Transport-Security"] = HSTS


@cache
def console_policy(settings: Settings) -> str:
    elsewhere = " ".join(sorted(_foreign_origins(settings)))
    images = f"'self' blob: {elsewhere}".strip()
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {images}; connect-src 'self' {elsewhere}".strip()
        + "; manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def _foreign_origins(settings: Settings) -> set[str]:
    """Origins other than the page's own that signed URLs may point at."""
    found = set()
    for url in (settings.server.public_url, settings.storage.s3_endpoint_url):
        if url:
            found.add(_origin(url))
    if settings.storage.backend == "s3" and not settings.storage.s3_endpoint_url:
        found.add("https://*.amazonaws.com")
    return found


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def origin_allowed(request: web.Request) -> bool:
    """A WebSocket's Origin: none (the app), this server's own, or one of `[ws] origins`."""
    origin = request.headers.get("Origin")
    if origin is None:
        return True
    settings = request.app[SETTINGS]
    own = {f"{request.scheme}://{request.host}"}
    if settings.server.public_url:
        own.add(_origin(settings.server.public_url))
    return origin.rstrip("/") in own | set(settings.ws.origins.split())
