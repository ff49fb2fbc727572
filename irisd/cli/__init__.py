"""The `irisd` command line: one click group; each command lives in a module named for it."""

from __future__ import annotations

import click

from irisd import __version__


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="irisd")
def cli() -> None:
    """irisd: a self-hosted iris photo processing server.

    Start the server with `irisd serve`; manage users, tokens and jobs from here;
    run the pipeline on local files with `irisd process`.
    """


def _register() -> None:
    # Imported here so `irisd --help` stays quick and each command module stays separate.
    from irisd.cli import process, serve

    cli.add_command(serve.serve)
    cli.add_command(process.process)


def main() -> None:
    _register()
    cli()
