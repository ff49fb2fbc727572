"""The learned path: the U-Net segmenter and the shipped weights, on rendered and real eyes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bench.lib.datasets import data_root, iou, mmu_iris, read_rgb
from irisd.pipeline.segment import unet
from irisd.training import synth

MMU = data_root() / "mmu-kozlova"
# Three MMU test-person images (persons 35, 39, 42); the shipped weights scored iris IoU
# 0.764, 0.880 and 0.874 on them (models/segmenter.md). The floor is the lowest minus 0.05.
MMU_SAMPLE = ("36_left_tanwnl1.bmp", "40_right_tonghlr4.bmp", "43_left_winl1.bmp")
MMU_IOU_FLOOR = 0.71


@pytest.fixture(scope="module")
def segmenter() -> unet.Segmenter:
    loaded = unet.load_segmenter("cpu")
    if loaded is None:
        pytest.fail(f"shipped weights missing at {unet.DEFAULT_PATH}")
    return loaded


@pytest.mark.parametrize("shape", [(240, 320, 3), (850, 1500, 3), (50, 31, 3), (1, 40, 3)])
def test_predict_returns_probabilities_at_input_size(
    segmenter: unet.Segmenter, shape: tuple[int, int, int]
) -> None:
    rgb = synth.render(np.random.default_rng(3), shape[:2])[0]
    probs = segmenter.predict(rgb)
    assert probs.shape == (shape[0], shape[1], 3)
    assert probs.dtype == np.float32
    assert np.isfinite(probs).all()
    assert probs.min() >= 0.0
    assert probs.max() <= 1.0 + 1e-5
    np.testing.assert_allclose(probs.sum(axis=2), 1.0, atol=1e-4)


def test_predict_finds_the_iris_of_a_rendered_eye(segmenter: unet.Segmenter) -> None:
    rng = np.random.default_rng(11)
    scores = []
    for _ in range(6):
        rgb, labels = synth.render(rng, (160, 240))
        if (labels == 1).sum() > 200:
            pred = segmenter.predict(rgb).argmax(axis=2)
            scores.append(iou(pred == 1, labels == 1))
    assert scores
    assert np.mean(scores) > 0.7


def test_load_segmenter_returns_none_without_weights(tmp_path: Path) -> None:
    assert unet.load_segmenter("cpu", tmp_path / "missing.pt") is None


def test_load_segmenter_is_cached_per_path_and_device() -> None:
    assert unet.load_segmenter("cpu") is unet.load_segmenter("cpu", unet.DEFAULT_PATH)


def test_saved_weights_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "w.pt"
    unet.save_weights(unet.UNet(), path, {"seed": 1})
    loaded = unet.load_segmenter("cpu", path)
    assert loaded is not None
    assert loaded.input_size == unet.INPUT_SIZE


@pytest.mark.parametrize("name", MMU_SAMPLE)
def test_shipped_model_segments_real_mmu_test_eyes(segmenter: unet.Segmenter, name: str) -> None:
    image = MMU / "images" / name
    if not image.is_file():
        pytest.skip(f"IRISD_DATA has no MMU image {image} (set IRISD_DATA to the shared data)")
    probs = segmenter.predict(read_rgb(image))
    truth = mmu_iris(MMU / "masks" / f"{image.stem}_mask.bmp")
    assert iou(probs.argmax(axis=2) == 1, truth) > MMU_IOU_FLOOR
