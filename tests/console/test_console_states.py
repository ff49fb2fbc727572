"""Honest states: a result to check is a warning with its cause, a cancel says "Cancelling..."
until it has happened, a cold worker's note shows, and a lost server is a clear banner that
pauses what needs it (with Retry for an upload that failed)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Route, WebSocketRoute, expect

from irisd.config import Settings
from tests.conftest import PASSWORD, Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.console.test_console_reconnect import REFUSED_WHILE_DOWN, add_user
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import NOTES, WARNINGS, Gates, at_gate, gates, pipeline
from tests.support.server import ServerProcess

__all__ = ["gates"]

pytestmark = pytest.mark.console


async def test_only_a_flaw_shows_the_warning_sign_and_says_check_this_print(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    """Issue 28 item 1: the pipeline's warnings (flaws) make a card say "Check this print"
    under the warning sign; notes that are information are listed quietly under a plain
    "Complete!"; a clean result says "Complete!" and nothing else. A low score with nothing
    named is no warning: the pipeline names what it doubts."""
    irisd = await start_server(jobs=pipeline("low_score"))
    user, api = await user_with_api(irisd, session)
    ids = [
        (await api.upload(images.jpeg(320, 240), filename=f"{name}.jpg"))["id"]
        for name in ("doubted", "informed", "clean")
    ]
    doubted, informed, _ = ids
    gates.warn(doubted, *WARNINGS)
    gates.note(doubted, *NOTES)
    gates.note(informed, *NOTES)
    jobs = (await api.post("/api/v1/processing/batch", {"photo_ids": ids})).body["jobs"]
    console = await open_console(irisd.url)
    await console.sign_in(user.email)
    warned, noted, fine = (console.card(job["job_id"]) for job in jobs)
    for card in (warned, noted, fine):
        await expect(card).to_have_attribute("data-status", "completed")

    await expect(warned).to_have_attribute("data-quality", "low")
    await expect(warned.locator(".job-step")).to_have_text("Check this print")
    notes = warned.get_by_role("list", name="About this result").get_by_role("listitem")
    await expect(notes).to_have_text([*WARNINGS, *NOTES])
    await expect(warned.locator(".job-notes li.flaw")).to_have_text(list(WARNINGS))
    await expect(warned.locator(".job-notes li.info")).to_have_text(list(NOTES))

    await expect(noted).to_have_attribute("data-quality", "")
    await expect(noted.locator(".job-step")).to_have_text("Complete!")
    await expect(noted.locator(".job-notes li.info")).to_have_text(list(NOTES))
    await expect(noted.locator(".job-notes li.flaw")).to_have_count(0)

    await expect(fine).to_have_attribute("data-quality", "")
    await expect(fine.locator(".job-step")).to_have_text("Complete!")
    await expect(fine.locator(".job-notes")).to_be_hidden()
    # The sign is the step's ::before: on the doubted card only, never before "Complete!".
    sign = "el => getComputedStyle(el, '::before').content"
    assert await warned.locator(".job-step").evaluate(sign) == '"⚠ "'
    for card in (noted, fine):
        assert await card.locator(".job-step").evaluate(sign) in ("none", "normal")
    await console.screenshots("check-this-print")
    assert console.problems.unexpected() == []


async def test_cancel_says_cancelling_until_the_job_stops_and_a_cold_worker_note_shows(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    user, api = await user_with_api(irisd, session)
    photo = await api.upload(images.jpeg(320, 240))
    gates.hold(photo["id"])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    await at_gate(api, job_id)

    console = await open_console(irisd.url)
    page = console.page

    # The note itself is the hardening branch's (issue 14): added here to the server's real
    # messages while the job runs, as that server sends it.
    async def with_note(socket: WebSocketRoute) -> None:
        server = socket.connect_to_server()

        def forward(message: str | bytes) -> None:
            data = json.loads(message)
            if data.get("status") == "processing":
                data["note"] = "Getting ready..."
            socket.send(json.dumps(data))

        server.on_message(forward)

    await page.route_web_socket("**/ws/jobs?*", with_note)
    await console.sign_in(user.email)
    card = console.card(job_id)
    await expect(card.locator(".job-detail")).to_have_text("Getting ready...")

    await card.get_by_role("button", name="Cancel").click()
    await expect(card.locator(".job-step")).to_have_text("Cancelling...")
    # No percentage while it stops: "20%" read as still running.
    await expect(card.locator(".ring-text")).to_have_text("stopping")
    await expect(card.get_by_role("button", name="Cancel")).to_be_hidden()
    await expect(card.get_by_role("heading", level=3)).to_be_focused()
    await console.screenshots("cancelling")
    await gates.release(job_id)  # on to its next step boundary, where it stops
    await expect(card).to_have_attribute("data-error-type", "cancelled")
    await expect(card.locator(".job-step")).to_have_text("Cancelled")
    await expect(card.locator(".job-detail")).not_to_contain_text("Getting ready")
    steps = await console.steps(job_id)
    assert steps[-2:] == ["Cancelling...", "Cancelled"], steps
    assert console.problems.unexpected() == []


# A photo dropped on an element, as a browser delivers it.
DROP_A_PHOTO = """(zone) => {
  const data = new DataTransfer();
  data.items.add(new File([new Uint8Array([255, 216, 255])], "eye.jpg", { type: "image/jpeg" }));
  const drop = { dataTransfer: data, bubbles: true, cancelable: true };
  zone.dispatchEvent(new DragEvent("drop", drop));
}"""


async def test_offline_banner_pauses_actions_and_a_failed_upload_can_be_retried(
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    open_console: Callable[..., Awaitable[ConsolePage]],
    tmp_path: Path,
) -> None:
    settings = make_settings(jobs=pipeline("ok"))
    server = await asyncio.to_thread(server_process, settings)
    await add_user(settings, "offline@example.test")
    console = await open_console(server.url)
    page = console.page
    await page.clock.install()  # the page's timers, to hold its own reconnect (below)
    await console.sign_in("offline@example.test")
    banner = page.get_by_role("alert").filter(has_text="The server cannot be reached")
    await expect(banner).to_be_hidden()

    await asyncio.to_thread(server.kill)
    await expect(banner).to_be_visible()
    await expect(page.locator("#file-input")).to_be_disabled()
    await expect(page.get_by_label("Search photos by label or file name")).to_be_disabled()
    # The file buttons look as disabled as they are, and a dropped photo is not taken.
    for name in ("Choose photos", "Take a photo"):
        button = page.locator(".file-button", has_text=name)
        assert await button.evaluate("(el) => getComputedStyle(el).opacity") == "0.5", name
    # The search box too (it looked as usable as ever).
    search = page.get_by_label("Search photos by label or file name")
    assert await search.evaluate("(el) => getComputedStyle(el).opacity") == "0.5"
    await page.locator(".dropzone").evaluate(DROP_A_PHOTO)
    await expect(page.locator(".tray")).to_be_hidden()
    await expect(page.locator(".upload")).to_have_count(0)
    # The empty page does not invite adding photos (which cannot be added now).
    await expect(page.locator(".jobs-empty")).to_have_text(
        "No photos to show while the server cannot be reached."
    )
    await console.screenshots("offline")
    # Time stops in the page, so its backoff cannot reconnect while the server restarts:
    # only "Retry now" can (otherwise the banner may be gone before the click).
    await page.clock.pause_at(await page.evaluate("Date.now() / 1000 + 0.01"))  # seconds
    await asyncio.to_thread(server.start)  # same port, same data dir
    await expect(banner).to_be_visible()
    await banner.get_by_role("button", name="Retry now").click()
    await expect(banner).to_be_hidden()
    await page.clock.resume()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(page.locator("#file-input")).to_be_enabled()

    # An upload whose transfer is cut once: Retry sends it again.
    cut: list[str] = []

    async def cut_once(route: Route) -> None:
        if not cut and route.request.method == "PUT":
            cut.append(route.request.url)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/files/**", cut_once)
    eye = tmp_path / "eye.jpg"
    eye.write_bytes(images.jpeg(320, 240))
    await page.locator("#file-input").set_input_files(eye)
    row = page.locator(".upload")
    await expect(row).to_have_attribute("data-state", "failed")
    await row.get_by_role("button", name="Retry the upload of eye.jpg").click()
    await expect(row).to_have_attribute("data-state", "ready")
    await expect(row.get_by_role("button", name="Process")).to_be_focused()
    assert cut
    provoked = (
        REFUSED_WHILE_DOWN,
        r"request failed: PUT .*/files/",  # the cut upload, and the browser's report of it
        r"console: Failed to load resource: net::ERR_CONNECTION_RESET",
        r"request failed: GET .*/api/v1/",  # while the server was down
    )
    assert console.problems.unexpected(*provoked) == []


async def test_offline_a_running_card_says_it_waits_for_the_server(
    make_settings: Callable[..., Settings],
    server_process: Callable[..., ServerProcess],
    open_console: Callable[..., Awaitable[ConsolePage]],
    gates: Gates,
    session: aiohttp.ClientSession,
) -> None:
    # Issue 28, item 6: a running card froze at its last progress without saying why.
    settings = make_settings(jobs=pipeline("gated"))
    server = await asyncio.to_thread(server_process, settings)
    await add_user(settings, "waits@example.test")
    api = ApiClient(session, server.url)
    await api.login("waits@example.test", PASSWORD)
    photo_id = (await api.upload(images.jpeg(64, 48)))["id"]
    gates.hold(photo_id)
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body["job_id"]
    await at_gate(api, job_id)
    console = await open_console(server.url)
    await console.sign_in("waits@example.test")
    card = console.card(job_id)
    await expect(card.locator(".job-step")).to_have_text("Finding your iris...")
    await expect(card.locator(".job-detail")).not_to_contain_text("Waiting for the server")

    await asyncio.to_thread(server.kill)
    await expect(console.page.get_by_role("alert")).to_contain_text("cannot be reached")
    await expect(card.locator(".job-detail")).to_contain_text("Waiting for the server…")


async def test_a_drop_while_signing_in_keeps_the_session(
    signed_in: Callable[..., Awaitable[tuple[Irisd, ConsolePage]]],
) -> None:
    # A connection lost while the page loaded its panels after sign-in (the server dropping
    # out) sent the user back to the sign-in form; now the session stays (and a reconnect,
    # when the stream dropped too, loads the panels again).
    _, console = await signed_in()
    page = console.page
    dropped: list[str] = []

    async def drop_once(route: Route) -> None:
        if not dropped:
            dropped.append(route.request.url)
            await route.abort("connectionreset")
        else:
            await route.continue_()

    await page.route("**/api/v1/privacy/consent", drop_once)
    await page.reload()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    assert dropped
    await expect(page.locator("#app")).to_be_visible()
    await expect(page.get_by_label("Password")).to_be_hidden()
    provoked = (r"request failed: GET .*/privacy/consent", r"console: .*ERR_CONNECTION_RESET")
    assert console.problems.unexpected(*provoked) == []
