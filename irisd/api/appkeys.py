"""Typed application state keys (aiohttp AppKey): the server's shared objects."""

from __future__ import annotations

from typing import TYPE_CHECKING

from aiohttp import web

if TYPE_CHECKING:
    from irisd.api.connections import ConnectionLimit
    from irisd.api.keepalive import Ticker
    from irisd.api.socket_limit import SocketLimit
    from irisd.auth.throttle import Throttle
    from irisd.auth.tokens import TokenService
    from irisd.auth.users import User
    from irisd.config import Settings
    from irisd.db import Database
    from irisd.intake import Intake
    from irisd.jobs.engine import Engine
    from irisd.jobs.hub import Hub
    from irisd.metrics import Metrics
    from irisd.storage import Storage
    from irisd.upload_slots import UploadSlots

SETTINGS: web.AppKey[Settings] = web.AppKey("settings")
DATABASE: web.AppKey[Database] = web.AppKey("database")
STORAGE: web.AppKey[Storage] = web.AppKey("storage")
ENGINE: web.AppKey[Engine] = web.AppKey("engine")
HUB: web.AppKey[Hub] = web.AppKey("hub")
TICKER: web.AppKey[Ticker] = web.AppKey("ticker")
METRICS: web.AppKey[Metrics] = web.AppKey("metrics")
TOKENS: web.AppKey[TokenService] = web.AppKey("tokens")
THROTTLE: web.AppKey[Throttle] = web.AppKey("throttle")
INTAKE: web.AppKey[Intake] = web.AppKey("intake")
UPLOAD_SLOTS: web.AppKey[UploadSlots] = web.AppKey("upload_slots")
SOCKETS: web.AppKey[SocketLimit] = web.AppKey("sockets")
CONNECTIONS: web.AppKey[ConnectionLimit] = web.AppKey("connections")

# Request-scoped: the authenticated user (set by api.bearer). A RequestKey, because a
# plain string key raises NotAppKeyWarning, which filterwarnings=error turns into a 500.
USER: web.RequestKey[User] = web.RequestKey("user")
