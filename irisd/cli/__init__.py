"""The `irisd` command line: one click group; each command lives in a module named for it.

`train-segmenter` lives with the training code (`irisd.training.command`) and is imported
only when it is asked for, so that `irisd serve` never loads the training package.
"""

from __future__ import annotations

import importlib

import click

from irisd import __version__

# Commands imported on use: name → "module:attribute".
LAZY_COMMANDS = {"train-segmenter": "irisd.training.command:train_segmenter"}


class _Group(click.Group):
    """A click group that also lists `LAZY_COMMANDS` and imports one only when it is used."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in LAZY_COMMANDS:
            return super().get_command(ctx, cmd_name)
        module, name = LAZY_COMMANDS[cmd_name].split(":")
        command: click.Command = getattr(importlib.import_module(module), name)
        return command


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="irisd")
def cli() -> None:
    """irisd: a self-hosted iris photo processing server.

    Start the server with `irisd serve`; manage users, tokens and jobs from here;
    run the pipeline on local files with `irisd process`, and the art studio on its prints
    with `irisd style`, `irisd fuse` and `irisd export`.
    """


def _register() -> None:
    # Imported here so `irisd --help` stays quick and each command module stays separate.
    from irisd.cli import (
        export_data,
        jobs,
        migrate,
        process,
        purge,
        serve,
        studio,
        submit,
        tls,
        token,
        users,
    )

    cli.add_command(serve.serve)
    cli.add_command(migrate.migrate)
    cli.add_command(process.process)
    cli.add_command(users.users)
    cli.add_command(token.token)
    cli.add_command(jobs.jobs)
    cli.add_command(submit.submit)
    cli.add_command(purge.purge)
    cli.add_command(tls.tls)
    cli.add_command(export_data.export_data)
    cli.add_command(studio.style)
    cli.add_command(studio.fuse)
    cli.add_command(studio.export)


def main() -> None:
    _register()
    cli()
