"""`irisd export-data USER [--label LABEL] -o FILE`: a person's data as a ZIP, for a request
made at the desk or by mail (access and portability: irisd/privacy/export.py)."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path

import click
from rich.progress import Progress

from irisd.auth.users import find_user
from irisd.cli.settings import config_option, load_settings, opened
from irisd.config import Settings
from irisd.errors import IrisdError
from irisd.identity import label as clean_label
from irisd.privacy import export
from irisd.privacy.person import Account, Person, Scope


@click.command("export-data")
@config_option
@click.argument("user")
@click.option("--label", default=None, help="Only the client with this photo label.")
@click.option(
    "-o",
    "--output",
    type=click.Path(path_type=Path, dir_okay=False),
    required=True,
    help="The ZIP file to write (its photos, results and data.json).",
)
def export_data(config_path: Path | None, user: str, label: str | None, output: Path) -> None:
    """Write everything held about USER (an email or id), or one client of it, to a ZIP."""
    settings = load_settings(config_path)
    try:
        count = asyncio.run(_export(settings, user, label, output))
    except IrisdError as exc:  # an unknown user, storage unreachable
        raise click.ClickException(exc.text) from exc
    click.echo(f"Wrote {count} files and data.json to {output}.")


async def _export(settings: Settings, user: str, label: str | None, output: Path) -> int:
    async with opened(settings) as (db, storage):
        account = await find_user(db, user)
        named = clean_label(label)
        scope: Scope = Account(account.id) if named is None else Person(account.id, named)
        planned = await export.plan(db, storage, account, scope)
        with Progress() as bar, output.open("wb") as out:
            task = bar.add_task("Exporting", total=len(planned.objects))
            await export.write(storage, planned, out, partial(bar.advance, task))
        export.audit(planned, account.id, "cli", scope)
        return len(planned.objects)
