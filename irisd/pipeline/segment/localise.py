"""Classical iris and pupil localisation: coarse limbus candidates, read as iris or pupil.

Each candidate of the circle search (`circle_search`) is tried as an iris (pupil = dark blob
inside) and as a pupil (iris = innermost strong limbus around it); anatomical priors keep the
plausible pairs and the pair with the strongest edges wins, then both circles are polished.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, arc_angles, disk, polar_samples
from irisd.pipeline.segment.circle_search import (
    LEFT_ARC,
    RIGHT_ARC,
    Found,
    best,
    centre_grid,
    coarse_candidates,
    limbus_scores,
    prepare,
    refine_limbus,
    refine_pupil,
)

COARSE_SIDE = 160  # longer side of the copy searched exhaustively for limbus candidates
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
