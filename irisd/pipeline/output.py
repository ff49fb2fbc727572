"""The art-ready result: a square crop centred on the iris, encoded, plus the mask PNG.

Outside the iris disk the result is transparent (PNG) or black (JPEG).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle

PADDING = 1.06  # crop half-side in iris radii
# Fast zlib level, run-length strategy and the "sub" filter: measured on a 2048 px RGBA crop,
# 157 ms / 2.8 MB against 275 ms / 3.1 MB for plain level 1.
PNG_PARAMS = [
    cv2.IMWRITE_PNG_COMPRESSION, 1,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
    cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_SUB,
]  # fmt: skip
# The mask is written as a 1-bit PNG (12 MP: ~20 ms instead of ~85 ms as 8-bit).
MASK_PARAMS = [
    cv2.IMWRITE_PNG_BILEVEL, 1,
    cv2.IMWRITE_PNG_COMPRESSION, 1,
    cv2.IMWRITE_PNG_STRATEGY, cv2.IMWRITE_PNG_STRATEGY_RLE,
]  # fmt: skip
JPEG_QUALITY = 92


@dataclass(frozen=True)
class Crop:
    """A square window of the input, `side` px, top-left (x0, y0); may reach past the edges."""

    x0: int
    y0: int
    side: int

    def circle(self, circle: Circle) -> Circle:
        """`circle` in crop coordinates."""
        return circle.shifted(-self.x0, -self.y0)


def square_around(iris: Circle) -> Crop:
    """The square window centred on the iris centre."""
    half = max(2, math.ceil(iris.r * PADDING))
    return Crop(round(iris.x) - half, round(iris.y) - half, 2 * half)


def extract(image: np.ndarray, crop: Crop) -> np.ndarray:
    """The window of an (H, W[, C]) array; outside the input it is zero."""
    h, w = image.shape[:2]
    out = np.zeros((crop.side, crop.side, *image.shape[2:]), image.dtype)
    sx0, sy0 = max(0, crop.x0), max(0, crop.y0)
    sx1, sy1 = min(w, crop.x0 + crop.side), min(h, crop.y0 + crop.side)
    if sx1 > sx0 and sy1 > sy0:
        out[sy0 - crop.y0 : sy1 - crop.y0, sx0 - crop.x0 : sx1 - crop.x0] = image[sy0:sy1, sx0:sx1]
    return out


def place(shape: tuple[int, int], crop: Crop, window: np.ndarray) -> np.ndarray:
    """A (side, side) bool `window` of `crop` put back into an (H, W) bool image."""
    out = np.zeros(shape, bool)
    h, w = shape
    x0, y0 = max(0, crop.x0), max(0, crop.y0)
    x1, y1 = min(w, crop.x0 + crop.side), min(h, crop.y0 + crop.side)
    if x1 > x0 and y1 > y0:
        out[y0:y1, x0:x1] = window[y0 - crop.y0 : y1 - crop.y0, x0 - crop.x0 : x1 - crop.x0]
    return out


def alpha(side: int, iris: Circle) -> np.ndarray:
    """(side, side) uint8 anti-aliased disk of `iris` (already in output coordinates)."""
    mask = np.zeros((side, side), np.uint8)
    shift = 4
    centre = (round(iris.x * (1 << shift)), round(iris.y * (1 << shift)))
    cv2.circle(mask, centre, round(iris.r * (1 << shift)), 255, -1, cv2.LINE_AA, shift)
    return mask


def cut(opacity: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """`opacity` (side, side) uint8 made transparent where `shown` (any square size, bool)
    is not set, with the edge anti-aliased by the resize."""
    side = opacity.shape[0]
    cover = cv2.resize(shown.astype(np.float32), (side, side), interpolation=cv2.INTER_LINEAR)
    return np.asarray(np.clip(opacity * cover + 0.5, 0, 255), np.uint8)


def encode(rgb: np.ndarray, opacity: np.ndarray, fmt: str) -> bytes:
    """Encode (S, S, 3) uint8 RGB with (S, S) uint8 opacity as PNG (RGBA) or JPEG (on black)."""
    if fmt == "png":
        bgra = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGRA)
        bgra[:, :, 3] = opacity
        # No colour under transparent pixels: there the crop holds the photo's skin, lashes
        # and sclera, which no print shows and every download would carry.
        bgra[opacity == 0, :3] = 0
        ok, data = cv2.imencode(".png", bgra, PNG_PARAMS)
    else:
        weight = opacity.astype(np.float32)[:, :, None] / 255.0
        dark = np.clip(rgb.astype(np.float32) * weight + 0.5, 0, 255).astype(np.uint8)
        bgr = cv2.cvtColor(dark, cv2.COLOR_RGB2BGR)
        ok, data = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise RuntimeError("image encoding failed")
    return bytes(data.tobytes())


def encode_mask(mask: np.ndarray) -> bytes:
    """(H, W) bool → 1-bit grey PNG, set (255 when read as 8-bit) on the visible iris."""
    ok, data = cv2.imencode(".png", mask.astype(np.uint8) * 255, MASK_PARAMS)
    if not ok:
        raise RuntimeError("mask encoding failed")
    return bytes(data.tobytes())
