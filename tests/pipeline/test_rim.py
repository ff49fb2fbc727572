"""A clean disc edge: a pale wash over the print's rim (the limbus's blurred sclera side, a
lid's margin) is taken down to the iris's level, its texture kept; a dark limbal ring, and
the rest of the iris, are left as they are."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline import rim
from irisd.pipeline.geometry import Circle

SIDE, RADIUS = 400, 180.0
DISC = Circle((SIDE - 1) / 2, (SIDE - 1) / 2, RADIUS)


def lightness(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[..., 0]


def brown_iris(limbal: float) -> tuple[np.ndarray, np.ndarray]:
    """A brown iris with radial fibres, `limbal` grey levels darker at its edge; and each
    pixel's distance from the centre in radii."""
    rng = np.random.default_rng(4)
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    reach = np.hypot(xs - DISC.x, ys - DISC.y) / RADIUS
    angle = np.arctan2(ys - DISC.y, xs - DISC.x)
    fibres = sum(
        rng.uniform(-1, 1) * np.cos(k * angle + rng.uniform(0, 6.3)) for k in range(30, 70)
    )
    level = 110 + 4 * np.asarray(fibres) - limbal * np.clip((reach - 0.85) / 0.15, 0, 1)
    image = np.clip(level[..., None] * np.array([1.0, 0.7, 0.55]), 0, 255)
    return image.astype(np.uint8), reach


def test_a_pale_wash_on_the_rim_is_taken_down_to_the_iris_and_keeps_its_texture() -> None:
    iris, reach = brown_iris(limbal=0.0)
    xs = np.mgrid[0:SIDE, 0:SIDE][1]
    washed = iris.astype(np.float32)
    wash = np.clip((reach - 0.88) / 0.08, 0, 1) * (xs < DISC.x)  # the left half's rim
    washed += (np.array([235.0, 220.0, 200.0]) - washed) * 0.5 * wash[..., None]
    washed_u8 = np.clip(washed + 0.5, 0, 255).astype(np.uint8)

    cleaned = rim.clean(washed_u8, DISC)
    changed = np.abs(cleaned.astype(int) - washed_u8).max(axis=2) > 0

    band = (reach > 0.94) & (reach < 0.99) & (xs < DISC.x - 20)
    inner = (reach > 0.72) & (reach < 0.8)
    before = lightness(washed_u8)[band].mean() - lightness(iris)[inner].mean()
    after = lightness(cleaned)[band].mean() - lightness(iris)[inner].mean()
    assert before > 15
    assert after < min(rim.TOLERANCE + 3, 0.35 * before)  # the wash's smoothed edge
    detail = cv2.Laplacian(lightness(cleaned), cv2.CV_32F)[band].std()
    assert detail >= 0.8 * cv2.Laplacian(lightness(washed_u8), cv2.CV_32F)[band].std()
    assert changed[band].mean() > 0.9
    assert not changed[reach < rim.RIM].any()  # the iris inside the rim is untouched
    right = (xs > DISC.x + 20) & (reach < 1.0)
    assert np.array_equal(cleaned[right], washed_u8[right])


def test_a_dark_limbal_ring_is_left_as_it_is() -> None:
    iris, _ = brown_iris(limbal=30.0)
    assert np.array_equal(rim.clean(iris, DISC), iris)
