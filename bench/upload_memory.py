"""Peak server memory per upload of the largest allowed photo, per format and bit depth.

A fresh `irisd serve` per photo (freed memory that an allocator keeps would hide the next
photo's cost) gets a small warm-up upload, then its peak RSS is reset (/proc/PID/clear_refs,
"5") and its current RSS noted; one direct upload (POST /api/v1/photos) of the photo; its
peak (VmHWM) minus that is the upload's cost. Then, on another fresh server, three 8-bit
PNGs at once, with /healthz timed meanwhile. The photos are the largest the defaults allow:
60 MP ([uploads] max_pixels), or 40 MB ([uploads] max_bytes) where that binds first (BMP).

Budget per upload: B bytes per pixel + 3x the file's bytes (the body read, the stored copy)
+ 64 MB, where B is 4 for PNG, JPEG (at 1/8 scale), TIFF and BMP (Pillow's own buffer: RGB
as 4 bytes a pixel, 16-bit grey as 2) and for WebP (OpenCV's reduced read: one 3-byte buffer
and its reduced copy), and 8 for HEIC (libheif decodes into buffers of its own first, which
Pillow offers no way to scale; measured, not chosen). Checks run together only within
[uploads] decode_memory_mb (512 MB): two 60 MP 8-bit PNGs (240 MB each) at once, not three.

    .venv/bin/python bench/upload_memory.py [--side 7745] [--skip heic,webp]
"""

from __future__ import annotations

import argparse
import asyncio
import io
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from _common import Bench
from PIL import Image

from irisd.client import API

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
}  # fmt: skip


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


BYTES_PER_PIXEL = {"heic": 8}  # libheif's own buffers; 4 for the rest


def budget(pixels: int, size_bytes: int, name: str = "") -> int:
    return BYTES_PER_PIXEL.get(name, 4) * pixels + 3 * size_bytes + 64 * MB


async def _upload(bench: Bench, data: bytes) -> int:
    reply = await bench.api.request("POST", f"{API}/photos", data=_form(data))
    return reply.status


def _form(data: bytes) -> object:
    import aiohttp

    form = aiohttp.FormData()
    form.add_field("file", data, filename="eye", content_type="image/jpeg")
    return form


async def one_at_a_time(photos: dict[str, bytes]) -> bool:
    print(f"{'photo':<16} {'pixels':>11} {'file':>9} {'time':>7} {'peak +':>9} "
          f"{'B/pixel':>8} {'budget':>9}  ok")  # fmt: skip
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
    allowed = budget(pixels, len(data), name)
    ok = status == 201 and peak <= allowed
    print(
        f"{name:<16} {pixels:>11,} {len(data) / MB:>7.1f}MB {took:>6.1f}s "
        f"{peak / MB:>7.0f}MB {peak / pixels:>8.2f} {allowed / MB:>7.0f}MB  "
        f"{'yes' if ok else f'NO (status {status})'}"
    )
    return ok


async def three_at_once(bench: Bench, data: bytes) -> None:
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
    print(
        f"3 x png-8bit-rgb at once: statuses {statuses}, peak +{peak / MB:.0f} MB "
        f"(decode_memory_mb 512, so two at a time: budget "
        f"{2 * budget(_pixels(data), len(data)) / MB:.0f} MB), "
        f"/healthz max {max(latencies):.0f} ms over {len(latencies)} probes"
    )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--side", type=int, default=SIDE)
    parser.add_argument("--skip", default="", help="comma-separated photo names to leave out")
    args = parser.parse_args()
    skipped = set(filter(None, args.skip.split(",")))
    photos = {}
    for name, make in PHOTOS.items():
        if name in skipped:
            continue
        try:
            photos[name] = make(args.side)
        except (ImportError, OSError, ValueError) as exc:
            print(f"{name}: not measured ({exc})")
    within = await one_at_a_time(photos)
    async with Bench("gated") as bench:
        await three_at_once(bench, photos.get("png-8bit-rgb") or PHOTOS["png-8bit-rgb"](1000))
    print("all within budget" if within else "OVER BUDGET")


if __name__ == "__main__":
    asyncio.run(main())
