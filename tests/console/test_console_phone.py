"""The console on a phone's touch screen: vertical swipes scroll, even when they start on a
result; only a horizontal drag moves the before/after divide. A toast keeps clear of the upload
buttons, the search spans the width, and the consent panel looks openable and cuts no line."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from playwright.async_api import CDPSession, Page, expect

from tests.conftest import Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.console.layout import SETTLED, SHOWN_LINES, overlap
from tests.support import images
from tests.support.pipelines import final, pipeline

pytestmark = pytest.mark.console


async def swipe(cdp: CDPSession, start: tuple[float, float], end: tuple[float, float]) -> None:
    """One finger down at `start`, moved to `end` in small steps, lifted: real touch input."""
    steps = 12
    (x0, y0), (x1, y1) = start, end
    await cdp.send(
        "Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": x0, "y": y0}]}
    )
    for i in range(1, steps + 1):
        point = {"x": x0 + (x1 - x0) * i / steps, "y": y0 + (y1 - y0) * i / steps}
        await cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [point]})
    await cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})


async def scroll_y(page: Page) -> float:
    value: float = await page.evaluate("window.scrollY")
    return value


async def test_a_vertical_swipe_on_a_result_scrolls_and_a_sideways_drag_moves_the_divide(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    user, api = await user_with_api(irisd, session)
    for _ in range(3):
        photo = await api.upload(images.jpeg(320, 240))
        job = (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body
        await final(api, job["job_id"])

    console = await open_console(irisd.url, phone=True)
    page = console.page
    await console.sign_in(user.email)
    await expect(page.locator(".job-card[data-status=completed]")).to_have_count(3)
    compare = page.locator(".job-card .compare").nth(1)
    slider = compare.get_by_role("slider")
    await compare.scroll_into_view_if_needed()
    box = await compare.bounding_box()
    assert box is not None
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    cdp = await page.context.new_cdp_session(page)

    before = await scroll_y(page)
    await swipe(cdp, middle, (middle[0] + 6, middle[1] - 200))  # up, a little askew
    await page.wait_for_function("start => window.scrollY > start + 100", arg=before)
    await expect(slider).to_have_attribute("aria-valuenow", "50")

    still = await page.evaluate(SETTLED)
    box = await compare.bounding_box()
    assert box is not None
    middle = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await swipe(cdp, middle, (middle[0] + box["width"] * 0.3, middle[1] + 2))
    await expect(slider).to_have_attribute("aria-valuenow", "80")
    assert await scroll_y(page) == still
    assert console.problems.unexpected() == []


BACKGROUND = "(el) => getComputedStyle(el).backgroundColor"


async def test_a_toast_keeps_clear_of_the_upload_buttons_and_the_panels_look_openable(
    signed_in: Callable[..., Awaitable[tuple[Irisd, ConsolePage]]],
) -> None:
    _, console = await signed_in(phone=True)
    page = console.page
    # The search box spans the width, as the cards below it do.
    width = "(el) => el.getBoundingClientRect().width"
    search = await page.get_by_role("searchbox").evaluate(width)
    assert search == await page.locator(".jobs-head").evaluate(width)

    panel = page.locator("details.privacy")
    summary = panel.locator("summary")
    # A disclosure arrow says it opens (a flex summary has lost the browser's own marker).
    arrow = "(el) => getComputedStyle(el, '::before').content"
    assert await summary.evaluate(arrow) not in ("none", "normal")
    await summary.click()
    # The consent text shows whole lines, none cut in half at its foot.
    lines = await panel.get_by_role("region", name="Consent text").evaluate(SHOWN_LINES)
    assert abs(lines - round(lines)) < 0.05, lines

    await panel.get_by_label("Client (the label on their photos)").fill("Ada Lovelace")
    await panel.get_by_role("button", name="Signed paper form").click()
    toast = page.locator("#toast")
    await expect(toast).to_contain_text("Recorded the consent of Ada Lovelace")
    # Recorded: "Client agreed on screen" is no longer offered as the next step (the main button).
    primary = await page.locator(".file-button.primary").evaluate(BACKGROUND)
    screen = panel.get_by_role("button", name="Client agreed on screen")
    assert await screen.evaluate(BACKGROUND) != primary
    await page.evaluate("window.scrollTo(0, 0)")
    for part in ("Choose photos", "Take a photo"):
        assert not await overlap(toast, page.locator(".file-button", has_text=part)), part
    assert not await overlap(toast, page.locator(".drop-title"))
    assert console.problems.unexpected() == []
