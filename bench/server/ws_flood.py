"""A watcher's keepalive gaps while another user floods WebSockets (issue 25 #9).

A real `irisd serve` (bench/lib/harness.py; pipeline `bench.lib.pipelines:gated`) holds one job of
the bench user in processing; the watcher's socket on it gets a keepalive every keepalive_s
(0.5 s). Another user, in another process (from 127.0.0.2), keeps FLOOD sockets reconnecting
on a job of its own: open, read the first message, close, open again (past the per-user cap,
the refusal). Prints the gaps between the watcher's keepalives (the server's own
`timestamp`s), quiet first and then under the flood, how many sockets the flood opened, and
the server's CPU time per flood socket (the cost of a reconnect).

    .venv/bin/python -m bench.server.ws_flood [--flood 300] [--seconds 20]
        [--py-spy OUT]   (profile the server under the flood; needs `pip install py-spy`)
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import subprocess
import sys
import time
from datetime import datetime

import aiohttp

from bench.lib.harness import REPO, Bench, cpu_seconds, percentile, raise_fd_limit
from bench.server.ws_fanout import profile
from irisd.client import Client
from tests.support import images

FLOODER = "flood@example.test"
FLOOD_ADDRESS = "127.0.0.2"
FLOOD_PASSWORD = "flood password, loopback only"  # a throwaway local account


async def watch(bench: Bench, job_id: str, seconds: float) -> list[float]:
    """Gaps (ms) between the server timestamps of the watcher's keepalives over `seconds`."""
    stamps: list[datetime] = []
    end = time.monotonic() + seconds
    async with bench.http.ws_connect(bench.ws_url(f"/ws/jobs/{job_id}")) as ws:
        async for msg in ws:
            stamps.append(datetime.fromisoformat(json.loads(msg.data)["timestamp"]))
            if time.monotonic() > end:
                break
    return [(b - a).total_seconds() * 1000 for a, b in itertools.pairwise(stamps[1:])]


async def flood(url: str, token: str, job_id: str, count: int, seconds: float) -> None:
    """Runs in the child process: `count` sockets reconnecting for `seconds`."""
    opened = 0
    end = time.monotonic() + seconds
    # From another address, as another device would be: the watcher keeps its own
    # connection cap ([server] max_connections_per_address).
    connector = aiohttp.TCPConnector(limit=0, local_addr=(FLOOD_ADDRESS, 0))
    async with aiohttp.ClientSession(connector=connector) as session:
        client = Client(session, url)
        client.access_token = token
        ws_url = client.ws_url(f"/ws/jobs/{job_id}")

        async def one() -> None:
            nonlocal opened
            while time.monotonic() < end:
                try:
                    async with session.ws_connect(ws_url) as ws:
                        opened += 1
                        await ws.receive()
                except aiohttp.ClientError:
                    pass

        await asyncio.gather(*(one() for _ in range(count)))
    print(opened)


def add_flooder(bench: Bench) -> None:
    subprocess.run(
        [sys.executable, "-m", "irisd", "users", "add", FLOODER, "--password", FLOOD_PASSWORD,
         "--config", str(bench.server.config_path)],
        check=True, cwd=REPO, capture_output=True,
    )  # fmt: skip


async def held_job(bench: Bench) -> str:
    photo = await bench.upload()
    os.mkfifo(bench.work / f"{photo}.gate")
    job_id = await bench.submit(photo)
    async with bench.http.ws_connect(bench.ws_url(f"/ws/jobs/{job_id}")) as ws:
        async for msg in ws:
            if json.loads(msg.data).get("status") == "processing":
                return job_id
    raise RuntimeError("the held job never started")


async def run(count: int, seconds: float, spy: str | None) -> None:
    raise_fd_limit()
    async with Bench("gated") as bench:
        add_flooder(bench)
        job_id = await held_job(bench)
        flooder = Client(bench.http, bench.url)
        await flooder.login(FLOODER, FLOOD_PASSWORD)
        flood_job = await _flood_job(flooder)
        quiet = await watch(bench, job_id, seconds / 2)
        cpu = cpu_seconds(bench.pid)
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bench.server.ws_flood", "--child", bench.url,
            str(flooder.access_token), flood_job, str(count), str(seconds + 5),
            stdout=asyncio.subprocess.PIPE, cwd=REPO,
        )  # fmt: skip
        await asyncio.sleep(2)  # let the flood ramp up before measuring
        watching = [watch(bench, job_id, seconds)]
        if spy:
            watching.append(profile(bench.pid, seconds, spy))
        busy = (await asyncio.gather(*watching))[0]
        out, _ = await child.communicate()
        cpu = cpu_seconds(bench.pid) - cpu
        await asyncio.to_thread(release, bench, job_id)
    print(
        f"watcher's keepalive gaps (contract: 500 ms), {count} reconnecting sockets of another user"
    )
    for name, gaps in (("quiet", quiet), ("flood", busy)):
        print(f"  {name}: n={len(gaps)} " + " ".join(
            f"p{q}={percentile(gaps, q):.0f} ms" for q in (50, 90, 99)
        ) + f" max={max(gaps):.0f} ms; over 600 ms: {sum(g > 600 for g in gaps)}")  # fmt: skip
    opened = int(out.decode().strip() or 0)
    print(f"  flood sockets opened: {opened} in {seconds + 5:.0f} s; server CPU"
          f" {100 * cpu / (seconds + 5):.0f} % of a core, {1000 * cpu / max(opened, 1):.2f} ms"
          " per flood socket")  # fmt: skip


def release(bench: Bench, job_id: str) -> None:
    gate = next(bench.work.glob("*.gate"))
    with open(gate, "w") as fifo:  # noqa: PTH123 - a FIFO, opened once
        fifo.write("go")


async def _flood_job(flooder: Client) -> str:
    photo = await flooder.upload(images.jpeg(64, 48))
    reply = await flooder.post("/api/v1/processing/submit", {"photo_id": photo["id"]})
    return str(reply.expect(201)["job_id"])


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        url, token, job, count, seconds = sys.argv[2:7]
        raise_fd_limit()
        asyncio.run(flood(url, token, job, int(count), float(seconds)))
        sys.exit(0)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=300)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--py-spy", dest="py_spy", default=None)
    args = parser.parse_args()
    asyncio.run(run(args.flood, args.seconds, args.py_spy))
