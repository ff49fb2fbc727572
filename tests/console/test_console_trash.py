"""Deletes in the console: one result or the photo with all its results, Undo, and restore
from Recently deleted; the focus lands where the next step is."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import aiohttp
import pytest
from playwright.async_api import expect

from tests.conftest import Irisd
from tests.console.conftest import DESKTOP, PHONE, ConsolePage, user_with_api
from tests.console.rings import ring_contrasts
from tests.support import images
from tests.support.pipelines import final, pipeline

pytestmark = pytest.mark.console


LOCAL_TIME = """(iso) => new Intl.DateTimeFormat(undefined, {
  dateStyle: "medium", timeStyle: "short"
}).format(new Date(iso))"""


async def test_delete_a_result_or_the_photo_undo_and_restore(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[[str], Awaitable[ConsolePage]],
    session: aiohttp.ClientSession,
) -> None:
    irisd = await start_server(jobs=pipeline("ok"))
    user, api = await user_with_api(irisd, session)
    photo = await api.upload(images.jpeg(320, 240), filename="ana.jpg")
    older, newer = [
        (await api.post("/api/v1/processing/submit", {"photo_id": photo["id"]})).body["job_id"]
        for _ in range(2)
    ]
    for job_id in (older, newer):
        assert (await final(api, job_id))["status"] == "completed"
    kept = (await api.upload(images.jpeg(320, 240), filename="bo.jpg"))["id"]
    bo = (await api.post("/api/v1/processing/submit", {"photo_id": kept})).body["job_id"]
    await final(api, bo)

    console = await open_console(irisd.url)
    page = console.page
    await console.sign_in(user.email)
    await expect(page.locator(".job-card[data-status=completed]")).to_have_count(3)

    # One result: the photo and its other result stay.
    card = console.card(newer)
    await card.get_by_role("button", name="Delete…").click()
    choice = card.get_by_role("group", name="Delete")
    await expect(choice.get_by_role("button", name="Delete this result")).to_be_focused()
    made = (await api.get(f"/api/v1/processing/jobs/{older}")).body["created_at"]
    when = await page.evaluate(LOCAL_TIME, made)  # as the browser writes it
    await expect(choice.locator(".delete-what")).to_have_text(
        f"Goes with the photo: ana.jpg, this result and 1 other result (made {when})."
    )
    await expect(choice).to_contain_text("restored for 1 day")
    # Only the choice is offered while it is open: the card's other actions wait.
    await expect(card.get_by_role("button", name="Delete…")).to_have_attribute(
        "aria-expanded", "true"
    )
    for other in ("Download", "Reprocess", "Add the label of ana.jpg"):
        await expect(card.get_by_role("button", name=other, exact=True)).to_be_hidden()
    # The photo's delete, which takes more, says how many in words and looks the stronger:
    # solid, where the result's is outlined.
    photo_delete = choice.get_by_role("button", name="Delete the photo and both results")
    fill = "(el) => getComputedStyle(el).backgroundColor"
    panel = await choice.evaluate(fill)
    assert await choice.get_by_role("button", name="Delete this result").evaluate(fill) == panel
    assert await photo_delete.evaluate(fill) != panel
    await console.screenshots("delete-choice")
    await choice.get_by_role("button", name="Keep").click()
    await expect(choice).to_be_hidden()
    await expect(card.get_by_role("button", name="Download", exact=True)).to_be_visible()
    await expect(card.get_by_role("button", name="Delete…")).to_be_focused()

    await card.get_by_role("button", name="Delete…").click()
    # By keyboard: the Undo button that takes the focus then shows its ring.
    await choice.get_by_role("button", name="Delete this result").press("Enter")
    await expect(page.locator(".job-card")).to_have_count(2)
    assert sorted(await console.job_ids()) == sorted([older, bo])
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 200
    undo = page.locator("#toast").get_by_role("button", name="Undo")
    await expect(page.locator("#toast")).to_contain_text("Deleted the result of ana.jpg.")
    await expect(undo).to_be_focused()
    contrasts = await ring_contrasts(undo, page.locator("#toast"))
    assert min(contrasts.values()) >= 3, contrasts  # the ring shows on the toast, both schemes
    await undo.press("Enter")
    await expect(page.locator(".job-card")).to_have_count(3)
    assert (await api.get(f"/api/v1/processing/jobs/{newer}")).status == 200

    # The photo with all its results: every card of it goes; Recently deleted brings it back.
    card = console.card(older)
    await card.get_by_role("button", name="Delete…").click()
    await card.get_by_role("button", name="Delete the photo and both results").click()
    await expect(page.locator(".job-card")).to_have_count(1)
    assert await console.job_ids() == [bo]
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 404
    trash = page.locator("details.trash")
    await trash.locator("summary").click()
    await expect(trash.locator("summary")).to_have_text("Recently deleted (1)")
    await expect(trash.locator(".trash-item")).to_contain_text("Photo and 2 results")
    # On a phone too, the line says in full when it goes for good (it was cut to "· …").
    await page.set_viewport_size(PHONE)
    whole = "(el) => el.scrollWidth <= el.clientWidth"
    for line in await trash.locator(".trash-text span").all():
        assert await line.evaluate(whole), await line.inner_text()
    await page.set_viewport_size(DESKTOP)
    await console.screenshots("trash")
    await trash.get_by_role("button", name="Restore the photo ana.jpg").click()
    await expect(page.locator(".job-card")).to_have_count(3)
    await expect(trash).to_be_hidden()
    await expect(page.locator("#jobs-title")).to_be_focused()
    assert (await api.get(f"/api/v1/photos/{photo['id']}")).status == 200
    assert console.problems.unexpected() == []
