"""What covers the iris: lashes over a visible iris, drawn where their pixels are known."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline import occlusion

SIDE, IRIS_R, PUPIL_R = 240, 100.0, 40.0
CENTRE = SIDE / 2


def strokes(angles_deg: list[float], start: float, end: float) -> np.ndarray:
    """(SIDE, SIDE) bool: 2 px lines along the radius from `start` to `end` iris radii."""
    canvas = np.zeros((SIDE, SIDE), np.uint8)
    for angle in np.radians(angles_deg):
        a = (CENTRE + start * IRIS_R * np.cos(angle), CENTRE + start * IRIS_R * np.sin(angle))
        b = (CENTRE + end * IRIS_R * np.cos(angle), CENTRE + end * IRIS_R * np.sin(angle))
        cv2.line(canvas, tuple(round(v) for v in a), tuple(round(v) for v in b), 1, 2)
    return canvas > 0


def test_lashes_from_a_lid_along_the_limbus_are_covered_and_crypts_stay() -> None:
    """The upper lid lies just above the limbus, so none of the ring is lid; its lashes hang
    into the iris. They are covered; strokes as thin and dark lower down (crypts, furrows)
    and the rest of the iris are not."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    dist = np.hypot(xs - CENTRE, ys - CENTRE)
    ring = (dist <= IRIS_R) & (dist > PUPIL_R)
    texture = cv2.GaussianBlur(np.random.default_rng(3).normal(0, 6, (SIDE, SIDE)), (0, 0), 1.0)
    grey = (110 + texture).astype(np.float32)
    grey[dist <= PUPIL_R] = 20
    grey[(dist > IRIS_R) & (ys < CENTRE - 0.8 * IRIS_R)] = 60  # the lid above the limbus
    lashes = strokes([-150, -120, -100, -75, -50, -30], 1.1, 0.6) & ring
    crypts = strokes([20, 60, 100, 140, 170], 0.55, 0.85) & ring
    grey[lashes | crypts] = 50
    visible = ring.copy()  # the noise map took the thin strokes for iris

    hidden = occlusion.covered(grey, visible, ring, IRIS_R)

    assert hidden[lashes].mean() > 0.8, f"only {hidden[lashes].mean():.2f} of the lashes covered"
    assert hidden[crypts].mean() < 0.05, f"{hidden[crypts].mean():.2f} of the crypts covered"
    rest = ring & ~lashes & ~crypts
    assert hidden[rest].mean() < 0.02, f"{hidden[rest].mean():.3f} of the open iris covered"


def test_holes_inside_the_iris_are_its_own_texture_and_a_lid_from_the_limbus_is_covered() -> None:
    """The visible mask leaves out dark crypts and pale fibres inside the iris (its noise test
    flags them) as well as a lid reaching in from the limbus. Only the lid is covered: the
    iris's own marks are printed as they are, not completed."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    dist = np.hypot(xs - CENTRE, ys - CENTRE)
    ring = (dist <= IRIS_R) & (dist > PUPIL_R)
    texture = cv2.GaussianBlur(np.random.default_rng(5).normal(0, 6, (SIDE, SIDE)), (0, 0), 1.0)
    grey = (110 + texture).astype(np.float32)
    lid = ring & (ys < CENTRE - 0.7 * IRIS_R)
    marks = np.zeros((SIDE, SIDE), bool)
    for x, y, value in ((CENTRE + 60, CENTRE + 20, 40), (CENTRE - 55, CENTRE + 35, 200)):
        spot = np.hypot(xs - x, ys - y) < 7
        grey[spot] = value
        marks |= spot
    grey[lid] = 190
    visible = ring & ~lid & ~marks

    hidden = occlusion.covered(grey, visible, ring, IRIS_R)

    assert hidden[lid].all()
    assert not hidden[marks].any(), f"{hidden[marks].mean():.2f} of the iris's marks covered"
    assert hidden[ring & ~lid].mean() < 0.2  # the lid's margin, nothing else
    far = ring & (ys > CENTRE)
    assert not hidden[far].any()


def test_skin_that_grazes_the_limbus_is_covered_where_iris_of_its_grey_is_carried_there() -> None:
    """The visible mask stops a little inside the limbus, and is carried out to it where the
    band is not far lighter than the iris. A lower lid that only grazes the circle is skin as
    grey as a blue iris but pink: in a colour photo it is covered, not printed as a sliver;
    the band of iris colour all round is carried out as before."""
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    dist = np.hypot(xs - CENTRE, ys - CENTRE)
    ring = (dist <= IRIS_R) & (dist > PUPIL_R)
    texture = cv2.GaussianBlur(np.random.default_rng(7).normal(0, 6, (SIDE, SIDE)), (0, 0), 1.0)
    grey = (110 + texture).astype(np.float32)
    chroma = np.zeros((SIDE, SIDE, 2), np.float32)
    chroma[..., 0] = -4.0 + texture.astype(np.float32) * 0.3  # a*: a blue iris ...
    chroma[..., 1] = -22.0 + texture.astype(np.float32) * 0.3  # b*
    skin = ring & (dist > 0.95 * IRIS_R) & (ys > CENTRE + 0.6 * IRIS_R)
    chroma[skin] = (18.0, 12.0)  # ... and the pink skin of the lid, at the iris's grey
    visible = ring & (dist < 0.95 * IRIS_R)  # the mask stops short of the limbus

    grey_only = occlusion.covered(grey, visible, ring, IRIS_R)
    coloured = occlusion.covered(grey, visible, ring, IRIS_R, chroma)

    assert grey_only[skin].mean() < 0.05  # what printed the sliver
    assert coloured[skin].mean() > 0.9
    band = ring & (dist > 0.95 * IRIS_R) & ~skin
    assert coloured[band].mean() < 0.05
