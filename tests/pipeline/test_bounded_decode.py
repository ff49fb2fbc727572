"""Bounded decoding: 16-bit without float64 copies, intake at reduced size, few decodes at once.

Memory is read with tracemalloc, which sees NumPy's arrays and Python's bytes (Pillow's own
image buffer is outside it, and is the one full-size buffer a decode may hold). Peak server RSS
per format is measured by bench/upload_memory.py.
"""

from __future__ import annotations

import asyncio
import io
import threading
import tracemalloc
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image

from irisd.intake import Inspection, Intake, inspect
from irisd.pipeline.decode import decode

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


async def test_no_more_than_the_slots_decode_at_once() -> None:
    lock = threading.Lock()
    running, most = 0, 0
    release = threading.Event()
    loop = asyncio.get_running_loop()
    two_inside = asyncio.Event()

    def check(_data: bytes, _max_pixels: int) -> Inspection:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
            if running == 2:
                loop.call_soon_threadsafe(two_inside.set)
        release.wait(timeout=30)
        with lock:
            running -= 1
        return Inspection(1, 1, "image/png", b"")

    intake = Intake(2, check)
    tasks = [asyncio.ensure_future(intake.inspect(b"", MAX)) for _ in range(5)]
    await asyncio.wait_for(two_inside.wait(), timeout=30)
    # Give the other three every chance to start (without slots they would within ms).
    done, _pending = await asyncio.wait(tasks, timeout=0.3)
    assert not done
    assert running == 2
    release.set()
    await asyncio.gather(*tasks)
    assert most == 2
