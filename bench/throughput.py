"""Jobs per second with 1 and 2 workers on the same real eye images; prints the scaling ratio.

Runs the real server in-process (127.0.0.1, port 0) with the real pipeline, uploads the
same MMU images for each pool size, warms every worker up (process start + model load are
not throughput), then times one batch submission until the last job's final WebSocket
message. Usage:

    .venv/bin/python bench/throughput.py [--images 20] [--workers 1 2] [--pipeline MOD:FN]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from datasets import data_root

from irisd import config, logs
from irisd.app import create_app
from irisd.appkeys import DATABASE
from irisd.auth.users import create_user
from irisd.config import LoggingSettings, Settings

PASSWORD = "bench password, not a secret"  # a throwaway local account
BATCH = 10


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
                client = await _Client.login(session, url, runner.app[DATABASE])
                photo_ids = [await client.upload(path) for path in images]
                await client.run_all(photo_ids[:workers])  # warm up every worker
                started = time.perf_counter()
                await client.run_all(photo_ids)
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


class _Client:
    def __init__(self, session: aiohttp.ClientSession, url: str, token: str) -> None:
        self.session = session
        self.url = url
        self.token = token
        self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    async def login(cls, session: aiohttp.ClientSession, url: str, db: Any) -> _Client:
        user = await create_user(db, "bench@example.test", PASSWORD)
        body = {"email": user.email, "password": PASSWORD}
        async with session.post(f"{url}/api/v1/auth/login/json", json=body) as resp:
            token = (await resp.json())["access_token"]
        return cls(session, url, token)

    async def upload(self, path: Path) -> str:
        form = aiohttp.FormData()
        data = await asyncio.to_thread(path.read_bytes)
        form.add_field("file", data, filename=path.name)
        async with self.session.post(
            f"{self.url}/api/v1/photos", data=form, headers=self.headers
        ) as resp:
            return str((await resp.json())["id"])

    async def run_all(self, photo_ids: list[str]) -> None:
        """Submit in batches of 10, then wait for every job's final message."""
        job_ids = []
        for start in range(0, len(photo_ids), BATCH):
            body = {"photo_ids": photo_ids[start : start + BATCH]}
            async with self.session.post(
                f"{self.url}/api/v1/processing/batch", json=body, headers=self.headers
            ) as resp:
                job_ids += [job["job_id"] for job in (await resp.json())["jobs"]]
        statuses = await asyncio.gather(*(self.final(job_id) for job_id in job_ids))
        failed = [s for s in statuses if s != "completed"]
        if failed:
            print(f"  note: {len(failed)} of {len(job_ids)} jobs did not complete: {failed[:3]}")

    async def final(self, job_id: str) -> str:
        ws_url = self.url.replace("http", "ws", 1) + f"/ws/jobs/{job_id}?token={self.token}"
        async with self.session.ws_connect(ws_url) as socket:
            async for message in socket:
                data = json.loads(message.data)
                if data.get("status") in ("completed", "failed"):
                    return str(data.get("error_type") or data["status"])
        return "closed"


if __name__ == "__main__":
    asyncio.run(main())
