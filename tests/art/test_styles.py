"""The art studio's style presets (issue 27) on a real print.

The print is the pipeline's own, made from a real blue iris of colour-dev (bench/images/styles.py
picks it; skipped where $IRISD_DATA is absent). Three measures, all on the result composited on
mid-grey and reduced to a fixed size, so that they judge the picture and not its pixel count:

- distinct: two presets differ in STRUCTURE (the better correlation of their edge maps, the
  gradient magnitude of L* or over all three Lab channels, at most DISTINCT_STRUCTURE) and,
  unless the structure differs a lot (at most DIFFERENT_STRUCTURE), in colour (mean CIE76
  colour difference at least DISTINCT_COLOUR). A recoloured copy of any preset, "the same
  filter with another tint" (hues turned by 120 degrees, greys coloured), keeps the
  structure (0.90 or more on this print; the closest two presets: 0.75) and fails.
- recognisable: the style keeps the print's own iris texture: on the iris ring, less each
  ring's mean (what is the same all round, like a drawn circle or a radial gradient, says
  nothing of this iris), the best correlation of the result's band-passed shading, gradient or
  local contrast with the print's is at least RECOGNISABLE. A blank or noise iris of the same
  disc, styled the same way, fails it.
- the preview (512 px) and the full size (2048 px, reduced) agree: colour difference at most
  AGREE_COLOUR, structure at least AGREE_STRUCTURE; another preset's full size does not.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import cv2
import numpy as np
import pytest

from bench.images.styles import PICKS
from bench.lib.datasets import data_root
from irisd.art.styles import PRESETS, Preset, UnknownPreset, preset, stylise
from irisd.art.styles.canvas import Canvas
from irisd.pipeline import PipelineOptions, process

IDS = [p.id for p in PRESETS]
PREVIEW, FULL = 512, 2048
MEASURE = 128  # distinct and agreement are judged at this size
TEXTURE = 256  # recognisable at this one
DISTINCT_STRUCTURE, DIFFERENT_STRUCTURE, DISTINCT_COLOUR = 0.82, 0.6, 12.0
RECOGNISABLE = 0.25
AGREE_COLOUR, AGREE_STRUCTURE = 6.0, 0.9
APP_CATEGORIES = {
    "abstract", "watercolor", "oil_painting", "geometric", "cosmic", "nature", "pop_art",
    "minimalist",
}  # fmt: skip


@pytest.fixture(scope="module")
def real_print() -> np.ndarray:
    """The pipeline's print (BGRA) of the blue colour-dev iris the bench uses."""
    _label, image, _ = next(p for p in PICKS if p[0] == "blue")
    photo = data_root() / "colour-dev" / image
    if not photo.is_file():
        pytest.skip(f"colour-dev photos not found at {photo.parent} (set IRISD_DATA)")
    result = process(photo.read_bytes(), lambda step, progress: None, PipelineOptions())
    return np.asarray(cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED))


@pytest.fixture(scope="module")
def preview(real_print: np.ndarray) -> np.ndarray:
    return resized(real_print, PREVIEW)


@pytest.fixture(scope="module")
def styled(preview: np.ndarray) -> dict[str, np.ndarray]:
    return {preset_id: stylise(preview, preset_id) for preset_id in IDS}


def resized(bgra: np.ndarray, side: int) -> np.ndarray:
    method = cv2.INTER_LANCZOS4 if side > bgra.shape[0] else cv2.INTER_AREA
    return np.asarray(cv2.resize(bgra, (side, side), interpolation=method))


def lab(bgra: np.ndarray, side: int) -> np.ndarray:
    """CIE Lab (L 0..100) of `bgra` on mid-grey at `side` px."""
    small = cv2.resize(bgra, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    alpha = small[:, :, 3:4] / 255.0
    bgr = (small[:, :, :3] * alpha + 128.0 * (1.0 - alpha)) / 255.0
    return np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2LAB))


def correlation(x: np.ndarray, y: np.ndarray) -> float:
    x, y = x.ravel() - x.mean(), y.ravel() - y.mean()
    return float((x * y).sum() / np.sqrt((x * x).sum() * (y * y).sum() + 1e-12))


def gradient(luminance: np.ndarray, sigma: float) -> np.ndarray:
    soft = cv2.GaussianBlur(luminance, (0, 0), sigma)
    return np.asarray(
        np.hypot(cv2.Sobel(soft, cv2.CV_32F, 1, 0), cv2.Sobel(soft, cv2.CV_32F, 0, 1))
    )


def colour_difference(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.linalg.norm(lab(a, MEASURE) - lab(b, MEASURE), axis=2).mean())


def colour_edges(bgra: np.ndarray) -> np.ndarray:
    """The gradient magnitude in all three Lab channels: where the picture's shapes meet,
    whatever colours they are (so that a recolouring keeps them)."""
    image = lab(bgra, MEASURE)
    total = np.zeros(image.shape[:2], np.float32)
    for c in range(3):
        total += gradient(image[:, :, c], 1.0) ** 2
    return np.sqrt(total)


def structure(a: np.ndarray, b: np.ndarray) -> float:
    """How far two pictures share their shapes: the better of their luminance edges' and
    their colour edges' correlation (a retint keeps one or the other)."""
    luminance = correlation(
        gradient(lab(a, MEASURE)[:, :, 0], 1.0), gradient(lab(b, MEASURE)[:, :, 0], 1.0)
    )
    return max(luminance, correlation(colour_edges(a), colour_edges(b)))


def distinct(a: np.ndarray, b: np.ndarray) -> bool:
    shared = structure(a, b)
    if shared > DISTINCT_STRUCTURE:
        return False
    return shared <= DIFFERENT_STRUCTURE or colour_difference(a, b) >= DISTINCT_COLOUR


def texture_maps(bgra: np.ndarray) -> dict[str, np.ndarray]:
    """The iris's texture as the eye reads it: band-passed shading, its gradient, its local
    contrast (luminance only: a style may recolour freely)."""
    luminance = lab(bgra, TEXTURE)[:, :, 0]
    mean = cv2.GaussianBlur(luminance, (0, 0), 5)
    contrast = np.sqrt(np.maximum(cv2.GaussianBlur(luminance**2, (0, 0), 5) - mean**2, 0.0))
    shading = cv2.GaussianBlur(luminance, (0, 0), 3) - cv2.GaussianBlur(luminance, (0, 0), 12)
    return {"shading": shading, "gradient": gradient(luminance, 3.0), "contrast": contrast}


def recognisable(styled_print: np.ndarray, real: np.ndarray) -> float:
    """The best correlation of `styled_print`'s texture maps with `real`'s on the iris ring
    (pupil and rim left out), each ring's mean taken off first."""
    pupil = Canvas(real, "").pupil
    ys, xs = np.indices((TEXTURE, TEXTURE))
    r = np.hypot(xs - (TEXTURE - 1) / 2, ys - (TEXTURE - 1) / 2) / (TEXTURE / 2)
    # The disc ends at 0.94; its outer band holds a style's halo and the print's rim, not the
    # iris's texture (Golden Hour's glow round a blank disc correlated 0.27 out to 0.9).
    ring_mask = (r > pupil + 0.08) & (r < 0.85)
    rings = np.clip((r * 64).astype(np.int64), 0, 63)[ring_mask]

    def off_rings(values: np.ndarray) -> np.ndarray:
        inside = values[ring_mask]
        sums = np.bincount(rings, inside, minlength=64)
        return np.asarray(inside - (sums / np.maximum(np.bincount(rings, minlength=64), 1))[rings])

    ours, theirs = texture_maps(styled_print), texture_maps(real)
    return max(correlation(off_rings(ours[k]), off_rings(theirs[k])) for k in ours)


def recoloured(bgra: np.ndarray, hue_shift: int) -> np.ndarray:
    """`bgra` in another tint: every hue turned by `hue_shift` (OpenCV units, 0..180) and
    the greys coloured (saturation at least half), the same picture otherwise."""
    hsv = cv2.cvtColor(bgra[:, :, :3], cv2.COLOR_BGR2HSV)
    hsv[:, :, 0] = (hsv[:, :, 0].astype(np.int32) + hue_shift) % 180
    hsv[:, :, 1] = np.maximum(hsv[:, :, 1], 128)
    out = bgra.copy()
    out[:, :, :3] = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    return out


def test_the_catalogue_is_the_apps() -> None:
    assert IDS == [
        "cosmic_iris", "watercolor_dream", "pop_vision", "minimal_lines", "natures_eye",
        "oil_master", "neon_pulse", "crystal_geometry", "aurora_flow", "monets_garden",
        "stained_glass", "digital_glitch", "golden_hour", "ink_wash", "fire_and_ice",
    ]  # fmt: skip
    assert all(p.name == p.id for p in PRESETS)
    assert [p.tier for p in PRESETS] == ["free"] * 5 + ["premium"] * 10
    assert [p.sort_order for p in PRESETS] == [*range(5), *range(10)]
    assert {p.category for p in PRESETS} <= APP_CATEGORIES
    assert preset("fire_and_ice").display_name == "Fire & Ice"
    assert preset("natures_eye").display_name == "Nature's Eye"
    assert preset("ink_wash") == Preset(
        "ink_wash", "ink_wash", "Ink Wash", "Traditional East Asian ink wash painting (sumi-e)",
        "minimalist", "premium", 8,
    )  # fmt: skip


def test_an_unknown_preset_is_refused() -> None:
    with pytest.raises(UnknownPreset):
        preset("cosmic-iris")
    with pytest.raises(UnknownPreset):
        stylise(np.zeros((8, 8, 4), np.uint8), "sepia")
    assert issubclass(UnknownPreset, ValueError)


@pytest.mark.parametrize("preset_id", IDS)
def test_a_style_is_a_new_bgra_print_of_the_same_size_every_time(
    preset_id: str, preview: np.ndarray, styled: dict[str, np.ndarray]
) -> None:
    before = preview.copy()
    reports: list[float] = []
    again = stylise(preview, preset_id, reports.append)
    assert again.shape == preview.shape
    assert again.dtype == np.uint8
    assert np.array_equal(again, styled[preset_id])  # deterministic
    assert np.array_equal(preview, before)  # the input is not touched
    assert reports == sorted(reports)
    assert reports[0] == 0.0
    assert reports[-1] == 1.0
    odd = stylise(resized(preview, 301)[:, :280], preset_id)  # any size, not only squares
    assert odd.shape == (301, 280, 4)


@pytest.mark.parametrize("preset_id", IDS)
def test_a_blank_tiny_or_odd_print_still_gives_a_picture(preset_id: str) -> None:
    rng = np.random.default_rng(3)
    opaque = np.dstack([rng.integers(0, 256, (100, 300, 3)), np.full((100, 300), 255)])
    for image in (
        np.zeros((64, 64, 4), np.uint8),  # all transparent: no disc at all
        np.full((1, 1, 4), 200, np.uint8),
        rng.integers(0, 256, (3, 5, 4)).astype(np.uint8),
        opaque.astype(np.uint8),  # wide and opaque: no transparent surround
    ):
        out = stylise(image, preset_id)
        assert out.shape == image.shape
        assert out.dtype == np.uint8


def eye_with_pupil_at(centre: tuple[int, int], radius: int) -> np.ndarray:
    """A 512 px print: a textured grey-blue disc (radius 240) and a dark pupil off its middle."""
    rng = np.random.default_rng(11)
    texture = cv2.GaussianBlur(rng.normal(0, 18, (512, 512)).astype(np.float32), (0, 0), 1.5)
    bgra = np.zeros((512, 512, 4), np.uint8)
    bgra[:, :, :3] = np.clip(np.float32([150, 120, 95]) + texture[:, :, None], 0, 255)
    disc = np.zeros((512, 512), np.uint8)
    cv2.circle(disc, (256, 256), 240, 255, -1, lineType=cv2.LINE_AA)
    bgra[:, :, 3] = disc
    cv2.circle(bgra, centre, radius, (12, 12, 12, 255), -1, lineType=cv2.LINE_AA)
    return bgra


def test_an_off_centre_pupil_is_drawn_where_it_is() -> None:
    pupil_x, pupil_y, pupil_r = 296, 231, 60
    bgra = eye_with_pupil_at((pupil_x, pupil_y), pupil_r)
    canvas = Canvas(bgra, "minimal_lines")
    x, y, radius = canvas.pupil_circle
    assert abs(x - pupil_x) < 2
    assert abs(y - pupil_y) < 2
    assert abs(radius * canvas.radius - pupil_r) < 2
    # the styles' radial coordinate puts the pupil's edge at r = pupil all round
    angles = np.linspace(0, 2 * np.pi, 72, endpoint=False)
    xs = np.round(pupil_x + pupil_r * np.cos(angles)).astype(int)
    ys = np.round(pupil_y + pupil_r * np.sin(angles)).astype(int)
    r, _ = canvas.polar_grid
    assert np.abs(r[ys, xs] - canvas.pupil).max() < 0.015
    # and Minimal Lines draws its pupil circle on it: ink all round the real edge
    lines = cv2.cvtColor(stylise(bgra, "minimal_lines")[:, :, :3], cv2.COLOR_BGR2GRAY)
    darkest = cv2.erode(lines, np.ones((5, 5), np.uint8))  # the darkest within 2 px
    assert darkest[ys, xs].max() < 180


def test_every_pair_of_presets_is_distinct(styled: dict[str, np.ndarray]) -> None:
    alike = [
        (
            a,
            b,
            round(structure(styled[a], styled[b]), 2),
            round(colour_difference(styled[a], styled[b]), 1),
        )
        for a, b in itertools.combinations(IDS, 2)
        if not distinct(styled[a], styled[b])
    ]
    assert alike == []


@pytest.mark.parametrize("preset_id", IDS)
def test_the_same_style_in_another_tint_is_not_distinct(
    preset_id: str, styled: dict[str, np.ndarray]
) -> None:
    original = styled[preset_id]
    tinted = recoloured(original, 60)
    assert colour_difference(original, tinted) > DISTINCT_COLOUR  # a loud change of colour...
    assert not distinct(original, tinted)  # ...and still the same picture


@pytest.mark.parametrize("preset_id", IDS)
def test_every_preset_keeps_the_iris_recognisable(
    preset_id: str, preview: np.ndarray, styled: dict[str, np.ndarray]
) -> None:
    assert recognisable(styled[preset_id], preview) >= RECOGNISABLE


@pytest.mark.parametrize("preset_id", IDS)
def test_a_blank_or_noise_iris_is_not_recognised_as_the_print(
    preset_id: str, preview: np.ndarray
) -> None:
    blank, noise = preview.copy(), preview.copy()
    blank[:, :, :3] = (96, 110, 120)
    noise[:, :, :3] = np.random.default_rng(5).integers(0, 256, noise[:, :, :3].shape)
    assert recognisable(stylise(blank, preset_id), preview) < RECOGNISABLE
    assert recognisable(stylise(noise, preset_id), preview) < RECOGNISABLE


@pytest.fixture(scope="module")
def full_sizes(real_print: np.ndarray) -> Callable[[str], np.ndarray]:
    full = resized(real_print, FULL)
    cache: dict[str, np.ndarray] = {}

    def full_size(preset_id: str) -> np.ndarray:
        if preset_id not in cache:
            cache[preset_id] = stylise(full, preset_id)
        return cache[preset_id]

    return full_size


@pytest.mark.parametrize("preset_id", IDS)
def test_the_preview_and_the_full_size_are_the_same_picture(
    preset_id: str, styled: dict[str, np.ndarray], full_sizes: Callable[[str], np.ndarray]
) -> None:
    small, big = styled[preset_id], full_sizes(preset_id)
    assert big.shape == (FULL, FULL, 4)
    assert colour_difference(small, big) <= AGREE_COLOUR
    assert structure(small, big) >= AGREE_STRUCTURE


def test_the_agreement_measure_tells_presets_apart(
    styled: dict[str, np.ndarray], full_sizes: Callable[[str], np.ndarray]
) -> None:
    for a, b in zip(IDS, IDS[1:] + IDS[:1], strict=True):
        small, other = styled[a], full_sizes(b)
        agree = colour_difference(small, other) <= AGREE_COLOUR
        assert not (agree and structure(small, other) >= AGREE_STRUCTURE), (a, b)
