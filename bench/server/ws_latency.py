"""Push latency of /ws/jobs/{id} next to a 500 ms REST poller: worker report → client sees it.

A real `irisd serve` (bench/lib/harness.py: one worker, pipeline `bench.lib.pipelines:timed`, which
reports the nine pipeline checkpoints with random pauses and writes the wall-clock time of
each report() call to a file; one clock for every process on the machine) gets JOBS jobs.
For every job, a WebSocket client and a client polling GET /api/v1/processing/jobs/{id}
every 500 ms (what the app would do without the socket) note when they first see each
progress value. Prints p50/p99 of both and their ratio. Target: WebSocket p99 <= 20 ms.

    .venv/bin/python -m bench.server.ws_latency [--jobs 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time

from bench.lib.harness import Bench, percentile, summary
from bench.lib.pipelines import CHECKPOINTS

POLL_S = 0.5
TARGET_P99_MS = 20.0
FINAL = ("completed", "failed")


async def watch(bench: Bench, job_id: str) -> dict[int, float]:
    """When the WebSocket first showed each progress value of the job."""
    seen: dict[int, float] = {}
    async with bench.http.ws_connect(bench.ws_url(f"/ws/jobs/{job_id}")) as socket:
        async for message in socket:
            seen.setdefault(json.loads(message.data)["progress"], time.time())
    return seen


async def poll(bench: Bench, job_id: str) -> dict[int, float]:
    """When a client polling every POLL_S first knew that each progress value was reached."""
    seen: dict[int, float] = {}
    while True:
        job = await bench.job(job_id)
        now = time.time()
        finished = job["status"] in FINAL
        for _, progress in CHECKPOINTS:
            if progress <= job["progress"] or finished:
                seen.setdefault(progress, now)
        if finished:
            return seen
        await asyncio.sleep(POLL_S)  # the poller's own pace, not a synchronisation


def reported(bench: Bench, job_id: str) -> dict[int, float]:
    """progress → wall-clock time of the worker's report() (bench.pipelines.timed's file)."""
    lines = (bench.work / f"{job_id}.times").read_text(encoding="utf-8").splitlines()
    return {int(value): float(stamp) for _, value, stamp in (line.split() for line in lines)}


def delays_ms(sent: dict[int, float], seen: dict[int, float]) -> list[float]:
    return [(seen[value] - stamp) * 1000 for value, stamp in sent.items() if value in seen]


async def main(jobs: int) -> None:
    async with Bench("timed") as bench:
        photo_id = await bench.upload()
        job_ids = [await bench.submit(photo_id) for _ in range(jobs)]
        results = await asyncio.gather(
            *(watch(bench, job_id) for job_id in job_ids),
            *(poll(bench, job_id) for job_id in job_ids),
        )
        pushed, polled = [], []
        for job_id, ws_seen, rest_seen in zip(job_ids, results[:jobs], results[jobs:], strict=True):
            sent = reported(bench, job_id)
            pushed += delays_ms(sent, ws_seen)
            polled += delays_ms(sent, rest_seen)
    print(f"{jobs} jobs x {len(CHECKPOINTS)} reports, one worker; report -> client receipt")
    print(f"  WebSocket push     {summary(pushed)}")
    print(f"  REST poll {POLL_S * 1000:.0f} ms   {summary(polled)}")
    ws_p50, ws_p99 = percentile(pushed, 50), percentile(pushed, 99)
    rest_p50, rest_p99 = percentile(polled, 50), percentile(polled, 99)
    print(f"  poll / push: p50 x{rest_p50 / ws_p50:.0f}, p99 x{rest_p99 / ws_p99:.0f}")
    verdict = "met" if ws_p99 <= TARGET_P99_MS else "NOT met"
    print(f"  target WebSocket p99 <= {TARGET_P99_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    asyncio.run(main(parser.parse_args().jobs))
