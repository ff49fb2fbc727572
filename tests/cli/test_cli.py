"""The CLI as operators use it: --help matches the README, and `serve` runs for real."""

from __future__ import annotations

import re
import urllib.request
from collections.abc import Callable
from pathlib import Path

import click
from click.testing import CliRunner

from irisd.cli import _register, cli
from tests.support.server import ServerProcess

README = Path(__file__).resolve().parents[2] / "README.md"


def readme_commands() -> set[str]:
    text = README.read_text(encoding="utf-8")
    table = text.split("## Command line", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"^\| `irisd ([a-z-]+)", table, flags=re.M))


def commands() -> list[str]:
    """Every command, the ones loaded on use (train-segmenter) included."""
    _register()
    return cli.list_commands(click.Context(cli))


def test_every_command_is_in_the_readme_and_every_readme_command_exists() -> None:
    assert readme_commands() == set(commands())


def test_help_lists_every_command() -> None:
    names = commands()
    result = CliRunner().invoke(cli, ["--help"])
    assert result.exit_code == 0
    for name in names:
        assert name in result.output


def test_bad_config_exits_2_naming_the_key(tmp_path: Path) -> None:
    _register()
    path = tmp_path / "irisd.toml"
    path.write_text("[jobs]\nworkers = 'x'\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["migrate", "--config", str(path)])
    assert result.exit_code == 2
    assert "[jobs] workers" in result.output


def test_migrate_creates_the_database(tmp_path: Path) -> None:
    _register()
    result = CliRunner().invoke(
        cli, ["migrate"], env={"IRISD_DATA_DIR": str(tmp_path / "d")}, catch_exceptions=False
    )
    assert result.exit_code == 0
    assert (tmp_path / "d" / "irisd.db").is_file()


def test_serve_prints_its_url_answers_and_stops_cleanly(
    server_process: Callable[..., ServerProcess],
) -> None:
    proc = server_process()
    with urllib.request.urlopen(f"{proc.url}/healthz") as reply:
        assert reply.status == 200
    assert proc.stop() == 0
