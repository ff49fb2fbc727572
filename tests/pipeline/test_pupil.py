"""A clean black pupil: what the cornea reflected over it is painted out, the iris is not."""

from __future__ import annotations

import csv

import cv2
import numpy as np

from irisd.pipeline import pupil
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.run import segment_and_gate
from irisd.pipeline.types import PipelineOptions
from tests.conftest import data_root

SIDE = 200
PUPIL = Circle(100.0, 100.0, 40.0)


def lightness(rgb: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(rgb.astype(np.float32) / 255, cv2.COLOR_RGB2LAB)[..., 0]


def test_catchlights_and_haze_in_the_pupil_are_painted_black_and_the_iris_is_untouched() -> None:
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    dist = np.hypot(xs - PUPIL.x, ys - PUPIL.y)
    rng = np.random.default_rng(0)
    photo = np.clip(rng.normal((120, 80, 50), 12, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    photo[dist <= PUPIL.r] = (22, 24, 30)  # a bluish grey haze over the pupil
    catchlight = np.hypot(xs - 90, ys - 85) < 6
    photo[catchlight] = (250, 250, 250)

    painted = pupil.clean(photo, PUPIL)

    core = dist <= 0.8 * PUPIL.r
    assert lightness(painted)[core].max() <= pupil.DARKEST + 0.5  # no catchlight, no haze
    assert np.ptp(painted[core].astype(int), axis=1).max() <= 2  # neutral black
    assert np.array_equal(painted[dist > PUPIL.r + 1], photo[dist > PUPIL.r + 1])
    # the paint fades out towards the edge: lighter there than deep inside, darker than before
    rim = (dist > 0.9 * PUPIL.r) & (dist < 0.95 * PUPIL.r)
    assert lightness(painted)[core].mean() < lightness(painted)[rim].mean()
    assert lightness(painted)[rim].mean() < lightness(photo)[rim].mean()


def test_a_pupil_outside_the_crop_leaves_it_as_it_is() -> None:
    photo = np.full((SIDE, SIDE, 3), 90, np.uint8)
    assert np.array_equal(pupil.clean(photo, Circle(-80.0, -80.0, 30.0)), photo)


def test_a_pupil_circle_drawn_on_a_dark_collarette_paints_only_the_pupil_in_it() -> None:
    # The outline took the dark ring around the pupil for the pupil: twice its width.
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    dist = np.hypot(xs - PUPIL.x, ys - PUPIL.y)
    rng = np.random.default_rng(1)
    photo = np.clip(rng.normal((60, 90, 110), 10, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    photo[dist <= 20] = (8, 9, 12)  # the real pupil, half the circle's radius

    painted = pupil.clean(photo, PUPIL)

    collarette = (dist > 26) & (dist <= PUPIL.r)
    assert np.abs(lightness(painted)[collarette] - lightness(photo)[collarette]).max() < 1.0
    assert lightness(painted)[dist <= 15].max() <= pupil.DARKEST + 0.5


def test_a_pupil_circle_on_a_dark_collarette_is_taken_in_to_the_pupil_and_a_soft_edge_is_not() -> (
    None
):
    # The outline took the dark ring around the pupil for the pupil (colour-dev: 5 circles at
    # 1.4-2.4 times the pupil's radius): the iris in it would stay dark as pupil.
    photo = np.full((200, 200, 3), 120, np.uint8)
    ys, xs = np.mgrid[0:200, 0:200]
    dist = np.hypot(xs - PUPIL.x, ys - PUPIL.y)
    photo[dist <= PUPIL.r] = (60, 50, 45)  # the dark collarette
    photo[dist <= 20] = (8, 9, 12)  # the real pupil, half the circle's radius

    taken = pupil.tightened(photo, PUPIL)

    assert abs(taken.r - 20) <= 0.1 * PUPIL.r
    assert (taken.x, taken.y) == (PUPIL.x, PUPIL.y)
    # A pupil whose dark fades out over its outer fifth keeps the circle it was given.
    soft = np.full((200, 200, 3), 120, np.uint8)
    fade = np.clip((dist - 0.8 * PUPIL.r) / (0.2 * PUPIL.r), 0, 1)[..., None]
    soft[dist <= PUPIL.r] = (8 + fade * 60).astype(np.uint8)[dist <= PUPIL.r]
    assert pupil.tightened(soft, PUPIL) == PUPIL
    # A 12 MP photo's pupil is judged on a smaller copy, to the same answer.
    large = Circle(800.0, 800.0, 320.0)
    big = cv2.resize(photo, (1600, 1600), interpolation=cv2.INTER_NEAREST)
    assert abs(pupil.tightened(big, large).r - 160) <= 0.1 * large.r


def brown_with_pupil(centre: tuple[float, float], radius: float, haze: bool) -> np.ndarray:
    """A dark brown iris crop (L* about 35) with a black pupil at `centre`; with `haze`, a
    ring light's grey veil over the middle of the pupil, off to the left (L* about 25), as
    in the clinic photos whose pupil the outline missed."""
    rng = np.random.default_rng(2)
    photo = np.clip(rng.normal((110, 70, 50), 10, (SIDE, SIDE, 3)), 0, 255)
    ys, xs = np.mgrid[0:SIDE, 0:SIDE]
    inside = np.hypot(xs - centre[0], ys - centre[1]) <= radius
    photo[inside] = (12, 12, 14)
    if haze:
        veil = np.hypot(xs - centre[0] + 0.3 * radius, ys - centre[1]) <= 0.6 * radius
        photo[inside & veil] = (60, 60, 68)
    return np.asarray(photo, np.uint8)


def test_a_pupil_the_outline_missed_is_found_where_the_photo_shows_it() -> None:
    assumed = Circle(100.0, 100.0, 40.0)  # concentric, typical size
    for haze in (False, True):
        photo = brown_with_pupil((110.0, 92.0), 34.0, haze)
        found = pupil.found(photo, assumed)
        assert found is not None
        assert np.hypot(found.x - 110.0, found.y - 92.0) <= 3.0
        assert abs(found.r - 34.0) <= 0.1 * 34.0


def test_no_pupil_is_found_where_the_photo_shows_no_dark_disc() -> None:
    assumed = Circle(100.0, 100.0, 40.0)
    rng = np.random.default_rng(3)
    dark = np.clip(rng.normal((30, 24, 22), 3, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    assert pupil.found(dark, assumed) is None  # a near-black iris: dark to the box's edge
    light = np.clip(rng.normal((150, 110, 80), 10, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    assert pupil.found(light, assumed) is None  # nothing dark at all


# Crisp pupils of colour-dev whose outline circle was off (by a catchlight at the edge, a dark
# collarette, a window), with their hand-checked circles.
FIT_PHOTOS = (
    "web-iridology/images/iris10.jpg",
    "web-misc/images/google_eye.jpg",
    "web-colours/images/blue13.jpg",
    "web-colours/images/brown2.jpeg",
)


def hand_checked(name: str) -> tuple[np.ndarray, Circle]:
    base = data_root() / "colour-dev"
    with (base / "outlines.csv").open(newline="") as handle:
        row = next(r for r in csv.DictReader(handle) if r["image"] == name)
    image = cv2.imread(str(base / name))
    assert image is not None, name
    rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
    return rgb, Circle(*(float(row[k]) for k in ("pupil_cx", "pupil_cy", "pupil_r")))


def disc_iou(a: Circle, b: Circle, shape: tuple[int, int]) -> float:
    one, other = disk(shape, a), disk(shape, b)
    return float((one & other).sum() / (one | other).sum())


def test_the_outlines_pupil_is_fitted_to_the_pupils_edge_and_a_right_circle_stays() -> None:
    for name in FIT_PHOTOS:
        rgb, truth = hand_checked(name)
        shape = rgb.shape[:2]
        seg, _ = segment_and_gate(rgb, lambda *_: None, PipelineOptions())
        assert seg.pupil_seen
        assert disc_iou(seg.pupil, truth, shape) > 0.88, name
        # a circle a little off is drawn to the edge; the right one stays where it is
        for dx, dy in ((0.15, 0.0), (0.0, -0.15), (-0.1, 0.1)):
            off = Circle(truth.x + dx * truth.r, truth.y + dy * truth.r, truth.r)
            assert disc_iou(off, truth, shape) < 0.85
            assert disc_iou(pupil.fitted(rgb, off), truth, shape) > 0.88, (name, dx, dy)
        assert disc_iou(pupil.fitted(rgb, truth), truth, shape) > 0.9, name


def test_no_circle_is_fitted_where_the_photo_shows_no_pupil_edge() -> None:
    rng = np.random.default_rng(2)
    flat = np.clip(rng.normal((120, 80, 50), 12, (SIDE, SIDE, 3)), 0, 255).astype(np.uint8)
    assert pupil.fitted(flat, PUPIL) == PUPIL
