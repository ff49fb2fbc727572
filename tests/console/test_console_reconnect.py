"""The console survives a server restart mid-job: the card recovers and completes, no reload."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest
from playwright.async_api import WebSocket, expect

from irisd.auth.users import create_user
from irisd.config import Settings
from irisd.db import open_database
from tests.conftest import PASSWORD, Irisd
from tests.conftest import create_user as create_irisd_user
from tests.console.conftest import ConsolePage
from tests.support import images
from tests.support.clients import SEEN_SECRETS
from tests.support.pipelines import Gates, gates, pipeline
from tests.support.server import ServerProcess

pytestmark = pytest.mark.console
__all__ = ["gates"]  # the fixture

# The browser's own report of each refused reconnect while the server is down (provoked).
REFUSED_WHILE_DOWN = r"console: WebSocket connection to 'ws://[^']*/ws/jobs\?token=[^']*' failed"


async def add_user(settings: Settings, email: str) -> None:
    """A user row in the server's database file (the server runs in another process)."""
    SEEN_SECRETS.add(PASSWORD)
    db = await open_database(settings.data_path / "irisd.db")
    try:
        await create_user(db, email, PASSWORD)
    finally:
        await db.close()


def kill_held_worker(gates: Gates, job_id: str) -> None:
    """SIGKILL the worker the dead server left blocked on the job's gate (its orphan)."""
    with contextlib.suppress(ProcessLookupError):
        os.kill(gates.pid(job_id), signal.SIGKILL)


async def test_card_recovers_after_a_server_restart_mid_job_without_a_reload(
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    tmp_path: Path,
    gates: Gates,
) -> None:
    settings = make_settings(jobs=pipeline("gated"))
    server = await asyncio.to_thread(server_process, settings)
    await add_user(settings, "restart@example.test")
    console = await open_console(server.url)
    page = console.page
    await console.sign_in("restart@example.test")

    photo = tmp_path / "eye.jpg"
    photo.write_bytes(images.jpeg(640, 480))
    await page.locator("#file-input").set_input_files(photo)
    row = page.locator(".upload[data-state=ready]")
    gates.hold(await row.get_attribute("data-photo-id") or "")  # stop it mid-job, at 20 %
    await row.get_by_role("button", name="Process").click()
    card = page.locator(".job-card")
    await expect(card.locator(".job-step")).to_have_text("Finding your iris...")
    [job_id] = await console.job_ids()

    await asyncio.to_thread(server.kill)
    kill_held_worker(gates, job_id)
    await expect(page.locator("#connection")).to_have_attribute("data-state", "reconnecting")
    await asyncio.to_thread(server.start)  # same port, same data dir

    await expect(card).to_have_attribute("data-status", "completed", timeout=120_000)
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(card.locator(".job-detail")).to_contain_text("Attempt 2")
    assert (await console.steps(job_id))[-1] == "Complete!"
    assert await page.evaluate("window.__loads") == 1  # recovered in place, never reloaded
    await console.screenshots("after-restart")
    assert console.problems.unexpected(REFUSED_WHILE_DOWN) == []


async def test_console_resumes_at_once_after_the_servers_connection_time_limit(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    tmp_path: Path,
) -> None:
    irisd = await start_server(ws={"max_connection_s": 1.0}, jobs=pipeline("ok"))
    user = await create_irisd_user(irisd)
    console = await open_console(irisd.url)
    page = console.page
    opened: list[WebSocket] = []
    second = asyncio.Event()

    def count(socket: WebSocket) -> None:
        opened.append(socket)
        if len(opened) >= 2:
            second.set()

    page.on("websocket", count)
    await console.sign_in(user.email)
    await asyncio.wait_for(second.wait(), 60)  # the first socket reached its limit: a new one
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")

    photo = tmp_path / "eye.jpg"
    photo.write_bytes(images.jpeg(640, 480))
    await page.locator("#file-input").set_input_files(photo)
    await page.locator(".upload").get_by_role("button", name="Process").click()
    await expect(page.locator(".job-card")).to_have_attribute("data-status", "completed")
    assert all("since=" in socket.url for socket in opened[1:])  # each resumed where it left
    assert console.problems.unexpected() == []
