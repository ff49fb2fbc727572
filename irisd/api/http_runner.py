"""The aiohttp runner of irisd: its connections, before any handler runs.

A request line or header aiohttp's parser cannot take (an over-long header, a bad method)
never reaches the middlewares: aiohttp answers it itself with plain text that echoes part of
what it could not parse. Here that answer is `{"detail"}` JSON with the same status and
the same security headers as every other reply, and the log says what failed without the bytes.

Connections are capped per client address and in all (api/connections.py), and each must
send a complete request head within `[server] header_timeout_s` of opening or of its previous
response. That deadline is aiohttp's own keep-alive timer: aiohttp arms it when a connection
opens and again after each response, and it closes the connection only while waiting for a
request head, so it ends idle keep-alive connections and heads that trickle in alike (a
per-read timeout would not: a slowloris client sends a byte before each read times out),
and never cuts a request being handled, a body being read or an open WebSocket.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

from aiohttp import web
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest

from irisd.api import wire
from irisd.api.appkeys import CONNECTIONS, SETTINGS
from irisd.api.connections import ConnectionLimit
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


class _Handler(RequestHandler):
    _address: str | None = None  # set once admitted under the connection caps

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) else "local"
        if not cast(_Server, self._manager).limit.admit(address):
            transport.close()  # before anything is read or parsed: costs one accept
            return
        self._address = address
        super().connection_made(transport)

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._address is None:
            return  # refused: aiohttp never saw it
        manager = cast(_Server, self._manager)
        super().connection_lost(exc)
        manager.limit.release(self._address)
        self._address = None

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


class _Server(web.Server):
    def __init__(self, *args: Any, limit: ConnectionLimit, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limit = limit

    def __call__(self) -> RequestHandler:
        return _Handler(self, loop=self._loop, **self._kwargs)


class IrisdRunner(web.AppRunner):
    """`web.AppRunner` with irisd's connection caps, head deadline and `{"detail"}` errors."""

    async def _make_server(self) -> web.Server:
        plain = await super()._make_server()
        kwargs: dict[str, Any] = dict(plain._kwargs)
        kwargs["keepalive_timeout"] = self.app[SETTINGS].server.header_timeout_s
        return _Server(
            plain.request_handler,
            request_factory=plain.request_factory,
            handler_cancellation=plain.handler_cancellation,
            loop=plain._loop,
            limit=self.app[CONNECTIONS],
            **kwargs,
        )
