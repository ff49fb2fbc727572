"""Signing in and out in the console: tab-only tokens, one refresh on 401, reload keeps the tab."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Irisd, create_user
from tests.console.conftest import ConsolePage
from tests.support.clients import ApiClient

pytestmark = pytest.mark.console

TOKENS = "JSON.parse(sessionStorage.getItem('irisd.session'))"
# Provoked: the wrong password, and the one request sent with the spoiled access token.
WRONG_PASSWORD = r"(response 401: POST .*/auth/login/json|console: Failed to load resource.* 401)"
SPOILED_TOKEN = r"(response 401: GET .*/users/me|console: Failed to load resource.* 401)"


async def test_wrong_password_is_refused_with_a_clear_message(
    server: Irisd, open_console: Callable[[str], Awaitable[ConsolePage]]
) -> None:
    user = await create_user(server)
    console = await open_console(server.url)
    page = console.page
    await page.goto(server.url + "/")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.locator("#login-error")).to_have_text(
        "That email and password do not match an account."
    )
    await expect(page.locator("#app")).to_be_hidden()
    assert await page.evaluate(TOKENS) is None
    assert console.problems.unexpected(WRONG_PASSWORD) == []


async def test_a_refused_token_is_refreshed_once_and_a_reload_keeps_the_session(
    server: Irisd,
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
) -> None:
    user = await create_user(server)
    console = await open_console(server.url)
    page = console.page
    await console.sign_in(user.email)
    before = await page.evaluate(TOKENS)

    # A token the server refuses although it has not expired (its signature is spoiled).
    await page.evaluate(
        """() => {
          const tokens = JSON.parse(sessionStorage.getItem('irisd.session'));
          const last = tokens.access_token.slice(-1) === 'A' ? 'B' : 'A';
          tokens.access_token = tokens.access_token.slice(0, -1) + last;
          sessionStorage.setItem('irisd.session', JSON.stringify(tokens));
        }"""
    )
    await page.reload()
    await expect(page.locator("#user-email")).to_have_text(user.email)
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    after = await page.evaluate(TOKENS)
    assert after["refresh_token"] != before["refresh_token"]  # rotated by exactly one refresh
    # The refresh token used is spent: the server refuses it now.
    client = ApiClient(session, server.url)
    reply = await client.post("/api/v1/auth/refresh", {"refresh_token": before["refresh_token"]})
    assert reply.status == 401
    assert console.problems.unexpected(SPOILED_TOKEN) == []


async def test_sign_out_forgets_the_tab_tokens_and_revokes_the_refresh_token(
    server: Irisd,
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
) -> None:
    user = await create_user(server)
    console = await open_console(server.url)
    page = console.page
    await console.sign_in(user.email)
    tokens = await page.evaluate(TOKENS)

    await page.get_by_role("button", name="Sign out").click()
    await expect(page.locator("#login")).to_be_visible()
    await expect(page.locator("#app")).to_be_hidden()
    assert await page.evaluate(TOKENS) is None
    client = ApiClient(session, server.url)
    reply = await client.post("/api/v1/auth/refresh", {"refresh_token": tokens["refresh_token"]})
    assert reply.status == 401
    # Signing out cuts the panels' loads still in flight (a loaded machine is slower than the
    # click): those GETs end aborted by the console itself, nothing else may fail.
    assert console.problems.unexpected(r"^request failed: GET .* net::ERR_ABORTED$") == []
