"""Arbitration between the classical and the learned outline: the network's circles must be
confident and agree with the classical ones, or be backed by the image's edges where the
classical search looked elsewhere; otherwise the photo is a quality issue. Without weights
the classical result passes through unchanged (never a made-up circle).
"""

from __future__ import annotations

import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import gaze
from irisd.pipeline.geometry import Circle, edge_gray, gray
from irisd.pipeline.refusals import GAZE, NOT_AN_EYE, UNSURE
from irisd.pipeline.segment import network
from irisd.pipeline.segment.candidates import candidate
from irisd.pipeline.segment.circle_search import (
    Found,
    best,
    centre_grid,
    limbus_scores,
    prepare,
    pupil_scores,
    refine_limbus,
    refine_pupil,
)
from irisd.pipeline.segment.fit import fit
from irisd.pipeline.segment.localise import Localisation, Located

MIN_CONFIDENCE = 0.75  # mean winning-class probability over the predicted eye
ALONE_CONFIDENCE = 0.9  # needed when the classical path found nothing
MAX_CENTRE_SHIFT = 0.2  # of the iris radius: the two paths' circles agree within it
MAX_RADIUS_CHANGE = 0.2  # relative
# Where the circles disagree, the edge search runs again from the network's circles, this far
# around them (in their radii); they stand when the limbus found stays with them and is at
# least EDGE_SHARE as strong as the classical limbus (bench/pipeline/segmentation.py).
LIMBUS_SEED_REACH, PUPIL_SEED_REACH = 0.1, 0.15
EDGE_SHARE = 0.6
# Else, of the circles with at least MIN_COVER IoU with the network's eye and MIN_EDGE of
# the classical limbus contrast, the one with the stronger evidence wins
# (bench/pipeline/segmentation.py).
MIN_COVER = 0.5
MIN_EDGE = 0.25
# Pairs whose pupil centre lies within this many iris radii of the iris's go first: an eye's
# pupil sits within about a tenth of the radius, a limbus pulled onto the sclera is off by a
# third (bench/pipeline/segmentation.py).
MAX_OFFSET = 0.2
# A classical iris within this (of the radius, in centre and size) of the network's pupil is
# that pupil: on a light iris the pupil's edge is the strongest circle in the photo
# (bench/pipeline/light_segmentation.py).
PUPIL_MATCH = 0.3
# `_around_pupil`: the limbus around a pupil the classical path took for the iris, centred
# within AROUND_REACH of the network's iris radius, at AROUND_RADII of it (the network
# under-calls light irises), at most AROUND_PUPILS pupil radii out (`localise.iris_around`
# too); bench/pipeline/light_segmentation.py.
AROUND_REACH = 0.15
AROUND_RADII = (0.95, 1.5)
AROUND_PUPILS = 4.5


def agree(a: Circle, b: Circle) -> bool:
    """Whether two iris circles describe the same boundary within the tolerances."""
    shift = a.distance(b) / max(b.r, 1.0)
    change = abs(a.r - b.r) / max(b.r, 1.0)
    return shift <= MAX_CENTRE_SHIFT and change <= MAX_RADIUS_CHANGE


def cross_check(small: np.ndarray, scale: float, found: Localisation | None) -> Located | None:
    """Combine the classical result (full-res coordinates) with the learned segmenter's;
    None when neither found an eye.

    Raises QualityIssue when the network is unsure, or when the paths disagree and neither
    has the image's evidence behind it.
    """
    segmenter = network.load()
    if segmenter is None:
        return None if found is None else Located(found, "classical")
    probs = np.asarray(segmenter.predict(small), np.float32)  # type: ignore[attr-defined]
    fitted = fit(probs)
    if fitted is None:
        if found is None:
            return None
        # The classical path found a circle, the network no eye at all: a landscape, a cat.
        raise QualityIssue(NOT_AN_EYE, reason="learned path found no eye")
    iris, pupil, confidence = fitted
    if confidence < MIN_CONFIDENCE:
        raise _unsure(small, iris, reason="low confidence", confidence=confidence)
    if found is None:
        if confidence < ALONE_CONFIDENCE:
            raise _unsure(small, iris, reason="classical found nothing", confidence=confidence)
        return Located(_scored(small, scale, iris, pupil), "learned", probs[..., 1], scale)
    if agree(iris.scaled(1 / scale), found.iris.circle):
        return Located(found, "combined", probs[..., 1], scale)
    if _is_pupil(found.iris.circle.scaled(scale), pupil):
        return _pupil_taken(small, scale, probs, fitted, found.iris.circle.scaled(scale))
    return _stronger(small, scale, probs, (iris, pupil), found)


def _is_pupil(classical: Circle, pupil: Circle) -> bool:
    """Whether the classical iris circle is the network's pupil (same pixels)."""
    reach = PUPIL_MATCH * max(pupil.r, 1.0)
    return classical.distance(pupil) <= reach and abs(classical.r - pupil.r) <= reach


def _pupil_taken(
    small: np.ndarray,
    scale: float,
    probs: np.ndarray,
    fitted: tuple[Circle, Circle, float],
    pupil: Circle,
) -> Located:
    """The classical path took the pupil (`pupil`, working copy) for the iris: the limbus
    around that pupil where one is consistent with the eye, else the network's iris alone
    when it is sure enough (`fitted`: the network's iris, pupil and confidence)."""
    iris, _, confidence = fitted
    around = _around_pupil(small, scale, probs, iris, pupil)
    if around is not None:
        return around
    if confidence < ALONE_CONFIDENCE:
        raise _unsure(small, iris, reason="classical took the pupil", confidence=confidence)
    return Located(_scored(small, scale, iris, pupil), "learned", probs[..., 1], scale)


def _around_pupil(
    small: np.ndarray, scale: float, probs: np.ndarray, iris: Circle, pupil: Circle
) -> Located | None:
    """When the classical path took the pupil (`pupil`, working copy) for the limbus: the
    strongest limbus concentric with it (centre within AROUND_REACH of the network's iris
    radius) at AROUND_RADII of that radius (the network under-calls light irises), kept when
    it is consistent with the eye (see `candidates.Candidate`)."""
    image = prepare(edge_gray(small), 1.0)
    inner = refine_pupil(image, pupil, 2.0, 0.5)
    low, high = AROUND_RADII
    reach, step = AROUND_REACH * iris.r, max(1.0, iris.r / 30)
    centres = centre_grid(inner.circle.x, inner.circle.y, reach, step)
    top = min(high * iris.r, AROUND_PUPILS * inner.circle.r)
    radii = np.arange(max(1.4 * inner.circle.r, low * iris.r), top, 0.5, dtype=np.float32)
    if len(radii) == 0:
        return None
    limbus = best(limbus_scores(image, centres, radii), centres, radii)
    located = Located(
        _to_full(Localisation(limbus, inner), scale), "edge_backed", probs[..., 1], scale
    )
    judged = candidate(located, probs, limbus, inner.circle)
    return located if judged.consistent else None


def _unsure(small: np.ndarray, iris: Circle, **context: object) -> QualityIssue:
    """The refusal for an eye that cannot be outlined: a sideways look (judged around the
    network's iris, the better guess on the photos that get here) says so."""
    if gaze.sideways(gray(small), iris):
        return QualityIssue(GAZE, **context)
    return QualityIssue(UNSURE, **context)


def _stronger(
    small: np.ndarray,
    scale: float,
    probs: np.ndarray,
    fitted: tuple[Circle, Circle],
    found: Localisation,
) -> Located:
    """When the circles disagree: the network's, refined on the image's edges, where those
    edges back it (unless only the classical circle is consistent with the eye); else, of
    the credible circles (IoU of the disk with the network's eye at least MIN_COVER, limbus
    contrast at least MIN_EDGE of the classical one's), the one with the stronger evidence
    (limbus contrast times that IoU), consistent ones first, then concentric ones.
    Refused when neither is credible."""
    image = prepare(edge_gray(small), 1.0)
    network = _edge_refined(image, fitted)
    classical = refine_limbus(image, found.iris.circle.scaled(scale), 1.0, 0.5)
    located = Located(_to_full(network, scale), "edge_backed", probs[..., 1], scale)
    ours = candidate(located, probs, network.iris, network.pupil.circle)
    pupil = found.pupil.circle.scaled(scale)
    theirs = candidate(Located(found, "classical"), probs, classical, pupil, found.pupil_seen)
    if ours.edge >= EDGE_SHARE * theirs.edge and (ours.consistent or not theirs.consistent):
        return ours.located
    strong = [c for c in (ours, theirs) if c.edge >= MIN_EDGE * theirs.edge]
    credible = [c for c in strong if c.cover >= MIN_COVER]
    tiers = (
        [c for c in credible if c.consistent],
        [c for c in strong if c.consistent],
        [c for c in credible if c.offset <= MAX_OFFSET],
        credible,
    )
    chosen = next((tier for tier in tiers if tier), None)
    if chosen is None:
        raise _unsure(small, fitted[0], reason="learned and classical disagree")
    return max(chosen, key=lambda c: (c.edge * c.cover, c.classical)).located


def _edge_refined(image: np.ndarray, fitted: tuple[Circle, Circle]) -> Localisation:
    """The network's circles (working copy) refined by the classical edge search; the iris
    circle falls back to the network's when the edge search wanders off it."""
    iris, pupil = fitted
    reach = LIMBUS_SEED_REACH * iris.r
    limbus = refine_limbus(image, iris, reach, max(0.5, reach / 6))
    limbus = refine_limbus(image, limbus.circle, 1.0, 0.5)
    if not agree(limbus.circle, iris):
        limbus = Found(iris, 0.0)
    reach = PUPIL_SEED_REACH * pupil.r
    inner = refine_pupil(image, pupil, reach, max(0.5, reach / 6))
    return Localisation(limbus, inner)


def _to_full(found: Localisation, scale: float) -> Localisation:
    return Localisation(
        Found(found.iris.circle.scaled(1 / scale), found.iris.score),
        Found(found.pupil.circle.scaled(1 / scale), found.pupil.score),
    )


def _scored(small: np.ndarray, scale: float, iris: Circle, pupil: Circle) -> Localisation:
    """Learned circles with their edge contrasts on the working copy, in full-res pixels."""
    image = prepare(edge_gray(small), 1.0)
    limbus = limbus_scores(image, _centre(iris), np.array([iris.r], np.float32))
    inner = pupil_scores(image, _centre(pupil), np.array([pupil.r], np.float32))
    return Localisation(
        Found(iris.scaled(1 / scale), float(limbus[0, 0])),
        Found(pupil.scaled(1 / scale), float(inner[0, 0])),
    )


def _centre(circle: Circle) -> np.ndarray:
    return np.array([[circle.x, circle.y]], np.float32)
