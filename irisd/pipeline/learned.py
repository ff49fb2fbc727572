"""The learned segmenter: a cross-check of the classical boundaries and a second opinion on
the visible-iris mask.

The U-Net's probabilities (`irisd.pipeline.unet`) are fitted with circles; they must be
confident and agree with the classical circles, or be backed by the image's edges where the
classical search looked elsewhere; otherwise the photo is a quality issue.
Where the two masks broadly agree, `fuse` lets the network's confident pixels overrule the
classical noise map. Without weights the classical result passes through unchanged (never a
made-up circle).
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import gaze
from irisd.pipeline.circle_search import (
    Found,
    limbus_scores,
    prepare,
    pupil_scores,
    refine_limbus,
    refine_pupil,
)
from irisd.pipeline.geometry import Circle, area_circle, disk, edge_gray, fit_circle, gray
from irisd.pipeline.localise import Localisation, Located

MIN_CONFIDENCE = 0.75  # mean winning-class probability over the predicted eye
ALONE_CONFIDENCE = 0.9  # needed when the classical path found nothing
MAX_CENTRE_SHIFT = 0.2  # of the iris radius
MAX_RADIUS_CHANGE = 0.2  # relative
# When the circles disagree, the classical edge search runs again from the network's circles
# (this far around them, in radii); they stand if the limbus it finds stays with them and is
# at least EDGE_SHARE as strong as the classical limbus. Calibrated on MMU persons 1-30:
# refusals 14 of 116 (circles alone, at 0.15) -> 0, mean IoU 0.843 (classical) -> 0.854.
LIMBUS_SEED_REACH, PUPIL_SEED_REACH = 0.1, 0.15
EDGE_SHARE = 0.6
# `fuse`: below this IoU between the two masks the classical one stands alone; above it each
# pixel is a vote weighted LEARNED_WEIGHT for the network, over the annulus widened by
# SUPPORT_MARGIN of each radius: an iris that is not quite a circle (gaze, annotation) is
# followed where the network is sure. MMU persons 1-30: 0.843 (classical) -> 0.868.
MIN_MASK_AGREEMENT = 0.7
LEARNED_WEIGHT = 0.55
SUPPORT_MARGIN = 0.15
# When the circles disagree and the edges do not back the network's, the stronger of the
# two wins (edge contrast x IoU with the network's eye). A circle is credible with at least
# MIN_COVER of that IoU and MIN_EDGE of the classical circle's edge contrast. MMU persons
# 1-45: no refusal (one before), test IoU 0.858 -> 0.870 (bench/segmentation.py).
MIN_COVER = 0.5
MIN_EDGE = 0.25
# Of those, the ones whose pupil centre lies within MAX_OFFSET iris radii of the iris's go
# first (an eye's pupil sits within about a tenth of the radius of the limbus centre; a
# limbus circle pulled onto the sclera on one side is off by a third).
MAX_OFFSET = 0.2
# On a light iris the pupil's edge is the strongest circle in the photo and the classical
# search can take it for the limbus: a classical iris within PUPIL_MATCH (of the radius, in
# centre and size) of the network's pupil is that pupil. The network's iris then stands
# alone, as when the classical path found nothing (ALONE_CONFIDENCE), around the classical
# pupil. With MAX_OFFSET, on light irises in photos lit as such (bench/light_segmentation.py,
# 108 photos): 76 -> 78 outlined, circle IoU median 0.814 -> 0.850; MMU unchanged.
PUPIL_MATCH = 0.3
UNSURE = (
    "We couldn't outline your iris reliably in this photo. Hold the camera straight in"
    " front of your eye, in even light, and try again."
)


def load() -> object | None:
    """The process-wide segmenter, or None when the module or its weights are missing."""
    try:
        from irisd.pipeline.unet import load_segmenter
    except ImportError:
        return None
    return load_segmenter()


def fit(probs: np.ndarray) -> tuple[Circle, Circle, float] | None:
    """Iris and pupil circles (input pixels) and confidence from (H, W, 3) probabilities."""
    labels = np.argmax(probs, axis=2)
    eye = _largest(labels > 0)
    if eye is None or eye.sum() < 50:
        return None
    pupil_region = _largest((labels == 2) & eye)
    if pupil_region is None:
        return None
    iris = _lateral_circle(eye)
    pupil = area_circle(pupil_region)
    confidence = float(probs.max(axis=2)[eye].mean())
    if iris is None:
        return None
    return iris, pupil, confidence


def edge_contact(iris_prob: np.ndarray, radius: float) -> float:
    """How much of the frame's edge the network's iris (its largest region) lies on, as a
    share of the iris circumference (`radius` in the same pixels): > 0 when the frame cuts
    the iris, which circle fits then underestimate."""
    region = _largest(iris_prob > 0.5)
    if region is None:
        return 0.0
    border = int(region.sum()) - int(region[1:-1, 1:-1].sum())
    return border / (2 * np.pi * max(radius, 1.0))


def beyond(iris_prob: np.ndarray, iris: Circle) -> float:
    """The share of the network's visible iris (its map, `iris` in the same pixels) that
    lies outside the outline: > 0 when the outline leaves out iris the network sees. Only
    the regions the outline touches count (another eye in the photo is not this one)."""
    inside = disk(iris_prob.shape, iris)
    count, labels = cv2.connectedComponents((iris_prob > 0.5).astype(np.uint8))
    touched = np.zeros(count, bool)
    touched[np.unique(labels[inside])] = True
    touched[0] = False
    seen = touched[labels]
    total = int(seen.sum())
    return float((seen & ~inside).sum()) / total if total else 0.0


def _largest(mask: np.ndarray) -> np.ndarray | None:
    """The largest 8-connected component of a bool mask, or None when empty."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if count < 2:
        return None
    index = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
    return np.asarray(labels == index)


def _lateral_circle(region: np.ndarray) -> Circle | None:
    """Circle through the region's outer contour on its lateral arcs (lids cut top/bottom)."""
    contours, _ = cv2.findContours(
        region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    points = max(contours, key=cv2.contourArea).reshape(-1, 2).astype(np.float64)
    centre = points.mean(axis=0)
    angle = np.degrees(np.arctan2(points[:, 1] - centre[1], points[:, 0] - centre[0]))
    lateral = (np.abs(angle) < 50) | (np.abs(angle) > 130)
    return fit_circle(points[lateral] if lateral.sum() >= 8 else points)


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
    segmenter = load()
    if segmenter is None:
        return None if found is None else Located(found, "classical")
    probs = np.asarray(segmenter.predict(small), np.float32)  # type: ignore[attr-defined]
    fitted = fit(probs)
    if fitted is None:
        if found is None:
            return None
        raise QualityIssue(UNSURE, reason="learned path found no eye")
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
        if confidence < ALONE_CONFIDENCE:
            raise _unsure(small, iris, reason="classical took the pupil", confidence=confidence)
        alone = _scored(small, scale, iris, found.iris.circle.scaled(scale))
        return Located(alone, "learned", probs[..., 1], scale)
    return _stronger(small, scale, probs, (iris, pupil), found)


def _is_pupil(classical: Circle, pupil: Circle) -> bool:
    """Whether the classical iris circle is the network's pupil (same pixels)."""
    reach = PUPIL_MATCH * max(pupil.r, 1.0)
    return classical.distance(pupil) <= reach and abs(classical.r - pupil.r) <= reach


def _unsure(small: np.ndarray, iris: Circle, **context: object) -> QualityIssue:
    """The refusal for an eye that cannot be outlined: a sideways look (judged around the
    network's iris, the better guess on the photos that get here) says so."""
    if gaze.sideways(gray(small), iris):
        return QualityIssue(gaze.GAZE, **context)
    return QualityIssue(UNSURE, **context)


def _stronger(
    small: np.ndarray,
    scale: float,
    probs: np.ndarray,
    fitted: tuple[Circle, Circle],
    found: Localisation,
) -> Located:
    """When the circles disagree: the network's, refined on the image's edges, where those
    edges back it; else, of the credible circles (IoU of the disk with the network's eye at
    least MIN_COVER, limbus contrast at least MIN_EDGE of the classical one's), the one with
    the stronger evidence (limbus contrast times that IoU).
    Refused when neither is credible."""
    image = prepare(edge_gray(small), 1.0)
    network = _edge_refined(image, fitted)
    classical = refine_limbus(image, found.iris.circle.scaled(scale), 1.0, 0.5)
    located = Located(_to_full(network, scale), "edge_backed", probs[..., 1], scale)
    if network.iris.score >= EDGE_SHARE * classical.score:
        return located
    eye = np.argmax(probs, axis=2) > 0
    pupil = found.pupil.circle.scaled(scale)
    # (edge, cover, order, located, pupil offset) of each path's circle
    candidates = [
        (
            network.iris.score,
            _cover(eye, network.iris.circle),
            1,
            located,
            _offset(network.iris.circle, network.pupil.circle),
        ),
        (
            classical.score,
            _cover(eye, classical.circle),
            0,
            Located(found, "classical"),
            _offset(classical.circle, pupil),
        ),
    ]
    credible = [c for c in candidates if c[1] >= MIN_COVER and c[0] >= MIN_EDGE * classical.score]
    credible = [c for c in credible if c[4] <= MAX_OFFSET] or credible
    if not credible:
        raise _unsure(small, fitted[0], reason="learned and classical disagree")
    # ties go to the classical circle: the network's has no edge of its own to show then
    return max(credible, key=lambda c: (c[0] * c[1], -c[2]))[3]


def _offset(iris: Circle, pupil: Circle) -> float:
    """How far the pupil's centre is from the iris's, in iris radii."""
    return iris.distance(pupil) / max(iris.r, 1.0)


def _cover(eye: np.ndarray, circle: Circle) -> float:
    """IoU of a circle's disk and the network's eye (iris + pupil), (h, w) bool."""
    inside = disk(eye.shape, circle)
    union = int((inside | eye).sum())
    return float((inside & eye).sum()) / union if union else 0.0


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


def fuse(classical: np.ndarray, iris: Circle, pupil: Circle, iris_prob: np.ndarray) -> np.ndarray:
    """The visible-iris mask from both paths, all (H, W) in the same pixels.

    `classical` is the noise-map mask inside the annulus between `iris` and `pupil`. Where
    the masks broadly agree, a per-pixel vote in which the network's confident calls overrule
    the classical noise map (which cuts bright or dark iris texture and misses lashes), also
    a little beyond the circles; where they do not, the classical mask alone: a network that
    sees the eye differently is no guide to its details.
    """
    annulus = disk(classical.shape, iris) & ~disk(classical.shape, pupil)
    learned = annulus & (iris_prob > 0.5)
    union = int((classical | learned).sum())
    if union == 0 or (classical & learned).sum() / union < MIN_MASK_AGREEMENT:
        return classical
    support = disk(classical.shape, iris.resized(1 + SUPPORT_MARGIN)) & ~disk(
        classical.shape, pupil.resized(1 - SUPPORT_MARGIN)
    )
    vote = (1 - LEARNED_WEIGHT) * classical + LEARNED_WEIGHT * iris_prob
    return np.asarray(support & (vote > 0.5), bool)


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
