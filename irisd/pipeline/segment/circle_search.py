"""The integro-differential circle search: radial grey-level steps scored per centre and radius.

A score is the mean step across a circle on some arcs (dark inside, bright outside) in 0..255
units, so it doubles as a contrast measure. `coarse_candidates` searches a whole small copy,
`refine_limbus` and `refine_pupil` search around a guess. `localise` (the classical path) and
`learned` (edge-backing the network's circles) both decide with these scores.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, arc_angles, polar_samples

# Angles in degrees with y pointing down (90° = straight down): the limbus is searched on the
# lateral arcs only (the lids cover the top and often the bottom), the pupil on everything
# but the top wedge.
RIGHT_ARC = ((-30.0, 40.0),)
LEFT_ARC = ((140.0, 210.0),)
PUPIL_ARC = ((-40.0, 220.0),)
COARSE_STEP = 2  # px between candidate centres on the coarse copy (3 loses accuracy)
STEP_PX = 2.0  # least half-width of the radial difference, px of the searched image
LIMBUS_WIDTH = 0.08  # half-width of the limbus difference, fraction of the radius
PUPIL_WIDTH = 0.04  # half-width of the pupil difference, fraction of the radius
_BATCH = 256


@dataclass(frozen=True)
class Found:
    """A boundary found in some image: the circle and its edge contrast (grey levels)."""

    circle: Circle
    score: float


def edge_profile(
    image: np.ndarray,
    centres: np.ndarray,
    radii: np.ndarray,
    spans: tuple[tuple[float, float], ...],
    width: float,
) -> np.ndarray:
    """Mean outward step (N, R) float32: I(r + d) - I(r - d), d = max(STEP_PX, width * r).

    Averaged over the arcs; a step that scales with the radius measures blurred limbi fully.
    """
    angles = arc_angles(spans, int(np.clip(radii.max() / 2, 12, 48)))
    half = np.maximum(STEP_PX, width * radii).astype(np.float32)
    out = np.empty((len(centres), len(radii)), np.float32)
    for start in range(0, len(centres), _BATCH):
        batch = centres[start : start + _BATCH]
        outer = polar_samples(image, batch, radii + half, angles).mean(axis=2)
        inner = polar_samples(image, batch, np.maximum(radii - half, 0), angles).mean(axis=2)
        out[start : start + _BATCH] = outer - inner
    return out


def limbus_scores(image: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(N, R) limbus score: geometric mean of the two lateral arcs' steps (both must rise).

    The geometric mean tolerates a weaker side (an iris in the eye corner) but not a falling one.
    """
    right = edge_profile(image, centres, radii, RIGHT_ARC, LIMBUS_WIDTH)
    left = edge_profile(image, centres, radii, LEFT_ARC, LIMBUS_WIDTH)
    both = np.sqrt(np.maximum(right, 0) * np.maximum(left, 0))
    return np.asarray(np.where((right > 0) & (left > 0), both, np.minimum(right, left)), np.float32)


def pupil_scores(image: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> np.ndarray:
    """(N, R) pupil score: the step across the circle outside the top wedge."""
    return edge_profile(image, centres, radii, PUPIL_ARC, PUPIL_WIDTH)


def best(scores: np.ndarray, centres: np.ndarray, radii: np.ndarray) -> Found:
    """The highest-scoring (centre, radius) pair of an (N, R) score table."""
    index = int(np.argmax(scores))
    i, j = divmod(index, scores.shape[1])
    x, y = centres[i]
    return Found(Circle(float(x), float(y), float(radii[j])), float(scores[i, j]))


def centre_grid(x: float, y: float, reach: float, step: float) -> np.ndarray:
    """(N, 2) float32 centres on a square grid of half-width `reach` around (x, y)."""
    offsets = np.arange(-reach, reach + step / 2, step, dtype=np.float32)
    gx, gy = np.meshgrid(x + offsets, y + offsets)
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def prepare(gray: np.ndarray, sigma: float) -> np.ndarray:
    """(H, W) uint8/float gray → float32 with small bright highlights flattened, then blurred."""
    image = gray.astype(np.float32)
    side = max(3, round(min(image.shape) * 0.06) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    opened = cv2.morphologyEx(image, cv2.MORPH_OPEN, kernel)
    spots = (image - opened) > 40
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        spots.astype(np.uint8), connectivity=8
    )
    small = np.zeros(count, bool)
    small[1:] = stats[1:, cv2.CC_STAT_AREA] <= side * side
    fill = small[labels]
    image[fill] = opened[fill]
    return cv2.GaussianBlur(image, (0, 0), sigma)


def coarse_candidates(image: np.ndarray, radii: np.ndarray, keep: int) -> list[Found]:
    """Best limbus circles over the whole (coarse) image, one per local maximum of the score."""
    h, w = image.shape
    ys, xs = np.mgrid[0:h:COARSE_STEP, 0:w:COARSE_STEP]
    centres = np.stack([xs.ravel(), ys.ravel()], axis=1).astype(np.float32)
    scores = limbus_scores(image, centres, radii)
    per_centre = scores.max(axis=1).reshape(xs.shape)
    peaks = per_centre == cv2.dilate(per_centre, np.ones((5, 5), np.uint8))
    order = np.argsort(per_centre[peaks])[::-1][:keep]
    flat = np.flatnonzero(peaks.ravel())[order]
    return [best(scores[i : i + 1], centres[i : i + 1], radii) for i in flat]


def refine_limbus(image: np.ndarray, guess: Circle, reach: float, step: float) -> Found:
    """Local limbus search around `guess` (centre ±reach, radius ±reach) at `step` px."""
    centres = centre_grid(guess.x, guess.y, reach, step)
    radii = np.arange(max(3.0, guess.r - reach), guess.r + reach + step / 2, step / 2)
    return best(limbus_scores(image, centres, radii.astype(np.float32)), centres, radii)


def refine_pupil(image: np.ndarray, guess: Circle, reach: float, step: float) -> Found:
    """Local pupil search around `guess` (centre ±reach, radius ±reach) at `step` px."""
    centres = centre_grid(guess.x, guess.y, reach, step)
    radii = np.arange(max(2.0, guess.r - reach), guess.r + reach + step / 2, step / 2)
    return best(pupil_scores(image, centres, radii.astype(np.float32)), centres, radii)
