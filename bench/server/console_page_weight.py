"""Bytes a gallery page of 12 results costs the browser, from Chromium's own network log.

A real `irisd serve` (bench/lib/harness.py) with the real pipeline at its clinic default
(output_size 2048) processes real eye photos (IRISD_DATA's mobius set, 3000x1700 JPEGs, each
uploaded again as a new photo until 12 results are complete). Headless Chromium then signs in
to the console and shows the first page (12 cards); every response it received is summed by
kind (document, scripts and styles, API JSON, images), body and headers, as Chromium counted
them. For comparison: what the same 12 tiles weighed when each loaded its full original and
full result (the console before previews), from the sizes of those objects.
Target: <= 2 MB for the page.

    .venv/bin/python -m bench.server.console_page_weight [--results 12]
"""

from __future__ import annotations

import argparse
import asyncio
from collections import defaultdict
from pathlib import Path

from playwright.async_api import Request, async_playwright

from bench.lib.datasets import data_root
from bench.lib.harness import EMAIL, PASSWORD, Bench
from irisd.client import API

CHROMIUM = "/usr/bin/chromium"
TARGET_BYTES = 2_000_000
PIPELINE = {"pipeline": "irisd.pipeline:process", "time_limit_s": 900.0}


async def finished(bench: Bench, job_id: str) -> dict:
    """The job once it has completed or failed (polled: a bench, not a test)."""
    while True:
        job = await bench.job(job_id)
        if job["status"] in ("completed", "failed"):
            return job
        await asyncio.sleep(0.5)


async def completed_results(bench: Bench, photos: list[Path], wanted: int) -> list[dict]:
    """Upload photos (round robin, each a new photo) until `wanted` jobs have completed."""
    done: list[dict] = []
    turn = 0
    while len(done) < wanted:
        path = photos[turn % len(photos)]
        turn += 1
        photo = await bench.api.upload_file(path)
        job_id = await bench.submit(photo["id"])
        job = await finished(bench, job_id)
        if job["status"] == "completed":
            done.append(job)
            continue
        await bench.api.delete(f"{API}/photos/{photo['id']}")  # refused: not on the page
        if turn > 3 * wanted:
            raise SystemExit(f"too many photos fail: {job['error_message']}")
        photos = [p for p in photos if p != path]  # this one is refused: skip it
    return done


def kind(request: Request) -> str:
    if request.resource_type == "image":
        return "images"
    if "/api/" in request.url:
        return "API JSON"
    if request.resource_type == "document":
        return "document"
    return "scripts, styles, icon"


async def page_weight(url: str, cards: int) -> dict[str, int]:
    """Bytes (body + headers) of every response of a signed-in console's first page."""
    totals: dict[str, int] = defaultdict(int)
    finished: list[Request] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"]
        )
        page = await (await browser.new_context(viewport={"width": 1440, "height": 900})).new_page()
        page.on("requestfinished", lambda request: finished.append(request))
        await page.goto(url + "/")
        await page.get_by_label("Email").fill(EMAIL)
        await page.get_by_label("Password").fill(PASSWORD)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_function(
            "n => [...document.querySelectorAll('.compare img')].filter(i => i.complete"
            " && i.naturalWidth).length >= n",
            arg=2 * cards,
            timeout=120_000,
        )
        await page.wait_for_load_state("networkidle")
        for request in finished:
            sizes = await request.sizes()
            totals[kind(request)] += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        await browser.close()
    return totals


async def full_images(bench: Bench, jobs: list[dict]) -> int:
    """What the tiles weighed with full images: each original and result, as stored."""
    total = 0
    for job in jobs:
        fresh = await bench.job(job["job_id"])
        for url in (fresh["original_url"], fresh["result_url"]):
            async with bench.http.get(url) as resp:
                total += len(await resp.read())
    return total


async def main(results: int) -> None:
    photos = sorted((data_root() / "mobius-samples" / "images").glob("*.jpg"))
    async with Bench("timed", jobs=PIPELINE, storage={"trash_days": 0}) as bench:
        jobs = await completed_results(bench, photos, results)
        await bench.api.post(f"{API}/auth/logout")  # the browser signs in on its own
        totals = await page_weight(bench.url, results)
        await bench.api.login(EMAIL, PASSWORD)
        before = await full_images(bench, jobs)
    page = sum(totals.values())
    print(f"console gallery page, {results} completed results (2048 px PNG results, mobius photos)")
    for name, size in sorted(totals.items()):
        print(f"  {name:<22} {size / 1e6:7.3f} MB")
    print(f"  {'page total':<22} {page / 1e6:7.3f} MB   target <= {TARGET_BYTES / 1e6:.1f} MB")
    print(f"  full originals + results for the same tiles (before previews): {before / 1e6:.1f} MB")
    print("PASS" if page <= TARGET_BYTES else "OVER TARGET")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", type=int, default=12)
    asyncio.run(main(parser.parse_args().results))
