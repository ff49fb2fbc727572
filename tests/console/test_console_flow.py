"""The console in a real Chromium against a real server: batch of real eyes, a non-eye photo."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import numpy as np
import pytest
from PIL import Image
from playwright.async_api import Locator, expect

from tests.conftest import PASSWORD, Irisd, create_user
from tests.console.conftest import DESKTOP, STEPS, ConsolePage
from tests.console.layout import NARROWEST, WRAPS_AFTER
from tests.console.rings import ring_contrasts
from tests.support.clients import ApiClient

pytestmark = pytest.mark.console

PIPELINE_STEPS = STEPS[1:6]
FINALS = {"Check this print": "Complete!"}  # a completed result's step text, either way
FINISHED = 240_000  # ms: the real pipeline on a shared CPU; a hang still fails the test


def assert_in_order(seen: list[str]) -> None:
    """Every step text shown is a known one, in the contract's order, ending in Complete!, or
    in "Check this print" where the pipeline doubts the result (MMU's small irises)."""
    positions = [STEPS.index(FINALS.get(text, text)) for text in seen]
    assert positions == sorted(positions), seen
    assert set(PIPELINE_STEPS) <= set(seen), seen
    assert FINALS.get(seen[-1], seen[-1]) == "Complete!", seen


def not_an_eye(path: Path) -> Path:
    """A 640x480 photo of a noisy landscape-like gradient: no eye anywhere."""
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:480, 0:640]
    sky = np.stack([90 + ys // 4, 140 + ys // 6, 200 + 0 * xs], axis=-1)
    noisy = sky + rng.integers(-12, 12, size=sky.shape)
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path, quality=90)
    return path


async def api_as(session: aiohttp.ClientSession, irisd: Irisd, email: str) -> ApiClient:
    client = ApiClient(session, irisd.url)
    await client.login(email, PASSWORD)
    return client


async def test_batch_of_two_eyes_shows_every_step_and_downloads_the_served_result(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    eyes = eye_images["mmu"][:2]
    if len(eyes) < 2:
        pytest.skip("IRISD_DATA has fewer than two MMU eye images")
    irisd = await start_server()
    user = await create_user(irisd)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)

    camera = page.locator("#camera-input")
    assert await camera.get_attribute("capture") == "environment"
    assert await camera.get_attribute("accept") == "image/*"
    await page.locator("#file-input").set_input_files(eyes)
    await expect(page.locator(".upload[data-state=ready]")).to_have_count(2)
    bars = await page.locator(".upload progress").evaluate_all("bars => bars.map(b => b.value)")
    assert bars == [1, 1]  # each file's own upload progress, complete
    await page.evaluate(HEARD)  # every message the page's live region is given, from now
    await page.get_by_role("button", name="Process all (2)").click()
    await expect(page.locator(".job-card")).to_have_count(2)
    await expect(page.locator(".upload")).to_have_count(0)

    for job_id in await console.job_ids():
        card = console.card(job_id)
        await expect(card).to_have_attribute("data-status", "completed", timeout=FINISHED)
        assert_in_order(await console.steps(job_id))
        # Consent is not required on this server: no "No consent recorded" on every card.
        await expect(card.locator(".job-consent")).to_be_hidden()
    # One polite region for the page, and only the outcomes in it: each photo's, named (its
    # file name: no label was given), a result with warnings as one to check, then the batch's.
    names = "|".join(re.escape(eye.name) for eye in eyes)
    outcome = re.compile(f"^({names}): complete(, check this print)?[.]$")
    await expect(page.locator("#announcer p").last).to_have_text("Batch finished: 2 of 2 done.")
    heard = await page.evaluate("window.heard")
    assert [bool(outcome.match(text)) for text in heard] == [True, True, False], heard
    assert await page.locator("[aria-live]").count() == 1 + 1  # the page's and the toast's
    # No layout jump from start to result: only a result's quality notes, listed under it once
    # it is done, may make its card (and so its row) taller.
    noted = await page.locator(".job-notes:not([hidden])").count()
    for job_id in await console.job_ids():
        assert len(await console.heights(job_id)) <= 1 + noted

    api = await api_as(session, irisd, user.email)
    job_id = (await console.job_ids())[0]
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).body
    card = console.card(job_id)
    await expect(card.locator(".job-detail")).to_contain_text(
        f"{job['result_width']} \u00d7 {job['result_height']}"
    )
    await check_slider_moves_with_keys(card)
    await check_download_is_the_served_result(card, api, job_id)

    # A file name that needs two lines wraps where its words end, not inside one
    # ("01_left_aeval1.b" / "mp"), on the narrowest card of a desktop.
    await page.set_viewport_size({"width": NARROWEST, "height": 800})
    for title in await page.locator(".job-title").all():
        assert set(await title.evaluate(WRAPS_AFTER)) <= set("._- "), await title.inner_text()
    await page.set_viewport_size(DESKTOP)
    await console.screenshots("batch-completed")
    assert console.problems.unexpected() == []


# Records each message added to the page's live region, in window.heard.
HEARD = """() => {
  window.heard = [];
  new MutationObserver((changes) => {
    const added = changes.flatMap((change) => [...change.addedNodes]);
    window.heard.push(...added.map((node) => node.textContent));
  }).observe(document.getElementById("announcer"), { childList: true });
}"""


async def check_slider_moves_with_keys(card: Locator) -> None:
    slider = card.get_by_role("slider")
    await expect(slider).to_have_attribute("aria-valuenow", "50")
    await slider.focus()
    await slider.press("ArrowRight")
    await slider.press("ArrowRight")
    await expect(slider).to_have_attribute("aria-valuenow", "60")
    await slider.press("ArrowLeft")
    await expect(slider).to_have_attribute("aria-valuenow", "55")
    await slider.press("Home")
    await expect(slider).to_have_attribute("aria-valuenow", "0")
    await slider.press("End")
    await expect(slider).to_have_attribute("aria-valuenow", "100")
    await slider.press("PageDown")
    await expect(slider).to_have_attribute("aria-valuenow", "75")
    contrasts = await ring_contrasts(slider, slider, "::after", "::after")
    assert min(contrasts.values()) >= 3, contrasts  # on the white handle, both schemes

    box = await card.locator(".compare").bounding_box()
    assert box is not None
    middle = box["y"] + box["height"] / 2
    mouse = card.page.mouse
    await mouse.click(box["x"] + box["width"] * 0.25, middle)  # a click moves the divide there
    await expect(slider).to_have_attribute("aria-valuenow", "25")
    await mouse.down()
    await mouse.move(box["x"] + box["width"] * 0.6, middle, steps=4)  # and so does a drag
    await mouse.up()
    await expect(slider).to_have_attribute("aria-valuenow", "60")
    loaded = await card.locator(".compare img").evaluate_all(
        "images => images.map(img => img.complete && img.naturalWidth > 0)"
    )
    assert loaded == [True, True]


async def check_download_is_the_served_result(card: Locator, api: ApiClient, job_id: str) -> None:
    page = card.page
    async with page.expect_download() as info:
        await card.get_by_role("button", name="Download").click()
    download = await info.value
    downloaded = await asyncio.to_thread(Path(await download.path()).read_bytes)
    job = (await api.get(f"/api/v1/processing/jobs/{job_id}")).body
    served = await api.get(job["result_url"], auth=False)
    assert served.status == 200
    assert downloaded == served.body
    assert download.suggested_filename == f"{Path(job['filename']).stem}-iris.png"


async def test_photo_without_an_eye_ends_with_the_quality_message_and_offers_retake_first(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    irisd = await start_server()
    user = await create_user(irisd)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)

    await page.locator("#file-input").set_input_files(not_an_eye(tmp_path / "landscape.jpg"))
    row = page.locator(".upload")
    await expect(row).to_have_attribute("data-state", "ready")
    await row.get_by_role("button", name="Process").click()
    card = page.locator(".job-card")
    await expect(card).to_have_count(1)
    await expect(card).to_have_attribute("data-status", "failed", timeout=FINISHED)
    await expect(card).to_have_attribute("data-error-type", "quality_issue")

    api = await api_as(session, irisd, user.email)
    first_id = (await console.job_ids())[0]
    job = (await api.get(f"/api/v1/processing/jobs/{first_id}")).body
    await expect(card.locator(".error-message")).to_have_text(job["error_message"])
    await expect(card.locator(".suggestion")).to_be_hidden()  # the message says what to do
    await expect(card.locator(".retake")).to_be_visible()
    await expect(card.get_by_role("button", name="Retake")).to_be_visible()
    # Retake first; Reprocess too (a newer pipeline may take the same photo).
    await expect(card.get_by_role("button", name="Reprocess")).to_be_visible()
    await console.screenshots("quality-issue")

    # A second result of the photo (the API still reprocesses) shows up from the stream.
    (await api.post(f"/api/v1/processing/jobs/{first_id}/reprocess")).expect(201)
    await expect(page.locator(".job-card")).to_have_count(2)
    ids = await console.job_ids()
    new_id = next(job_id for job_id in ids if job_id != first_id)
    assert ids[0] == new_id  # newest first
    listed = (await api.get("/api/v1/processing/jobs")).body
    assert [item["job_id"] for item in listed["items"]] == [new_id, first_id]
    assert listed["items"][0]["photo_id"] == job["photo_id"]
    new_card = console.card(new_id)
    await expect(new_card).to_have_attribute("data-status", "failed", timeout=FINISHED)

    # Delete asks what goes: here the photo with both its results (listed), to the trash.
    await new_card.get_by_role("button", name="Delete…").click()
    await expect(new_card.locator(".delete-what")).to_contain_text("this result and 1 other result")
    await new_card.get_by_role("button", name="Delete the photo and both results").click()
    await expect(page.locator(".job-card")).to_have_count(0)
    await expect(page.locator(".jobs-empty")).to_be_visible()
    assert (await api.get("/api/v1/processing/jobs")).body["total"] == 0
    assert (await api.get(f"/api/v1/photos/{job['photo_id']}")).status == 404
    assert console.problems.unexpected() == []
