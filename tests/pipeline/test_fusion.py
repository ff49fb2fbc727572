"""The learned mask's part in the visible-iris mask: resampling and the vote."""

from __future__ import annotations

import numpy as np

from irisd.pipeline import learned
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.segment import detail_crop, prior_on_detail, working_copy


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


def ring(shape: tuple[int, int], r: float) -> tuple[np.ndarray, np.ndarray]:
    centre = Circle(shape[1] / 2, shape[0] / 2, r)
    annulus = disk(shape, centre) & ~disk(shape, Circle(centre.x, centre.y, 0.4 * r))
    return annulus, np.mgrid[0 : shape[0], 0 : shape[1]][0] < centre.y - 0.6 * r


def test_agreeing_network_overrules_the_noise_map_where_confident() -> None:
    annulus, top = ring((200, 200), 80)
    classical = annulus.copy()
    classical[100:110, 30:50] = False  # a patch the noise map cut by mistake
    prob = np.where(annulus, 0.95, 0.02).astype(np.float32)
    prob[top] = 0.05  # the network sees a lid over the top; the classical mask missed it

    fused = learned.fuse(classical, annulus, prob)

    assert fused[100:110, 30:50].all()
    assert not (fused & top).any()
    assert not (fused & ~annulus).any()


def test_disagreeing_network_leaves_the_classical_mask_alone() -> None:
    annulus, top = ring((200, 200), 80)
    classical = annulus & ~top
    prob = np.zeros((200, 200), np.float32)
    prob[:40] = 0.99  # somewhere else entirely

    assert np.array_equal(learned.fuse(classical, annulus, prob), classical)
