"""A clean black pupil: catchlights, windows and the photographer reflected in it painted out.

A print shows the pupil as the black disc the eye has; whatever the cornea reflected over
it (colour-dev at e38e822: catchlights, ring lights or a grey haze kept in 28 of 81 prints,
art_check.py) is painted over with the pupil's own darkest level, made neutral and never
lighter than DARKEST. Towards its edge the paint fades out over EDGE of the radius, so the
pupil's own soft rim blends into the iris as it does in the photo.

The paint stops where the photo stops being dark: the first ring (RINGS across the radius)
whose darker pixels (its RING_SHARE percentile of L*) are STEP above the core's median. A
pupil circle drawn on a dark collarette instead of the pupil (colour-dev: twice the pupil's
width) would otherwise black out that ring of the iris; a catchlight, or a window reflected
over part of the pupil, leaves enough of a ring dark.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle

DARKEST = 10.0  # L*: a pupil is painted no lighter than this
DARK_SHARE = 20.0  # percentile of the pupil's L* that is its own black
EDGE = 0.15  # of the pupil radius: the band inside its edge where the paint fades out
RINGS = 20  # rings across the pupil radius, for its radial profile
CORE = 0.4  # of the radius: the pupil's core, the profile's reference
STEP = 8.0  # L* above the core's median that ends the pupil
RING_SHARE = 30.0  # percentile of a ring's L* that is judged
# A pupil circle whose dark part ends inside this share of its radius was drawn on the dark
# collarette (colour-dev: 5 outlines at 0.42-0.72 of the hand-checked pupil's size), and is
# taken in to where the dark ends; a soft edge ends the dark at 0.85-1.
TIGHTEN = 0.8
SAMPLE_RADIUS = 100.0  # pupil radius (px) of the copy `tightened` judges


def clean(rgb: np.ndarray, pupil: Circle) -> np.ndarray:
    """(H, W, 3) uint8 RGB with the `pupil` (crop pixels) painted black, fading at its edge."""
    box = _box(rgb, pupil)
    if box is None:
        return rgb
    x0, y0, x1, y1 = box
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    distance = np.hypot(xs - pupil.x, ys - pupil.y)
    lab = cv2.cvtColor(rgb[y0:y1, x0:x1].astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    radius = _dark_radius(lab[..., 0], distance / max(pupil.r, 1.0)) * pupil.r
    depth = (radius - distance) / max(EDGE * radius, 1.0)
    weight = np.clip(depth, 0.0, 1.0)[..., None]
    if not (weight >= 1.0).any():
        return rgb
    black = min(DARKEST, float(np.percentile(lab[..., 0][weight[..., 0] >= 1.0], DARK_SHARE)))
    lab = lab * (1.0 - weight) + np.array([black, 0.0, 0.0], np.float32) * weight
    out = rgb.copy()
    painted = cv2.cvtColor(lab, cv2.COLOR_LAB2RGB)
    out[y0:y1, x0:x1] = np.clip(painted * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out


def tightened(rgb: np.ndarray, pupil: Circle) -> Circle:
    """The `pupil` circle of an (H, W, 3) uint8 RGB photo, taken in to where the photo stops
    being dark when that is well inside it (TIGHTEN): the iris between is iris, to be
    exposed and printed as such, not kept dark as pupil."""
    box = _box(rgb, pupil)
    if box is None:
        return pupil
    x0, y0, x1, y1 = box
    patch = rgb[y0:y1, x0:x1]
    scale = min(1.0, SAMPLE_RADIUS / max(pupil.r, 1.0))  # a 12 MP pupil: 25 ms -> 2 ms
    if scale < 1.0:
        patch = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ys, xs = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]].astype(np.float32)
    lab = cv2.cvtColor(patch.astype(np.float32) / 255.0, cv2.COLOR_RGB2LAB)
    centre = ((pupil.x - x0) * scale, (pupil.y - y0) * scale)
    reach = np.hypot(xs - centre[0], ys - centre[1]) / max(pupil.r * scale, 1.0)
    share = _dark_radius(lab[..., 0], reach)
    return pupil.resized(share) if share <= TIGHTEN else pupil


def _box(rgb: np.ndarray, pupil: Circle) -> tuple[int, int, int, int] | None:
    """(x0, y0, x1, y1) of the `pupil`'s bounding box within the image, None if empty."""
    h, w = rgb.shape[:2]
    x0, y0 = max(0, int(pupil.x - pupil.r)), max(0, int(pupil.y - pupil.r))
    x1, y1 = min(w, int(pupil.x + pupil.r) + 2), min(h, int(pupil.y + pupil.r) + 2)
    return None if x1 <= x0 or y1 <= y0 else (x0, y0, x1, y1)


def _dark_radius(lightness: np.ndarray, reach: np.ndarray) -> float:
    """Where the dark pupil ends, as a share of the circle's radius (1 at most): the inner
    edge of the first ring whose RING_SHARE percentile of L* is STEP above the core's median.
    `reach` is each pixel's distance from the centre in radii."""
    core = lightness[reach <= CORE]
    if core.size == 0:
        return 1.0
    limit = float(np.median(core)) + STEP
    ring = np.floor(reach * RINGS).astype(int)
    for index in range(round(CORE * RINGS), RINGS):
        values = lightness[ring == index]
        if values.size and float(np.percentile(values, RING_SHARE)) > limit:
            return index / RINGS
    return 1.0
