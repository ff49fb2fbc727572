"""create_app(settings): the aiohttp application, its state, middleware and lifecycle."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Coroutine
from typing import Any

from aiohttp import web

from irisd import api, trash
from irisd.api import account_watch
from irisd.api.access import access_middleware
from irisd.api.appkeys import (
    CONNECTIONS,
    DATABASE,
    ENGINE,
    HUB,
    INTAKE,
    METRICS,
    SETTINGS,
    SOCKETS,
    STORAGE,
    THROTTLE,
    TICKER,
    TOKENS,
    UPLOAD_SLOTS,
)
from irisd.api.bearer import auth_middleware
from irisd.api.connections import ConnectionLimit
from irisd.api.errors import error_middleware
from irisd.api.headers import add_security_headers
from irisd.api.hosts import host_middleware
from irisd.api.keepalive import Ticker
from irisd.api.socket_limit import SocketLimit
from irisd.auth.secret import load_or_create_secret
from irisd.auth.throttle import Throttle
from irisd.auth.tokens import TokenService
from irisd.config import Settings
from irisd.db import open_database
from irisd.intake import Intake
from irisd.jobs.engine import Engine
from irisd.jobs.hub import Hub
from irisd.logs import get_logger
from irisd.metrics import Metrics
from irisd.privacy import retention
from irisd.resources import STATIC_DIR
from irisd.storage import open_storage
from irisd.storage.local import LocalStorage
from irisd.upload_slots import UploadSlots

log = get_logger(__name__)


def create_app(settings: Settings) -> web.Application:
    app = web.Application(
        middlewares=[access_middleware, error_middleware, host_middleware, auth_middleware],
        client_max_size=settings.server.max_body_bytes,
    )
    app[SETTINGS] = settings
    app[METRICS] = Metrics()
    # api/http_runner.py counts each connection in and out.
    app[CONNECTIONS] = ConnectionLimit.from_settings(settings.server, app[METRICS])
    app[SOCKETS] = SocketLimit(settings.ws.max_sockets_per_user)
    app[INTAKE] = Intake(settings.uploads.decode_memory_mb * 1024 * 1024)
    uploads = settings.uploads
    app[UPLOAD_SLOTS] = UploadSlots(uploads.max_parallel, uploads.max_parallel_per_user)
    # Entered in this order, left in reverse: the engine stops before what it uses closes.
    app.cleanup_ctx.extend(
        [_database, _tokens, _storage, _hub, _accounts, _engine, _trash, _retention]
    )
    app.on_shutdown.append(_close_sockets)
    app.add_routes(api.routes())
    app.on_response_prepare.append(add_security_headers)
    _add_console(app)
    return app


async def _database(app: web.Application) -> AsyncIterator[None]:
    app[DATABASE] = await open_database(app[SETTINGS].data_path / "irisd.db")
    yield
    await app[DATABASE].close()


async def _tokens(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    # A revoked login ends its open WebSockets too (api/socket_limit.py).
    app[TOKENS] = TokenService(
        settings.auth, load_or_create_secret(settings), on_revoked=app[SOCKETS].end_sessions
    )
    app[THROTTLE] = Throttle(settings.auth)
    yield


async def _storage(app: web.Application) -> AsyncIterator[None]:
    # The tokens' secret: local storage derives its URL-signing key from it.
    settings = app[SETTINGS]
    app[STORAGE] = storage = await open_storage(settings, load_or_create_secret(settings))
    if isinstance(storage, LocalStorage):  # no write of this data dir runs before we start
        await storage.remove_partial_writes()
    yield
    await app[STORAGE].close()


async def _hub(app: web.Application) -> AsyncIterator[None]:
    app[HUB] = Hub(app[DATABASE], app[METRICS])
    app[TICKER] = Ticker(app[SETTINGS].ws.keepalive_s)
    yield
    await _close_sockets(app)


async def _accounts(app: web.Application) -> AsyncIterator[None]:
    # Accounts disabled by another process (the CLI) end their open WebSockets too.
    every_s = app[SETTINGS].ws.account_check_s
    async with _running(account_watch.keep_checking(app[DATABASE], app[SOCKETS], every_s)):
        yield


async def _close_sockets(app: web.Application) -> None:
    # Before the server waits for open requests: live sockets would otherwise hold it up.
    app[HUB].close()
    await app[TICKER].close()


async def _engine(app: web.Application) -> AsyncIterator[None]:
    engine = Engine(app[SETTINGS], app[DATABASE], app[STORAGE], app[HUB], app[METRICS])
    app[ENGINE] = engine
    await engine.start()
    yield
    await engine.stop()


async def _trash(app: web.Application) -> AsyncIterator[None]:
    # Deleted photos and results expire from the trash while the server runs (irisd/trash.py).
    days = app[SETTINGS].storage.trash_days
    async with _running(trash.keep_purging(app[DATABASE], app[STORAGE], days)):
        yield


async def _retention(app: web.Application) -> AsyncIterator[None]:
    # [privacy] retention_days: one pass before serving (a box that was off catches up), then
    # hourly. The photos' running jobs stop first, as a delete's do.
    db, storage, days = app[DATABASE], app[STORAGE], app[SETTINGS].privacy.retention_days
    stop_jobs = app[ENGINE].cancel_photo_jobs
    try:
        await retention.apply(db, storage, days, stop_jobs)
    except Exception:  # storage down at start: the schedule tries again; serving goes on
        log.exception("privacy.retention_failed")
    async with _running(retention.keep_applying(db, storage, days, stop_jobs)):
        yield


@contextlib.asynccontextmanager
async def _running(work: Coroutine[Any, Any, None]) -> AsyncIterator[None]:
    """`work` as a task for as long as the context lasts, then cancelled."""
    task = asyncio.create_task(work)
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


def _add_console(app: web.Application) -> None:
    """Serve the web console: index at /, modules and styles under /static/."""
    if not STATIC_DIR.is_dir():
        return
    index = STATIC_DIR / "index.html"

    async def console(_request: web.Request) -> web.FileResponse:
        return web.FileResponse(index, headers={"Cache-Control": "no-cache"})

    app.router.add_get("/", console)
    app.router.add_static("/static/", STATIC_DIR, append_version=False)
    app.on_response_prepare.append(_revalidate_console)


async def _revalidate_console(request: web.Request, response: web.StreamResponse) -> None:
    # Revalidate (cheap 304s on the LAN) so an upgrade never mixes old and new JS modules.
    if request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-cache"
