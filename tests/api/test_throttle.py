"""Sign-in and refresh throttling on a real server: per account, per address, across restarts."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from irisd import config
from tests.api.test_auth import LOGIN, assert_detail
from tests.conftest import PASSWORD, Irisd, create_user
from tests.support.clients import ApiClient, Reply

StartServer = Callable[..., Awaitable[Irisd]]
REFRESH = "/api/v1/auth/refresh"
WRONG = "not the password at all"


def assert_throttled(reply: Reply, most_s: int = 60) -> None:
    assert_detail(reply, 429, "Too many failed attempts")
    wait_s = int(reply.headers["Retry-After"])
    assert 1 <= wait_s <= most_s


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
    assert_throttled(await client.post(REFRESH, {"refresh_token": "forged.3.token"}))
    # The user who signed in from this address keeps refreshing: the guesses were not theirs.
    assert (await client.post(REFRESH, {"refresh_token": client.refresh_token})).status == 200


async def test_reused_refresh_tokens_are_throttled_per_account(throttled: Throttled) -> None:
    _server, user, client = await throttled(login_max_failures=2, address_max_failures=100)
    await client.login(user.email, PASSWORD)
    spent = client.refresh_token
    assert (await client.post(REFRESH, {"refresh_token": spent})).status == 200
    for _ in range(2):
        assert_detail(await client.post(REFRESH, {"refresh_token": spent}), 401)
    assert_throttled(await client.post(REFRESH, {"refresh_token": spent}))


# --- who a lock may shut out (issue 25: a guesser elsewhere, a clinic behind one NAT) ------

CLINIC, ELSEWHERE, THIRD = "127.0.0.1", "127.0.0.2", "127.0.0.3"


@pytest.fixture
async def from_address() -> AsyncIterator[Callable[[Irisd, str], ApiClient]]:
    """from_address(server, "127.0.0.2") -> an anonymous client whose requests come from there
    (every 127/8 address is loopback on Linux)."""
    sessions: list[aiohttp.ClientSession] = []

    def make(server: Irisd, address: str) -> ApiClient:
        connector = aiohttp.TCPConnector(local_addr=(address, 0))
        sessions.append(aiohttp.ClientSession(connector=connector))
        return ApiClient(sessions[-1], server.url)

    yield make
    for opened in sessions:
        await opened.close()


def scaled_down_locks(**auth: Any) -> dict[str, Any]:
    """The issue's knobs, read as the server reads them: IRISD_AUTH_LOCKOUT_S=2, _MAX_S=8."""
    env = {"IRISD_AUTH_LOCKOUT_S": "2", "IRISD_AUTH_LOCKOUT_MAX_S": "8"}
    return {**dataclasses.asdict(config.load(None, env).auth), **auth}


async def test_a_guesser_elsewhere_never_locks_out_the_owner(
    throttled: Throttled, from_address: Callable[[Irisd, str], ApiClient]
) -> None:
    server, owner, _ = await throttled(**scaled_down_locks())
    guesser, own = from_address(server, ELSEWHERE), from_address(server, CLINIC)
    # Far past every allowance: the pair's (5) and the account's (20).
    for _ in range(25):
        await login(guesser, owner.email, WRONG)
    replies = [await login(own, owner.email, PASSWORD)]  # never signed in from here before
    for _ in range(10):  # the guessing goes on between the owner's sign-ins
        await login(guesser, owner.email, WRONG)
        replies.append(await login(own, owner.email, PASSWORD))
    assert_detail(await login(own, owner.email, WRONG), 401)  # a typo of the owner's ...
    replies.append(await login(own, owner.email, PASSWORD))  # ... is no lock either
    assert [reply.status for reply in replies] == [200] * 12


async def test_behind_one_address_a_success_does_not_relock_the_others(
    throttled: Throttled, session: aiohttp.ClientSession
) -> None:
    server, first, clinic = await throttled(**scaled_down_locks())
    second = await create_user(server)
    for user in (first, second):  # the staff have signed in from the clinic before
        assert (await login(clinic, user.email, PASSWORD)).status == 200
    for n in range(20):  # then someone behind the same NAT sprays other accounts
        assert_detail(await login(clinic, f"nobody{n}@example.test", WRONG), 401)
    statuses = [
        (await login(clinic, user.email, PASSWORD)).status
        for _ in range(4)
        for user in (first, second)
    ]
    assert statuses == [200] * 8


async def test_the_guessers_themselves_stay_locked(
    throttled: Throttled, from_address: Callable[[Irisd, str], ApiClient]
) -> None:
    # The default lock (60 s): every refusal below happens well within it.
    server, owner, clinic = await throttled(account_max_failures=8)
    stranger = await create_user(server)
    assert (await login(clinic, owner.email, PASSWORD)).status == 200
    guesser, third = from_address(server, ELSEWHERE), from_address(server, THIRD)
    for _ in range(5):
        assert_detail(await login(guesser, owner.email, WRONG), 401)
    # The guessing address is locked out of that account, even with the right password.
    assert_throttled(await login(guesser, owner.email, PASSWORD))
    for n in range(3):  # the account's allowance fills from a third address
        assert_detail(await login(third, owner.email, f"{WRONG} {n}"), 401)
    # The account is locked now for every address that failed against it ...
    assert_throttled(await login(third, owner.email, PASSWORD))
    # ... and a fresh one gets a single guess: the owner's first try, were it the owner.
    fourth = from_address(server, "127.0.0.4")
    assert_detail(await login(fourth, owner.email, WRONG), 401)
    assert_throttled(await login(fourth, owner.email, PASSWORD), most_s=120)  # backed off
    assert (await login(clinic, owner.email, PASSWORD)).status == 200
    # A spraying address is locked for accounts that have not signed in from there.
    for n in range(20):
        await login(guesser, f"nobody{n}@example.test", WRONG)
    assert_throttled(await login(guesser, stranger.email, PASSWORD))


async def test_past_twice_its_allowance_a_locked_account_lets_only_known_addresses_try(
    throttled: Throttled, from_address: Callable[[Irisd, str], ApiClient]
) -> None:
    server, owner, clinic = await throttled(account_max_failures=2)
    assert (await login(clinic, owner.email, PASSWORD)).status == 200
    for address, wrong in (("127.0.0.2", 2), ("127.0.0.3", 1), ("127.0.0.4", 1)):
        guesser = from_address(server, address)
        for _ in range(wrong):  # past 2 the account is locked: a fresh address gets one
            assert_detail(await login(guesser, owner.email, WRONG), 401)
    # Four failures, twice the allowance: a fresh address gets no guess any more ...
    assert_throttled(await login(from_address(server, "127.0.0.5"), owner.email, PASSWORD), 240)
    # ... and the owner, from where they signed in, still does.
    assert (await login(clinic, owner.email, PASSWORD)).status == 200
