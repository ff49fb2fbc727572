"""The learned mask's part in the visible-iris mask: resampling and the vote."""

from __future__ import annotations

import numpy as np

from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.segment import fuse
from irisd.pipeline.segment.outline import detail_crop, prior_on_detail, working_copy


def iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def test_prior_lands_on_the_same_iris_in_the_detail_crop() -> None:
    rgb = np.zeros((1700, 3000, 3), np.uint8)  # a phone photo's size: the copy is reduced
    iris = Circle(1900.0, 800.0, 420.0)
    small, scale = working_copy(rgb)
    prob = disk(small.shape[:2], iris.scaled(scale)).astype(np.float32)

    detail = detail_crop(rgb, iris)
    prior = prior_on_detail(prob, scale, detail)

    expected = disk(prior.shape, detail.to_detail(iris))
    assert scale < 1
    assert detail.scale < 1
    assert iou(prior > 0.5, expected) > 0.97


def ring(shape: tuple[int, int], r: float) -> tuple[Circle, Circle, np.ndarray, np.ndarray]:
    """Iris and pupil circles, their annulus, and the rows above 0.6 r over the centre."""
    iris = Circle(shape[1] / 2, shape[0] / 2, r)
    pupil = iris.resized(0.4)
    annulus = disk(shape, iris) & ~disk(shape, pupil)
    return iris, pupil, annulus, np.mgrid[0 : shape[0], 0 : shape[1]][0] < iris.y - 0.6 * r


def test_agreeing_network_overrules_the_noise_map_where_confident() -> None:
    iris, pupil, annulus, top = ring((200, 200), 70)
    classical = annulus.copy()
    classical[100:110, 35:55] = False  # a patch the noise map cut by mistake
    # The network is sure of an iris a little wider than the circle, and of a lid over the
    # top that the classical mask missed.
    wide = disk(annulus.shape, iris.resized(1.08)) & ~disk(annulus.shape, pupil)
    prob = np.where(wide, 0.95, 0.02).astype(np.float32)
    prob[top] = 0.05

    fused = fuse.fuse(classical, iris, pupil, prob)

    assert fused[100:110, 35:55].all()
    assert not (fused & top).any()
    assert (fused & wide & ~annulus & ~top).sum() > 0.9 * (wide & ~annulus & ~top).sum()
    reach = disk(annulus.shape, iris.resized(1 + fuse.SUPPORT_MARGIN))
    assert not (fused & ~reach).any()


def test_unsure_network_does_not_widen_the_mask() -> None:
    iris, pupil, annulus, _ = ring((200, 200), 70)
    prob = np.where(disk(annulus.shape, iris.resized(1.1)), 0.7, 0.02).astype(np.float32)

    assert np.array_equal(fuse.fuse(annulus, iris, pupil, prob), annulus)


def test_disagreeing_network_leaves_the_classical_mask_alone() -> None:
    iris, pupil, annulus, top = ring((200, 200), 70)
    classical = annulus & ~top
    prob = np.zeros((200, 200), np.float32)
    prob[:40] = 0.99  # somewhere else entirely

    assert np.array_equal(fuse.fuse(classical, iris, pupil, prob), classical)
