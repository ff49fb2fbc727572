"""The aiohttp runner of irisd: requests aiohttp refuses before any handler speak the contract too.

A request line or header aiohttp's parser cannot take (an over-long header, a bad method)
never reaches the middlewares: aiohttp answers it itself with plain text that echoes part of
what it could not parse. Here that answer is `{"detail"}` JSON with the same status and
the same security headers as every other reply, and the log says what failed without the bytes.
"""

from __future__ import annotations

from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from irisd.api import wire
from irisd.api.headers import secure
from irisd.logs import get_logger

log = get_logger(__name__)

_TEXT = {
    400: "The request could not be read: its request line or headers are malformed or too long.",
    413: "The request is too large.",
    431: "The request headers are too large.",
    500: "An unexpected error occurred.",
    504: "The request took too long.",
}


class _JsonErrorHandler(RequestHandler):
    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> web.StreamResponse:
        if request.writer.output_size > 0:  # as aiohttp: too late for another response
            raise ConnectionError("response already started")
        # The exception's text can hold the header it refused (a token): its type only.
        log.info("request.unreadable", status=status, reason=type(exc).__name__)
        response = web.json_response(
            wire.error(_TEXT.get(status, "The request could not be handled.")), status=status
        )
        secure(response.headers)
        response.force_close()
        return response


class _JsonErrorServer(web.Server):
    def __call__(self) -> RequestHandler:
        return _JsonErrorHandler(self, loop=self._loop, **self._kwargs)


class IrisdRunner(web.AppRunner):
    """`web.AppRunner` whose connections answer aiohttp's own errors as `{"detail"}` JSON."""

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        kwargs: dict[str, Any] = dict(plain._kwargs)
        return _JsonErrorServer(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=plain._loop,
            **kwargs,
        )
