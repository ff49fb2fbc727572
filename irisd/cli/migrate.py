"""`irisd migrate`: apply pending database migrations (the server also does this at start)."""

from __future__ import annotations

from pathlib import Path

import click

from irisd.cli.settings import config_option, load_settings, with_database
from irisd.db import Database
from irisd.db import migrate as apply_migrations


@click.command()
@config_option
def migrate(config_path: Path | None) -> None:
    """Apply pending database migrations and print the schema version."""
    settings = load_settings(config_path)

    async def work(db: Database) -> int:
        return await apply_migrations(db)

    version = with_database(settings, work)
    click.echo(f"database {settings.data_path / 'irisd.db'} at schema version {version}")
