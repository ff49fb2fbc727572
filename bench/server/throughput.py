"""Jobs per second with 1 and 2 workers on the same real eye images; prints the scaling ratio.

Runs the real server in-process (127.0.0.1, port 0) with the real pipeline, uploads the
same MMU images for each pool size, warms every worker up (process start + model load are
not throughput), then times one batch submission until the last job's final WebSocket
message. Usage:

    .venv/bin/python -m bench.server.throughput [--images 20] [--workers 1 2] [--pipeline MOD:FN]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from bench.lib.datasets import data_root
from irisd import config, logs
from irisd.api.appkeys import DATABASE
from irisd.app import create_app
from irisd.auth.users import create_user
from irisd.client import Client
from irisd.config import LoggingSettings, Settings

PASSWORD = "bench password, not a secret"  # a throwaway local account


async def main() -> None:
    args = _arguments()
    logs.configure(LoggingSettings(level="warning"))
    images = sorted((data_root() / "mmu-kozlova" / "images").glob("*.bmp"))[: args.images]
    if not images:
        raise SystemExit(f"no MMU images under {data_root()} (set IRISD_DATA)")
    rates = {}
    for workers in args.workers:
        rates[workers] = await measure(workers, images, args.pipeline)
        print(f"{workers} worker(s): {rates[workers]:.2f} jobs/s ({len(images)} images)")
    if len(rates) > 1:
        low, high = min(rates), max(rates)
        ratio = rates[high] / rates[low]
        print(f"scaling {low} -> {high} workers: x{ratio:.2f} (ideal x{high / low:g})")
    print(f"cores: {os.cpu_count()}, pipeline: {args.pipeline}")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--pipeline", default="irisd.pipeline:process")
    return parser.parse_args()


async def measure(workers: int, images: list[Path], pipeline: str) -> float:
    """Jobs per second for one pool size, in a fresh data dir and server."""
    with tempfile.TemporaryDirectory() as data_dir:
        settings = config.replace(
            Settings(data_dir=data_dir),
            server={"host": "127.0.0.1", "port": 0},
            jobs={"workers": workers, "device": "cpu", "pipeline": pipeline},
        )
        runner, url = await _start(settings)
        try:
            async with aiohttp.ClientSession() as session:
                client = await _login(session, url, runner.app[DATABASE])
                photo_ids = [str((await client.upload_file(path))["id"]) for path in images]
                await run_all(client, photo_ids[:workers])  # warm up every worker
                started = time.perf_counter()
                await run_all(client, photo_ids)
                return len(photo_ids) / (time.perf_counter() - started)
        finally:
            await runner.cleanup()


async def _start(settings: Settings) -> tuple[web.AppRunner, str]:
    runner = web.AppRunner(create_app(settings), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    return runner, f"http://127.0.0.1:{port}"


async def _login(session: aiohttp.ClientSession, url: str, db: Any) -> Client:
    user = await create_user(db, "bench@example.test", PASSWORD)
    client = Client(session, url)
    await client.login(user.email, PASSWORD)
    return client


async def run_all(client: Client, photo_ids: list[str]) -> None:
    """Submit in batches of 10, then wait for every job's final message."""
    job_ids = [job["job_id"] for job in await client.submit_all(photo_ids)]
    statuses = await asyncio.gather(*(final(client, job_id) for job_id in job_ids))
    failed = [s for s in statuses if s != "completed"]
    if failed:
        print(f"  note: {len(failed)} of {len(job_ids)} jobs did not complete: {failed[:3]}")


async def final(client: Client, job_id: str) -> str:
    """The job's outcome from its WebSocket (which closes after the final message)."""
    outcome = "closed"
    async for data in client.messages(job_id):
        if data.get("status") in ("completed", "failed"):
            outcome = str(data.get("error_type") or data["status"])
    return outcome


if __name__ == "__main__":
    asyncio.run(main())
