"""/files/{key}: GET and PUT of local-storage objects on signed, expiring URLs (no bearer token)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from aiohttp import web

from irisd import photo_uploads, trash
from irisd.api import schemas
from irisd.api.appkeys import DATABASE, SETTINGS, STORAGE, UPLOAD_SLOTS
from irisd.api.body_deadline import body_deadline
from irisd.errors import Forbidden, NotFound, PayloadTooLarge, StorageError
from irisd.storage import TRASH_SCOPE
from irisd.storage.local import LocalStorage, sniff_content_type

routes = web.RouteTableDef()

FORBIDDEN = "This link is invalid or has expired."
UPLOADABLE_PREFIX = "uploads/"
_SNIFF_BYTES = 16
_NO_STORE = {"Cache-Control": "private, no-store"}


def _local(request: web.Request) -> LocalStorage:
    storage = request.app[STORAGE]
    if not isinstance(storage, LocalStorage):  # with S3, URLs point at S3 itself
        raise NotFound()
    return storage


def _verified_key(request: web.Request, method: str, scope: str = "") -> tuple[LocalStorage, str]:
    """The storage and the URL's key, if its signature allows `method` now; else 403."""
    storage = _local(request)
    key = request.match_info["key"]
    query = request.query
    try:
        storage.signer.verify(method, key, query.get("expires", ""), query.get("sig", ""), scope)
        storage.path(key)
    except (Forbidden, StorageError) as exc:
        raise Forbidden(FORBIDDEN, key=key, reason=exc.context.get("reason")) from exc
    return storage, key


@routes.get("/files/{key:.+}")
async def get_file(request: web.Request) -> web.StreamResponse:
    scope = request.query.get("scope", "")
    storage, key = _verified_key(request, "GET", scope)
    # Deleted means deleted: a URL given out before the delete answers as REST does (404);
    # only the trash view's own URLs show what is in the trash.
    if scope != TRASH_SCOPE and await trash.holds(request.app[DATABASE], key):
        raise NotFound(key=key)
    path = storage.path(key)
    head = await asyncio.to_thread(_head, path)
    if head is None:
        raise NotFound(key=key)
    headers = {**_NO_STORE, "Content-Type": sniff_content_type(head, key)}
    return web.FileResponse(path, headers=headers)


@routes.put("/files/{key:.+}")
async def put_file(request: web.Request) -> web.Response:
    storage, key = _verified_key(request, "PUT")
    if not key.startswith(UPLOADABLE_PREFIX):
        raise Forbidden(FORBIDDEN, key=key, reason="not an upload key")
    owner = key.split("/")[1]  # uploads/{user}/{photo}: a signed key names its user
    limits = request.app[SETTINGS].uploads
    async with request.app[UPLOAD_SLOTS].hold(owner):
        async with body_deadline(limits.body_timeout_s):
            data = await _body(request, limits.max_bytes)
        await photo_uploads.write_upload(request.app[DATABASE], storage, key, data)
    return web.Response(status=200, headers=_NO_STORE)


async def _body(request: web.Request, max_bytes: int) -> bytes:
    """The raw body, refused early by Content-Length and counted while read (413)."""
    length = request.content_length
    if length is not None and length > max_bytes:
        raise PayloadTooLarge(size=length)
    return await schemas.read_capped(request.content.read, max_bytes)


def _head(path: Path) -> bytes | None:
    try:
        with path.open("rb") as file:
            return file.read(_SNIFF_BYTES)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
