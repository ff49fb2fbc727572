"""Colour and exposure of the printed iris: median L*, hue, chroma and clipping.

`colour` measures (N, 3) RGB pixels in CIE Lab; `ring` takes the printed iris ring of an
`Art` (opaque, outside the pupil); `clipped` and `hue_shift` compare. See bench/images/art.py.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from bench.lib.art_runs import Art

CHROMA = 10.0  # a pixel has colour above this chroma (Lab units)
COLOURED = 0.2  # an iris has colour when this share of its pixels does
PUPIL_SHARE = 0.35  # pupil radius / disc radius when the measures give no pupil


# --- colour --------------------------------------------------------------------------------


def lab(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 RGB → (N, 3) float32 L* a* b*."""
    scaled = pixels.reshape(1, -1, 3).astype(np.float32) / 255.0
    return np.asarray(cv2.cvtColor(scaled, cv2.COLOR_RGB2LAB)).reshape(-1, 3)


@dataclass(frozen=True)
class Colour:
    lightness: float  # median L*
    hue: float | None  # degrees, circular mean over coloured pixels; None if too few
    coloured: float  # share of pixels with chroma > CHROMA
    chroma: float  # median chroma


def colour(pixels: np.ndarray) -> Colour:
    values = lab(pixels)
    chroma = np.hypot(values[:, 1], values[:, 2])
    vivid = chroma > CHROMA
    hue = None
    if vivid.sum() >= 50:
        angle = np.arctan2(values[vivid, 2], values[vivid, 1])
        hue = math.degrees(math.atan2(float(np.sin(angle).mean()), float(np.cos(angle).mean())))
    return Colour(
        float(np.median(values[:, 0])), hue, float(vivid.mean()), float(np.median(chroma))
    )


def ring(art: Art) -> np.ndarray:
    """(N, 3) RGB of the printed iris ring: opaque, outside the pupil."""
    m = art.result.measures
    share = PUPIL_SHARE
    if m.get("iris_radius_px", 0) > 0 and "pupil_radius_px" in m:
        share = m["pupil_radius_px"] / m["iris_radius_px"]
    side = art.rgba.shape[0]
    ys, xs = np.ogrid[:side, : art.rgba.shape[1]]
    outside = np.hypot(xs - art.disc_out.x, ys - art.disc_out.y) > share * art.disc_out.r
    return art.rgba[:, :, :3][(art.rgba[:, :, 3] > 127) & outside]


def clipped(pixels: np.ndarray) -> float:
    """% of pixels with a channel at ≥ 254 or all at ≤ 1."""
    bad = (pixels >= 254).any(axis=1) | (pixels <= 1).all(axis=1)
    return 100.0 * float(bad.mean()) if len(pixels) else float("nan")


def hue_shift(before: Colour, after: Colour) -> float | None:
    if before.coloured < COLOURED or before.hue is None or after.hue is None:
        return None
    return (after.hue - before.hue + 180.0) % 360.0 - 180.0
