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
    from irisd.cli import jobs, migrate, process, purge, serve, submit, token, train, users

    cli.add_command(serve.serve)
    cli.add_command(migrate.migrate)
    cli.add_command(process.process)
    cli.add_command(users.users)
    cli.add_command(token.token)
    cli.add_command(jobs.jobs)
    cli.add_command(submit.submit)
    cli.add_command(purge.purge)
    cli.add_command(train.train_segmenter)


def main() -> None:
    _register()
    cli()
