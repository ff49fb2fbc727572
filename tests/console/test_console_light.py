"""Light tiles: a finished card shows the 512 px previews, never the full images, which only the
full-size view loads (and the download)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Request, expect

from tests.conftest import PASSWORD, Irisd, create_user
from tests.console.conftest import ConsolePage
from tests.support.clients import ApiClient
from tests.support.pipelines import final

pytestmark = pytest.mark.console


async def test_tiles_load_previews_and_only_the_full_size_view_loads_full_images(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    eye_images: dict[str, list[Path]],
) -> None:
    irisd = await start_server()  # the real pipeline
    user = await create_user(irisd)
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    photo = await api.upload_file(eye_images["mmu"][0])
    job_id = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
    assert (await final(api, job_id))["status"] == "completed"

    console = await open_console(irisd.url)
    page = console.page
    images: list[str] = []

    def note(request: Request) -> None:
        if request.resource_type == "image" and "/files/" in request.url:
            images.append(request.url.split("?")[0].rsplit("/", 1)[1])

    page.on("request", note)
    await console.sign_in(user.email)
    card = console.card(job_id)
    tile = card.locator(".compare img")
    await expect(tile).to_have_count(2)
    loaded = await tile.evaluate_all("all => all.map(i => i.complete && i.naturalWidth > 0)")
    assert loaded == [True, True]
    assert sorted(images) == sorted([f"{job_id}_before.webp", f"{job_id}_preview.webp"])

    await card.get_by_role("button", name=f"View {photo['filename']} full size").click()
    dialog = page.get_by_role("dialog", name=photo["filename"])
    await expect(dialog).to_be_visible()
    await expect(dialog.get_by_role("slider")).to_be_focused()
    await expect(dialog.locator("img")).to_have_count(2)
    await dialog.locator("img").last.evaluate("i => i.decode()")
    assert photo["id"] in images  # the full original
    assert f"{job_id}.png" in images  # the full result
    # The result can be saved from the view too: the served result, named as from its card.
    async with page.expect_download() as saved:
        await dialog.get_by_role("button", name="Download").click()
    assert (await saved.value).suggested_filename == f"{Path(photo['filename']).stem}-iris.png"
    await console.screenshots("full-size")
    await page.keyboard.press("Escape")
    await expect(dialog).to_be_hidden()
    await expect(
        card.get_by_role("button", name=f"View {photo['filename']} full size")
    ).to_be_focused()
    assert console.problems.unexpected() == []
