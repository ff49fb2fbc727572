"""Peak server memory per upload of the largest allowed photo, per format and bit depth, and
what parallel uploads add up to.

A fresh `irisd serve` per photo (freed memory that an allocator keeps would hide the next
photo's cost) gets a small warm-up upload, then its peak RSS is reset (/proc/PID/clear_refs,
"5") and its current RSS noted; one direct upload (POST /api/v1/photos) of the photo; its
peak (VmHWM) minus that is the upload's cost. The photos are the largest the defaults allow:
60 MP ([uploads] max_pixels), or 40 MB ([uploads] max_bytes) where that binds first (BMP),
and the issue-25 bombs: a progressive 4:4:4 JPEG, an RGBA PNG, an RLE8 BMP.

Each row prints what the check reserves in the decode gate ("reserved": the server's own
estimate from the header, irisd/decode_budget.py; [uploads] decode_memory_mb bounds their
sum) and the budget of the whole request: reserved + 3x the file's bytes (the body read, the
stored copy) + 64 MB. Then, each on a fresh server: three 8-bit PNGs at once (two at a time
within 512 MB), with /healthz timed meanwhile; 8 progressive JPEGs at once (their
reservations take turns within 512 MB); 40 parallel 35 MB uploads by one user (at most
[uploads] max_parallel_per_user bodies held at once, 4 times that waiting, the rest 429).

    .venv/bin/python -m bench.server.upload_memory [--side 7745] [--skip heic,webp] [--only ...]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from bench.lib.harness import Bench
from bench.lib.rle_bmp import rle8_bmp
from irisd.client import API
from irisd.decode_budget import peak_bytes

MB = 1024 * 1024
SIDE = 7745  # 7745^2 = 59,985,025 pixels, just under the default 60 MP


def _gradient(side: int, channels: int, dtype: type[np.generic], top: int) -> np.ndarray:
    """A smooth image (compresses like a plain backdrop; the decode cost is the same)."""
    ramp = np.linspace(0, top, side, dtype=np.float32)
    gray = (ramp[None, :] * 0.5 + ramp[:, None] * 0.5).astype(dtype)
    return gray if channels == 1 else np.repeat(gray[:, :, None], channels, axis=2)


def _encode(array: np.ndarray, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format=fmt, **kwargs)
    return out.getvalue()


def _heic(side: int) -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    return _encode(_gradient(side, 3, np.uint8, 255), "HEIF", quality=60)


PHOTOS: dict[str, Callable[[int], bytes]] = {
    "png-8bit-rgb": lambda s: _encode(_gradient(s, 3, np.uint8, 255), "PNG"),
    "png-16bit-grey": lambda s: _encode(_gradient(s, 1, np.uint16, 65535), "PNG"),
    "jpeg": lambda s: _encode(_gradient(s, 3, np.uint8, 255), "JPEG", quality=90),
    "tiff-8bit-rgb": lambda s: _encode(_gradient(s, 3, np.uint8, 255), "TIFF",
                                       compression="tiff_deflate"),
    "tiff-16bit-grey": lambda s: _encode(_gradient(s, 1, np.uint16, 65535), "TIFF",
                                         compression="tiff_deflate"),
    "webp": lambda s: _encode(_gradient(min(s, 16383), 3, np.uint8, 255), "WEBP", quality=80),
    # 40 MB binds before 60 MP: 8-bit grey at 6300 x 6300 (39.7 MP, 39.7 MB).
    "bmp-8bit-grey": lambda s: _encode(_gradient(min(s, 6300), 1, np.uint8, 255), "BMP"),
    "heic": _heic,
    # issue 25: libjpeg holds every coefficient of a progressive JPEG (6 bytes a pixel at 4:4:4)
    "jpeg-progressive-444": lambda s: _encode(_gradient(s, 3, np.uint8, 255), "JPEG",
                                              quality=90, progressive=True, subsampling=0),
    "png-8bit-rgba": lambda s: _encode(_gradient(s, 4, np.uint8, 255), "PNG"),
    "bmp-rle8": rle8_bmp,
}  # fmt: skip
BIG_BODY_SIDE = 5900  # an 8-bit grey BMP of 5900 x 5900: 34.8 MB, as the 35 MB uploads


def _status(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    return 0


def _reset_peak(pid: int) -> int:
    """Reset VmHWM to the current RSS (Linux clear_refs "5"); returns that RSS in bytes."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")
    return _status(pid, "VmRSS")


def _pixels(data: bytes) -> int:
    with Image.open(io.BytesIO(data)) as image:
        return image.width * image.height


def budget(data: bytes) -> int:
    """The whole request's: what its check reserves, 3x the file's bytes, 64 MB."""
    return peak_bytes(data, 60_000_000) + 3 * len(data) + 64 * MB


async def _upload(bench: Bench, data: bytes) -> int:
    reply = await bench.api.request("POST", f"{API}/photos", data=_form(data))
    return reply.status


def _form(data: bytes) -> object:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", data, filename="eye", content_type="image/jpeg")
    return form


async def one_at_a_time(photos: dict[str, bytes]) -> bool:
    print(f"{'photo':<21} {'pixels':>11} {'file':>9} {'time':>7} {'peak +':>9} "
          f"{'B/pixel':>8} {'reserved':>9} {'budget':>9}  ok")  # fmt: skip
    within = True
    for name, data in photos.items():
        async with Bench("gated") as bench:
            within &= await _measure_one(bench, name, data)
    return within


async def _measure_one(bench: Bench, name: str, data: bytes) -> bool:
    await _upload(bench, PHOTOS["jpeg"](64))  # warm: imports and first-use allocations
    pixels = _pixels(data)
    before = _reset_peak(bench.pid)
    started = time.perf_counter()
    status = await _upload(bench, data)
    took = time.perf_counter() - started
    peak = _status(bench.pid, "VmHWM") - before
    reserved, allowed = peak_bytes(data, 60_000_000), budget(data)
    ok = status == 201 and peak <= allowed
    print(
        f"{name:<21} {pixels:>11,} {len(data) / MB:>7.1f}MB {took:>6.1f}s "
        f"{peak / MB:>7.0f}MB {peak / pixels:>8.2f} {reserved / MB:>7.0f}MB "
        f"{allowed / MB:>7.0f}MB  {'yes' if ok else f'NO (status {status})'}"
    )
    return ok


async def three_at_once(bench: Bench, data: bytes) -> bool:
    await _upload(bench, PHOTOS["jpeg"](64))
    before = _reset_peak(bench.pid)
    latencies: list[float] = []
    uploads = asyncio.gather(*(_upload(bench, data) for _ in range(3)))
    task = asyncio.ensure_future(uploads)
    while not task.done():
        started = time.perf_counter()
        await bench.api.get("/healthz", auth=False)
        latencies.append((time.perf_counter() - started) * 1000)
        await asyncio.sleep(0.05)
    statuses = await task
    peak = _status(bench.pid, "VmHWM") - before
    # Before irisd/freed_memory.py, +718 MB in half the runs: a thread's freed decode stayed
    # in its arena while the third check, in another thread, took fresh memory.
    allowed = 2 * budget(data)
    print(
        f"3 x png-8bit-rgb at once: statuses {statuses}, peak +{peak / MB:.0f} MB "
        f"(decode_memory_mb 512, so two at a time: budget {allowed / MB:.0f} MB) "
        f"{'within' if peak <= allowed else 'OVER'}, "
        f"/healthz max {max(latencies):.0f} ms over {len(latencies)} probes"
    )
    return peak <= allowed


async def at_once(bench: Bench, data: bytes, count: int) -> tuple[dict[int, int], int]:
    """`count` direct uploads of `data` at once: {status: how many}, and the peak growth."""
    await _upload(bench, PHOTOS["jpeg"](64))
    before = _reset_peak(bench.pid)
    statuses = await asyncio.gather(*(_upload(bench, data) for _ in range(count)))
    peak = _status(bench.pid, "VmHWM") - before
    return {code: statuses.count(code) for code in sorted(set(statuses))}, peak


async def progressive_at_once(data: bytes, count: int = 8) -> bool:
    async with Bench("gated") as bench:
        statuses, peak = await at_once(bench, data, count)
    reserved = peak_bytes(data, 60_000_000)
    # The gate runs one at a time (each reserves more than half of 512 MB); the bodies wait.
    allowed = max(reserved, 512 * MB) + count * 3 * len(data) + 64 * MB
    print(
        f"{count} x jpeg-progressive-444 at once: statuses {statuses}, peak +{peak / MB:.0f} MB "
        f"(each reserves {reserved / MB:.0f} MB of decode_memory_mb 512; budget "
        f"{allowed / MB:.0f} MB) {'within' if peak <= allowed else 'OVER'}"
    )
    return peak <= allowed


async def big_bodies_at_once(count: int = 40) -> bool:
    data = _encode(_gradient(BIG_BODY_SIDE, 1, np.uint8, 255), "BMP")
    async with Bench("gated") as bench:
        statuses, peak = await at_once(bench, data, count)
        per_user = bench.settings.uploads.max_parallel_per_user
    # The bodies of per_user uploads at once, each read, checked and stored, + 64 MB.
    allowed = per_user * budget(data)
    print(
        f"{count} x {len(data) / MB:.1f} MB uploads by one user at once: statuses {statuses}, "
        f"peak +{peak / MB:.0f} MB (max_parallel_per_user {per_user}: budget "
        f"{allowed / MB:.0f} MB) {'within' if peak <= allowed else 'OVER'}"
    )
    return peak <= allowed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=SIDE)
    parser.add_argument("--skip", default="", help="comma-separated photo names to leave out")
    parser.add_argument("--only", default="", help="comma-separated photo names to measure")
    args = parser.parse_args()
    skipped = set(filter(None, args.skip.split(",")))
    only = set(filter(None, args.only.split(",")))
    photos = {}
    for name, make in PHOTOS.items():
        if name in skipped or (only and name not in only):
            continue
        try:
            photos[name] = make(args.side)
        except (ImportError, OSError, ValueError) as exc:
            print(f"{name}: not measured ({exc})")
    within = await one_at_a_time(photos)
    async with Bench("gated") as bench:
        png = photos.get("png-8bit-rgb") or PHOTOS["png-8bit-rgb"](args.side)
        within &= await three_at_once(bench, png)
    progressive = photos.get("jpeg-progressive-444") or PHOTOS["jpeg-progressive-444"](args.side)
    within &= await progressive_at_once(progressive)
    within &= await big_bodies_at_once()
    print("all within budget" if within else "OVER BUDGET")


if __name__ == "__main__":
    asyncio.run(main())
