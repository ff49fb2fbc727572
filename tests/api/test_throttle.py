"""Sign-in and refresh throttling on a real server: per account, per address, across restarts."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from tests.api.test_auth import LOGIN, assert_detail
from tests.conftest import PASSWORD, Irisd, create_user
from tests.support.clients import ApiClient, Reply

StartServer = Callable[..., Awaitable[Irisd]]
REFRESH = "/api/v1/auth/refresh"
WRONG = "not the password at all"


def assert_throttled(reply: Reply) -> None:
    assert_detail(reply, 429, "Too many failed attempts")
    wait_s = int(reply.headers["Retry-After"])
    assert 1 <= wait_s <= 60


async def login(client: ApiClient, email: str, password: str) -> Reply:
    return await client.post(LOGIN, {"email": email, "password": password})


Throttled = Callable[..., Awaitable[tuple[Irisd, Any, ApiClient]]]


@pytest.fixture
def throttled(start_server: StartServer, session: aiohttp.ClientSession) -> Throttled:
    """throttled(**auth) -> (a server with those [auth] settings, a user, an anonymous client)."""

    async def make(**auth: Any) -> tuple[Irisd, Any, ApiClient]:
        server = await start_server(auth=auth)
        return server, await create_user(server), ApiClient(session, server.url)

    return make


async def test_wrong_passwords_lock_the_account_even_for_the_right_one(
    throttled: Throttled,
) -> None:
    _server, user, anon = await throttled(login_max_failures=3, lockout_s=60.0)
    for _ in range(3):
        assert_detail(await login(anon, user.email, WRONG), 401)
    assert_throttled(await login(anon, user.email, PASSWORD))
    # Another spelling of the same address is the same account.
    assert_throttled(await login(anon, user.email.upper(), PASSWORD))


async def test_a_burst_of_parallel_guesses_is_counted_before_any_is_checked(
    throttled: Throttled,
) -> None:
    _server, user, anon = await throttled(login_max_failures=5)
    replies = await asyncio.gather(*(login(anon, user.email, WRONG) for _ in range(20)))
    statuses = sorted(reply.status for reply in replies)
    assert statuses == [401] * 5 + [429] * 15
    assert_throttled(await login(anon, user.email, PASSWORD))


async def test_a_success_clears_the_account_count(throttled: Throttled) -> None:
    _server, user, anon = await throttled(login_max_failures=3)
    for _ in range(2):
        for _ in range(2):
            assert_detail(await login(anon, user.email, WRONG), 401)
        assert (await login(anon, user.email, PASSWORD)).status == 200


async def test_one_address_guessing_many_accounts_is_locked(throttled: Throttled) -> None:
    _server, victim, anon = await throttled(login_max_failures=5, address_max_failures=4)
    for n in range(4):
        assert_detail(await login(anon, f"nobody{n}@example.test", WRONG), 401)
    assert_throttled(await login(anon, victim.email, PASSWORD))


async def test_a_lock_survives_a_restart(
    start_server: StartServer, session: aiohttp.ClientSession, throttled: Throttled
) -> None:
    first, user, anon = await throttled(login_max_failures=2)
    for _ in range(2):
        assert_detail(await login(anon, user.email, WRONG), 401)
    second = await start_server(first.settings)  # the same data dir and database
    assert_throttled(await login(ApiClient(session, second.url), user.email, PASSWORD))


async def test_refresh_guesses_are_throttled_per_address(throttled: Throttled) -> None:
    _server, user, client = await throttled(address_max_failures=3)
    await client.login(user.email, PASSWORD)
    for n in range(3):
        assert_detail(await client.post(REFRESH, {"refresh_token": f"forged.{n}.token"}), 401)
    assert_throttled(await client.post(REFRESH, {"refresh_token": client.refresh_token}))


async def test_reused_refresh_tokens_are_throttled_per_account(throttled: Throttled) -> None:
    _server, user, client = await throttled(login_max_failures=2, address_max_failures=100)
    await client.login(user.email, PASSWORD)
    spent = client.refresh_token
    assert (await client.post(REFRESH, {"refresh_token": spent})).status == 200
    for _ in range(2):
        assert_detail(await client.post(REFRESH, {"refresh_token": spent}), 401)
    assert_throttled(await client.post(REFRESH, {"refresh_token": spent}))
