"""Request parsing shared by the REST handlers: the user, bodies, paging (replies: api/wire.py)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

from irisd.api import wire
from irisd.appkeys import DATABASE, USER
from irisd.db import Database
from irisd.errors import BadRequest, InvalidField, PayloadTooLarge, UnsupportedMediaType

T = TypeVar("T")

JSON_TYPE = "application/json"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CHUNK_BYTES = 256 * 1024


def user_id(request: web.Request) -> str:
    """The authenticated user's id (set by the auth middleware)."""
    return str(request[USER].id)


async def json_object(request: web.Request, *, require_json_type: bool = False) -> dict[str, Any]:
    """The body as a JSON object: 400 if malformed or not an object.

    An empty body is `{}` (the app sends none on reprocess and logout; missing fields are
    then reported by name). With `require_json_type`, another Content-Type is a 415.
    """
    if require_json_type and request.content_type != JSON_TYPE:
        raise UnsupportedMediaType(f"The request body must be JSON (Content-Type: {JSON_TYPE}).")
    raw = await request.read()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadRequest("The request body is not valid JSON.") from exc
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


async def read_capped(read: Callable[[int], Awaitable[bytes]], max_bytes: int) -> bytes:
    """What `read(CHUNK_BYTES)` gives until it gives b"", counted while read: 413 past
    `max_bytes`, so an oversized upload never sits in memory whole (raw or multipart body)."""
    chunks: list[bytes] = []
    total = 0
    while chunk := await read(CHUNK_BYTES):
        total += len(chunk)
        if total > max_bytes:
            raise PayloadTooLarge(size=total)
        chunks.append(chunk)
    return b"".join(chunks)


def page_query(request: web.Request) -> tuple[int, int]:
    """(page, page_size) from the query: 1-based, default page size 20, at most 100."""
    page = _positive(request, "page", 1, None)
    return page, _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


async def paged(
    request: web.Request,
    fetch: Callable[[Database, str, int, int], Awaitable[tuple[Sequence[T], int]]],
    render: Callable[[web.Request, T], dict[str, Any]],
) -> dict[str, Any]:
    """The page of the user's list the query asks for (wire.page).

    `fetch(db, user_id, page, page_size)` reads the query's page and the total; `render`
    shapes each item.
    """
    page, page_size = page_query(request)
    items, total = await fetch(request.app[DATABASE], user_id(request), page, page_size)
    return wire.page((render(request, item) for item in items), total, page, page_size)


def _positive(request: web.Request, name: str, default: int, top: int | None) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    value = int(raw) if raw.strip().isdigit() else 0
    if value < 1 or (top is not None and value > top):
        limit = f" and at most {top}" if top else ""
        raise InvalidField(f"'{name}' must be a whole number of at least 1{limit}.")
    return value
