"""Whose result it is, in the console: labels at upload and later, names in cards,
announcements and downloads, and the gallery's search."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Locator, expect

from tests.conftest import PASSWORD, Irisd, create_user
from tests.console.conftest import ConsolePage
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

pytestmark = pytest.mark.console


async def download_name(card: Locator) -> str:
    async with card.page.expect_download() as info:
        await card.get_by_role("button", name="Download").click()
    return (await info.value).suggested_filename


async def test_labels_name_cards_announcements_and_downloads_and_search_finds_them(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    user = await create_user(irisd)
    files = [tmp_path / "ana left.jpg", tmp_path / "bo.jpg"]
    for path in files:
        path.write_bytes(images.jpeg(320, 240))
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)

    await page.locator("#file-input").set_input_files(files)
    await expect(page.locator(".upload[data-state=ready]")).to_have_count(2)
    await page.get_by_label("Name or reference for ana left.jpg").fill("Ana Silva / 42")
    await page.get_by_role("button", name="Process all (2)").click()
    ana = page.locator(".job-card", has_text="Ana Silva / 42")
    bo = page.locator(".job-card", has_text="bo.jpg")
    for card, name in ((ana, "Ana Silva / 42"), (bo, "bo.jpg")):
        await expect(card).to_have_attribute("data-status", "completed")
        await expect(card.get_by_role("heading", level=3)).to_have_text(name)
        await expect(page.locator("#announcer")).to_contain_text(f"{name}: complete.")
    assert await download_name(ana) == "Ana_Silva_42-iris.png"
    assert await download_name(bo) == "bo-iris.png"

    # A label given later names every result of the photo, on the server too.
    await bo.get_by_role("button", name="Add the label of bo.jpg").click()
    field = bo.get_by_role("textbox", name="Label of bo.jpg")
    await expect(field).to_be_focused()
    await field.fill("Bo Berg")
    await field.press("Enter")
    bo = page.locator(".job-card", has_text="Bo Berg")
    await expect(bo.get_by_role("heading", level=3)).to_have_text("Bo Berg")
    await expect(bo.get_by_role("button", name="Change the label of Bo Berg")).to_be_focused()
    assert await download_name(bo) == "Bo_Berg-iris.png"
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    labels = {p["filename"]: p["label"] for p in (await api.get("/api/v1/photos")).body["items"]}
    assert labels == {"ana left.jpg": "Ana Silva / 42", "bo.jpg": "Bo Berg"}
    await console.screenshots("labels")

    await page.get_by_label("Search photos by label or file name").fill("silva")
    await expect(page.locator(".job-card")).to_have_count(1)
    await expect(page.locator(".job-card h3")).to_have_text("Ana Silva / 42")
    await page.get_by_label("Search photos by label or file name").fill("nobody")
    await expect(page.locator(".job-card")).to_have_count(0)
    await expect(page.locator(".jobs-empty")).to_have_text("No photos match “nobody”.")
    await page.get_by_label("Search photos by label or file name").fill("")
    await expect(page.locator(".job-card")).to_have_count(2)
    assert console.problems.unexpected() == []


async def test_long_names_show_whole_and_a_labelled_card_says_which_file(
    signed_in: Callable[..., Awaitable[tuple[Irisd, ConsolePage]]], tmp_path: Path
) -> None:
    # Issue 28, item 10: on a phone the upload row squeezed the label field to "Name or refe";
    # a long title ended in "mountain-lan..."; a labelled card named its file only in a tooltip.
    _, console = await signed_in(phone=True)
    page = console.page
    long_name = tmp_path / "mountain-landscape-with-a-lake-at-dawn-eye.jpg"
    short = tmp_path / "bo.jpg"
    for path in (long_name, short):
        path.write_bytes(images.jpeg(320, 240))
    await page.locator("#file-input").set_input_files([long_name, short])
    rows = page.locator(".upload[data-state=ready]")
    await expect(rows).to_have_count(2)
    for index in range(2):
        row = rows.nth(index)
        field = await row.locator(".upload-label").bounding_box()
        whole = await row.bounding_box()
        assert field is not None
        assert whole is not None
        assert field["width"] >= 0.6 * whole["width"], (field, whole)
    await page.get_by_label(f"Name or reference for {short.name}").fill("Bo Berg")
    await page.get_by_role("button", name="Process all (2)").click()

    titled = page.locator(".job-card", has_text=long_name.name)
    title = titled.locator(".job-title")
    await expect(title).to_have_text(long_name.name)
    assert await title.evaluate("(el) => el.scrollHeight <= el.clientHeight + 1"), "title cut"
    labelled = page.locator(".job-card", has_text="Bo Berg")
    await expect(labelled.locator(".job-detail")).to_contain_text("bo.jpg")
    assert console.problems.unexpected() == []
