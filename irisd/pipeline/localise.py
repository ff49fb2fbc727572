"""Classical iris and pupil localisation: an integro-differential circle search, coarse to fine.

The limbus is searched on the lateral arcs only (the lids cover the top and often the bottom),
the pupil on everything but the top wedge. Scores are mean grey-level steps across the
boundary (dark inside, bright outside), in 0..255 units, so they double as contrast measures.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, arc_angles, disk, polar_samples

# Angles in degrees with y pointing down (90° = straight down).
RIGHT_ARC = ((-30.0, 40.0),)
LEFT_ARC = ((140.0, 210.0),)
PUPIL_ARC = ((-40.0, 220.0),)
COARSE_SIDE = 160  # longer side of the copy searched exhaustively for limbus candidates
COARSE_STEP = 2  # px between candidate centres on that copy (3 loses accuracy)
STEP_PX = 2.0  # least half-width of the radial difference, px of the searched image
LIMBUS_WIDTH = 0.08  # half-width of the limbus difference, fraction of the radius
PUPIL_WIDTH = 0.04  # half-width of the pupil difference, fraction of the radius
_BATCH = 256
SMALLEST_IRIS = 0.05  # least iris radius on the working copy, fraction of its shorter side
SIZE_POWER = 0.5  # exponent of the relative iris radius in `rank`
LIMBUS_WEIGHT = 2.0  # the limbus edge counts double when ranking iris/pupil pairs
MIN_PUPIL_FILL = 0.6  # least share of the pupil disk darker than pupil/iris midway
FIRST_PEAK = 0.75  # `iris_around`: least share of the best edge for the innermost limbus
IRIS_REACH = 0.7  # limbus centre search around the pupil centre, in pupil radii
INNER_SHARE = 0.75  # the innermost limbus replaces the chosen one if at least this strong
# A pupil edge weaker than this (grey levels) is not evidence: very dark irises in visible
# light show 0-2 levels at the true pupil, while glints and lashes make 5-13 elsewhere.
PUPIL_VISIBLE = 6.0
# Pupil/iris radius ratio assumed, concentric, when the pupil cannot be seen (the middle of
# the normal 0.3-0.7 range). Only the pupil hole is assumed, never the iris; flagged.
TYPICAL_PUPIL = 0.5
NESTED = 0.85  # `innermost`: a nested limbus is at most this share of the chosen radius
MIN_LIMBUS = 10.0  # least limbus step (grey levels) of an iris found without a pupil
# Without pupil evidence the limbus arcs alone must carry the decision: such an iris must be
# this many times the least iris size (a dark blob in a non-eye photo is usually smaller).
UNSEEN_SIZE = 2.0


@dataclass(frozen=True)
class Found:
    """A boundary found in some image: the circle and its edge contrast (grey levels)."""

    circle: Circle
    score: float


@dataclass(frozen=True)
class Localisation:
    """Iris and pupil boundaries of one eye, in the coordinates of the searched image."""

    iris: Found
    pupil: Found
    pupil_seen: bool = True  # False: the pupil is `assumed_pupil(iris)`, not found


@dataclass(frozen=True)
class Located:
    """Where the eye was found (full-resolution pixels), by which path, and the network's map."""

    found: Localisation
    source: str  # "classical", "combined" (agreeing), "edge_backed" or "learned" (alone)
    iris_prob: np.ndarray | None = None  # learned P(visible iris) on the working copy
    scale: float = 1.0  # of the working copy


def assumed_pupil(iris: Circle) -> Found:
    """The pupil hole of an iris whose pupil is invisible: concentric, typical size, score 0."""
    return Found(Circle(iris.x, iris.y, TYPICAL_PUPIL * iris.r), 0.0)


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


def dark_blob(image: np.ndarray, iris: Circle) -> Circle | None:
    """The pupil as the darkest compact blob near the iris centre (area-equivalent circle).

    Thresholds the inner 80 % of the iris disk between its darkest values and its median;
    None when no blob of at least a few pixels is there.
    """
    h, w = image.shape
    inner = disk((h, w), Circle(iris.x, iris.y, 0.8 * iris.r))
    values = image[inner]
    if values.size < 20:
        return None
    low, mid = np.percentile(values, [3, 50])
    dark = (image < low + 0.4 * (mid - low)) & inner
    dark = cv2.morphologyEx(dark.astype(np.uint8), cv2.MORPH_OPEN, np.ones((3, 3), np.uint8))
    count, _labels, stats, centroids = cv2.connectedComponentsWithStats(
        np.asarray(dark, np.uint8), connectivity=8
    )
    if count < 2:
        return None
    distance = np.hypot(centroids[1:, 0] - iris.x, centroids[1:, 1] - iris.y)
    area = stats[1:, cv2.CC_STAT_AREA].astype(np.float64)
    pick = int(np.argmax(area / (1.0 + distance / (0.2 * iris.r)) ** 2))
    if area[pick] < 12:
        return None
    x, y = centroids[pick + 1]
    return Circle(float(x), float(y), float(np.sqrt(area[pick] / np.pi)))


def pupil_inside(image: np.ndarray, iris: Circle) -> Found | None:
    """The pupil inside `iris`: dark blob, then a local edge refinement."""
    blob = dark_blob(image, iris)
    if blob is None:
        return None
    return refine_pupil(image, blob, max(2.0, 0.2 * blob.r), max(0.5, blob.r / 20))


def iris_around(image: np.ndarray, pupil: Circle) -> Found:
    """The limbus around a pupil: the innermost strong lateral edge at 1.4..4.5x its radius.

    Taking the first edge whose score is at least 75 % of the best keeps the search off the
    lid and skin boundaries further out, which can be as strong as a faint limbus.
    """
    step = max(1.0, pupil.r / 8)
    centres = centre_grid(pupil.x, pupil.y, IRIS_REACH * pupil.r, step)
    top = min(4.5 * pupil.r, 0.55 * min(image.shape))
    radii = np.arange(1.4 * pupil.r, max(top, 1.5 * pupil.r), max(0.5, step / 2))
    scores = limbus_scores(image, centres, radii.astype(np.float32))
    # The iris must contain the pupil with room to spare, else the pupil's own edge on one
    # arc passes for a limbus.
    offset = np.hypot(centres[:, 0] - pupil.x, centres[:, 1] - pupil.y)
    scores[radii[None, :] < offset[:, None] + 1.3 * pupil.r] = -np.inf
    per_radius = scores.max(axis=0)
    if not per_radius.max() > 0:
        return best(np.nan_to_num(scores, neginf=-1e6), centres, radii)
    strong = per_radius >= FIRST_PEAK * per_radius.max()
    # Interior local maxima only: a maximum at the inner end is the pupil edge's tail.
    peak = (
        np.r_[False, per_radius[1:] >= per_radius[:-1]]
        & np.r_[per_radius[:-1] >= per_radius[1:], True]
    )
    chosen = np.flatnonzero(strong & peak)
    if len(chosen) == 0:
        return best(scores, centres, radii)
    first = int(chosen[0])
    return best(scores[:, first : first + 1], centres, radii[first : first + 1])


def localise(gray: np.ndarray) -> Localisation | None:
    """Iris and pupil circles of the eye in a (H, W) gray working copy (≤ 640 px), or None.

    Coarse limbus candidates are each tried as an iris (pupil = dark blob inside) and as a
    pupil (iris = innermost strong limbus around it); the pair with the strongest edges wins.
    """
    image = prepare(gray, 1.0)
    h, w = image.shape
    factor = min(1.0, COARSE_SIDE / max(h, w))
    size = (max(8, round(w * factor)), max(8, round(h * factor)))
    coarse = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    side = min(coarse.shape)
    radii = np.arange(max(4.0, 0.05 * side), max(5.0, 0.45 * side), 1.0, dtype=np.float32)
    smallest = max(8.0, SMALLEST_IRIS * min(h, w))
    pairs: list[Localisation] = []
    for candidate in coarse_candidates(coarse, radii, keep=5):
        guess = candidate.circle.scaled(1 / factor)
        pairs.extend(_hypotheses(image, guess, 2 / factor, smallest))
    if not pairs:
        return None
    chosen = innermost(pairs, max(pairs, key=lambda pair: rank(pair, min(h, w))))
    # The limbus is the first strong edge outside the pupil, whichever way the pair was found.
    if chosen.pupil_seen:
        inner = Localisation(iris_around(image, chosen.pupil.circle), chosen.pupil)
        if (
            plausible(image, inner, smallest)
            and inner.iris.score >= INNER_SHARE * chosen.iris.score
        ):
            chosen = inner
    return _polish(image, chosen)


def innermost(pairs: list[Localisation], chosen: Localisation) -> Localisation:
    """The smallest strong limbus nested inside the chosen one, else the chosen pair.

    Eye-opening and lid boundaries around the iris make larger circles that the size credit
    of `rank` can favour; the limbus is the innermost strong edge (as in `iris_around`, which
    handles pairs with a seen pupil).
    """
    if chosen.pupil_seen:
        return chosen  # `iris_around` already takes the innermost limbus around the pupil
    outer = chosen.iris.circle
    nested = [
        pair
        for pair in pairs
        if pair.iris.circle.r < NESTED * outer.r
        and pair.iris.circle.distance(outer) + pair.iris.circle.r <= 1.05 * outer.r
        and pair.iris.score >= INNER_SHARE * chosen.iris.score
    ]
    return min(nested, key=lambda pair: pair.iris.circle.r) if nested else chosen


def rank(pair: Localisation, side: int) -> float:
    """Ranking of an iris/pupil pair: edge evidence, favouring larger circles.

    Edge scores are per unit of arc length; the square root of the relative radius credits
    the longer boundary of a real iris over small dark blobs such as lash clusters.
    """
    edges = LIMBUS_WEIGHT * pair.iris.score + pair.pupil.score
    return edges * float((pair.iris.circle.r / side) ** SIZE_POWER)


def plausible(image: np.ndarray, pair: Localisation, smallest: float) -> bool:
    """Anatomical priors: pupil 10..75 % of the iris radius and inside its inner third,
    and an iris ring clearly brighter than the pupil (not a ring inside the pupil). With an
    assumed pupil only the iris size and limbus strength can be checked."""
    iris, pupil = pair.iris.circle, pair.pupil.circle
    if not pair.pupil_seen:
        return iris.r >= UNSEEN_SIZE * smallest and pair.iris.score >= MIN_LIMBUS
    ratio = pupil.r / iris.r
    if pair.pupil.score < PUPIL_VISIBLE:
        return False
    if not (iris.r >= smallest and 0.1 < ratio < 0.75 and pupil.distance(iris) < 0.3 * iris.r):
        return False
    ring, inner = ring_and_pupil(image, pair)
    step = float(np.median(ring) - np.median(inner))
    if step < max(2.0, 0.4 * pair.pupil.score):
        return False
    # A pupil is a filled dark disk, not a dark ring (a letter "O", a wheel, a bracelet).
    middle = 0.5 * (float(np.median(ring)) + float(np.percentile(inner, 10)))
    return float((inner < middle).mean()) >= MIN_PUPIL_FILL


def ring_and_pupil(image: np.ndarray, pair: Localisation) -> tuple[np.ndarray, np.ndarray]:
    """Samples of the iris ring (lateral arcs) and of the pupil disk (inner 80 %)."""
    iris, pupil = pair.iris.circle, pair.pupil.circle
    angles = arc_angles(RIGHT_ARC + LEFT_ARC, 32)
    centre = np.array([[iris.x, iris.y]], np.float32)
    ring_radii = np.linspace(pupil.r + 0.3 * (iris.r - pupil.r), 0.9 * iris.r, 6, dtype=np.float32)
    ring = polar_samples(image, centre, ring_radii, angles)
    inner = polar_samples(
        image,
        np.array([[pupil.x, pupil.y]], np.float32),
        np.linspace(0.0, 0.8 * pupil.r, 6, dtype=np.float32),
        arc_angles(((0.0, 360.0),), 32),
    )
    return ring, inner


def _hypotheses(
    image: np.ndarray, guess: Circle, reach: float, smallest: float
) -> list[Localisation]:
    """The candidate read as an iris and as a pupil; only plausible pairs are kept."""
    step = max(1.0, reach / 4)
    out: list[Localisation] = []
    limbus = refine_limbus(image, guess, reach, step)
    pupil = pupil_inside(image, limbus.circle)
    if pupil is not None:
        out.append(Localisation(limbus, pupil))
    if pupil is None or not plausible(image, out[-1], smallest):
        out.append(Localisation(limbus, assumed_pupil(limbus.circle), pupil_seen=False))
    as_pupil = refine_pupil(image, guess, reach, step)
    out.append(Localisation(iris_around(image, as_pupil.circle), as_pupil))
    return [pair for pair in out if plausible(image, pair, smallest)]


def _polish(image: np.ndarray, pair: Localisation) -> Localisation:
    """Sub-pixel refinement of both circles; the dark-blob pupil replaces a weaker one."""
    iris = refine_limbus(image, pair.iris.circle, 2.0, 0.5)
    if not pair.pupil_seen:
        return Localisation(iris, assumed_pupil(iris.circle), pupil_seen=False)
    pupil = refine_pupil(image, pair.pupil.circle, 2.0, 0.5)
    blob = pupil_inside(image, iris.circle)
    if blob is not None and blob.score > pupil.score:
        pupil = blob
    return Localisation(iris, pupil)
