"""`irisd process FILE... -o DIR`: run the pipeline locally, without a server."""

from __future__ import annotations

import click


@click.command()
def process() -> None:
    """Process eye photos locally (placeholder)."""
    raise click.ClickException("not implemented yet")
