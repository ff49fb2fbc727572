"""A direct upload whose form is PARTS empty parts then the photo (issue 25 #5): the answer,
its time, and the slowest GET /healthz answered meanwhile (how long the loop was held).

    .venv/bin/python -m bench.server.form_parts [--parts 200000]
"""

from __future__ import annotations

import argparse
import asyncio
import time

from bench.lib.harness import Bench
from tests.support import images

BOUNDARY = "irisdbench"
PROBE_S = 0.05


def body(parts: int) -> bytes:
    empty = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="e"\r\n\r\n\r\n'.encode()
    photo = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="eye.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    return empty * parts + photo + images.jpeg(64, 48) + f"\r\n--{BOUNDARY}--\r\n".encode()


async def probe(bench: Bench, done: asyncio.Event) -> float:
    """The slowest /healthz (ms) while the upload runs."""
    slowest = 0.0
    while not done.is_set():
        started = time.monotonic()
        async with bench.http.get(f"{bench.url}/healthz") as reply:
            await reply.read()
        slowest = max(slowest, (time.monotonic() - started) * 1000)
        await asyncio.sleep(PROBE_S)  # the prober's pace
    return slowest


async def main(parts: int) -> None:
    data = body(parts)
    async with Bench("ok") as bench:
        done = asyncio.Event()
        prober = asyncio.create_task(probe(bench, done))
        started = time.monotonic()
        reply = await bench.api.request(
            "POST", "/api/v1/photos", data=data,
            headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
        )  # fmt: skip
        took = time.monotonic() - started
        done.set()
        slowest = await prober
    answer = reply.body.get("detail", "a photo stored") if isinstance(reply.body, dict) else ""
    print(f"{parts} empty parts + a photo, {len(data) / 1e6:.1f} MB: {reply.status} {answer}")
    print(f"  answered in {took:.2f} s; slowest /healthz meanwhile {slowest:.0f} ms")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", type=int, default=200_000)
    asyncio.run(main(parser.parse_args().parts))
