"""The visible-iris mask: the annulus between pupil and limbus minus lids, lashes and glints.

Works in the unwrapped (rubber-sheet) iris: pixels far brighter than the iris (skin, sclera,
glints), far darker (lashes) or, in a colour photo, far from its colour (a lid as light as a
blue iris) are noise; a lid is a run of noise reaching in from the limbus,
cut per angle and smoothed along the angle, as lids are smooth curves.
The upper lid is also fitted as a parabola (RANSAC over the strongest vertical edge per
column in the upper iris) and everything above it, plus dark lashes just below it, is cut.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle

ANGLES = 360
RINGS = 48
BRIGHT_K, BRIGHT_MIN = 2.5, 30.0  # noise: brighter than median + max(k * spread, min)
DARK_K, DARK_MIN = 2.5, 22.0  # noise: darker than median - max(k * spread, min)
LASH_K, LASH_MIN = 1.5, 8.0  # noise: thin dark lines (black-hat) above max(k * spread, min)
# Noise by colour (CIE a*, b*): farther than max(COLOUR_K spreads, COLOUR_MIN) from the
# iris's own colour at the same radius. Skin and a grey lid beside a coloured iris can match
# its grey level (a blue iris is as light as lit skin) but not its colour; a greyscale
# (infrared) photo has no colour and is judged on grey alone.
COLOUR_K, COLOUR_MIN = 3.5, 15.0
# A lid covers the rings beyond the cut when more than this share of them is noise
# (upper lids come with lashes, so a lower share suffices there).
UPPER_SHARE, LOWER_SHARE = 0.35, 0.5
CUT_SMOOTH = 31  # angles (odd): circular median of the per-angle lid cut
CUT_GAIN = 1.0  # least excess noise (pixels) beyond a cut for it to count
# Reference sectors for the iris statistics (degrees, y down): lateral and lower, rarely occluded.
_REFERENCE = ((-20.0, 60.0), (120.0, 200.0))


def pupil_distance(iris: Circle, pupil: Circle, theta: np.ndarray) -> np.ndarray:
    """Distance from the iris centre along direction `theta` to the pupil boundary (≥ 0)."""
    ux, uy = np.cos(theta), np.sin(theta)
    dx, dy = pupil.x - iris.x, pupil.y - iris.y
    along = ux * dx + uy * dy
    disc = along * along - (dx * dx + dy * dy) + pupil.r * pupil.r
    return np.asarray(np.maximum(0.0, along + np.sqrt(np.maximum(disc, 0.0))), np.float64)


def unwrap(image: np.ndarray, iris: Circle, pupil: Circle) -> np.ndarray:
    """(RINGS, ANGLES) float32 rubber-sheet samples of a (H, W) float32 image."""
    theta = np.linspace(0, 2 * np.pi, ANGLES, endpoint=False)
    rho = (np.arange(RINGS) + 0.5) / RINGS
    inner = pupil_distance(iris, pupil, theta)
    dist = inner[None, :] + rho[:, None] * (iris.r - inner[None, :])
    map_x = (iris.x + dist * np.cos(theta)[None, :]).astype(np.float32)
    map_y = (iris.y + dist * np.sin(theta)[None, :]).astype(np.float32)
    out = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(out, np.float32)


def _reference_sectors() -> np.ndarray:
    """(ANGLES,) bool: the angles of the reference sectors."""
    degrees = np.arange(ANGLES) * 360.0 / ANGLES
    wrapped = (degrees + 180.0) % 360.0 - 180.0
    in_sector = np.zeros(ANGLES, bool)
    for start, end in _REFERENCE:
        in_sector |= ((degrees >= start) & (degrees < end)) | ((wrapped >= start) & (wrapped < end))
    return in_sector


_IN_REFERENCE = _reference_sectors()


def iris_statistics(polar: np.ndarray) -> tuple[float, float]:
    """Robust (median, spread) of the iris grey level in the reference sectors."""
    band = polar[RINGS // 6 : RINGS - RINGS // 6][:, _IN_REFERENCE]
    median = float(np.median(band))
    spread = 1.4826 * float(np.median(np.abs(band - median)))
    return median, max(spread, 4.0)


def flatten(polar: np.ndarray) -> np.ndarray:
    """`polar` with the iris's radial profile taken out (the ring's median in the reference
    sectors, set to the overall one): the darker limbal ring and the collarette stop
    looking like lashes or skin. With BRIGHT_MIN 18 -> 30, mean IoU on MMU persons 1-30
    went from 0.814 to 0.843 (bench/pipeline/segmentation.py --split calibration)."""
    reference = polar[:, _IN_REFERENCE]
    profile = np.median(reference, axis=1, keepdims=True)
    return np.asarray(polar - profile + float(np.median(reference)), np.float32)


def noise_map(polar: np.ndarray, median: float, spread: float) -> np.ndarray:
    """(RINGS, ANGLES) bool: pixels too bright (skin, sclera, glint) or too dark (lashes)."""
    bright = polar > median + max(BRIGHT_K * spread, BRIGHT_MIN)
    dark = polar < median - max(DARK_K * spread, DARK_MIN)
    thin = cv2.morphologyEx(polar, cv2.MORPH_BLACKHAT, np.ones((5, 5), np.uint8))
    lashes = thin > max(LASH_K * spread, LASH_MIN)
    noisy = (bright | dark | lashes).astype(np.uint8)
    return cv2.morphologyEx(noisy, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8)).astype(bool)


def colour_noise(polar: np.ndarray) -> np.ndarray:
    """(RINGS, ANGLES) bool: cells of a (RINGS, ANGLES, 2) a*b* sheet far from the iris's
    colour at their radius (the reference sectors' median per ring)."""
    profile = np.median(polar[:, _IN_REFERENCE], axis=1, keepdims=True)
    distance = np.linalg.norm(polar - profile, axis=2)
    return far_in_colour(distance, distance[RINGS // 6 : RINGS - RINGS // 6][:, _IN_REFERENCE])


def far_in_colour(distance: np.ndarray, iris: np.ndarray) -> np.ndarray:
    """`distance` (a*b* from the iris's colour) beyond what the `iris` cells' own distances
    reach: their median plus COLOUR_K robust spreads, and COLOUR_MIN."""
    typical = float(np.median(iris))
    spread = 1.4826 * float(np.median(np.abs(iris - typical)))
    return np.asarray(distance > max(typical + COLOUR_K * spread, COLOUR_MIN), bool)


def lid_cut(noise: np.ndarray) -> np.ndarray:
    """(ANGLES,) ring index per angle from which outwards a lid covers the iris (RINGS = none).

    Per angle, the cut maximises the noise beyond it in excess of the lid share; the cut is
    then smoothed along the angle with a circular median, as lid edges are smooth curves.
    """
    upper = np.sin(np.arange(ANGLES) * 2 * np.pi / ANGLES) < 0
    share = np.where(upper, UPPER_SHARE, LOWER_SHARE)[None, :]
    gain = np.cumsum((noise - share)[::-1], axis=0)[::-1]  # gain[c] = sum over rings ≥ c
    best = np.argmax(gain, axis=0)
    best_gain = gain[best, np.arange(ANGLES)]
    cut = np.where(best_gain > CUT_GAIN, best, RINGS).astype(np.float32)
    width = CUT_SMOOTH
    padded = np.concatenate([cut[-width:], cut, cut[:width]])
    smooth = cv2.medianBlur(padded.reshape(1, -1).astype(np.uint8), width).ravel()
    return np.asarray(smooth[width:-width], np.float32)


def polar_mask(raw: np.ndarray, colour: np.ndarray | None = None) -> np.ndarray:
    """(RINGS, ANGLES) bool visible-iris map of the unwrapped iris `raw` (`unwrap`), and of
    its unwrapped a*b* `colour` (RINGS, ANGLES, 2) where the photo has colour."""
    polar = flatten(raw)
    median, spread = iris_statistics(polar)
    noise = noise_map(polar, median, spread)
    if colour is not None:
        noise |= colour_noise(colour)
    cut = lid_cut(noise)
    rings = np.arange(RINGS)[:, None]
    return np.asarray((rings < cut[None, :]) & ~noise, bool)


def to_cartesian(
    visible: np.ndarray, shape: tuple[int, int], iris: Circle, pupil: Circle
) -> np.ndarray:
    """Map a (RINGS, ANGLES) bool rubber-sheet mask back to a (H, W) bool image mask."""
    h, w = shape
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32)
    dx, dy = xs - iris.x, ys - iris.y
    dist = np.hypot(dx, dy)
    theta = np.mod(np.arctan2(dy, dx), 2 * np.pi)
    inner = pupil_distance(iris, pupil, theta)
    rho = (dist - inner) / np.maximum(iris.r - inner, 1e-3)
    inside = (rho >= 0) & (rho < 1) & (dist <= iris.r)
    map_x = theta * (ANGLES / (2 * np.pi)) - 0.5
    map_y = rho * RINGS - 0.5
    values = cv2.remap(
        visible.astype(np.float32),
        map_x.astype(np.float32),
        map_y.astype(np.float32),
        cv2.INTER_LINEAR,
        borderMode=cv2.BORDER_WRAP,
    )
    return np.asarray(inside & (np.asarray(values) >= 0.5), bool)


LID_REACH = (0.2, 1.0)  # upper-lid search rows: this far above the iris centre (iris radii)
LID_EDGE = 3.0  # least vertical gradient of a lid edge point, in iris spreads
LID_TOL = 0.05  # RANSAC inlier distance (iris radii)
LID_SUPPORT = 0.5  # least share of searched columns that must agree with the lid curve
LID_TRIALS = 200
# Lids are flatter than the iris (curvature radius > iris radius: a ≤ 1/2 in y = a x² + b x + c,
# iris radii); a steeper arc is the limbal ring or the collarette, concentric with the iris.
LID_MAX_BEND = 0.5
LASH_BAND, LASH_DARK = 0.15, 1.75  # lashes: darker than median - k * spread this far below the lid
LID_MARGIN = 0.04  # exclusion reaches this far below the fitted lid curve (iris radii)


def lid_points(image: np.ndarray, iris: Circle, pupil: Circle, spread: float) -> np.ndarray:
    """(N, 2) x, y of the strongest vertical edge per column in the upper iris; `spread` is
    the iris's grey-level spread (`iris_statistics`)."""
    blur = cv2.GaussianBlur(image, (0, 0), 1.5)
    gy = np.abs(cv2.Sobel(blur, cv2.CV_32F, 0, 1, ksize=3))
    gx = np.abs(cv2.Sobel(blur, cv2.CV_32F, 1, 0, ksize=3))
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    dx, dy = xs - iris.x, ys - iris.y
    band = (dy < -LID_REACH[0] * iris.r) & (dy > -LID_REACH[1] * iris.r)
    band &= np.hypot(dx, dy) < 0.93 * iris.r
    band &= np.hypot(xs - pupil.x, ys - pupil.y) > 1.25 * pupil.r
    strength = np.where(band & (gy > 1.5 * gx), gy, 0.0)
    rows = np.argmax(strength, axis=0)
    cols = np.arange(image.shape[1])
    keep = strength[rows, cols] > LID_EDGE * spread
    return np.stack([cols[keep], rows[keep]], axis=1).astype(np.float64)


def fit_lid(points: np.ndarray, iris: Circle, seed: int = 0) -> np.ndarray | None:
    """Parabola coefficients (y = a x² + b x + c in iris radii) fitted by RANSAC, or None."""
    if len(points) < 8:
        return None
    x = (points[:, 0] - iris.x) / iris.r
    y = (points[:, 1] - iris.y) / iris.r
    rng = np.random.default_rng(seed)
    best, best_count = None, 0
    for _ in range(LID_TRIALS):
        pick = rng.choice(len(x), 3, replace=False)
        if np.ptp(x[pick]) < 0.3:
            continue
        coef = np.polyfit(x[pick], y[pick], 2)
        if not 0.0 <= coef[0] <= LID_MAX_BEND:
            continue
        count = int((np.abs(np.polyval(coef, x) - y) < LID_TOL).sum())
        if count > best_count:
            best, best_count = coef, count
    span = 2 * iris.r * 0.9
    if best is None or best_count < LID_SUPPORT * span:
        return None
    inliers = np.abs(np.polyval(best, x) - y) < LID_TOL
    coef = np.polyfit(x[inliers], y[inliers], 2)
    return np.asarray(coef, np.float64) if 0.0 <= coef[0] <= LID_MAX_BEND else None


def above_lid(
    image: np.ndarray, iris: Circle, pupil: Circle, statistics: tuple[float, float]
) -> np.ndarray:
    """(H, W) bool pixels above a fitted upper-lid curve (all False when none is found);
    `statistics` are the (median, spread) of the iris as unwrapped, not flattened: lashes are
    darker than the iris itself, not than its radial profile."""
    median, spread = statistics
    shape = (image.shape[0], image.shape[1])
    coef = fit_lid(lid_points(image, iris, pupil, spread), iris)
    if coef is None:
        return np.zeros(shape, bool)
    xs = (np.arange(shape[1]) - iris.x) / iris.r
    edge = iris.y + iris.r * (np.polyval(coef, xs) + LID_MARGIN)
    rows = np.arange(shape[0])[:, None]
    band = rows < edge[None, :] + LASH_BAND * iris.r
    local = cv2.blur(image, (3, 3))
    lashes = band & (local < median - LASH_DARK * spread)
    return np.asarray((rows < edge[None, :]) | lashes, bool)


def visible_mask(
    image: np.ndarray, iris: Circle, pupil: Circle, colour: np.ndarray | None = None
) -> np.ndarray:
    """(H, W) bool visible iris of a (H, W) float32 gray image with the given boundaries;
    `colour` is its (H, W, 2) float32 a*b*, None for a greyscale photo."""
    raw = unwrap(image, iris, pupil)
    polar_colour = None if colour is None else unwrap(colour, iris, pupil)
    shape = (image.shape[0], image.shape[1])
    visible = to_cartesian(polar_mask(raw, polar_colour), shape, iris, pupil)
    visible &= ~above_lid(image, iris, pupil, iris_statistics(raw))
    return np.asarray(visible, bool)
