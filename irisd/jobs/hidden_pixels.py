"""Clear the colour under a result PNG's transparent pixels before it is stored.

The pipeline encodes the iris crop as RGBA with everything outside the iris transparent, but
the colour channels there still hold the photo: skin, lashes, sclera. No print or screen
shows them, yet every download carries that periocular data (30 % of a 1728 px result).
Zeroing RGB wherever alpha is 0 keeps exactly what is visible and compresses better.
"""

from __future__ import annotations

import dataclasses

import cv2
import numpy as np

from irisd.pipeline.output import PNG_PARAMS
from irisd.pipeline.types import PipelineResult

_RGBA = 4


def without_hidden_colour(result: PipelineResult) -> PipelineResult:
    """`result` with its PNG's colour zeroed where alpha is 0 (a JPEG has no alpha: as is)."""
    if result.format != "png":
        return result
    pixels = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
    if pixels is None or pixels.ndim != 3 or pixels.shape[2] != _RGBA:
        return result
    hidden = pixels[:, :, 3] == 0
    if not pixels[hidden, :3].any():
        return result
    pixels[hidden, :3] = 0
    ok, data = cv2.imencode(".png", pixels, PNG_PARAMS)
    if not ok:
        raise RuntimeError("image encoding failed")
    return dataclasses.replace(result, image=bytes(data.tobytes()))
