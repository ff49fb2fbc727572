"""Uploads that trickle (issue 25, 2nd pass #3): SLOTS signed PUTs that send a byte a second
take every upload slot; how long an honest upload then waits, and what the trickles get.

    .venv/bin/python -m bench.server.slow_uploads [--body-timeout 10] [--give-up 60]

The honest upload waits for a slot; with `[uploads] body_timeout_s` the trickles are answered
408 at that deadline and it goes through. Without a deadline it is still waiting at --give-up.
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections import Counter
from collections.abc import AsyncIterator

from bench.lib.harness import Bench
from tests.support import images

SLOTS = 8
TRICKLE_S = 1.0  # a byte per this many seconds


async def trickle() -> AsyncIterator[bytes]:
    while True:
        yield b"\xff"
        await asyncio.sleep(TRICKLE_S)  # the attacker's pace


async def upload_url(bench: Bench) -> str:
    reply = await bench.api.post("/api/v1/photos/upload", {"content_type": "image/jpeg"})
    return str(reply.expect(201)["upload_url"])


async def put(bench: Bench, url: str, body: object) -> int:
    async with bench.http.put(url, data=body, headers={"Content-Type": "image/jpeg"}) as reply:
        await reply.read()
        return reply.status


async def main(body_timeout_s: float, give_up_s: float) -> None:
    uploads = {"max_parallel": SLOTS, "max_parallel_per_user": SLOTS,
               "body_timeout_s": body_timeout_s}  # fmt: skip
    async with Bench("ok", uploads=uploads) as bench:
        urls = [await upload_url(bench) for _ in range(SLOTS + 1)]
        started = time.monotonic()
        trickles = [asyncio.create_task(put(bench, url, trickle())) for url in urls[:SLOTS]]
        await asyncio.sleep(0.5)  # let the trickles take the slots first
        honest = asyncio.create_task(put(bench, urls[-1], images.jpeg(640, 480)))
        done, _ = await asyncio.wait({honest}, timeout=give_up_s)
        waited = time.monotonic() - started
        for task in (*trickles, honest):
            task.cancel()
        answers = Counter(t.result() for t in trickles if t.done() and not t.cancelled())
    print(
        f"{SLOTS} uploads trickling a byte per {TRICKLE_S:.0f} s, body_timeout_s={body_timeout_s}"
    )
    if done:
        print(f"  the honest upload: {honest.result()} after {waited:.1f} s")
    else:
        print(f"  the honest upload: no answer after {give_up_s:.0f} s")
    print(f"  the trickles: {dict(answers) or 'no answer'}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--body-timeout", type=float, default=10.0)
    parser.add_argument("--give-up", type=float, default=60.0)
    args = parser.parse_args()
    asyncio.run(main(args.body_timeout, args.give_up))
