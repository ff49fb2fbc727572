"""Cold start: from `irisd serve` to /readyz 200, and from the first submit to its first progress.

A real `irisd serve` (the real pipeline, one CPU worker, the learned segmenter loaded) is
started in each mode; the clock starts just before the process is spawned:

    listening      the server printed its URL
    ready          /readyz answered 200 (polled every 20 ms: the measurement, not a sync)
    first progress the first job, submitted as soon as the server was ready, reported
                   "Preparing your image..." past 0 % on its WebSocket (from its submit)
    done           that job's final message (from its submit)

Modes: `[jobs] warm_start = false` (how irisd started before: the worker starts with the
first job) and `true` (the worker starts and loads its models with the server; /readyz
waits for it).

    .venv/bin/python -m bench.server.warm_start [--photo PATH] [--runs 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path

import aiohttp

from bench.lib.datasets import data_root
from bench.lib.harness import EMAIL, PASSWORD, Bench
from irisd.client import API, Client
from tests.support import images


def _photo(path: str | None) -> bytes:
    if path:
        return Path(path).read_bytes()
    found = sorted((data_root() / "mobius-samples" / "images").glob("*.jpg"))
    return found[0].read_bytes() if found else images.jpeg(1600, 1200)


async def _ready(http: aiohttp.ClientSession, url: str) -> None:
    while True:
        async with http.get(f"{url}/readyz") as reply:
            if reply.status == 200:
                return
        await asyncio.sleep(0.02)  # the polling interval of the measurement


async def _watch(client: Client, job_id: str, submitted: float) -> tuple[float, float, str]:
    first = 0.0
    async with client.ws(f"/ws/jobs/{job_id}") as socket:
        async for message in socket:
            data = json.loads(message.data)
            if not first and data.get("status") == "processing" and data.get("progress", 0) > 0:
                first = time.perf_counter() - submitted
            if data.get("status") in ("completed", "failed"):
                return first, time.perf_counter() - submitted, str(data.get("error_type"))
    raise RuntimeError("the socket closed before the job ended")


async def one(warm: bool, photo: bytes) -> dict[str, float | str]:
    bench = Bench("gated", jobs={"pipeline": "irisd.pipeline:process", "warm_start": warm})
    try:
        started = time.perf_counter()
        url = await asyncio.to_thread(bench.server.start)
        listening = time.perf_counter() - started
        async with aiohttp.ClientSession() as http:
            await _ready(http, url)
            ready = time.perf_counter() - started
            await asyncio.to_thread(bench._add_user)
            client = Client(http, url)
            await client.login(EMAIL, PASSWORD)
            photo_id = (await client.upload(photo, "eye.jpg"))["id"]
            submitted = time.perf_counter()
            reply = await client.post(f"{API}/processing/submit", {"photo_id": photo_id})
            first, done, outcome = await _watch(client, reply.expect(201)["job_id"], submitted)
    finally:
        await bench.__aexit__(None, None, None)
    return {"listening": listening, "ready": ready, "first": first, "done": done,
            "outcome": outcome}  # fmt: skip


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photo", help="an eye photo (default: the first MOBIUS sample)")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    photo = _photo(args.photo)
    print(f"{'warm_start':<11} {'listening':>10} {'ready':>8} {'1st progress':>13} "
          f"{'done':>8}  outcome   (ready: from serve; the others: from the submit)")  # fmt: skip
    for _ in range(args.runs):
        for warm in (False, True):
            r = await one(warm, photo)
            print(f"{warm!s:<11} {r['listening']:>9.2f}s {r['ready']:>7.2f}s "
                  f"{r['first']:>12.2f}s {r['done']:>7.2f}s  {r['outcome']}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
