"""`irisd serve`: run the server until SIGINT/SIGTERM, printing the URL it listens on."""

from __future__ import annotations

import asyncio
import signal
import socket
import ssl
from pathlib import Path
from typing import Any

import click
from aiohttp import web

from irisd import config, logs, tls
from irisd.api.http_runner import IrisdRunner
from irisd.app import create_app
from irisd.cli.settings import config_option, load_settings
from irisd.config import Settings
from irisd.errors import ConfigError
from irisd.jobs import executors

ALL_INTERFACES = ("0.0.0.0", "::", "")  # noqa: S104 - compared, not bound


@click.command()
@config_option
@click.option("--host", default=None, help="Address to bind (default from config: 0.0.0.0).")
@click.option("--port", type=int, default=None, help="Port (default from config: 8000; 0 = any).")
@click.option(
    "--data-dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Where the database and local objects live (config: data_dir).",
)
def serve(
    config_path: Path | None, host: str | None, port: int | None, data_dir: Path | None
) -> None:
    """Start the irisd server (HTTP API, WebSockets, web console, workers)."""
    settings = load_settings(config_path)
    try:
        executors.check(settings.jobs)  # e.g. executor = "ray" without Ray: say so and stop
    except ConfigError as exc:
        click.echo(f"irisd: {exc.text}", err=True)
        raise SystemExit(2) from exc
    server = {k: v for k, v in (("host", host), ("port", port)) if v is not None}
    settings = config.replace(settings, server=server)
    if data_dir is not None:
        settings = config.replace(settings, data_dir=str(data_dir))
    logs.configure(settings.logging)
    try:
        context = tls.server_context(*_tls_files(settings)) if settings.server.tls_cert else None
    except ConfigError as exc:
        click.echo(f"irisd: {exc.text}", err=True)
        raise SystemExit(2) from exc
    asyncio.run(_serve(settings, context))


def _tls_files(settings: Settings) -> tuple[str, str]:
    return settings.server.tls_cert, settings.server.tls_key


async def _serve(settings: Settings, context: ssl.SSLContext | None) -> None:
    runner = IrisdRunner(
        create_app(settings),
        access_log=None,  # ours logs the path only: aiohttp's prints ?token=
        shutdown_timeout=settings.server.shutdown_timeout_s,
        handle_signals=False,
    )
    server = settings.server
    scheme = "https" if context else "http"
    await runner.setup()
    site = _Site(
        runner,
        server.host,
        server.port,
        ssl_context=context,
        handshake_timeout_s=server.header_timeout_s,
    )
    await site.start()
    port = _bound_port(runner)
    click.echo(f"irisd listening on {_display_url(scheme, server.host, port)}")
    if server.host in ALL_INTERFACES:
        click.echo(f"  on your network: {scheme}://{_lan_address()}:{port}")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


class _Site(web.TCPSite):
    """`web.TCPSite` whose TLS handshakes must finish within the request-head timeout.

    asyncio gives a handshake 60 s, and until it ends the connection is not yet the
    runner's, so neither the head timeout nor the connection caps (api/http_runner.py) see it: a
    slowloris over TLS would hold each socket that long. Only `start` differs from aiohttp's,
    to pass `ssl_handshake_timeout`.
    """

    def __init__(self, *args: Any, handshake_timeout_s: float, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handshake_timeout_s = handshake_timeout_s

    async def start(self) -> None:
        await web.BaseSite.start(self)
        server = self._runner.server
        if server is None:
            raise RuntimeError("the runner is not set up")
        self._server = await asyncio.get_running_loop().create_server(
            server,
            self._host,
            self._port,
            ssl=self._ssl_context,
            ssl_handshake_timeout=self.handshake_timeout_s if self._ssl_context else None,
            backlog=self._backlog,
            reuse_address=self._reuse_address,
            reuse_port=self._reuse_port,
        )
        sockets = self._server.sockets
        self._bound_port = sockets[0].getsockname()[1] if sockets else self._port


def _bound_port(runner: IrisdRunner) -> int:
    for address in runner.addresses:
        return int(address[1])
    raise RuntimeError("the server is not listening")


def _display_url(scheme: str, host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ALL_INTERFACES else host
    return f"{scheme}://{shown}:{port}"


def _lan_address() -> str:
    """This machine's address as other hosts on the LAN see it (no packet is sent)."""
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:
        return "127.0.0.1"
