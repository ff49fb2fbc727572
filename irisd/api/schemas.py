"""Request parsing shared by the REST handlers: the user, bodies, paging (replies: api/wire.py)."""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Sequence
from itertools import accumulate
from typing import Any, TypeVar

from aiohttp import web

from irisd.api import wire
from irisd.api.appkeys import DATABASE, USER
from irisd.db import Database
from irisd.errors import BadRequest, InvalidField, PayloadTooLarge, UnsupportedMediaType

T = TypeVar("T")

JSON_TYPE = "application/json"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
CHUNK_BYTES = 256 * 1024
# The largest request a JSON body of the contract needs is a batch of 10 ids (~400 bytes);
# bounded so a hostile body costs neither memory nor the parser's recursion (100,000 nested
# `[` overflowed the C scanner's stack check and became a 500).
MAX_JSON_BYTES = 64 * 1024
MAX_JSON_DEPTH = 32
MAX_PAGE = 1_000_000  # with 100 a page, an OFFSET well inside SQLite's 64-bit integers
SQLITE_MAX_INT = 2**63 - 1
# str.isdigit() and int() take Unicode digits ("²", "٣"); the contract's numbers are ASCII.
_WHOLE = re.compile(r"[0-9]{1,19}")
# A string runs to its closing quote, or to the end when there is none: a match never fails,
# so the scan stays linear whatever the body (no retry from every later quote).
_JSON_STRING = re.compile(rb'"(?:[^"\\]+|\\.)*"?')
_NESTING = {ord("["): 1, ord("{"): 1, ord("]"): -1, ord("}"): -1}


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
    length = request.content_length
    if length is not None and length > MAX_JSON_BYTES:
        raise PayloadTooLarge("The request body is too large.", size=length)
    raw = await read_capped(request.content.read, MAX_JSON_BYTES)
    if not raw.strip():
        return {}
    if _depth(raw) > MAX_JSON_DEPTH:
        raise BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.")
    try:
        body = json.loads(raw, parse_constant=_no_constant)
    except ValueError as exc:  # JSONDecodeError, bad UTF-8, an integer of over 4,300 digits
        raise BadRequest("The request body is not valid JSON.") from exc
    if _SURROGATE_ESCAPE.search(raw) and not _encodable(body):
        raise BadRequest(LONE_SURROGATE)
    if not isinstance(body, dict):
        raise BadRequest("The request body must be a JSON object.")
    return body


# JSON may spell a lone UTF-16 surrogate (`"\ud800"`): Python keeps it in the str, and the
# first UTF-8 encode (argon2, SQLite) fails with a 500. Pairs (emoji) decode to one code point.
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")
LONE_SURROGATE = "The request body holds text that is not valid Unicode (a lone surrogate)."


def _encodable(body: Any) -> bool:
    try:
        json.dumps(body, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _depth(raw: bytes) -> int:
    """How deep `raw`'s arrays and objects nest (brackets inside strings do not count)."""
    skeleton = _JSON_STRING.sub(b"", raw)
    return max(accumulate(_NESTING.get(byte, 0) for byte in skeleton), default=0)


def _no_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def whole_number(raw: str, low: int, high: int) -> int | None:
    """`raw` as an int in [low, high] if it is ASCII digits only, else None."""
    if not _WHOLE.fullmatch(raw):
        return None
    value = int(raw)
    return value if low <= value <= high else None


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
    page = _positive(request, "page", 1, MAX_PAGE)
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


def _positive(request: web.Request, name: str, default: int, top: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    value = whole_number(raw.strip(), 1, top)
    if value is None:
        raise InvalidField(f"'{name}' must be a whole number from 1 to {top}.")
    return value


def spelled(body: dict[str, Any], *names: str) -> Any:
    """The value of the first of `names` present in `body` (None if none is): the app spells
    some fields in camelCase and others in snake_case, so either is accepted."""
    for name in names:
        if name in body:
            return body[name]
    return None


def text_id(value: Any, message: str) -> str:
    """A non-empty string id, else 422 with `message`."""
    if not isinstance(value, str) or not value:
        raise InvalidField(message)
    return value
