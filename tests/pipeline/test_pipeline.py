"""process(): results, progress reports, quality issues and odd inputs (synthetic images)."""

from __future__ import annotations

import io
import math
import pickle
from typing import Any

import cv2
import numpy as np
import pytest
from PIL import Image

from irisd.errors import QualityIssue
from irisd.pipeline import PipelineOptions, PipelineResult, process, refusals
from irisd.pipeline.geometry import Circle
from irisd.pipeline.segment import arbitrate, network
from irisd.pipeline.segment.circle_search import Found
from irisd.pipeline.segment.localise import Localisation
from tests.pipeline.eyes import encode_png, landscape, synthetic_eye

FAST = PipelineOptions(output_size=256, use_learned=False)
CHECKPOINTS = {"loading": (5, 10), "segmenting": (20, 40), "removing_reflections": (50, 60)}
CHECKPOINTS["enhancing"] = (70, 90)


def run(
    data: bytes, options: PipelineOptions = FAST
) -> tuple[PipelineResult, list[tuple[str, int]]]:
    reports: list[tuple[str, int]] = []
    result = process(data, lambda step, progress: reports.append((step, progress)), options)
    return result, reports


def quality_message(data: bytes) -> str:
    with pytest.raises(QualityIssue) as info:
        run(data)
    assert info.value.args == (info.value.text,)
    return info.value.text


def decode_png(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)))


def test_synthetic_eye_boundaries_and_outputs() -> None:
    rgb = synthetic_eye()
    result, _ = run(encode_png(rgb))
    measures = result.measures
    assert measures["iris_radius_px"] == pytest.approx(110, abs=3)
    assert measures["pupil_radius_px"] == pytest.approx(44, abs=3)
    assert measures["concentricity"] < 0.05
    image = decode_png(result.image)
    assert image.shape == (256, 256, 4)
    assert (result.width, result.height, result.format) == (256, 256, "png")
    assert image[0, 0, 3] == 0
    assert image[128, 128 + 60, 3] == 255
    mask = decode_png(result.mask) > 0  # a 1-bit PNG: nonzero on the visible iris
    assert mask.shape == rgb.shape[:2]
    assert mask[240, 320 + 80]  # iris ring
    assert not mask[240, 320]  # pupil
    assert not mask[10, 10]
    assert 0.0 <= result.quality_score <= 1.0
    assert all(math.isfinite(value) for value in measures.values())


def test_result_is_deterministic() -> None:
    data = encode_png(synthetic_eye(seed=3))
    first, _ = run(data)
    second, _ = run(data)
    assert first.measures == second.measures
    assert first.mask == second.mask


def test_progress_is_in_order_and_within_checkpoints() -> None:
    _, reports = run(encode_png(synthetic_eye()))
    values = [progress for _, progress in reports]
    assert values == sorted(values)
    assert {5, 10, 20, 30, 40, 50, 60, 70, 80, 90} <= set(values)
    steps = [step for step, _ in reports]
    assert list(dict.fromkeys(steps)) == list(CHECKPOINTS)
    for step, progress in reports:
        low, high = CHECKPOINTS[step]
        assert low <= progress <= high
    assert "saving" not in steps


def test_jpeg_output_is_black_outside_the_iris() -> None:
    options = PipelineOptions(output_size=200, output_format="jpeg", use_learned=False)
    result, _ = run(encode_png(synthetic_eye()), options)
    image = np.asarray(Image.open(io.BytesIO(result.image)))
    assert result.format == "jpeg"
    assert result.ext == "jpg"
    assert image.shape == (200, 200, 3)
    assert image[:5, :5].max() < 10


def test_debug_overlay_is_a_png() -> None:
    options = PipelineOptions(output_size=128, use_learned=False, debug=True)
    result, _ = run(encode_png(synthetic_eye()), options)
    assert result.debug_overlay is not None
    assert decode_png(result.debug_overlay).ndim == 3


def test_exif_rotated_eye_is_segmented_upright() -> None:
    rgb = synthetic_eye(width=640, height=400, iris_r=90)
    exif = Image.Exif()
    exif[0x0112] = 8  # stored rotated; displayed 90° counter-clockwise
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="JPEG", quality=95, exif=exif)
    result, _ = run(buffer.getvalue())
    assert decode_png(result.mask).shape == (640, 400)


def test_blank_image_has_no_iris() -> None:
    data = encode_png(np.full((480, 640, 3), 128, np.uint8))
    assert quality_message(data) == refusals.NOT_FOUND


def test_black_image_is_too_dark() -> None:
    data = encode_png(np.full((480, 640, 3), 4, np.uint8))
    assert quality_message(data) == refusals.TOO_DARK


def test_non_eye_photo_has_no_iris() -> None:
    assert quality_message(encode_png(landscape())) == refusals.NOT_FOUND


def test_a_photo_with_no_eye_for_the_network_is_told_so_not_to_hold_the_camera_straight() -> None:
    # A noisy sky: the classical search fits a circle in the noise, the network sees no eye.
    rng = np.random.default_rng(7)
    ys, xs = np.mgrid[0:480, 0:640]
    sky = np.stack([90 + ys // 4, 140 + ys // 6, 200 + 0 * xs], axis=-1)
    noisy = np.clip(sky + rng.integers(-12, 12, size=sky.shape), 0, 255).astype(np.uint8)
    photo = io.BytesIO()
    Image.fromarray(noisy).save(photo, format="JPEG", quality=90)  # as the console test's
    with pytest.raises(QualityIssue) as refused:
        process(photo.getvalue(), lambda step, progress: None, PipelineOptions())
    assert refused.value.text == refusals.NOT_AN_EYE


def test_gradient_has_no_iris() -> None:
    ramp = np.linspace(0, 255, 640, dtype=np.float32)[None, :, None]
    image = np.broadcast_to(ramp, (480, 640, 3)).astype(np.uint8)
    assert quality_message(encode_png(image)) == refusals.NOT_FOUND


def test_heavily_blurred_eye_is_blurry() -> None:
    assert quality_message(encode_png(synthetic_eye(blur=6))) == refusals.BLURRY


def test_tiny_iris_is_too_small() -> None:
    data = encode_png(synthetic_eye(width=320, height=240, iris_r=20))
    assert quality_message(data) == refusals.TOO_SMALL


def test_quality_issue_pickles_with_message_only() -> None:
    with pytest.raises(QualityIssue) as info:
        run(encode_png(np.full((64, 64, 3), 128, np.uint8)))
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.args == info.value.args
    assert len(clone.args) == 1


@pytest.mark.parametrize(
    "image",
    [
        np.full((1, 700), 120, np.uint8),
        np.full((700, 1), 120, np.uint8),
        np.full((1, 1, 3), 120, np.uint8),
        np.full((3, 900, 3), 200, np.uint8),
    ],
    ids=["1xN", "Nx1", "1x1", "3xN"],
)
def test_degenerate_sizes_raise_quality_issue(image: np.ndarray) -> None:
    with pytest.raises(QualityIssue):
        run(encode_png(image))


def test_grayscale_16bit_and_alpha_eyes_process() -> None:
    rgb = synthetic_eye()
    gray = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    wide = gray.astype(np.uint16) * 257
    rgba = np.dstack([rgb, np.full(rgb.shape[:2], 255, np.uint8)])
    for array in (gray, wide, rgba):
        result, _ = run(encode_png(array))
        assert result.measures["iris_radius_px"] == pytest.approx(110, abs=4)


class _FakeSegmenter:
    def __init__(self, probs: np.ndarray) -> None:
        self.probs = probs

    def predict(self, rgb: np.ndarray) -> np.ndarray:
        h, w = rgb.shape[:2]
        return np.asarray(cv2.resize(self.probs, (w, h), interpolation=cv2.INTER_NEAREST))


def _probs_for(rgb: np.ndarray, iris_r: float, shift: float, dy: float = 0.0) -> np.ndarray:
    h, w = rgb.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    dist = np.hypot(xs - w / 2 - shift, ys - h / 2 - dy)
    probs = np.zeros((h, w, 3), np.float32)
    probs[..., 0] = 1
    probs[dist <= iris_r] = (0.02, 0.96, 0.02)
    probs[dist <= 0.4 * iris_r] = (0.02, 0.02, 0.96)
    return probs


def test_learned_and_classical_agreeing_are_combined(monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = synthetic_eye()
    monkeypatch.setattr(network, "load", lambda: _FakeSegmenter(_probs_for(rgb, 110, 0)))
    result, _ = run(encode_png(rgb), PipelineOptions(output_size=128, use_learned=True))
    assert result.measures["source_combined"] == 1.0


def test_learned_disagreement_is_a_quality_issue(monkeypatch: pytest.MonkeyPatch) -> None:
    rgb = synthetic_eye()
    # The network sees a small iris up in the skin: neither circle covers the other's eye.
    fake = _probs_for(rgb, 40, 0, dy=-170)
    monkeypatch.setattr(network, "load", lambda: _FakeSegmenter(fake))
    with pytest.raises(QualityIssue) as info:
        run(encode_png(rgb), PipelineOptions(output_size=128, use_learned=True))
    assert info.value.text == refusals.UNSURE


def test_missing_weights_fall_back_to_classical(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "load", lambda: None)
    result, _ = run(encode_png(synthetic_eye()), PipelineOptions(output_size=128))
    assert result.measures["source_classical"] == 1.0


def test_learned_alone_never_invents_an_iris(monkeypatch: pytest.MonkeyPatch) -> None:
    blank = np.full((480, 640, 3), 128, np.uint8)
    background = np.zeros((480, 640, 3), np.float32)
    background[..., 0] = 1
    monkeypatch.setattr(network, "load", lambda: _FakeSegmenter(background))
    with pytest.raises(QualityIssue) as info:
        run(encode_png(blank), PipelineOptions(output_size=128, use_learned=True))
    assert info.value.text == refusals.NOT_FOUND


def test_invisible_pupil_is_assumed_and_flagged() -> None:
    # A dark iris whose pupil cannot be seen (visible light, brown eyes): the iris is still
    # found from its limbus; only the pupil hole is assumed, concentric, and flagged.
    eye = synthetic_eye(pupil_ratio=0.0)
    result, _ = run(encode_png(eye))
    measures = result.measures
    assert measures["pupil_assumed"] == 1.0
    assert measures["iris_radius_px"] == pytest.approx(110, abs=4)
    assert measures["concentricity"] == 0.0
    assert measures["pupil_iris_ratio"] == pytest.approx(0.5)
    mask = decode_png(result.mask) > 0
    assert not mask[240, 320]  # the assumed pupil hole is not part of the iris


def test_visible_pupil_is_not_assumed() -> None:
    result, _ = run(encode_png(synthetic_eye()))
    assert result.measures["pupil_assumed"] == 0.0


def test_network_backed_by_edges_overrules_a_wrong_classical_circle(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The classical search took a ring 45 % too wide; the network has the true iris, and
    # the image's limbus edge is there to back it.
    rgb = synthetic_eye()
    monkeypatch.setattr(network, "load", lambda: _FakeSegmenter(_probs_for(rgb, 110, 0)))
    wrong = Localisation(Found(Circle(320, 240, 160), 1.0), Found(Circle(320, 240, 44), 1.0))
    located = arbitrate.cross_check(rgb, 1.0, wrong)
    assert located is not None
    assert located.source == "edge_backed"
    iris = located.found.iris.circle  # working-copy accuracy, before the detail refinement
    assert iris.distance(Circle(320, 240, 110)) < 0.05 * 110
    assert abs(iris.r - 110) < 0.05 * 110


@pytest.mark.parametrize(
    "choice", [{"output_size": 0}, {"output_size": 9000}, {"output_format": "webp"}]
)
def test_options_outside_the_supported_range_are_refused(choice: dict[str, Any]) -> None:
    # A zero size used to fail only at the end of a run (cv2.resize), and "webp" came back
    # as JPEG bytes labelled webp.
    with pytest.raises(ValueError, match=next(iter(choice))):
        PipelineOptions(**choice)
