"""The gallery: newest first, paginated, queue positions, cancel of pending and running jobs."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import PASSWORD, Irisd, create_user
from tests.console.conftest import DESKTOP, PHONE, ConsolePage
from tests.console.layout import RING_GEOMETRY
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import NOTES, Gates, gates, pipeline

__all__ = ["gates"]  # the fixture

pytestmark = pytest.mark.console

PAGE_SIZE = 12  # the console's page size


async def test_gallery_pages_newest_first_and_cancels_pending_and_running_jobs(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    user = await create_user(irisd)
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    photo_ids = [(await api.upload(images.jpeg(320, 240)))["id"] for _ in range(PAGE_SIZE + 1)]
    gates.hold(photo_ids[0])
    running = (await api.post("/api/v1/processing/submit", {"photo_id": photo_ids[0]})).body
    pending = [
        job
        for chunk in (photo_ids[1:11], photo_ids[11:])
        for job in (await api.post("/api/v1/processing/batch", {"photo_ids": chunk})).body["jobs"]
    ]

    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)
    listed = (await api.get(f"/api/v1/processing/jobs?page_size={PAGE_SIZE}")).body
    await expect(page.locator(".job-card")).to_have_count(PAGE_SIZE)
    assert await console.job_ids() == [job["job_id"] for job in listed["items"]]
    await expect(page.locator(".pager-text")).to_have_text("Page 1 of 2")

    newest = console.card(pending[-1]["job_id"])
    position = (await api.get(f"/api/v1/processing/jobs/{pending[-1]['job_id']}")).body
    await expect(newest.locator(".job-step")).to_have_text("Waiting in line...")
    # Its place in line, once: in the ring ("Waiting in line..." beside it), not three times.
    place = position["queue_position"]
    ring = newest.get_by_role("progressbar")
    await expect(ring).to_have_text(f"#{place}")
    await expect(ring).to_have_attribute("aria-valuetext", f"Number {place} in line")
    text = await newest.inner_text()
    assert text.count("in line") == 1, text
    assert "queue" not in text, text
    # The ring, its disc and its number share a centre on a phone's 4:3 picture too.
    for size in (PHONE, DESKTOP):
        await page.set_viewport_size(size)
        geometry = await ring.evaluate(RING_GEOMETRY)
        assert geometry["square"], (size, geometry)
        assert geometry["off"] <= 1, (size, geometry)
    # "Label" is a button that looks like one (a border, as its neighbours have).
    label = newest.get_by_role("button", name="Add the label of eye.jpg")
    border = await label.evaluate("(el) => getComputedStyle(el).borderTopColor")
    assert border == await newest.get_by_role("button", name="Cancel").evaluate(
        "(el) => getComputedStyle(el).borderTopColor"
    )
    await newest.get_by_role("button", name="Cancel").click()
    await expect(newest).to_have_attribute("data-error-type", "cancelled")
    await expect(newest.locator(".job-step")).to_have_text("Cancelled")
    await expect(newest.get_by_role("button", name="Reprocess")).to_be_visible()
    # Said once: "Cancelled", not again as "Processing was cancelled.".
    assert (await newest.inner_text()).count("ancelled") == 1, await newest.inner_text()
    # "Label" lines up down a column of cards, with a delete beside it (this) or not (queued).
    right = "(el) => Math.round(el.getBoundingClientRect().right)"
    labels = page.locator(".job-card").get_by_role("button", name=re.compile("label of"))
    edges = {await label.evaluate(right) for label in await labels.all()}
    assert len(edges) == 4, edges  # one per column of the desktop's four
    await console.screenshots("gallery")

    # A reload rebuilds the page from the job list and the stream, still signed in.
    await page.reload()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(page.locator(".job-card")).to_have_count(PAGE_SIZE)
    await expect(newest.locator(".job-step")).to_have_text("Cancelled")

    # Nothing else may start once the running job ends: cancel the rest of the queue first.
    for job in pending[:-1]:
        await api.post(f"/api/v1/processing/jobs/{job['job_id']}/cancel")
    await page.get_by_role("button", name="Older →").click()
    await expect(page.locator(".pager-text")).to_have_text("Page 2 of 2")
    oldest = console.card(running["job_id"])
    await expect(oldest.locator(".job-step")).to_have_text("Finding your iris...")
    await oldest.get_by_role("button", name="Cancel").click()
    await gates.release(running["job_id"])  # on to its next step boundary, where it stops
    await expect(oldest).to_have_attribute("data-error-type", "cancelled")
    await expect(oldest.locator(".job-step")).to_have_text("Cancelled")
    await page.get_by_role("button", name="← Newer").click()
    await expect(page.locator(".job-card[data-error-type=cancelled]")).to_have_count(PAGE_SIZE)
    assert console.problems.unexpected() == []


async def test_completed_card_lists_the_results_quality_notes_under_it(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    user = await create_user(irisd)
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    photo_id = (await api.upload(images.jpeg(320, 240)))["id"]
    gates.hold(photo_id)
    gates.note(photo_id, *NOTES)
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo_id})).body["job_id"]

    console = await open_console(irisd.url)
    await console.sign_in(user.email)
    card = console.card(job_id)
    notes = card.get_by_role("list", name="About this result")
    await expect(card.locator(".job-step")).to_have_text("Finding your iris...")
    await expect(notes).to_be_hidden()
    await gates.release(job_id)  # completes live, over the WebSocket
    await expect(card).to_have_attribute("data-status", "completed")
    await expect(card.locator(".job-step")).to_have_text("Complete!")
    await expect(notes.get_by_role("listitem")).to_have_text(list(NOTES))
    await console.screenshots("quality-notes")

    await console.page.reload()  # the same notes from the job list
    await expect(card.locator(".job-step")).to_have_text("Complete!")
    await expect(notes.get_by_role("listitem")).to_have_text(list(NOTES))
    assert console.problems.unexpected() == []
