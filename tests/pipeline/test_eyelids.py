"""The visible-iris mask on drawn eyes whose geometry is exact."""

from __future__ import annotations

import numpy as np

from irisd.pipeline.geometry import Circle, gray
from irisd.pipeline.segment import chroma
from irisd.pipeline.segment.eyelids import visible_mask
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


def test_a_lid_as_light_as_a_blue_iris_is_told_by_its_colour() -> None:
    """A blue iris can be as light as the lid over it; its colour is not the lid's."""
    rgb = synthetic_eye(iris_r=IRIS_R, pupil_ratio=PUPIL_RATIO, iris_colour=(110, 150, 200))
    h, w = rgb.shape[:2]
    iris = Circle(w / 2, h / 2, IRIS_R)
    pupil = Circle(w / 2, h / 2, IRIS_R * PUPIL_RATIO)
    ys, xs = np.mgrid[0:h, 0:w]
    lid = ys < iris.y - 0.6 * IRIS_R + 0.15 * (xs - iris.x) ** 2 / IRIS_R
    level = float(gray(rgb)[annulus((h, w), iris, pupil)].mean())
    noise = np.random.default_rng(1).normal(0, 6, (h, w))
    rgb[lid] = np.clip(level + noise[lid], 0, 255)[:, None]  # grey skin at the iris's level
    image = gray(rgb)
    colour = chroma(rgb)
    assert colour is not None

    by_grey = visible_mask(image, iris, pupil)
    by_colour = visible_mask(image, iris, pupil, colour)

    inside = annulus((h, w), iris, pupil)
    under_lid = inside & lid
    assert (by_grey & under_lid).sum() / under_lid.sum() > 0.5  # grey alone cannot tell
    assert (by_colour & under_lid).sum() / under_lid.sum() < 0.1
    open_iris = inside & ~lid & (rgb.min(axis=2) < 250)
    assert (by_colour & open_iris).sum() / open_iris.sum() > 0.85  # the iris itself stays
    assert chroma(np.repeat(image[..., None], 3, axis=2).astype(np.uint8)) is None
