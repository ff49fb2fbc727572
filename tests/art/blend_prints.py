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
    "web-colours/images/blue9.jpg",
    "web-colours/images/green12.jpg",
    "web-colours/images/gray7.jpg",
    "clinic-brown/images/IMG_1025.jpg",
)
SIDE = 1024  # the prints' side: small enough to keep the tests quick


@cache
def _made() -> tuple[np.ndarray, ...]:
    root = data_root() / "colour-dev"
    prints = []
    for name in PHOTOS:
        result = process((root / name).read_bytes(), lambda _s, _p: None, PipelineOptions(SIDE))
        image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
        prints.append(np.asarray(image))
    return tuple(prints)


def real_prints() -> list[np.ndarray]:
    """Four (SIDE, SIDE, 4) uint8 BGRA prints, fresh copies (a test may not spoil another's)."""
    if not (data_root() / "colour-dev").is_dir():
        pytest.skip(f"IRISD_DATA ({data_root()}) absent: the colour-dev photos are not available")
    return [image.copy() for image in _made()]
