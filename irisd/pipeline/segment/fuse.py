"""The visible-iris mask from both paths: the network's confident pixels overrule the
classical noise map where the two masks broadly agree."""

from __future__ import annotations

import numpy as np

from irisd.pipeline.geometry import Circle, disk

# Below this IoU of the two masks the classical mask stands alone; above it each pixel is a
# vote, LEARNED_WEIGHT for the network, over the annulus widened by SUPPORT_MARGIN of each
# radius, so an iris that is not quite a circle is followed where the network is sure
# (bench/pipeline/segmentation.py measures the masks' IoU with the ground truth).
MIN_MASK_AGREEMENT = 0.7
LEARNED_WEIGHT = 0.55
SUPPORT_MARGIN = 0.15


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
