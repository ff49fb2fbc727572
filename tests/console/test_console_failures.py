"""A failed result offers what can help: for a photo found unusable, Retake (reprocessing the
same photo gives the same answer); for a server error, Reprocess. Both can be deleted."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import cv2
import numpy as np
import pytest
from playwright.async_api import Locator, expect

from tests.conftest import Irisd
from tests.console.conftest import ConsolePage, user_with_api
from tests.support import images
from tests.support.pipelines import Gates, gates, pipeline

__all__ = ["gates"]

pytestmark = pytest.mark.console


def button(card: Locator, name: str) -> Locator:
    # Role queries leave out hidden elements: a count of 0 is "not offered".
    return card.get_by_role("button", name=name, exact=True)


def top_difference(a: bytes, b: bytes) -> float:
    """Mean grey-level difference of two PNG screenshots over their top quarter."""
    first, second = (cv2.imdecode(np.frombuffer(x, np.uint8), cv2.IMREAD_GRAYSCALE) for x in (a, b))
    top = first.shape[0] // 4
    return float(np.abs(first[:top].astype(int) - second[:top]).mean())


async def test_an_unusable_photo_offers_retake_not_reprocess_and_a_server_error_reprocess(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
    gates: Gates,
) -> None:
    irisd = await start_server(jobs=pipeline("marked_failures"))
    user, api = await user_with_api(irisd, session)
    unusable = (await api.upload(images.jpeg(320, 240), filename="blurry.jpg"))["id"]
    broken = (await api.upload(images.jpeg(320, 240), filename="unlucky.jpg"))["id"]
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
    # The unusable photo is recognisable: the top of its picture is as it is, not darkened.
    media = quality.locator(".job-media")
    await expect(media.locator("img").first).to_have_js_property("complete", True)
    shown = await media.screenshot()
    await quality.locator(".job-failure").evaluate("(el) => (el.style.visibility = 'hidden')")
    bare = await media.screenshot()
    await quality.locator(".job-failure").evaluate("(el) => (el.style.visibility = '')")
    assert top_difference(shown, bare) < 8, "the photo is darkened over its top"
    await expect(button(quality, "Retake")).to_be_visible()
    await expect(button(quality, "Delete…")).to_be_visible()
    await expect(button(quality, "Reprocess")).to_have_count(0)

    await expect(error.locator(".job-step")).to_have_text("Processing failed")
    await expect(button(error, "Reprocess")).to_be_visible()
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
    await expect(button(quality, "Reprocess")).to_have_count(0)
    assert console.problems.unexpected() == []
