"""`irisd users add|list|disable|enable`: manage accounts from the server's shell."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

import click
from rich.console import Console
from rich.table import Table

from irisd.auth import users as accounts
from irisd.auth.users import User
from irisd.cli.settings import config_option, load_settings, with_database
from irisd.config import Settings
from irisd.db import Database
from irisd.errors import RequestError
from irisd.timestamps import iso

T = TypeVar("T")


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
    user = _run(lambda db: accounts.create_user(db, email, password), load_settings(config_path))
    click.echo(f"Created user {user.email} ({user.id}).")


@users.command("list")
@config_option
def list_(config_path: Path | None) -> None:
    """List every user: a table on a terminal, tab-separated lines for scripts."""
    found = _run(accounts.list_users, load_settings(config_path))
    if sys.stdout.isatty():
        Console().print(_table(found))
        return
    for user in found:
        click.echo("\t".join(_cells(user)))


@users.command("disable")
@config_option
@click.argument("email")
def disable(config_path: Path | None, email: str) -> None:
    """Disable the user EMAIL: no login, and every token of theirs stops working."""
    user = _run(lambda db: accounts.set_active(db, email, False), load_settings(config_path))
    click.echo(f"Disabled {user.email}.")


@users.command("enable")
@config_option
@click.argument("email")
def enable(config_path: Path | None, email: str) -> None:
    """Enable the user EMAIL again."""
    user = _run(lambda db: accounts.set_active(db, email, True), load_settings(config_path))
    click.echo(f"Enabled {user.email}.")


def _run(work: Callable[[Database], Awaitable[T]], settings: Settings) -> T:
    """Run `work(db)`; an error meant for a user (bad email, unknown user) exits 1 cleanly."""
    try:
        return with_database(settings, work)
    except RequestError as exc:
        raise click.ClickException(exc.text) from exc


def _table(found: list[User]) -> Table:
    table = Table("id", "email", "active", "verified", "created")
    for user in found:
        table.add_row(*_cells(user))
    return table


def _cells(user: User) -> list[str]:
    return [
        user.id,
        user.email,
        "yes" if user.is_active else "no",
        "yes" if user.is_verified else "no",
        iso(user.created_at),
    ]
