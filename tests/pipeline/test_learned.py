"""The learned path: synthetic renderer, U-Net segmenter and the shipped weights on real eyes."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from irisd.pipeline import synth, training, unet

DATA = Path(os.environ.get("IRISD_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"))
MMU = DATA / "mmu-kozlova"
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


@pytest.mark.parametrize("size", [(160, 160), (90, 160), (240, 320), (33, 17)])
def test_render_is_deterministic_for_a_seed(size: tuple[int, int]) -> None:
    first = synth.render(np.random.default_rng(7), size)
    second = synth.render(np.random.default_rng(7), size)
    assert np.array_equal(first[0], second[0])
    assert np.array_equal(first[1], second[1])


@pytest.mark.parametrize("seed", range(12))
def test_rendered_masks_are_consistent(seed: int) -> None:
    sample = synth.render_sample(np.random.default_rng(seed), (120, 200))
    assert sample.rgb.shape == (120, 200, 3)
    assert sample.rgb.dtype == np.uint8
    assert sample.labels.shape == sample.highlights.shape == (120, 200)
    assert set(np.unique(sample.labels)) <= {0, 1, 2}
    iris, pupil = sample.labels == 1, sample.labels == 2
    if pupil.any():
        assert iris.any()
        # The pupil lies inside the iris disc: its centroid is inside the iris+pupil bounding box.
        ys, xs = np.nonzero(iris | pupil)
        py, px = np.nonzero(pupil)
        assert ys.min() <= py.mean() <= ys.max()
        assert xs.min() <= px.mean() <= xs.max()
        assert pupil.sum() < (iris | pupil).sum()


def test_render_differs_between_seeds() -> None:
    a, _ = synth.render(np.random.default_rng(1), (64, 64))
    b, _ = synth.render(np.random.default_rng(2), (64, 64))
    assert not np.array_equal(a, b)


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
            scores.append(training.iou(pred == 1, labels == 1))
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
    probs = segmenter.predict(training.read_rgb(image))
    truth = training.read_rgb(MMU / "masks" / f"{image.stem}_mask.bmp")[..., 0] > 127
    assert training.iou(probs.argmax(axis=2) == 1, truth) > MMU_IOU_FLOOR


def test_training_runs_and_returns_a_model_in_eval_mode() -> None:
    model = training.train(training.TrainConfig(steps=2, batch=2, workers=0, threads=1))
    assert not model.training
    assert sum(p.numel() for p in model.parameters()) < 2_000_000


def test_train_command_writes_loadable_weights(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from irisd.cli.train import train_segmenter

    out = tmp_path / "w.pt"
    args = ["--out", str(out), "--steps", "1", "--batch", "2", "--threads", "1"]
    result = CliRunner().invoke(train_segmenter, [*args, "--data", str(tmp_path / "absent")])
    assert result.exit_code == 0, result.output
    assert "trained" in result.output
    assert unet.load_segmenter("cpu", out) is not None
