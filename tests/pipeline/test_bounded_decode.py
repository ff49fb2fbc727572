"""Bounded decoding: 16-bit without float64 copies, intake at reduced size, a memory budget.

Memory is read with tracemalloc, which sees NumPy's arrays and Python's bytes (Pillow's own
image buffer is outside it, and is the one full-size buffer a decode may hold). Peak server RSS
per format is measured by bench/server/upload_memory.py.
"""

from __future__ import annotations

import asyncio
import io
import threading
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from irisd.intake import Inspection, Intake, inspect
from irisd.pipeline.decode import decode, decode_cost
from tests.support.images import check_peak

MAX = 60_000_000
W, H = 1500, 1000


def _encoded(array: np.ndarray, fmt: str) -> bytes:
    out = io.BytesIO()
    Image.fromarray(array).save(out, format=fmt)
    return out.getvalue()


def _ramp(dtype: type[np.generic], top: int) -> np.ndarray:
    return (np.linspace(0, top, W * H, dtype=np.float64).reshape(H, W)).astype(dtype)


def traced_peak(run: Callable[[], object]) -> int:
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_16bit_grey_decodes_without_float64_copies() -> None:
    data = _encoded(_ramp(np.uint16, 65535), "PNG")
    rgb = decode(data, MAX)
    assert rgb.dtype == np.uint8
    assert rgb.shape == (H, W, 3)
    assert int(rgb[0, 0, 0]) == 0
    assert int(rgb[-1, -1, 0]) == 255
    # The RGB result (3 bytes a pixel), the raw 16-bit values (2) and a byte-a-pixel
    # lookup: the old float64 path held 8 bytes a pixel three times over.
    assert traced_peak(lambda: decode(data, MAX)) < 7 * W * H


def test_16bit_grey_keeps_its_values_as_before() -> None:
    values = np.array([[0, 1, 128, 255, 256, 32767, 65534, 65535]], np.uint16)
    expected = np.clip(values.astype(np.float64) * 255 / 65535 + 0.5, 0, 255).astype(np.uint8)
    assert (decode(_encoded(np.repeat(values, 16, axis=0), "PNG"), MAX)[0, :, 0] == expected).all()


@pytest.mark.parametrize(
    ("fmt", "array"),
    [
        ("PNG", np.zeros((H, W, 3), np.uint8)),
        ("JPEG", np.zeros((H, W, 3), np.uint8)),
        ("TIFF", np.zeros((H, W), np.uint16)),
    ],
)
def test_intake_keeps_only_a_thumbnail_of_the_photo(fmt: str, array: np.ndarray) -> None:
    data = _encoded(array, fmt)
    found = inspect(data, MAX)
    assert (found.width, found.height) == (W, H)
    with Image.open(io.BytesIO(found.thumbnail)) as thumb:
        assert max(thumb.size) == 256
    # No full-size array of the photo (the old path made two: 3 bytes a pixel each).
    assert traced_peak(lambda: inspect(data, MAX)) < W * H


class Checks:
    """Checks that hold until released, counting how many run at once (threads)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.running, self.most = 0, 0
        self.release = threading.Event()
        self.loop = asyncio.get_running_loop()
        self.started = asyncio.Event()

    def check(self, _data: bytes, _max_pixels: int) -> Inspection:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.loop.call_soon_threadsafe(self.started.set)
        self.release.wait(timeout=30)
        with self.lock:
            self.running -= 1
        return Inspection(1, 1, "image/png", b"")

    async def run(self, intake: Intake, costs: list[int], settle_s: float = 0.3) -> int:
        """Start a check of each cost; the most that ran at once before any was released."""
        tasks = [asyncio.ensure_future(intake.inspect(cost.to_bytes(4, "big"), MAX))
                 for cost in costs]  # fmt: skip
        await asyncio.wait_for(self.started.wait(), timeout=30)
        # Give the others every chance to start (without the budget they would within ms).
        done, _pending = await asyncio.wait(tasks, timeout=settle_s)
        assert not done
        most = self.most
        self.release.set()
        await asyncio.gather(*tasks)
        return most


def _cost(data: bytes, _max_pixels: int) -> int:
    return int.from_bytes(data, "big")


@pytest.mark.parametrize(
    ("costs", "together"),
    [
        ([60, 60, 60, 60], 1),  # two would pass the budget of 100
        ([40, 40, 40, 40], 2),
        ([150, 10, 10], 1),  # larger than the budget: runs, alone
    ],
)
async def test_checks_run_together_only_within_the_memory_budget(
    costs: list[int], together: int
) -> None:
    checks = Checks()
    assert await checks.run(Intake(100, checks.check, _cost), costs) == together


@pytest.mark.parametrize(
    ("fmt", "array", "per_pixel"),
    [
        ("PNG", np.zeros((H, W, 3), np.uint8), 4),
        ("PNG", np.zeros((H, W), np.uint16), 2),
        ("PNG", np.zeros((H, W), np.uint8), 1),
        ("WEBP", np.zeros((H, W, 3), np.uint8), 4),
    ],
)
def test_a_checks_cost_is_read_from_the_header(fmt: str, array: np.ndarray, per_pixel: int) -> None:
    data = _encoded(array, fmt)
    assert decode_cost(data, MAX) == W * H * per_pixel + len(data)
    assert decode_cost(_encoded(np.zeros((H, W, 3), np.uint8), "JPEG"), MAX) < W * H


def test_a_webp_check_holds_at_most_4_bytes_a_pixel(tmp_path: Path) -> None:
    # libwebp's buffers are outside tracemalloc: the peak RSS of a fresh process is read.
    # Pillow's WebP decode held 16 bytes a pixel (bench/server/upload_memory.py: 918 MB at 60 MP).
    side = 4000
    ramp = np.linspace(0, 255, side, dtype=np.uint8)
    photo = tmp_path / "big.webp"
    photo.write_bytes(_encoded(np.dstack([np.tile(ramp, (side, 1))] * 3), "WEBP"))
    peak = check_peak(photo)
    assert peak < 4 * side * side
