"""Request parsing shared by the REST handlers: the user, JSON bodies, paging (query and page)."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiohttp import web

from irisd.appkeys import DATABASE, USER
from irisd.db import Database
from irisd.errors import BadRequest, InvalidField, UnsupportedMediaType

T = TypeVar("T")

JSON_TYPE = "application/json"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


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


def page_query(request: web.Request) -> tuple[int, int]:
    """(page, page_size) from the query: 1-based, default page size 20, at most 100."""
    page = _positive(request, "page", 1, None)
    return page, _positive(request, "page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


async def paged(
    request: web.Request,
    fetch: Callable[[Database, str, int, int], Awaitable[tuple[Sequence[T], int]]],
    render: Callable[[web.Request, T], dict[str, Any]],
) -> dict[str, Any]:
    """The contract's page of the user's list: {items, total, page, page_size}.

    `fetch(db, user_id, page, page_size)` reads the query's page and the total; `render`
    shapes each item.
    """
    page, page_size = page_query(request)
    items, total = await fetch(request.app[DATABASE], user_id(request), page, page_size)
    return {
        "items": [render(request, item) for item in items],
        "total": total,
        "page": page,
        "page_size": page_size,
    }


def _positive(request: web.Request, name: str, default: int, top: int | None) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    value = int(raw) if raw.strip().isdigit() else 0
    if value < 1 or (top is not None and value > top):
        limit = f" and at most {top}" if top else ""
        raise InvalidField(f"'{name}' must be a whole number of at least 1{limit}.")
    return value
