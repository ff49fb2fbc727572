"""What every CLI command shares: the --config option, opening the database and storage."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from irisd import config
from irisd.auth.secret import load_or_create_secret
from irisd.config import Settings
from irisd.db import Database, open_database
from irisd.errors import ConfigError, RequestError
from irisd.storage import Storage, open_storage

T = TypeVar("T")
DEFAULT_CONFIG = Path("irisd.toml")

config_option = click.option(
    "--config",
    "config_path",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="Config file (default: ./irisd.toml when present). IRISD_* variables override it.",
)


def load_settings(config_path: Path | None) -> Settings:
    """Settings from --config (or ./irisd.toml) and the environment; exit 2 on errors."""
    path = config_path or (DEFAULT_CONFIG if DEFAULT_CONFIG.is_file() else None)
    try:
        return config.load(path, os.environ)
    except ConfigError as exc:
        click.echo(f"irisd: {exc.text}", err=True)
        raise SystemExit(2) from exc


def with_database(settings: Settings, work: Callable[[Database], Awaitable[T]]) -> T:
    """Open the database (applying migrations), run `work`, close it.

    An error meant for a user (a bad email, an unknown user) exits 1 with its text.
    """

    async def run() -> T:
        db = await open_database(settings.data_path / "irisd.db")
        try:
            return await work(db)
        finally:
            await db.close()

    try:
        return asyncio.run(run())
    except RequestError as exc:
        raise click.ClickException(exc.text) from exc


@asynccontextmanager
async def opened(settings: Settings) -> AsyncIterator[tuple[Database, Storage]]:
    """The database and the storage the server uses, closed on leaving."""
    db = await open_database(settings.data_path / "irisd.db")
    storage = await open_storage(settings, load_or_create_secret(settings))
    try:
        yield db, storage
    finally:
        await storage.close()
        await db.close()


def fail(message: str, *args: Any) -> None:
    """Print a clean error for the operator and exit 1."""
    raise click.ClickException(message % args if args else message)
