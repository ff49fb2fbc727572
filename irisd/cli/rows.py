"""What the listing commands print: a table on a terminal, tab-separated lines for scripts."""

from __future__ import annotations

import sys
from collections.abc import Sequence

import click
from rich.console import Console
from rich.table import Table


def print_rows(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """`rows` (cells in the order of `columns`) for a reader, or for `cut` and `awk`."""
    if sys.stdout.isatty():
        table = Table(*columns)
        for cells in rows:
            table.add_row(*cells)
        Console().print(table)
        return
    for cells in rows:
        click.echo("\t".join(cells))
