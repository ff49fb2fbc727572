"""Specular highlight removal inside the iris and pupil: detect, grow a halo margin, inpaint.

Works on the square iris crop. Highlights are pixels much brighter than their local
background (a median filter wider than a glint); the margin grows with the iris radius so
the soft halo around a glint is filled too. Filling uses OpenCV's Telea inpainting on a
copy reduced to at most INPAINT_SIDE px, pasted back only inside the holes.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.eyelids import gray

MIN_STEP = 28.0  # grey levels above the local background
MIN_LEVEL = 150.0  # absolute grey level of a highlight core
HALO_STEP = 10.0  # grey levels above the background still grown into a glint (hysteresis)
HALO_FRACTION = 0.02  # halo margin as a fraction of the iris radius
INPAINT_SIDE = 768


def search_region(visible: np.ndarray, iris_disk: np.ndarray, iris_radius: float) -> np.ndarray:
    """Where highlights are looked for: visible iris + pupil with glint-sized holes closed.

    `visible` (H, W) bool excludes glints as well as lids; a closing about a fifth of the
    iris radius wide fills the glints back in but not the lids, so lid skin is never filled.
    """
    scale = min(1.0, 256.0 / max(visible.shape))  # large kernels are slow at full size
    small = cv2.resize(visible.astype(np.uint8) * 255, None, fx=scale, fy=scale)
    side = max(3, round(0.2 * iris_radius * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    full = cv2.resize(closed, visible.shape[::-1], interpolation=cv2.INTER_LINEAR) >= 128
    return np.asarray((full | visible) & iris_disk, bool)


def detect(crop: np.ndarray, region: np.ndarray, iris_radius: float) -> np.ndarray:
    """(H, W) bool highlight mask (with halo) of an (H, W, 3) uint8 crop, within `region`.

    `region` (H, W) bool is the iris + pupil disk; `iris_radius` is in crop pixels.
    """
    level = gray(crop)
    scale = min(1.0, 256.0 / max(crop.shape[:2]))
    small = cv2.resize(level, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    width = max(3, int(iris_radius * scale * 0.6) | 1)
    background = cv2.medianBlur(np.clip(small, 0, 255).astype(np.uint8), min(width, 255))
    background = cv2.resize(background, crop.shape[1::-1], interpolation=cv2.INTER_LINEAR)
    excess = level - background
    core = (excess > MIN_STEP) & (level > MIN_LEVEL) & region
    if not core.any():
        return np.asarray(core, bool)
    halo = grow(core, excess > HALO_STEP)
    margin = max(2, round(HALO_FRACTION * iris_radius) + 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    holes = cv2.dilate(halo.astype(np.uint8), kernel) > 0
    return np.asarray(holes & (cv2.dilate(region.astype(np.uint8), kernel) > 0))


def grow(core: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Hysteresis: the connected parts of `candidates` that touch a `core` pixel, plus cores."""
    count, labels = cv2.connectedComponents((candidates | core).astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[core])] = True
    keep[0] = False
    return np.asarray(keep[labels] | core)


def fill(crop: np.ndarray, holes: np.ndarray) -> np.ndarray:
    """Inpaint `holes` (H, W) bool of an (H, W, 3) uint8 crop; returns a new uint8 array."""
    if not holes.any():
        return crop.copy()
    scale = min(1.0, INPAINT_SIDE / max(crop.shape[:2]))
    small = crop
    small_holes = holes.astype(np.uint8)
    if scale < 1.0:
        small = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        grown = cv2.resize(small_holes * 255, small.shape[1::-1], interpolation=cv2.INTER_LINEAR)
        small_holes = np.asarray(
            cv2.dilate((np.asarray(grown) > 0).astype(np.uint8), np.ones((3, 3), np.uint8)),
            np.uint8,
        )
    filled = cv2.inpaint(small, small_holes, 5, cv2.INPAINT_TELEA)
    if scale < 1.0:
        filled = cv2.resize(filled, crop.shape[1::-1], interpolation=cv2.INTER_CUBIC)
    out = crop.copy()
    out[holes] = filled[holes]
    return out


def remove(
    crop: np.ndarray, region: np.ndarray, iris_radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Detect and fill highlights; returns (filled (H, W, 3) uint8, holes (H, W) bool)."""
    holes = detect(crop, region, iris_radius)
    return fill(crop, holes), holes
