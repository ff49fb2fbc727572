"""Small bright dots the cornea lays over the iris: tear-film debris, dust, and the glints of
lid margins, lashes and catchlights, a few pixels across.

They are too small for reflections.py, which works on a coarse copy where a speck of a
12 MP photo is a pixel; left in, a studio sees them as white flecks, and the completion
copies them into the lids. Found here on a copy at WORK_RADIUS px of iris radius:

  - a dot, not a fibre: its L* stands above the largest of the openings by line segments
    LENGTH of the iris radius long in ORIENTATIONS directions (a fibre survives the opening
    along it, a dot none: the test retinal imaging uses for microaneurysms);
  - by STEP L*, and by SPREAD times what the iris's own texture reaches there (its top
    percentile, TEXTURE_SHARE): a light iris's crypt dots and fibre crossings stand out
    too, less than a reflection;
  - no larger than MAX_AREA of the disc, and no more saturated than the iris.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.lab import to_lab

WORK_RADIUS = 400.0  # iris radius (px) of the working copy
LENGTH = 0.05  # of the iris radius: the line segments' length
ORIENTATIONS = 8
STEP = 12.0  # L* above the openings
SPREAD = 1.6
TEXTURE_SHARE = 99.0
MAX_AREA = 0.0004  # of the iris disc (a speck of 3 % of the radius across)
SATURATION_DROP = 1.0  # a speck's saturation at most this share of the iris's median
SMOOTH = 1.0  # working px: sigma of the smoothing that drops grain
GROW = 1.5  # working px added all round: the speck's soft edge


def find(rgb: np.ndarray, area: np.ndarray, iris_radius: float) -> np.ndarray:
    """(H, W) bool: the specks of an (H, W, 3) uint8 RGB crop within `area` (H, W) bool."""
    scale = min(1.0, WORK_RADIUS / max(iris_radius, 1.0))
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    size = small.shape[1::-1]
    inside = cv2.resize(area.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
    if inside.sum() < 64:
        return np.zeros(area.shape, bool)
    lab = to_lab(small)
    # Grain is a pixel wide; a speck several: smoothed over SMOOTH, grain falls below STEP.
    # What lies outside `area` (sclera, lids, a filled glint) is set to the iris's median
    # first, so it neither bleeds into the edge nor lets a line opening run out over it.
    lightness = np.where(inside, lab[..., 0], float(np.median(lab[..., 0][inside])))
    lightness = cv2.GaussianBlur(lightness, (0, 0), SMOOTH)
    lift = (lightness - _lines_opened(lightness, LENGTH * iris_radius * scale)) * inside
    step = max(STEP, SPREAD * float(np.percentile(lift[inside], TEXTURE_SHARE)))
    chroma = np.hypot(lab[..., 1], lab[..., 2])
    width = max(3, round(2 * LENGTH * iris_radius * scale) | 1)
    around = cv2.blur(chroma, (width, width))
    pale = chroma <= SATURATION_DROP * np.maximum(around, 4.0)
    candidates = (lift > step) & pale
    _, labels, stats, _ = cv2.connectedComponentsWithStats(candidates.astype(np.uint8))
    biggest = MAX_AREA * np.pi * (iris_radius * scale) ** 2
    keep = stats[:, cv2.CC_STAT_AREA] <= max(biggest, 2.0)
    keep[0] = False
    found = keep[labels].astype(np.uint8)
    if not found.any():
        return np.zeros(area.shape, bool)
    side = 2 * round(GROW) + 1
    found = cv2.dilate(found, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)))
    full = cv2.resize(found * 255, area.shape[::-1], interpolation=cv2.INTER_LINEAR)
    return np.asarray((full >= 64) & area, bool)


def _lines_opened(lightness: np.ndarray, length: float) -> np.ndarray:
    """The largest of the openings of `lightness` by line segments `length` px long."""
    side = max(3, round(length) | 1)
    centre = (side - 1) / 2
    out = np.zeros_like(lightness)
    for index in range(ORIENTATIONS):
        angle = np.pi * index / ORIENTATIONS
        dx, dy = centre * np.cos(angle), centre * np.sin(angle)
        kernel = np.zeros((side, side), np.uint8)
        start = (round(centre - dx), round(centre - dy))
        cv2.line(kernel, start, (round(centre + dx), round(centre + dy)), 1, 1)
        out = np.maximum(out, cv2.morphologyEx(lightness, cv2.MORPH_OPEN, kernel))
    return out
