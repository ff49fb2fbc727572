"""Focus goes where the next step is after every action, and its ring is visible (>= 3:1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Locator, expect

from tests.conftest import PASSWORD, Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.console.rings import THEME_RING_CONTRAST
from tests.support import images
from tests.support.pipelines import final, pipeline

pytestmark = pytest.mark.console


async def test_focus_after_sign_in_failures_reprocess_and_pages_and_a_visible_ring(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    user, api = await user_with_api(irisd, session)
    photos = [(await api.upload(images.jpeg(64, 48)))["id"] for _ in range(13)]
    jobs = []
    for chunk in (photos[:10], photos[10:]):
        jobs += (await api.post("/api/v1/processing/batch", {"photo_ids": chunk})).body["jobs"]
    for job in jobs:
        await final(api, job["job_id"])

    console = await open_console(irisd.url)
    page = console.page
    await page.goto(irisd.url + "/")
    await page.get_by_label("Email").fill(user.email)
    await page.get_by_label("Password").fill("not the password")
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("alert")).to_have_text(
        "That email and password do not match an account."
    )
    await expect(page.get_by_label("Password")).to_be_focused()
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")
    await expect(page.get_by_role("heading", name="Add photos")).to_be_focused()

    for scheme in ("light", "dark"):
        await page.emulate_media(color_scheme=scheme)
        assert await page.evaluate(THEME_RING_CONTRAST) >= 3, scheme
    await page.emulate_media(color_scheme="light")

    await expect(page.locator(".job-card")).to_have_count(12)
    await page.get_by_role("button", name="Older →").click()
    await expect(page.locator(".pager-text")).to_have_text("Page 2 of 2")
    await expect(page.locator(".job-card .job-title").first).to_be_focused()
    await page.get_by_role("button", name="← Newer").click()
    await expect(page.locator(".pager-text")).to_have_text("Page 1 of 2")
    first = page.locator(".job-card").first
    await expect(first.locator(".job-title")).to_be_focused()

    # The new job is the reprocess call's answer: a listing asked for now could still come
    # before it (12 cards on "Page 1 of 2" hold before and after).
    async with page.expect_response(lambda r: r.url.endswith("/reprocess")) as answer:
        await first.get_by_role("button", name="Reprocess").click()
    newest = (await (await answer.value).json())["job_id"]
    await expect(page.locator(".job-card")).to_have_count(12)
    await expect(page.locator(".pager-text")).to_have_text("Page 1 of 2")
    await expect(console.card(newest).locator(".job-title")).to_be_focused()
    provoked = (r"response 401: POST .*/auth/login/json", r"console: .* status of 401")
    assert console.problems.unexpected(*provoked) == []


async def test_focus_after_process_process_all_and_removing_an_upload(
    signed_in: Callable[..., Awaitable[tuple[Irisd, ConsolePage]]], tmp_path: Path
) -> None:
    # By keyboard (Tab to the button, Enter): the focus fell to the page after each.
    _, console = await signed_in()
    page = console.page
    files = []
    for name in ("a.jpg", "b.jpg", "c.jpg", "d.jpg", "e.jpg"):
        (tmp_path / name).write_bytes(images.jpeg(320, 240))
        files.append(tmp_path / name)
    await page.locator("#file-input").set_input_files(files[:3])
    rows = page.locator(".upload[data-state=ready]")
    await expect(rows).to_have_count(3)

    # Removing a row: the next row's ✕ (the last row's: the one before), then Choose photos.
    def button(file: str, name: str) -> Locator:
        return page.locator(".upload", has_text=file).get_by_role("button", name=name)

    await button("a.jpg", "Remove from uploads").press("Enter")
    await expect(button("b.jpg", "Remove from uploads")).to_be_focused()
    # Process one: its new card.
    await button("b.jpg", "Process").press("Enter")
    card = page.locator(".job-card", has_text="b.jpg")
    await expect(card.locator(".job-title")).to_be_focused()
    await button("c.jpg", "Remove from uploads").press("Enter")
    await expect(page.locator("#file-input")).to_be_focused()

    # Process all: the batch's summary, which Cancel all follows.
    await page.locator("#file-input").set_input_files(files[3:])
    await expect(rows).to_have_count(2)
    await page.get_by_role("button", name="Process all (2)").press("Enter")
    await expect(page.locator(".batch-text")).to_be_focused()
    assert console.problems.unexpected() == []
