"""Consent in the console: a client's photo is refused until staff record their consent (here
a signed paper form) under its label; the card says so; staff download the client's data and
withdraw the consent, which erases the photo and its result."""

from __future__ import annotations

import asyncio
import io
import json
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import expect

from irisd.errors import ConsentRequired
from tests.conftest import Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.support import images
from tests.support.pipelines import pipeline

pytestmark = pytest.mark.console
CLIENT = "Ada Lovelace"


@pytest.mark.timeout(120)
async def test_staff_record_a_clients_consent_before_processing_and_withdraw_it(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"), privacy={"require_consent": True})
    user, api = await user_with_api(irisd, session)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)

    photo = tmp_path / "ada-left.jpg"
    photo.write_bytes(images.jpeg(320, 240))
    await page.locator("#file-input").set_input_files(photo)
    row = page.locator(".upload", has_text="ada-left.jpg")
    await expect(row).to_have_attribute("data-state", "ready")
    await row.get_by_label("Name or reference for ada-left.jpg").fill(CLIENT)
    await row.get_by_role("button", name="Process").click()
    await expect(page.locator(".tray-message")).to_have_text(ConsentRequired.message)

    panel = page.locator("details.privacy")
    await panel.locator("summary").click()
    await panel.get_by_label("Client (the label on their photos)").fill(CLIENT)
    await expect(panel.locator(".privacy-status")).to_have_text(f"{CLIENT}: No consent recorded.")
    await panel.get_by_role("button", name="Signed paper form").click()
    await expect(panel.locator(".privacy-status")).to_contain_text("Consent recorded on paper")
    [record] = (await api.get("/api/v1/privacy/consent")).expect(200)["consents"]
    assert (record["label"], record["source"], record["granted"]) == (CLIENT, "paper", True)

    await row.get_by_role("button", name="Process").click()
    card = page.locator(".job-card[data-status=completed]")
    await expect(card).to_have_count(1)
    await expect(card.locator(".job-consent")).to_contain_text("Consent recorded on paper")
    await console.screenshots("privacy-consent")

    async with page.expect_download() as download:
        await panel.get_by_role("button", name="Download their data").click()
    saved = Path(await (await download.value).path())
    with zipfile.ZipFile(io.BytesIO(await asyncio.to_thread(saved.read_bytes))) as z:
        held = json.loads(z.read("data.json"))
        assert [p["label"] for p in held["photos"]] == [CLIENT]
        assert z.read(f"photos/{held['photos'][0]['id']}.jpg") == photo.read_bytes()

    await panel.get_by_role(
        "button", name=f"Withdraw the consent of {CLIENT} and erase their photos"
    ).click()
    await expect(page.locator(".job-card")).to_have_count(0)
    await expect(page.locator("#toast")).to_contain_text("1 photo and 1 result erased")
    assert (await api.get("/api/v1/photos")).expect(200)["total"] == 0

    # Erase everything under another client's label: asked once more, then done.
    await api.upload(images.jpeg(320, 240), filename="grace.jpg")
    grace = (await api.get("/api/v1/photos")).expect(200)["items"][0]
    await api.request("PATCH", f"/api/v1/photos/{grace['id']}", json_body={"label": "Grace"})
    await panel.get_by_label("Client (the label on their photos)").fill("grace")
    await panel.get_by_role("button", name="Erase all their data…").click()
    confirm = panel.get_by_role("button", name="Erase for good: photos and results")
    await expect(confirm).to_be_focused()
    await confirm.click()
    await expect(page.locator("#toast")).to_contain_text("Erased grace: 1 photo and 0 results")
    assert (await api.get("/api/v1/photos")).expect(200)["total"] == 0
    refused = (r"response 403: POST .*/processing/submit", "status of 403 \\(Forbidden\\)")
    assert console.problems.unexpected(*refused) == []
