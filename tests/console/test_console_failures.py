"""A failed result offers what can help: for a photo found unusable, its picture as it is, the
pipeline's reason in full and Retake first (Reprocess too); for a server error, Reprocess. Both
can be deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import cv2
import numpy as np
import pytest
from playwright.async_api import Locator, expect

from tests.conftest import Irisd
from tests.console.conftest import DESKTOP, ConsolePage, user_with_api
from tests.console.layout import NARROWEST
from tests.support import images
from tests.support.pipelines import QUALITY_TEXT, Gates, gates, pipeline

__all__ = ["gates"]

pytestmark = pytest.mark.console


def button(card: Locator, name: str) -> Locator:
    # Role queries leave out hidden elements: a count of 0 is "not offered".
    return card.get_by_role("button", name=name, exact=True)


def difference(a: bytes, b: bytes) -> float:
    """Mean grey-level difference of two PNG screenshots of the same size."""
    first, second = (cv2.imdecode(np.frombuffer(x, np.uint8), cv2.IMREAD_GRAYSCALE) for x in (a, b))
    return float(np.abs(first.astype(int) - second).mean())


# The media box with only its photo, as it is (no filter, nothing over it).
BARE_PHOTO = """(media) => {
  for (const child of media.children) if (child.tagName !== "IMG") child.style.display = "none";
  media.querySelector("img").style.filter = "none";
}"""
# The failure's text lies in the card, whole (nothing scrolls or is cut off), and off the photo.
TEXT_IN_CARD = """(card) => {
  const box = card.getBoundingClientRect();
  const media = card.querySelector(".job-media").getBoundingClientRect();
  const failure = card.querySelector(".job-failure");
  const area = failure.getBoundingClientRect();
  const whole = [failure, ...failure.children].every(
    (el) => el.scrollWidth <= el.clientWidth && el.scrollHeight <= el.clientHeight,
  );
  const inside = area.bottom <= box.bottom && area.right <= box.right;
  return { whole, inside, offPhoto: area.top >= media.bottom };
}"""
LONG_NAME = "Wolfeschlegelsteinhausenbergerdorff"  # a surname
BACKGROUND = "(el) => getComputedStyle(el).backgroundColor"


async def test_an_unusable_photo_is_shown_whole_with_its_reason_and_retake_first(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    irisd = await start_server(jobs=pipeline("marked_failures"))
    user, api = await user_with_api(irisd, session)
    unusable = (await api.upload(images.jpeg(320, 240), filename="blurry.jpg"))["id"]
    broken = (await api.upload(images.jpeg(320, 240), filename="unlucky.jpg"))["id"]
    # A name longer than a card is wide, with nowhere to wrap: the card keeps its width.
    long = (await api.upload(images.jpeg(320, 240), filename=f"{LONG_NAME}.jpg"))["id"]
    await api.post("/api/v1/processing/submit", {"photo_id": long})
    gates.fail(unusable, "quality_issue")
    gates.fail(broken, "server_error")
    reply = await api.post("/api/v1/processing/batch", {"photo_ids": [unusable, broken]})
    quality_id, error_id = (job["job_id"] for job in reply.body["jobs"])

    console = await open_console(irisd.url)
    await console.sign_in(user.email)
    quality, error = console.card(quality_id), console.card(error_id)
    await expect(quality).to_have_attribute("data-error-type", "quality_issue")
    await expect(error).to_have_attribute("data-error-type", "server_error")

    await expect(quality.locator(".job-step")).to_have_text("Photo not usable")
    # The refused photo is shown whole, as it is: nothing darkens or covers any of it.
    media = quality.locator(".job-media")
    await expect(media.locator("img").first).to_have_js_property("complete", True)
    shown = await media.screenshot(animations="disabled")
    await media.evaluate(BARE_PHOTO)
    assert difference(shown, await media.screenshot(animations="disabled")) < 1, (
        "the refused photo is altered"
    )
    # The pipeline's refusal (its longest) is said in full, under the photo, at the narrowest
    # desktop card and on a phone; with the name a retake keeps.
    await expect(quality.locator(".error-message")).to_have_text(QUALITY_TEXT)
    await expect(quality.locator(".retake")).to_have_text(
        "A retaken photo keeps the name “blurry.jpg”."
    )
    for width in (NARROWEST, 390):
        await console.page.set_viewport_size({"width": width, "height": 844})
        for card in (quality, error):
            placed = await card.evaluate(TEXT_IN_CARD)
            assert placed == {"whole": True, "inside": True, "offPhoto": True}, (width, placed)
    await console.page.set_viewport_size(DESKTOP)
    # Retake is the way forward (the main button); Reprocess (a newer pipeline may take the
    # photo) and delete are offered too.
    primary = await console.page.locator(".file-button.primary").evaluate(BACKGROUND)
    assert await button(quality, "Retake").evaluate(BACKGROUND) == primary
    await expect(button(quality, "Reprocess")).to_be_visible()
    await expect(button(quality, "Delete…")).to_be_visible()

    await expect(error.locator(".job-step")).to_have_text("Processing failed")
    await expect(button(error, "Reprocess")).to_be_visible()
    assert await button(error, "Reprocess").evaluate(BACKGROUND) == primary
    # The console names its own next step (the API's "Tap ..." is the phone's); for the
    # unusable photo the message already says what to do, once.
    await expect(error.locator(".suggestion")).to_have_text(
        "Reprocess to try again, or try another photo."
    )
    await expect(quality.locator(".suggestion")).to_be_hidden()
    await expect(button(error, "Delete…")).to_be_visible()
    await expect(button(error, "Retake")).to_have_count(0)
    await console.screenshots("failures")

    # Still so when the page is built again from the job list rather than the stream.
    await console.page.reload()
    await expect(console.page.locator("#connection")).to_have_attribute("data-state", "live")
    await expect(button(error, "Reprocess")).to_be_visible()
    await expect(button(quality, "Retake")).to_be_visible()
    await expect(button(quality, "Reprocess")).to_be_visible()
    assert console.problems.unexpected() == []
