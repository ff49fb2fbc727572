"""A clean black pupil: catchlights, windows and the photographer reflected in it painted out.

A print shows the pupil as the black disc the eye has; whatever the cornea reflected over
it (colour-dev: catchlights, ring lights and a grey haze in 53 of 81 prints at e38e822) is
painted over with the pupil's own darkest level, made neutral and never lighter than
DARKEST. Towards its edge the paint fades out over EDGE of the radius, so the pupil's own
soft rim blends into the iris as it does in the photo.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle

DARKEST = 10.0  # L*: a pupil is painted no lighter than this
DARK_SHARE = 20.0  # percentile of the pupil's L* that is its own black
EDGE = 0.15  # of the pupil radius: the band inside its edge where the paint fades out


def clean(rgb: np.ndarray, pupil: Circle) -> np.ndarray:
    """(H, W, 3) uint8 RGB with the `pupil` (crop pixels) painted black, fading at its edge."""
    h, w = rgb.shape[:2]
    x0, y0 = max(0, int(pupil.x - pupil.r)), max(0, int(pupil.y - pupil.r))
    x1, y1 = min(w, int(pupil.x + pupil.r) + 2), min(h, int(pupil.y + pupil.r) + 2)
    if x1 <= x0 or y1 <= y0:
        return rgb
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    depth = (pupil.r - np.hypot(xs - pupil.x, ys - pupil.y)) / max(EDGE * pupil.r, 1.0)
    weight = np.clip(depth, 0.0, 1.0)[..., None]
    if not (weight >= 1.0).any():
        return rgb
    lab = cv2.cvtColor(rgb[y0:y1, x0:x1].astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    black = min(DARKEST, float(np.percentile(lab[..., 0][weight[..., 0] >= 1.0], DARK_SHARE)))
    lab = lab * (1.0 - weight) + np.array([black, 0.0, 0.0], np.float32) * weight
    out = rgb.copy()
    painted = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    out[y0:y1, x0:x1] = np.clip(painted * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out
