"""Absolute URLs for clients: root-relative URLs (local storage, WebSocket paths) get a base."""

from __future__ import annotations

from aiohttp import web

from irisd.api.appkeys import SETTINGS, STORAGE
from irisd.storage import TRASH_SCOPE, keys


def base_url(request: web.Request) -> str:
    """`[server] public_url` if set (behind a proxy), else the scheme and host the client used."""
    public = request.app[SETTINGS].server.public_url
    if public:
        return public.rstrip("/")
    return f"{request.scheme}://{request.host}"


def join(base: str, url: str) -> str:
    """`url` unchanged when absolute (S3 presigned URLs), else `base` + `url`."""
    if url.startswith(("http://", "https://", "ws://", "wss://")):
        return url
    return f"{base.rstrip('/')}/{url.lstrip('/')}"


def absolute(request: web.Request, url: str) -> str:
    """An absolute URL the phone can reach for `url` (absolute URLs are returned unchanged)."""
    return join(base_url(request), url)


def object_url(request: web.Request, key: str) -> str:
    """A presigned URL of the object at `key`, absolute for this request's client."""
    return absolute(request, request.app[STORAGE].presign_get(key))


def trash_object_url(request: web.Request, key: str) -> str:
    """`object_url` for the owner's trash view: serves the object while it is in the trash."""
    return absolute(request, request.app[STORAGE].presign_get(key, TRASH_SCOPE))


def trashed_result_url(request: web.Request, key: str) -> str:
    """A result deleted on its own: its objects from the trash, its photo's (not in the trash)
    as any other URL (on S3 only the result's objects were moved aside)."""
    owner = keys.owner(key)
    if owner is not None and owner[0] == "job":
        return trash_object_url(request, key)
    return object_url(request, key)
