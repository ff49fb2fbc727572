"""Specks: the small white dots the cornea adds (tear-film debris, lash and lid-margin glints)
are found, and the fibres and crypts of the iris, light or dark, are not."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline import specks
from irisd.pipeline.geometry import Circle, disk
from tests.pipeline.eyes import light_iris

SIDE, IRIS_R, PUPIL_R = 400, 160.0, 50.0
CENTRE = (SIDE - 1) / 2
RING = disk((SIDE, SIDE), Circle(CENTRE, CENTRE, IRIS_R)) & ~disk(
    (SIDE, SIDE), Circle(CENTRE, CENTRE, PUPIL_R)
)
DOTS = [
    (CENTRE + 90, CENTRE - 40),
    (CENTRE - 70, CENTRE + 60),
    (CENTRE + 10, CENTRE + 120),
    (CENTRE - 20, CENTRE - 100),
    (CENTRE + 60, CENTRE + 70),
]


def with_dots(image: np.ndarray, radius: float = 1.8) -> tuple[np.ndarray, np.ndarray]:
    """Near-white dots a few pixels across with a soft edge; returns (image, (H, W) cores)."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    out = image.astype(np.float32)
    cores = np.zeros((SIDE, SIDE), bool)
    for x, y in DOTS:
        dist = np.hypot(xs - x, ys - y)
        alpha = np.clip(radius + 1.0 - dist, 0.0, 1.0)
        out += (np.array([245.0, 245.0, 240.0]) - out) * alpha[:, :, None]
        cores |= dist <= radius
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), cores


def dark_iris() -> np.ndarray:
    """A dark brown iris with the light iris's fibres and crypts, L* about 25."""
    texture = cv2.cvtColor(light_iris(), cv2.COLOR_RGB2GRAY).astype(np.float32) / 160.0
    return np.clip(texture[..., None] * np.array([70.0, 45.0, 32.0]), 0, 255).astype(np.uint8)


def test_specks_on_a_light_iris_are_found_and_its_bright_fibres_are_not() -> None:
    image, cores = with_dots(light_iris())
    found = specks.find(image, RING, IRIS_R)
    assert (found & cores).sum() / cores.sum() >= 0.9
    near = cv2.dilate(cores.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    assert (found & near).sum() / found.sum() >= 0.9  # nothing else touched
    assert specks.find(light_iris(), RING, IRIS_R).sum() / RING.sum() <= 0.001


def test_specks_on_a_dark_iris_are_found_and_its_texture_is_not() -> None:
    image, cores = with_dots(dark_iris())
    found = specks.find(image, RING, IRIS_R)
    assert (found & cores).sum() / cores.sum() >= 0.9
    near = cv2.dilate(cores.astype(np.uint8), np.ones((7, 7), np.uint8)) > 0
    assert (found & near).sum() / found.sum() >= 0.9
    assert specks.find(dark_iris(), RING, IRIS_R).sum() / RING.sum() <= 0.001


def test_a_reflection_wider_than_a_speck_is_left_to_the_glint_search() -> None:
    image, cores = with_dots(light_iris(), radius=12.0)
    assert not (specks.find(image, RING, IRIS_R) & cores).any()
