"""The one place a `RequestError` becomes `{"detail": ...}`; anything else becomes a 500."""

from __future__ import annotations

import json

from aiohttp import web
from aiohttp.typedefs import Handler

from irisd.api import wire
from irisd.errors import RequestError, StorageUnavailable
from irisd.logs import get_logger

log = get_logger(__name__)

UNEXPECTED = "An unexpected error occurred."

# aiohttp raises its own HTTP exceptions for routing and body limits; keep their status but
# speak the contract's {"detail"} shape with our sentences.
_AIOHTTP_TEXT = {
    404: "Not found.",
    405: "Method not allowed.",
    413: "The request body is too large.",
}


def _client_gone(request: web.Request) -> bool:
    """Whether the client hung up (its connection is closing or closed)."""
    transport = request.transport
    return transport is None or transport.is_closing()


def detail(status: int, text: str, headers: dict[str, str] | None = None) -> web.Response:
    return web.json_response(wire.error(text), status=status, headers=headers)


def _rejected(exc: RequestError) -> web.Response:
    response = detail(exc.status, exc.text, exc.reply_headers())
    if exc.close_connection:  # its body is unread: do not wait for the rest of it
        response.force_close()
    return response


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    try:
        return await handler(request)
    except RequestError as exc:
        if exc.context:
            log.info("request.rejected", status=exc.status, path=request.path, **exc.context)
        return _rejected(exc)
    except web.HTTPException as exc:
        if exc.status < 400:
            raise
        return detail(exc.status, _AIOHTTP_TEXT.get(exc.status, exc.reason))
    except StorageUnavailable as exc:
        log.warning("request.storage_unavailable", path=request.path, **exc.context)
        return detail(503, "Storage is unavailable right now. Please try again.")
    except json.JSONDecodeError:
        return detail(400, "The request body is not valid JSON.")
    except Exception as exc:
        if isinstance(exc, ConnectionError) and _client_gone(request):
            raise  # nothing to answer, and nothing wrong here: aiohttp drops the connection
        log.exception("request.crashed", path=request.path, method=request.method)
        return detail(500, UNEXPECTED)
