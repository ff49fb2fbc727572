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

A pupil the outline only assumed (dark clinic photos, where a ring light's haze veils it) is
looked for in the photo first (`found`) and painted where it shows as a dark disc.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, robust_circle
from irisd.pipeline.lab import to_lab, to_rgb

DARKEST = 5.0  # L*: a pupil is painted no lighter than this (a print's black, RGB 12)
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
# A pupil the outline did not find: its darkest ring is at least this dark (L*; colour-dev's
# clinic photos: veiled pupils 7-14, their dark-brown irises 25-35).
ASSUMED_DARK = 20.0
SEARCH = 1.6  # of the assumed pupil's radius: where the pupil is looked for
PUPIL_SIZE = (0.5, 1.4)  # its radius, as a share of the assumed one's
ROUND = 0.6  # its area at least this share of its enclosing circle's
# The outline's pupil is the circle of best mean step from a coarse guess: a reflection at
# its edge, a dark collarette or a window over it pulls it off by up to a radius. `fitted`
# fits it to the pupil's own edge instead: along RAYS from the dark core, where the photo
# rises RISE of the way from the pupil's dark to the iris's level and stays there for HOLD
# of the radius (a catchlight inside the pupil is shorter), refined to the midpoint of that
# local rise; a circle that SUPPORT of those edge points lie within TOLERANCE of replaces
# the outline's, if it stays near it (MOVE, SIZE). bench/pipeline/pupil_fit.py, colour-dev's
# hand-checked pupils: disc IoU median 0.904 -> 0.947, p10 0.58 -> 0.77, under 0.8 21 of 76
# -> 11 of 75 (blue9 is refused now: its iris circle is 0.3 radii off the pupil it has).
RAYS = 120
RAY_STEP = 0.01  # of the radius, between samples along a ray
RAY_SPAN = (0.15, 1.6)  # of the radius: where along a ray the edge is looked for
FIT_EXTENT = 1.8  # of the radius: the box looked at
CORE_SHARE = 0.15  # the dark core: this share of the way from the pupil's dark to the iris's
RISE = 0.4
HOLD = 0.2
TOLERANCE = 0.05  # of the radius
SUPPORT = 0.6
MOVE = 0.8  # of the radius: how far the fitted centre may be from the outline's
SIZE = (0.5, 1.5)  # the fitted radius, as a share of the outline's
SAMPLE_RADIUS = 100.0  # pupil radius (px) of the copy `tightened` and `found` judge


def clean(rgb: np.ndarray, pupil: Circle) -> np.ndarray:
    """(H, W, 3) uint8 RGB with the `pupil` (crop pixels) painted black, fading at its edge."""
    box = _box(rgb, pupil)
    if box is None:
        return rgb
    x0, y0, x1, y1 = box
    ys, xs = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    distance = np.hypot(xs - pupil.x, ys - pupil.y)
    lab = to_lab(rgb[y0:y1, x0:x1])
    radius = _dark_radius(lab[..., 0], distance / max(pupil.r, 1.0)) * pupil.r
    depth = (radius - distance) / max(EDGE * radius, 1.0)
    weight = np.clip(depth, 0.0, 1.0)[..., None]
    if not (weight >= 1.0).any():
        return rgb
    black = min(DARKEST, float(np.percentile(lab[..., 0][weight[..., 0] >= 1.0], DARK_SHARE)))
    lab = lab * (1.0 - weight) + np.array([black, 0.0, 0.0], np.float32) * weight
    out = rgb.copy()
    out[y0:y1, x0:x1] = to_rgb(lab)
    return out


def found(rgb: np.ndarray, assumed: Circle) -> Circle | None:
    """The pupil the outline did not find, near the `assumed` one (concentric, typical size)
    in an (H, W, 3) uint8 RGB crop: the convex hull of the dark part around the darkest ring
    there (a ring light's haze lifts part of it: colour-dev's clinic photos). None where no
    ring is ASSUMED_DARK, or the dark part is no round disc of a pupil's size in the box."""
    sample = _sampled(rgb, assumed, SEARCH)
    if sample is None:
        return None
    lab, reach, scale, (x0, y0) = sample
    lightness = cv2.GaussianBlur(lab[..., 0], (0, 0), 2.0)
    ring = np.floor(reach * RINGS).astype(int)
    darkest = min(_ring_level(lightness, ring, index) for index in range(RINGS))
    if darkest > ASSUMED_DARK:
        return None
    dark = (lightness <= darkest + STEP).astype(np.uint8)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(dark)
    if count < 2:
        return None
    near = np.bincount(labels[reach <= CORE], minlength=count)
    near[0] = 0
    blob = labels == int(np.argmax(near))
    x, y, w, h = (int(v) for v in stats[int(np.argmax(near)), :4])
    if x == 0 or y == 0 or x + w >= dark.shape[1] or y + h >= dark.shape[0]:
        return None  # dark to the box's edge: a dark iris, no pupil
    # Its convex hull: the haze leaves the dark part a crescent or a ring.
    points = cv2.findNonZero(blob.astype(np.uint8))
    hull = cv2.convexHull(points)
    moments = cv2.moments(hull)
    radius = float(np.sqrt(moments["m00"] / np.pi))
    (_, _), enclosing = cv2.minEnclosingCircle(hull)
    if not PUPIL_SIZE[0] <= radius / (assumed.r * scale) <= PUPIL_SIZE[1]:
        return None
    if (radius / max(enclosing, 1.0)) ** 2 < ROUND:
        return None
    cx, cy = moments["m10"] / moments["m00"], moments["m01"] / moments["m00"]
    return Circle(x0 + cx / scale, y0 + cy / scale, radius / scale)


def tightened(rgb: np.ndarray, pupil: Circle) -> Circle:
    """The `pupil` circle of an (H, W, 3) uint8 RGB photo, taken in to where the photo stops
    being dark when that is well inside it (TIGHTEN): the iris between is iris, to be
    exposed and printed as such, not kept dark as pupil."""
    sample = _sampled(rgb, pupil, 1.0)
    if sample is None:
        return pupil
    lab, reach = sample[:2]
    share = _dark_radius(lab[..., 0], reach)
    return pupil.resized(share) if share <= TIGHTEN else pupil


def fitted(rgb: np.ndarray, pupil: Circle) -> Circle:
    """The `pupil` circle of an (H, W, 3) uint8 RGB photo fitted to the pupil's own edge
    (see RAYS), or `pupil` itself where its edge does not show as a circle near it."""
    circle = _fit(rgb, pupil)
    if circle is None:
        return pupil
    moved = math.hypot(circle.x - pupil.x, circle.y - pupil.y)
    if moved > MOVE * pupil.r or not SIZE[0] < circle.r / pupil.r < SIZE[1]:
        return pupil
    return circle


def _fit(rgb: np.ndarray, pupil: Circle) -> Circle | None:
    """One fit of the pupil's edge around `pupil` (see RAYS), or None."""
    sample = _sampled(rgb, pupil, FIT_EXTENT)
    if sample is None:
        return None
    lab, reach, scale, (x0, y0) = sample
    lightness = cv2.GaussianBlur(lab[..., 0], (0, 0), 1.0)
    inside, around = lightness[reach <= 1.0], lightness[(reach >= 1.3) & (reach <= 1.7)]
    if inside.size < 16 or around.size < 16:  # a pupil at the photo's edge
        return None
    dark, iris = float(np.percentile(inside, 5)), float(np.median(around))
    if iris - dark < STEP:
        return None
    ys, xs = np.nonzero((lightness < dark + CORE_SHARE * (iris - dark)) & (reach <= 1.2))
    if len(xs) < 10:
        return None
    radius = pupil.r * scale
    edges = _ray_edges(lightness, (float(xs.mean()), float(ys.mean())), radius, dark, iris)
    found = robust_circle(edges, TOLERANCE * radius) if len(edges) >= RAYS // 4 else None
    if found is None or found[1] < SUPPORT:
        return None
    fit = found[0]
    return Circle(x0 + fit.x / scale, y0 + fit.y / scale, fit.r / scale)


def _ray_edges(
    lightness: np.ndarray, centre: tuple[float, float], radius: float, dark: float, iris: float
) -> np.ndarray:
    """(N, 2) x/y edge points of the pupil, one per ray that has one (see RAYS)."""
    angles = np.linspace(0.0, 2 * np.pi, RAYS, endpoint=False)
    steps = np.arange(RAY_SPAN[0], RAY_SPAN[1], RAY_STEP) * radius
    xs = (centre[0] + np.cos(angles)[:, None] * steps[None]).astype(np.float32)
    ys = (centre[1] + np.sin(angles)[:, None] * steps[None]).astype(np.float32)
    profile = cv2.remap(lightness, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    above = profile > dark + RISE * (iris - dark)
    hold = round(HOLD / RAY_STEP)
    counts = np.concatenate([np.zeros((RAYS, 1)), np.cumsum(above, axis=1)], axis=1)
    starts = np.arange(1, above.shape[1] - hold)
    held = counts[:, starts + hold] - counts[:, starts] == hold
    entry = held & ~above[:, starts - 1]  # from the dark into a lasting rise
    rays = np.nonzero(entry.any(axis=1))[0]
    edges = []
    for ray in rays:
        first = int(starts[entry[ray].argmax()])
        # the midpoint of this rise: half-way from the pupil's dark to the level beyond it
        window = profile[ray, max(0, first - hold // 2) : first + hold]
        middle = (dark + float(np.median(profile[ray, first : first + hold]))) / 2
        index = max(0, first - hold // 2) + int(np.argmax(window > middle))
        edges.append((xs[ray, index], ys[ray, index]))
    return np.asarray(edges, np.float64).reshape(-1, 2)


def _sampled(
    rgb: np.ndarray, pupil: Circle, extent: float
) -> tuple[np.ndarray, np.ndarray, float, tuple[int, int]] | None:
    """The box `extent` pupil radii around `pupil`, on a copy with the pupil at most
    SAMPLE_RADIUS px across (a 12 MP pupil: 25 ms -> 2 ms): its L*a*b*, each pixel's
    distance from the pupil's centre in radii, the copy's scale and the box's corner.
    None where the box is empty."""
    box = _box(rgb, pupil.resized(extent))
    if box is None:
        return None
    x0, y0, x1, y1 = box
    patch = rgb[y0:y1, x0:x1]
    scale = min(1.0, SAMPLE_RADIUS / max(pupil.r, 1.0))
    if scale < 1.0:
        patch = cv2.resize(patch, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    lab = to_lab(patch)
    ys, xs = np.mgrid[0 : patch.shape[0], 0 : patch.shape[1]].astype(np.float32)
    centre = ((pupil.x - x0) * scale, (pupil.y - y0) * scale)
    reach = np.hypot(xs - centre[0], ys - centre[1]) / max(pupil.r * scale, 1.0)
    return lab, reach, scale, (x0, y0)


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
        if _ring_level(lightness, ring, index) > limit:
            return index / RINGS
    return 1.0


def _ring_level(lightness: np.ndarray, ring: np.ndarray, index: int) -> float:
    """The RING_SHARE percentile of L* of ring `index` (inf where it is empty)."""
    values = lightness[ring == index]
    return float(np.percentile(values, RING_SHARE)) if values.size else float("inf")
