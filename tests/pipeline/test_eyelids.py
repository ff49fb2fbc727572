"""The visible-iris mask on drawn eyes whose geometry is exact."""

from __future__ import annotations

import numpy as np

from irisd.pipeline.eyelids import visible_mask
from irisd.pipeline.geometry import Circle, gray
from tests.pipeline.eyes import synthetic_eye

IRIS_R, PUPIL_RATIO = 110.0, 0.4


def annulus(shape: tuple[int, int], iris: Circle, pupil: Circle, grow: float = 0.0) -> np.ndarray:
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    dist = np.hypot(xs - iris.x, ys - iris.y)
    return np.asarray((dist <= iris.r + grow) & (dist > pupil.r - grow), bool)


def test_a_dark_limbal_ring_is_iris_not_lashes() -> None:
    """Irises darken towards the limbus; that band is texture to keep, not an occlusion."""
    rgb = synthetic_eye(iris_r=IRIS_R, pupil_ratio=PUPIL_RATIO).astype(np.float32)
    h, w = rgb.shape[:2]
    iris = Circle(w / 2, h / 2, IRIS_R)
    pupil = Circle(w / 2, h / 2, IRIS_R * PUPIL_RATIO)
    ys, xs = np.mgrid[0:h, 0:w]
    dist = np.hypot(xs - iris.x, ys - iris.y)
    ring = (dist > 0.8 * IRIS_R) & (dist <= IRIS_R)
    rgb[ring] -= 45.0  # a limbal ring well beyond the texture's spread
    image = gray(np.clip(rgb, 0, 255).astype(np.uint8))

    visible = visible_mask(image, iris, pupil)

    inside = annulus((h, w), iris, pupil)
    glint = rgb.min(axis=2) >= 250
    assert (visible & ~annulus((h, w), iris, pupil, grow=1.0)).sum() == 0  # edge pixels aside
    covered = (visible & inside).sum() / (inside & ~glint).sum()
    assert covered > 0.9, f"only {covered:.2f} of an unoccluded annulus kept"
