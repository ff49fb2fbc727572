"""A batch in the console: cards in the order picked, "n of 4 done", Cancel all, Download all
as one ZIP of the served results, and processing on upload as a setting; a pick of more than
the API's 10 a batch still shows and counts as one."""

from __future__ import annotations

import asyncio
import io
import zipfile
from collections.abc import Awaitable, Callable
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import Route, expect

from tests.conftest import PASSWORD, Irisd, create_user
from tests.console.conftest import DESKTOP, PHONE, ConsolePage
from tests.support import images
from tests.support.clients import ApiClient
from tests.support.pipelines import Gates, gates, pipeline

__all__ = ["gates"]

pytestmark = pytest.mark.console


async def test_a_batch_keeps_its_order_counts_cancels_and_downloads_as_one_zip(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("gated"))
    user = await create_user(irisd)
    names = ["d.jpg", "a.jpg", "c.jpg", "b.jpg"]  # the order picked, not alphabetical
    files = []
    for name in names:
        (tmp_path / name).write_bytes(images.jpeg(320, 240))
        files.append(tmp_path / name)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)
    await page.locator("#file-input").set_input_files(files)
    await expect(page.locator(".upload[data-state=ready]")).to_have_count(4)
    held = page.locator(".upload", has_text="c.jpg")
    gates.hold(await held.get_attribute("data-photo-id") or "")  # the third stops at 20 %
    await page.get_by_role("button", name="Process all (4)").click()

    titles = page.locator(".job-card .job-title")
    await expect(titles).to_have_text(names)
    summary = page.locator(".batch-text")
    await expect(summary).to_have_text("2 of 4 done")  # d and a; c is held, b waits behind it
    c_card = page.locator(".job-card", has_text="c.jpg")
    await expect(c_card.locator(".job-step")).to_have_text("Finding your iris...")
    # On a phone the summary has its own line and its two buttons share the next (the ZIP one
    # went alone under Cancel all).
    await page.set_viewport_size(PHONE)
    top = "(el) => Math.round(el.getBoundingClientRect().top)"
    bar = page.locator(".batch")
    tops = [
        await bar.get_by_role("button", name=n).evaluate(top)
        for n in ("Cancel all", "Download all (ZIP)")
    ]
    assert tops[0] == tops[1], tops
    await page.set_viewport_size(DESKTOP)
    await console.screenshots("batch")
    # A reload keeps the batch's summary and its actions.
    await page.reload()
    await expect(page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(summary).to_have_text("2 of 4 done")
    await expect(page.get_by_role("button", name="Cancel all")).to_be_enabled()

    await page.get_by_role("button", name="Cancel all").click()
    # b dropped at once, c stops at its step: cancelled, not "done"
    await expect(summary).to_have_text("2 of 4 done, 1 cancelled")
    await expect(c_card.locator(".job-step")).to_have_text("Cancelling...")
    await gates.release(await c_card.get_attribute("data-job-id") or "")
    await expect(summary).to_have_text("2 of 4 done, 2 cancelled")
    await expect(
        page.get_by_role("button", name="Cancel all")
    ).to_be_hidden()  # nothing left to cancel

    async with page.expect_download() as info:
        await page.get_by_role("button", name="Download all (ZIP)").click()
    archive = zipfile.ZipFile(
        io.BytesIO(await asyncio.to_thread(Path(await (await info.value).path()).read_bytes))
    )
    assert archive.namelist() == ["d-iris.png", "a-iris.png"]
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    listed = {j["filename"]: j for j in (await api.get("/api/v1/processing/jobs")).body["items"]}
    for name in ("d", "a"):
        served = await api.get(listed[f"{name}.jpg"]["result_url"], auth=False)
        assert archive.read(f"{name}-iris.png") == served.body
    assert console.problems.unexpected() == []


async def test_process_on_upload_is_a_setting_that_sends_the_photos_picked_as_one_batch(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    tmp_path: Path,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    user = await create_user(irisd)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)
    setting = page.get_by_label("Process photos as soon as they are uploaded")
    await setting.check()
    await page.reload()  # the setting is kept in this browser
    await expect(setting).to_be_checked()
    files = []
    for name in ("x.jpg", "y.jpg"):
        (tmp_path / name).write_bytes(images.jpeg(320, 240))
        files.append(tmp_path / name)
    await page.locator("#file-input").set_input_files(files)
    await expect(page.locator(".job-card[data-status=completed]")).to_have_count(2)
    await expect(page.locator(".job-card .job-title")).to_have_text(["x.jpg", "y.jpg"])
    await expect(page.locator(".batch-text")).to_have_text("2 of 2 done")
    await expect(page.locator(".upload")).to_have_count(0)
    assert console.problems.unexpected() == []


# Every text the batch summary shows, in order (observed from outside the console's code).
SUMMARY_RECORDER = """() => {
  window.__summaries = [];
  const text = document.querySelector(".batch-text");
  const note = () => {
    const seen = window.__summaries;
    if (text.textContent && seen[seen.length - 1] !== text.textContent) seen.push(text.textContent);
  };
  new MutationObserver(note).observe(text, { subtree: true, childList: true, characterData: true });
}"""
FINISHED_S = 60.0  # the tiny test pipeline on a shared CPU; a hang still fails the test


async def all_done(api: ApiClient, count: int) -> None:
    """Until the user's `count` jobs (all there are) have finished, or FINISHED_S passes."""
    deadline = asyncio.get_running_loop().time() + FINISHED_S
    while asyncio.get_running_loop().time() < deadline:
        items = (await api.get("/api/v1/processing/jobs")).body["items"]
        if len(items) == count and all(job["status"] == "completed" for job in items):
            return
        await asyncio.sleep(0.05)  # a poll interval: the condition above is what is awaited
    raise AssertionError(f"the first batch's {count} jobs did not finish")


async def test_more_than_ten_photos_picked_at_once_keep_their_order_and_one_summary(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    tmp_path: Path,
) -> None:
    """The API takes 10 photos a batch: 12 go as two, yet show as the one pick they were.

    The second batch's answer is held until the first batch's jobs have finished, so their
    last states reach the page before the console knows the pick is complete."""
    irisd = await start_server(jobs=pipeline("ok"))
    user = await create_user(irisd)
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)
    await page.get_by_label("Process photos as soon as they are uploaded").check()
    names = [f"{letter}.jpg" for letter in "lkjihgfedcba"]  # the order picked, not alphabetical

    sent: list[int] = []

    async def second_waits_for_the_first(route: Route) -> None:
        if sent:
            await all_done(api, sent[0])
        response = await route.fetch()
        sent.append(len((await response.json())["jobs"]))
        await route.fulfill(response=response)

    await page.route("**/api/v1/processing/batch", second_waits_for_the_first)
    for name in names:
        (tmp_path / name).write_bytes(images.jpeg(64, 48))
    await page.evaluate(SUMMARY_RECORDER)
    await page.locator("#file-input").set_input_files([tmp_path / name for name in names])

    await expect(page.locator(".job-card[data-status=completed]")).to_have_count(12)
    await expect(page.locator(".job-card .job-title")).to_have_text(names)
    summary = page.locator(".batch-text")
    await expect(summary).to_have_text("12 of 12 done")
    # Nothing left to cancel: Cancel all is not offered (it stayed, greyed).
    await expect(page.locator(".batch").get_by_role("button", name="Cancel all")).to_be_hidden()
    assert sorted(sent) == [2, 10]
    seen: list[str] = await page.evaluate("window.__summaries")
    counts = [int(text.split(" of ")[0]) for text in seen]
    assert all(text.endswith(" of 12 done") for text in seen), seen
    assert counts == sorted(counts), seen
    await expect(page.locator(".pager")).to_be_hidden()  # 12 fit the first page
    assert console.problems.unexpected() == []
