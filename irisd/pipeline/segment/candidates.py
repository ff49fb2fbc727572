"""One path's circles judged against the network's map, when the two paths disagree."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.segment.circle_search import Found
from irisd.pipeline.segment.fit import beyond
from irisd.pipeline.segment.limits import MAX_CONCENTRICITY
from irisd.pipeline.segment.localise import Located

# A circle is consistent with the eye when it leaves at most CONTAINED of the iris the
# network sees outside (`fit.beyond`) and its disk covers at least LEAST_COVER IoU of the
# network's eye. The network under-calls a light iris, so on one its own circle is often the
# inconsistent one (bench/pipeline/light_segmentation.py).
CONTAINED = 0.1
LEAST_COVER = 0.35


@dataclass(frozen=True)
class Candidate:
    """One path's iris circle (working copy) when the paths disagree, with its evidence."""

    located: Located
    edge: float  # limbus contrast of the circle
    cover: float  # IoU of its disk with the network's eye (`cover`)
    offset: float  # pupil centre from the iris centre, in iris radii (`offset`)
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


def candidate(
    located: Located, probs: np.ndarray, limbus: Found, pupil: Circle, pupil_seen: bool = True
) -> Candidate:
    """A path's circles (working copy) judged against the network's map `probs`."""
    return Candidate(
        located,
        limbus.score,
        cover(np.argmax(probs, axis=2) > 0, limbus.circle),
        offset(limbus.circle, pupil),
        beyond(probs[..., 1], limbus.circle),
        pupil_seen,
    )


def offset(iris: Circle, pupil: Circle) -> float:
    """How far the pupil's centre is from the iris's, in iris radii."""
    return iris.distance(pupil) / max(iris.r, 1.0)


def cover(eye: np.ndarray, circle: Circle) -> float:
    """IoU of a circle's disk and the network's eye (iris + pupil), (h, w) bool."""
    inside = disk(eye.shape, circle)
    union = int((inside | eye).sum())
    return float((inside & eye).sum()) / union if union else 0.0
