"""`irisd users add|list|disable|enable`: manage accounts from the server's shell."""

from __future__ import annotations

from pathlib import Path

import click

from irisd.auth import users as accounts
from irisd.auth.users import User
from irisd.cli.rows import print_rows
from irisd.cli.settings import config_option, load_settings, with_database
from irisd.timestamps import iso

COLUMNS = ("id", "email", "active", "verified", "created")


@click.group()
def users() -> None:
    """Manage user accounts (open registration is off by default)."""


@users.command("add")
@config_option
@click.argument("email")
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="The new user's password (prompted, hidden, when omitted; avoid it in shell history).",
)
def add(config_path: Path | None, email: str, password: str) -> None:
    """Create the user EMAIL."""
    user = with_database(
        load_settings(config_path), lambda db: accounts.create_user(db, email, password)
    )
    click.echo(f"Created user {user.email} ({user.id}).")


@users.command("list")
@config_option
def list_(config_path: Path | None) -> None:
    """List every user: a table on a terminal, tab-separated lines for scripts."""
    found = with_database(load_settings(config_path), accounts.list_users)
    print_rows(COLUMNS, [_cells(user) for user in found])


@users.command("disable")
@config_option
@click.argument("email")
def disable(config_path: Path | None, email: str) -> None:
    """Disable the user EMAIL: no login, and every token of theirs stops working."""
    click.echo(f"Disabled {_set_active(config_path, email, False).email}.")


@users.command("enable")
@config_option
@click.argument("email")
def enable(config_path: Path | None, email: str) -> None:
    """Enable the user EMAIL again."""
    click.echo(f"Enabled {_set_active(config_path, email, True).email}.")


def _set_active(config_path: Path | None, email: str, active: bool) -> User:
    return with_database(
        load_settings(config_path), lambda db: accounts.set_active(db, email, active)
    )


def _cells(user: User) -> list[str]:
    return [
        user.id,
        user.email,
        "yes" if user.is_active else "no",
        "yes" if user.is_verified else "no",
        iso(user.created_at),
    ]
