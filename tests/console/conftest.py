"""Browser fixtures: the system Chromium through playwright, pages that record every problem."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    Locator,
    Page,
    Request,
    Response,
    ViewportSize,
    async_playwright,
)

from tests.conftest import PASSWORD, REPO, Irisd, create_user
from tests.support.clients import ApiClient
from tests.support.pipelines import pipeline

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "artifacts" / "console"
AXE_SOURCE = Path(__file__).parent / "vendor" / "axe.min.js"  # axe-core 4.10.3 (MPL-2.0)
AXE_RUN = """async () => {
  const tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"];
  const { violations } = await axe.run(document, { runOnly: { type: "tag", values: tags } });
  return violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}"""
# Job cards whose picture or text reaches past the card's right edge (cut off by its border).
SPILLS = """() => [...document.querySelectorAll(".job-card")].flatMap((card) => {
  const edge = card.getBoundingClientRect().right + 0.5;
  const parts = [card.querySelector(".job-media"), ...card.querySelectorAll(".job-body *")];
  const out = parts.filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > edge);
  const name = card.getAttribute("aria-label");
  return out.map((el) => `past its card: ${el.className || el.tagName} of ${name}`);
})"""
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = ViewportSize(width=390, height=844)
DESKTOP = ViewportSize(width=1440, height=900)
STEPS = [
    "Waiting in line...",
    "Preparing your image...",
    "Finding your iris...",
    "Removing reflections...",
    "Enhancing quality...",
    "Almost done...",
    "Complete!",
]

# Records, per job card, every distinct step text the card shows, in order: what a user (and a
# screen reader, through the aria-live region) sees, observed from outside the console's code.
STEP_RECORDER = """
window.__steps = {};
window.__heights = {};
window.__loads = (Number(sessionStorage.getItem("test.loads")) || 0) + 1;
sessionStorage.setItem("test.loads", String(window.__loads));
new MutationObserver(() => {
  for (const card of document.querySelectorAll(".job-card[data-job-id]")) {
    const text = card.querySelector(".job-step").textContent;
    const seen = (window.__steps[card.dataset.jobId] ||= []);
    if (text && seen[seen.length - 1] !== text) seen.push(text);
    const heights = (window.__heights[card.dataset.jobId] ||= []);
    if (!heights.includes(card.offsetHeight)) heights.push(card.offsetHeight);
  }
}).observe(document, { subtree: true, childList: true, characterData: true });
"""


async def user_with_api(irisd: Irisd, session: aiohttp.ClientSession) -> tuple[Any, ApiClient]:
    """A new user of `irisd` and an API client signed in as them (to set up what a page shows)."""
    user = await create_user(irisd)
    api = ApiClient(session, irisd.url)
    await api.login(user.email, PASSWORD)
    return user, api


@dataclass
class Problems:
    """Console errors, page errors, failed requests and error responses seen by one page."""

    items: list[str] = field(default_factory=list)

    def console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.items.append(f"console: {message.text}")

    def request_failed(self, request: Request) -> None:
        self.items.append(f"request failed: {request.method} {request.url} {request.failure}")

    def response(self, response: Response) -> None:
        if response.status >= 400:
            self.items.append(
                f"response {response.status}: {response.request.method} {response.url}"
            )

    def unexpected(self, *allowed: str) -> list[str]:
        """Problems not matching any of the `allowed` regular expressions (the provoked ones)."""
        return [item for item in self.items if not any(re.search(a, item) for a in allowed)]


@dataclass
class ConsolePage:
    page: Page
    problems: Problems
    base_url: str

    async def sign_in(self, email: str, password: str = PASSWORD) -> None:
        await self.page.goto(self.base_url + "/")
        await self.page.get_by_label("Email").fill(email)
        await self.page.get_by_label("Password").fill(password)
        await self.page.get_by_role("button", name="Sign in").click()
        await self.page.locator("#app").wait_for(state="visible")
        await self.page.locator("#connection[data-state=live]").wait_for()

    def card(self, job_id: str) -> Locator:
        return self.page.locator(f".job-card[data-job-id='{job_id}']")

    async def job_ids(self) -> list[str]:
        ids: list[str] = await self.page.eval_on_selector_all(
            ".job-card", "cards => cards.map(c => c.dataset.jobId)"
        )
        return ids

    async def steps(self, job_id: str) -> list[str]:
        seen: list[str] = await self.page.evaluate("id => window.__steps[id] || []", job_id)
        return seen

    async def heights(self, job_id: str) -> list[int]:
        """Every height the job's card had while its state changed (one: nothing jumped)."""
        seen: list[int] = await self.page.evaluate("id => window.__heights[id] || []", job_id)
        return seen

    async def screenshots(self, name: str) -> None:
        """Phone and desktop screenshots, light and dark, saved as test artifacts; axe-core
        checks each of the four, and any violation (or a card's text or picture reaching past
        its card) fails the test."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        found: list[str] = []
        for scheme in ("light", "dark"):
            await self.page.emulate_media(color_scheme=scheme)
            for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
                await self.page.set_viewport_size(size)
                path = ARTIFACTS / f"{name}-{label}-{scheme}.png"
                # A modal dialog covers the window, not the page: a full-page picture would show
                # the backdrop over one window's height only, which no user ever sees.
                modal = await self.page.locator("dialog[open]").count()
                await self.page.screenshot(path=path, full_page=not modal)
                found += [f"{label} {scheme}: {v}" for v in await self.axe_violations()]
                found += [f"{label} {scheme}: {v}" for v in await self.page.evaluate(SPILLS)]
        await self.page.emulate_media(color_scheme="light")
        await self.page.set_viewport_size(DESKTOP)
        assert found == [], f"axe-core and card layout on {name}: {found}"

    async def axe_violations(self) -> list[str]:
        """axe-core's violations on the page as shown now (WCAG 2.x A and AA rules).

        Injected through the DevTools protocol (page.evaluate), which a Content-Security-Policy
        does not block, as a <script> tag would be."""
        if not await self.page.evaluate("typeof window.axe !== 'undefined'"):
            await self.page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
        found: list[str] = await self.page.evaluate(AXE_RUN)
        return found


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    if not shutil.which(str(CHROMIUM)):
        reason = f"{CHROMIUM} is not installed (apt-get install chromium)"
        if os.environ.get("IRISD_REQUIRE_BROWSER"):  # CI: the browser tests must run, not skip
            pytest.fail(reason)
        pytest.skip(reason)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
def open_console(browser: Browser) -> Callable[..., Awaitable[ConsolePage]]:
    """open_console(base_url) → a fresh desktop-sized tab recording its problems;
    open_console(base_url, phone=True): a phone's, with a touch screen."""

    async def open_page(base_url: str, phone: bool = False) -> ConsolePage:
        size = PHONE if phone else DESKTOP
        context = await browser.new_context(
            viewport=size, accept_downloads=True, has_touch=phone, is_mobile=phone
        )
        await context.add_init_script(STEP_RECORDER)
        page = await context.new_page()
        page.set_default_timeout(60_000)
        problems = Problems()
        page.on("console", problems.console)
        page.on("pageerror", lambda error: problems.items.append(f"page error: {error}"))
        page.on("requestfailed", problems.request_failed)
        page.on("response", problems.response)
        return ConsolePage(page, problems, base_url.rstrip("/"))

    return open_page


@pytest.fixture
def signed_in(
    start_server: Callable[..., Awaitable[Irisd]],
    open_console: Callable[..., Awaitable[ConsolePage]],
) -> Callable[..., Awaitable[tuple[Irisd, ConsolePage]]]:
    """signed_in(jobs="ok", phone=False) → a server running that test pipeline and a console
    tab signed in as a new user."""

    async def start(jobs: str = "ok", phone: bool = False) -> tuple[Irisd, ConsolePage]:
        irisd = await start_server(jobs=pipeline(jobs))
        user = await create_user(irisd)
        console = await open_console(irisd.url, phone=phone)
        await console.sign_in(user.email)
        return irisd, console

    return start
