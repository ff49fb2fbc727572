"""Classical enhancement of the iris crop: local contrast on lightness, sharpen, resize.

All functions take and return (H, W, 3) uint8 RGB arrays. Contrast (CLAHE on the L channel
of Lab) is blended in only inside the iris so the rest of the crop keeps its tones.
"""

from __future__ import annotations

import cv2
import numpy as np

CLAHE_CLIP = 2.0
# Tiles across the crop (about 2.1 iris radii): a tile of half a radius mixes the visible
# iris with any completed lid beside it; at a quarter radius (8) tiles holding only the
# smooth completion stretched its slight unevenness into pale blotches at print size.
CLAHE_TILES = 4
SHARPEN_AMOUNT = 0.6


def local_contrast(rgb: np.ndarray, iris: np.ndarray, lifted: float = 1.0) -> np.ndarray:
    """CLAHE on Lab lightness, blended in with a feathered (H, W) bool `iris` mask.

    `lifted` is the contrast the exposure curve has already added to a dark iris: CLAHE is
    blended in at one over it, since what it would raise again is as much the grain the lift
    brought up as the texture."""
    lab = cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB)
    clahe = cv2.createCLAHE(clipLimit=CLAHE_CLIP, tileGridSize=(CLAHE_TILES, CLAHE_TILES))
    lightness = lab[:, :, 0]
    boosted = clahe.apply(lightness)
    feather = max(3, round(max(rgb.shape[:2]) / 100)) | 1
    weight = cv2.blur(iris.astype(np.float32), (feather, feather)) / max(lifted, 1.0)
    mixed = lightness * (1 - weight) + boosted * weight
    lab[:, :, 0] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return np.asarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB))


def sharpen(rgb: np.ndarray, sigma: float) -> np.ndarray:
    """Unsharp mask with the given Gaussian sigma (px) and SHARPEN_AMOUNT."""
    blurred = cv2.GaussianBlur(rgb, (0, 0), sigma)
    return np.asarray(cv2.addWeighted(rgb, 1 + SHARPEN_AMOUNT, blurred, -SHARPEN_AMOUNT, 0))


def resize(rgb: np.ndarray, side: int) -> np.ndarray:
    """Square (S, S, 3) → (side, side, 3): Lanczos when enlarging, area when reducing."""
    if rgb.shape[0] == side:
        return rgb
    method = cv2.INTER_LANCZOS4 if side > rgb.shape[0] else cv2.INTER_AREA
    out = cv2.resize(rgb, (side, side), interpolation=method)
    return np.asarray(out)
