"""Seconds per art job through the server, each kind on real 2048 px prints of real eyes.

Runs the real server in-process (127.0.0.1, port 0, one CPU worker) with the real pipeline:
processes two real eye photos (Mobius, ~5 MP) into 2048 px prints, then submits each art
kind through the app's calls and times it from submission to its final WebSocket message
(queue, loading the prints from storage, the art work in the worker, encoding, storing),
beside the job's own processing_time_ms. Usage:

    .venv/bin/python -m bench.server.studio_jobs [--presets cosmic_iris oil_master] [--size 2048]
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

from bench.lib.datasets import data_root
from bench.server.throughput import _login, _start, final
from irisd import config, logs
from irisd.api.appkeys import DATABASE
from irisd.client import Client
from irisd.config import LoggingSettings, Settings


async def main() -> None:
    args = _arguments()
    logs.configure(LoggingSettings(level="warning"))
    photos = sorted((data_root() / "mobius-samples" / "images").glob("*.jpg"))[:10]
    if len(photos) < 2:
        raise SystemExit(f"no Mobius images under {data_root()} (set IRISD_DATA)")
    with tempfile.TemporaryDirectory() as data_dir:
        settings = config.replace(
            Settings(data_dir=data_dir),
            server={"host": "127.0.0.1", "port": 0},
            jobs={"workers": 1, "device": "cpu", "time_limit_s": 900.0},
            pipeline={"output_size": args.size},
        )
        runner, url = await _start(settings)
        try:
            async with aiohttp.ClientSession() as session:
                client = await _login(session, url, runner.app[DATABASE])
                photo_ids, prints = await two_prints(client, photos)
                print(f"prints: {[p['result_width'] for p in prints]} px, cores {os.cpu_count()}")
                for name, call in calls(args.presets, photo_ids[0], prints):
                    await timed(client, name, *call)
        finally:
            await runner.cleanup()


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presets", nargs="+", default=["cosmic_iris", "oil_master"])
    parser.add_argument("--size", type=int, default=2048)
    return parser.parse_args()


async def two_prints(client: Client, photos: list[Path]) -> tuple[list[str], list[dict[str, Any]]]:
    """The first two photos that make prints (the gate refuses some), with their jobs."""
    photo_ids, prints = [], []
    for path in photos:
        photo_id = str((await client.upload_file(path))["id"])
        reply = (await client.post("/api/v1/processing/submit", {"photo_id": photo_id})).body
        if await final(client, reply["job_id"]) == "completed":
            photo_ids.append(photo_id)
            prints.append((await client.get(f"/api/v1/processing/jobs/{reply['job_id']}")).body)
        if len(prints) == 2:
            return photo_ids, prints
    raise SystemExit("fewer than two of the photos made a print")


def calls(
    presets: list[str], photo_id: str, prints: list[dict[str, Any]]
) -> list[tuple[str, tuple[str, dict[str, Any], str]]]:
    """(name, (path, body, id field)) of each art job to time."""
    ids = [p["job_id"] for p in prints]
    styles = [
        (f"style {preset}", ("/api/v1/styles/apply",
                             {"photoId": photo_id, "stylePresetId": preset,
                              "processingJobId": ids[0]}, "id"))
        for preset in presets
    ]  # fmt: skip
    return [
        *styles,
        ("export 20x20cm", ("/api/v1/exports/hd",
                            {"sourceType": "processed", "sourceJobId": ids[0],
                             "printSize": "20x20cm"}, "id")),
        ("fusion poisson", ("/api/v1/fusion", {"artwork_ids": ids, "blend_mode": "poisson"},
                            "fusion_id")),
        ("fusion alpha", ("/api/v1/fusion", {"artwork_ids": ids, "blend_mode": "alpha"},
                          "fusion_id")),
        ("composition grid_2x2", ("/api/v1/composition",
                                  {"artwork_ids": ids, "layout": "grid_2x2"}, "fusion_id")),
    ]  # fmt: skip


async def timed(client: Client, name: str, path: str, body: dict[str, Any], key: str) -> None:
    started = time.perf_counter()
    job_id = (await client.post(path, body)).expect(201)[key]
    last: dict[str, Any] = {}
    async for message in client.messages(job_id):
        last = message
    seconds = time.perf_counter() - started
    worked = (last.get("processing_time_ms") or 0) / 1000
    print(f"{name:24s} {last.get('status')}: {seconds:6.2f} s end to end, {worked:6.2f} s in "
          f"the job, {last.get('result_width')}x{last.get('result_height')}")  # fmt: skip


if __name__ == "__main__":
    asyncio.run(main())
