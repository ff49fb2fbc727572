"""The debug overlay: boundaries, visible-iris outline and highlights drawn on the input."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle
from irisd.pipeline.segment import Segmentation

MAX_SIDE = 1280
IRIS_COLOUR = (0, 255, 0)  # RGB
PUPIL_COLOUR = (0, 128, 255)
MASK_COLOUR = (255, 255, 0)
HIGHLIGHT_COLOUR = (255, 0, 255)


def draw(rgb: np.ndarray, seg: Segmentation, highlights: np.ndarray) -> bytes:
    """PNG bytes of the input (longer side ≤ MAX_SIDE) with the segmentation drawn on it.

    `highlights` is an (H, W) bool mask in input coordinates.
    """
    h, w = rgb.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    canvas = np.ascontiguousarray(cv2.resize(rgb, size, interpolation=cv2.INTER_AREA))
    small_mask = cv2.resize(seg.mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST)
    contours, _ = cv2.findContours(small_mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    cv2.drawContours(canvas, contours, -1, MASK_COLOUR, 1, cv2.LINE_AA)
    spots = cv2.resize(highlights.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    canvas[spots] = HIGHLIGHT_COLOUR
    thickness = max(1, round(max(size) / 500))
    _circle(canvas, seg.iris.scaled(scale), IRIS_COLOUR, thickness)
    _circle(canvas, seg.pupil.scaled(scale), PUPIL_COLOUR, thickness)
    ok, data = cv2.imencode(".png", cv2.cvtColor(canvas, cv2.COLOR_RGB2BGR))
    if not ok:
        raise RuntimeError("overlay encoding failed")
    return bytes(data.tobytes())


def _circle(canvas: np.ndarray, circle: Circle, colour: tuple[int, int, int], width: int) -> None:
    centre = (round(circle.x * 16), round(circle.y * 16))
    cv2.circle(canvas, centre, round(circle.r * 16), colour, width, cv2.LINE_AA, 4)
