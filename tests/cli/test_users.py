"""`irisd users add|list|disable|enable` and `irisd token` through CliRunner on a tmp data dir."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import click
import pytest
from click.testing import CliRunner, Result

from irisd.auth.secret import load_or_create_secret
from irisd.auth.tokens import TokenService
from irisd.cli.token import token
from irisd.cli.users import users
from irisd.config import Settings
from tests.conftest import Irisd
from tests.support.clients import SEEN_SECRETS, ApiClient

PASSWORD = "a long cli password"  # test credential, never a real one
SEEN_SECRETS.add(PASSWORD)


@pytest.fixture
def cli_settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()


@pytest.fixture
def invoke(cli_settings: Settings, tmp_path: Path) -> Callable[..., Result]:
    """invoke(command, *args, input=None) with --config naming an empty file in tmp_path."""
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    env = {"IRISD_DATA_DIR": cli_settings.data_dir}

    def run(command: click.Command, *args: str, input: str | None = None) -> Result:
        options = ["--config", str(empty)]
        # `users` is a group: its subcommand comes before the options.
        argv = [args[0], *options, *args[1:]] if command is users else [*options, *args]
        return CliRunner().invoke(command, argv, input=input, env=env)

    return run


def test_add_list_disable_enable(invoke: Callable[..., Result]) -> None:
    added = invoke(users, "add", "Grace@Example.test", "--password", PASSWORD)
    assert added.exit_code == 0, added.output
    listed = invoke(users, "list")
    assert listed.exit_code == 0
    (line,) = listed.output.splitlines()
    assert line.split("\t")[1:4] == ["grace@example.test", "yes", "no"]
    assert invoke(users, "disable", "grace@example.test").exit_code == 0
    assert invoke(users, "list").output.split("\t")[2] == "no"
    assert invoke(users, "enable", "GRACE@example.test").exit_code == 0
    assert invoke(users, "list").output.split("\t")[2] == "yes"


def test_add_prompts_twice_with_hidden_input(invoke: Callable[..., Result]) -> None:
    added = invoke(users, "add", "hidden@example.test", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert PASSWORD not in added.output
    mismatch = invoke(users, "add", "typo@example.test", input=f"{PASSWORD}\nother\n")
    assert mismatch.exit_code != 0
    assert "typo@example.test" not in invoke(users, "list").output


def test_bad_input_gets_a_clean_error(invoke: Callable[..., Result]) -> None:
    assert invoke(users, "add", "dup@example.test", "--password", PASSWORD).exit_code == 0
    cases = [
        (("add", "dup@example.test", "--password", PASSWORD), "already exists"),
        (("add", "not-an-email", "--password", PASSWORD), "valid email"),
        (("add", "short@example.test", "--password", "short"), "'password'"),
        (("disable", "nobody@example.test"), "No user"),
    ]
    for args, text in cases:
        result = invoke(users, *args)
        assert result.exit_code == 1, args
        assert text in result.output
        assert "Traceback" not in result.output


def test_token_prints_an_access_token_for_email_or_id(
    invoke: Callable[..., Result], cli_settings: Settings
) -> None:
    invoke(users, "add", "script@example.test", "--password", PASSWORD)
    user_id = invoke(users, "list").output.split("\t")[0]
    service = TokenService(cli_settings.auth, load_or_create_secret(cli_settings))
    for who in ("script@example.test", user_id):
        printed = invoke(token, who)
        assert printed.exit_code == 0
        SEEN_SECRETS.add(printed.output.strip())
        assert service.verify_access(printed.output.strip()).user_id == user_id


def test_token_refuses_unknown_and_disabled_users(invoke: Callable[..., Result]) -> None:
    assert "No user" in invoke(token, "ghost@example.test").output
    invoke(users, "add", "off@example.test", "--password", PASSWORD)
    invoke(users, "disable", "off@example.test")
    refused = invoke(token, "off@example.test")
    assert refused.exit_code == 1
    assert "disabled" in refused.output


async def test_cli_token_works_against_the_server_on_the_same_data_dir(
    invoke: Callable[..., Result],
    cli_settings: Settings,
    start_server: Callable[..., Awaitable[Irisd]],
    session: aiohttp.ClientSession,
) -> None:
    # The CLI runs asyncio.run() itself, so it gets a thread of its own here.
    await asyncio.to_thread(invoke, users, "add", "ops@example.test", "--password", PASSWORD)
    printed = (await asyncio.to_thread(invoke, token, "ops@example.test")).output.strip()
    SEEN_SECRETS.add(printed)
    irisd = await start_server(cli_settings)
    client = ApiClient(session, irisd.url)
    client.access_token = printed
    me = await client.get("/api/v1/users/me")
    assert me.status == 200
    assert me.body["email"] == "ops@example.test"
