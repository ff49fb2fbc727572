"""`irisd token USER`: print an access token for scripts (curl, the submit command)."""

from __future__ import annotations

from pathlib import Path

import click

from irisd.auth.secret import load_or_create_secret
from irisd.auth.tokens import TokenService
from irisd.auth.users import User, find_user
from irisd.cli.settings import config_option, load_settings, with_database
from irisd.db import Database
from irisd.errors import IrisdError


@click.command()
@config_option
@click.argument("user")
def token(config_path: Path | None, user: str) -> None:
    """Print an access token for USER (an email or a user id) on stdout.

    It lasts as long as [auth] access_ttl_s (30 minutes by default); there is no refresh
    token, so scripts ask again. Example: curl -H "Authorization: Bearer $(irisd token EMAIL)"
    """
    settings = load_settings(config_path)

    async def issue(db: Database) -> str:
        found = await _active_user(db, user)
        return TokenService(settings.auth, load_or_create_secret(settings)).issue_access(found.id)

    try:
        click.echo(with_database(settings, issue))
    except IrisdError as exc:  # unknown or disabled user, a bad secret in the config
        raise click.ClickException(exc.text) from exc


async def _active_user(db: Database, email_or_id: str) -> User:
    found = await find_user(db, email_or_id)
    if not found.is_active:
        raise click.ClickException(f"{found.email} is disabled; enable it first.")
    return found
