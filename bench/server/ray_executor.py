"""The Ray executor against the local one: per-job overhead, progress push, throughput.

A real `irisd serve` (bench/lib/harness.py) runs the same jobs with `executor = "local"` and with
`executor = "ray"` on a real local Ray cluster (`ray.cluster_utils.Cluster`, one CPU per
node, joined by the server as `ray_address`), one worker each, after one warm-up job:

- overhead: JOBS jobs of `bench.lib.pipelines:instant` one after another, submit → the final
  WebSocket message; the Ray executor's extra ms per job is the difference of the means;
- push: JOBS jobs of `timed`, each report() → its WebSocket message (bench/server/ws_latency.py);
- throughput: THROUGHPUT jobs of `steady` (0.5 s of sleep each) submitted at once, with 1
  and 2 nodes (one actor per node), and the local pool with 1 and 2 workers for reference.

Targets (issue 12): overhead <= 50 ms per job, push p99 <= 20 ms.

    .venv/bin/python -m bench.server.ray_executor [--jobs 20] [--throughput 12]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from bench.lib.harness import Bench, summary
from bench.lib.pipelines import BENCH_DIR_ENV
from bench.server.ws_latency import delays_ms, reported, watch

NODE = {"num_cpus": 1, "object_store_memory": 100 * 2**20}
TARGET_OVERHEAD_MS = 50.0
TARGET_P99_MS = 20.0


@contextmanager
def cluster(nodes: int) -> Iterator[str]:
    """A local Ray cluster of `nodes` one-CPU nodes; yields its address."""
    from ray.cluster_utils import Cluster

    started = Cluster(initialize_head=True, head_node_args={**NODE, "include_dashboard": False})
    try:
        for _ in range(nodes - 1):
            started.add_node(**NODE)
        started.wait_for_nodes()
        yield str(started.address)
    finally:
        started.shutdown()


def ray_jobs(address: str, workers: int) -> dict[str, Any]:
    return {"executor": "ray", "ray_address": address, "ray_env": BENCH_DIR_ENV,
            "workers": workers}  # fmt: skip


async def until_final(bench: Bench, job_id: str) -> dict[str, Any]:
    async with bench.http.ws_connect(bench.ws_url(f"/ws/jobs/{job_id}")) as socket:
        async for message in socket:
            state: dict[str, Any] = json.loads(message.data)
            if state["status"] in ("completed", "failed"):
                return state
    raise RuntimeError(f"socket closed before job {job_id} ended")


async def one_job(bench: Bench, photo_id: str) -> float:
    """ms from submit to the final WebSocket message."""
    started = time.perf_counter()
    state = await until_final(bench, await bench.submit(photo_id))
    assert state["status"] == "completed", state
    return (time.perf_counter() - started) * 1000


async def overhead(jobs: dict[str, Any], count: int) -> list[float]:
    async with Bench("instant", jobs=jobs) as bench:
        photo_id = await bench.upload()
        await one_job(bench, photo_id)  # warm-up: worker start and pipeline load
        return [await one_job(bench, photo_id) for _ in range(count)]


async def push(jobs: dict[str, Any], count: int) -> list[float]:
    async with Bench("timed", jobs=jobs) as bench:
        photo_id = await bench.upload()
        await one_job(bench, photo_id)
        delays: list[float] = []
        for _ in range(count):
            job_id = await bench.submit(photo_id)
            seen = await watch(bench, job_id)
            delays += delays_ms(reported(bench, job_id), seen)
        return delays


async def throughput(jobs: dict[str, Any], count: int) -> float:
    """Jobs per second, `count` jobs submitted at once (after a warm-up of every worker)."""
    async with Bench("steady", jobs=jobs) as bench:
        photo_id = await bench.upload()
        warm = [await bench.submit(photo_id) for _ in range(jobs.get("workers", 1))]
        await asyncio.gather(*(until_final(bench, job_id) for job_id in warm))
        started = time.perf_counter()
        job_ids = [await bench.submit(photo_id) for _ in range(count)]
        await asyncio.gather(*(until_final(bench, job_id) for job_id in job_ids))
        return count / (time.perf_counter() - started)


async def main(count: int, batch: int) -> None:
    local_ms = await overhead({}, count)
    with cluster(2) as address:
        ray_ms = await overhead(ray_jobs(address, 1), count)
        local_push = await push({}, count)
        ray_push = await push(ray_jobs(address, 1), count)
    extra = statistics.fmean(ray_ms) - statistics.fmean(local_ms)
    print(f"per job, submit -> final message ({count} jobs of `instant`, one worker):")
    print(f"  local  {summary(local_ms)}")
    print(f"  ray    {summary(ray_ms)}")
    verdict = "met" if extra <= TARGET_OVERHEAD_MS else "NOT met"
    print(f"  Ray overhead {extra:.1f} ms per job (target <= {TARGET_OVERHEAD_MS:.0f}: {verdict})")
    print(f"push, report() -> WebSocket ({count} jobs of `timed`):")
    print(f"  local  {summary(local_push)}")
    print(f"  ray    {summary(ray_push)}")
    print(f"throughput ({batch} jobs of `steady`, 0.5 s each):")
    for workers in (1, 2):
        local_rate = await throughput({"workers": workers}, batch)
        with cluster(workers) as address:
            ray_rate = await throughput(ray_jobs(address, workers), batch)
        print(f"  {workers} worker(s): local {local_rate:.2f} jobs/s, "
              f"ray {workers} node(s) {ray_rate:.2f} jobs/s")  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--throughput", type=int, default=12)
    arguments = parser.parse_args()
    asyncio.run(main(arguments.jobs, arguments.throughput))
