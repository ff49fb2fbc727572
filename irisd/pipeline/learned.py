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

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.errors import QualityIssue
from irisd.pipeline import gaze
from irisd.pipeline.circle_search import (
    Found,
    best,
    centre_grid,
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
NO_IRIS = 0.1  # P(iris) below which the network sees no iris at a pixel (`unbacked`)
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
# centre and size) of the network's pupil is that pupil. The limbus around it is searched
# (`_around_pupil`); failing that the network's iris stands alone, as when the classical
# path found nothing (ALONE_CONFIDENCE), around the classical pupil. That network path, with
# MAX_OFFSET, on light irises in photos lit as such (bench/light_segmentation.py, 108
# photos): 76 -> 78 outlined, circle IoU median 0.814 -> 0.850; MMU unchanged.
PUPIL_MATCH = 0.3
# An eye's pupil sits within about a tenth of the radius of the limbus centre, a third at
# most when the gaze is off; further off, the outline is wrong (one circle pulled onto the
# sclera or a lid), and the print would show skin and fill glints from the pupil. The
# pipeline's own outlines: MMU 1-45 at most 0.245 of the radius; MOBIUS 0.158, and 0.372
# for a sideways eye outlined wrong; synthetic light irises wrong at 0.35-0.49. The quality
# gate refuses beyond it; `_stronger` uses it to judge the two paths' circles.
MAX_CONCENTRICITY = 0.3
# The network under-calls a light iris (its outer, darker part), and its edge-refined circle
# then sits on an inner ring with an off-centre pupil, while the classical limbus is right
# but covers little more than half of the network's eye. A circle is consistent with the eye
# when it holds nearly all the iris the network sees (at most CONTAINED of it outside, see
# `beyond`), has a seen pupil within the gate's concentricity limit, and is not far larger
# than the network's eye (IoU at least LEAST_COVER); consistent circles go first. Light
# irises (bench/light_segmentation.py, every 3rd MMU test photo and MOBIUS x 6 looks; its
# disagreements, as the bench lit them at efca9a2): circles within IoU 0.8 of GT 44 -> 51,
# below 0.7 12 -> 9, refused 7 -> 1 (52 -> 63, 13 -> 4, 3 -> 0 before the bench lifted lids
# over the iris); the 18 real disagreements (MMU 1-45, MOBIUS) unchanged.
CONTAINED = 0.1
LEAST_COVER = 0.35
# `_around_pupil`: the limbus around a pupil the classical path took for the iris. On light
# irises lit as such (bench/light_segmentation.py, every 3rd MMU test photo and MOBIUS x 6
# looks, before it lifted lids over the iris), 12 photos took that path: the network's circle
# alone reached circle IoU 0.55-0.81 with GT, this one 0.73-0.93 on 11 (0.57 on one MOBIUS
# look); no real photo takes it. On the bench's MOBIUS looks (eyes turned sideways, recoloured
# inside a GT polygon: no camera makes them) it keeps wrong circles (IoU 0.45-0.60) on two of
# the four sideways eyes, whose real photos are refused as before.
AROUND_REACH = 0.15  # of the network's iris radius
AROUND_RADII = (0.95, 1.5)  # of the network's iris radius
AROUND_PUPILS = 4.5  # at most this many pupil radii (`localise.iris_around` too)
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


def unbacked(iris_prob: np.ndarray, visible: np.ndarray) -> float:
    """The share of a visible-iris mask (`visible`, (H, W) bool at any resolution) where the
    network's map (`iris_prob`, the working copy) sees no iris at all: > 0 when the outline
    took in skin, shadow or sclera that the network tells apart from the iris."""
    h, w = iris_prob.shape
    small = cv2.resize(visible.astype(np.float32), (w, h), interpolation=cv2.INTER_AREA) >= 0.5
    total = int(small.sum())
    return float((small & (iris_prob < NO_IRIS)).sum()) / total if total else 0.0


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
    it is consistent with the eye (see `Candidate`)."""
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
    candidate = _candidate(located, probs, limbus, inner.circle)
    return located if candidate.consistent else None


def _unsure(small: np.ndarray, iris: Circle, **context: object) -> QualityIssue:
    """The refusal for an eye that cannot be outlined: a sideways look (judged around the
    network's iris, the better guess on the photos that get here) says so."""
    if gaze.sideways(gray(small), iris):
        return QualityIssue(gaze.GAZE, **context)
    return QualityIssue(UNSURE, **context)


@dataclass(frozen=True)
class Candidate:
    """One path's iris circle (working copy) when the paths disagree, with its evidence."""

    located: Located
    edge: float  # limbus contrast of the circle
    cover: float  # IoU of its disk with the network's eye (`_cover`)
    offset: float  # pupil centre from the iris centre, in iris radii (`_offset`)
    outside: float  # share of the network's visible iris outside it (`beyond`)
    pupil_seen: bool

    @property
    def classical(self) -> bool:
        """Ties go to the classical circle: the network's has no edge of its own."""
        return self.located.source == "classical"

    @property
    def consistent(self) -> bool:
        return (
            self.outside <= CONTAINED
            and self.offset <= MAX_CONCENTRICITY
            and self.pupil_seen
            and self.cover >= LEAST_COVER
        )


def _candidate(
    located: Located, probs: np.ndarray, limbus: Found, pupil: Circle, pupil_seen: bool = True
) -> Candidate:
    """A path's circles (working copy) judged against the network's map `probs`."""
    return Candidate(
        located,
        limbus.score,
        _cover(np.argmax(probs, axis=2) > 0, limbus.circle),
        _offset(limbus.circle, pupil),
        beyond(probs[..., 1], limbus.circle),
        pupil_seen,
    )


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
    ours = _candidate(located, probs, network.iris, network.pupil.circle)
    pupil = found.pupil.circle.scaled(scale)
    theirs = _candidate(Located(found, "classical"), probs, classical, pupil, found.pupil_seen)
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
