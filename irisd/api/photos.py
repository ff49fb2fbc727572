"""/api/v1/photos: presigned and direct upload, confirm, list, get, delete."""

from __future__ import annotations

from functools import partial
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from irisd import identity, photo_uploads, photos, trash
from irisd.api import schemas, wire
from irisd.api.appkeys import DATABASE, ENGINE, INTAKE, SETTINGS, STORAGE, UPLOAD_SLOTS
from irisd.api.body_deadline import body_deadline
from irisd.api.urls import absolute, object_url
from irisd.db import Database
from irisd.errors import BadRequest, InvalidField, PayloadTooLarge, UnsupportedMediaType

routes = web.RouteTableDef()

_FORM_OVERHEAD = 64 * 1024  # multipart boundaries and part headers around the file
NOT_MULTIPART = "Send the photo as multipart/form-data with a 'file' field."
NO_FILE_FIELD = "The form needs a 'file' field holding the photo."
BAD_FORM = "The multipart body is malformed."
NO_LABEL = 'Send {"label": "..."} to name the photo, or {"label": null} to clear it.'
_LABEL_BYTES = 4 * identity.MAX_LABEL  # UTF-8: at most 4 bytes a character
# The form needs a file and a label: a few parts more are tolerated, not 200,000 empty ones
# (issue 25 #5: 10.8 MB of them held the event loop for 17.6 s while each was parsed).
MAX_FORM_PARTS = 8
TOO_MANY_PARTS = (
    f"The form has too many parts (at most {MAX_FORM_PARTS}): send a 'file' field and,"
    " optionally, a 'label'."
)


def _photo(request: web.Request, photo: photos.Photo) -> dict[str, Any]:
    return wire.photo(photo, partial(object_url, request))


def _optional_size(body: dict[str, Any], name: str) -> None:
    value = body.get(name)
    if value is not None and (type(value) is not int or value < 0):
        raise InvalidField(f"'{name}' must be a whole number of at least 0.")


@routes.post("/api/v1/photos/upload")
async def request_upload(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    content_type = body.get("content_type", request.query.get("content_type"))
    if content_type is None:
        raise InvalidField("'content_type' is required, e.g. \"image/jpeg\".")
    if not isinstance(content_type, str) or not content_type.strip():
        raise InvalidField("'content_type' must be a media type such as \"image/jpeg\".")
    named = identity.Identity(
        identity.filename(body.get("filename")), identity.label(body.get("label"))
    )
    app = request.app
    photo, url = await photo_uploads.create_pending(
        app[DATABASE], app[STORAGE], schemas.user_id(request), content_type.strip(), named
    )
    return web.json_response(wire.upload_ticket(photo, absolute(request, url)), status=201)


@routes.post("/api/v1/photos/{photo_id}/confirm")
async def confirm(request: web.Request) -> web.Response:
    # The body's file_size/width/height are the client's claims: checked for shape only,
    # the stored values are measured from the bytes.
    body = await schemas.json_object(request)
    for name in ("file_size", "width", "height"):
        _optional_size(body, name)
    app, user_id = request.app, schemas.user_id(request)
    async with app[UPLOAD_SLOTS].hold(user_id):  # confirm reads the whole upload
        photo = await photo_uploads.confirm(
            app[DATABASE],
            app[STORAGE],
            app[SETTINGS].uploads,
            app[INTAKE],
            user_id,
            request.match_info["photo_id"],
        )
    return web.json_response(_photo(request, photo))


@routes.post("/api/v1/photos")
async def upload(request: web.Request) -> web.Response:
    limits = request.app[SETTINGS].uploads
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType(NOT_MULTIPART)
    length = request.content_length
    if length is not None and length > limits.max_bytes + _FORM_OVERHEAD:
        raise PayloadTooLarge(size=length)
    app, user_id = request.app, schemas.user_id(request)
    # The slot before the body: a waiting upload holds only its socket's buffers.
    async with app[UPLOAD_SLOTS].hold(user_id):
        async with body_deadline(limits.body_timeout_s):
            data, named = await _form_fields(request, limits.max_bytes)
        photo = await photo_uploads.upload(
            app[DATABASE], app[STORAGE], limits, app[INTAKE], user_id, data, named
        )
    return web.json_response(_photo(request, photo), status=201)


@routes.get("/api/v1/photos")
async def list_photos(request: web.Request) -> web.Response:
    fetch = partial(_search_photos, request.query.get("label"))
    return web.json_response(await schemas.paged(request, fetch, _photo))


async def _search_photos(
    search: str | None, db: Database, user_id: str, page: int, page_size: int
) -> tuple[list[photos.Photo], int]:
    return await photos.list_photos(db, user_id, page, page_size, search)


@routes.patch("/api/v1/photos/{photo_id}")
async def name_photo(request: web.Request) -> web.Response:
    body = await schemas.json_object(request)
    if "label" not in body:
        raise InvalidField(NO_LABEL)
    photo = await photos.set_label(
        request.app[DATABASE],
        schemas.user_id(request),
        request.match_info["photo_id"],
        identity.label(body["label"]),
    )
    return web.json_response(_photo(request, photo))


@routes.get("/api/v1/photos/{photo_id}")
async def get_photo(request: web.Request) -> web.Response:
    photo = await photos.get_photo(
        request.app[DATABASE], schemas.user_id(request), request.match_info["photo_id"]
    )
    return web.json_response(_photo(request, photo))


@routes.delete("/api/v1/photos/{photo_id}")
async def delete_photo(request: web.Request) -> web.Response:
    app = request.app
    await trash.delete_photo(
        app[DATABASE],
        app[STORAGE],
        app[SETTINGS].storage.trash_days,
        schemas.user_id(request),
        request.match_info["photo_id"],
        app[ENGINE].cancel_photo_jobs,
    )
    return web.Response(status=204)


async def _form_fields(request: web.Request, max_bytes: int) -> tuple[bytes, identity.Identity]:
    """The bytes of the form's `file` part, counted while read (413 past `max_bytes`), its
    file name and the optional `label` field (before or after the file)."""
    data: bytes | None = None
    name = label = None
    try:
        reader = await request.multipart()
        parts = 0
        async for part in reader:
            parts += 1
            if parts > MAX_FORM_PARTS:
                raise BadRequest(TOO_MANY_PARTS, parts=parts)
            if not isinstance(part, BodyPartReader):  # nested multipart: no use, any size
                raise BadRequest(BAD_FORM)
            if part.name == "file" and data is None:
                # aiohttp's own client percent-encodes the name (browsers send it as is)
                name = identity.filename(unquote(part.filename or "") or None)
                data = await schemas.read_capped(part.read_chunk, max_bytes)
            elif part.name == "label":
                label = await _read_label(part)
            else:
                await part.release()
    except (HttpProcessingError, ValueError, AssertionError) as exc:  # a broken form body
        raise BadRequest(BAD_FORM) from exc
    if data is None:
        raise InvalidField(NO_FILE_FIELD)
    return data, identity.Identity(name, label)


async def _read_label(part: BodyPartReader) -> str | None:
    """The `label` field; past what MAX_LABEL characters can take, the label's own 422."""
    try:
        raw = await schemas.read_capped(part.read_chunk, _LABEL_BYTES)
    except PayloadTooLarge as exc:
        raise InvalidField(identity.BAD_LABEL) from exc
    return identity.label(raw.decode("utf-8", errors="replace"))
