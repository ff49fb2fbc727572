"""Real iris prints for the blend tests (fusion, layout, export): colour-dev photos through
`irisd.pipeline.process`, made once per test session. Skips where $IRISD_DATA is absent."""

from __future__ import annotations

from functools import cache

import cv2
import numpy as np
import pytest

from bench.lib.datasets import data_root
from irisd.pipeline import PipelineOptions, process

# Blue, green, grey and brown: irises as unlike as can be, the hardest case for a seam.
PHOTOS = (
    "web-colours/images/blue2.jpg",
    "web-colours/images/green12.jpg",
    "web-colours/images/gray7.jpg",
    "clinic-brown/images/IMG_1025.jpg",
)
SIDE = 1024  # the prints' side: small enough to keep the tests quick


LARGE = "web-colours/images/blue2.jpg"  # its iris is about 1380 px across in the photo


@cache
def _made(name: str, side: int) -> tuple[np.ndarray, int]:
    """The print and its iris's diameter in the photo's pixels (as the server knows it)."""
    photo = (data_root() / "colour-dev" / name).read_bytes()
    result = process(photo, lambda _s, _p: None, PipelineOptions(side))
    image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
    return np.asarray(image), round(2 * result.measures["iris_radius_px"])


def _require() -> None:
    if not (data_root() / "colour-dev").is_dir():
        pytest.skip(f"IRISD_DATA ({data_root()}) absent: the colour-dev photos are not available")


def real_prints() -> list[np.ndarray]:
    """Four (SIDE, SIDE, 4) uint8 BGRA prints, fresh copies (a test may not spoil another's)."""
    _require()
    return [_made(name, SIDE)[0].copy() for name in PHOTOS]


def large_print() -> tuple[np.ndarray, int]:
    """A 1536 px BGRA print of LARGE (a fresh copy), and its iris's diameter in the photo."""
    _require()
    image, native = _made(LARGE, 1536)
    return image.copy(), native
