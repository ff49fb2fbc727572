"""axe-core as the console tests run it finds a violation when there is one (the check can fail)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

import pytest

from tests.conftest import Irisd
from tests.console.conftest import ConsolePage

pytestmark = pytest.mark.console


async def test_axe_reports_a_planted_violation_and_none_on_the_sign_in_page(
    server: Irisd, open_console: Callable[..., Awaitable[ConsolePage]]
) -> None:
    console = await open_console(server.url)
    await console.page.goto(server.url + "/")
    await console.page.get_by_label("Email").wait_for()
    await console.screenshots("sign-in")  # light and dark, phone and desktop: no violations
    # No empty band above Sign in (an error's place, held while there is none; it is under the
    # button now): the button follows Password as the Password label follows Email.
    box = "(el) => el.getBoundingClientRect()"
    page = console.page
    email = await page.get_by_label("Email").evaluate(box)
    password = await page.get_by_label("Password").evaluate(box)
    label = await page.locator("label[for=password]").evaluate(box)
    button = await page.get_by_role("button", name="Sign in").evaluate(box)
    gap = label["top"] - email["bottom"]
    assert button["top"] - password["bottom"] <= 1.5 * gap, (gap, button, password)
    await console.page.evaluate(
        "document.querySelector('#login-form').append(Object.assign("
        "document.createElement('input'), {type: 'text', id: 'unlabelled'}))"
    )
    found = await console.axe_violations()
    assert any(v.startswith("label:") and "#unlabelled" in v for v in found), found
