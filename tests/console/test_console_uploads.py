"""Uploads: a file plainly not a photo is refused before it is sent, and Retake on a refused
photo gives its name to the new one."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.support import images
from tests.support.pipelines import final, pipeline

pytestmark = pytest.mark.console


async def test_a_non_photo_is_refused_before_upload_and_retake_carries_the_name(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("quality_issue"))
    user, api = await user_with_api(irisd, session)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)

    notes = tmp_path / "notes.txt"
    notes.write_text("not a photo", encoding="utf-8")
    await page.locator("#file-input").set_input_files(notes)
    row = page.locator(".upload")
    await expect(row).to_have_attribute("data-state", "failed")
    await expect(row.locator(".upload-status")).to_have_text("This file is not a photo.")
    await expect(row.get_by_role("button", name="Retry the upload of notes.txt")).to_be_hidden()
    assert (await api.get("/api/v1/photos")).body["total"] == 0  # nothing was sent
    await row.get_by_role("button", name="Remove from uploads").click()

    photo = await api.upload(images.jpeg(320, 240), filename="blurry.jpg")
    await api.request("PATCH", f"/api/v1/photos/{photo['id']}", json_body={"label": "Ana"})
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    await final(api, job_id)
    card = console.card(job_id)
    await expect(card).to_have_attribute("data-error-type", "quality_issue")
    again = tmp_path / "IMG_0001.jpg"
    again.write_bytes(images.jpeg(320, 240))
    async with page.expect_file_chooser() as chooser:
        await card.get_by_role("button", name="Retake").click()
    await (await chooser.value).set_files(again)
    new_row = page.locator(".upload", has_text="IMG_0001.jpg")
    await expect(new_row.get_by_label("Name or reference for IMG_0001.jpg")).to_have_value("Ana")
    assert console.problems.unexpected() == []


async def test_a_damaged_photo_says_why_in_full_with_nothing_left_to_press(
    signed_in: Callable[..., Awaitable[tuple[Irisd, ConsolePage]]], tmp_path: Path
) -> None:
    # A truncated JPEG passes the browser's first look and is refused by the server's check:
    # the row said so cut off, with a full progress bar, a greyed Process and a broken picture.
    _, console = await signed_in()
    page = console.page
    broken = tmp_path / "holiday-photo-from-the-clinic-camera.jpg"
    broken.write_bytes(images.truncated_jpeg())
    await page.locator("#file-input").set_input_files(broken)
    row = page.locator(".upload")
    await expect(row).to_have_attribute("data-state", "failed")
    status = row.locator(".upload-status")
    await expect(status).not_to_be_empty()
    for width in (1280, 390):  # desktop, phone
        await page.set_viewport_size({"width": width, "height": 844})
        whole = "(el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight"
        assert await status.evaluate(whole), f"message cut off at {width} px"
    await expect(row.locator("progress")).to_be_hidden()
    await expect(row.get_by_role("button", name="Process")).to_be_hidden()
    thumb = row.locator("img")
    assert await thumb.evaluate("(el) => !el.getAttribute('src') || el.naturalWidth > 0")
    provoked = (r"response 415: POST .*/confirm", r"console: .* status of 415")
    assert console.problems.unexpected(*provoked) == []
