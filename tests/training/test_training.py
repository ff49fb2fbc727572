"""Training: the synthetic eye renderer, the training loop and `irisd train-segmenter`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from irisd.cli import cli
from irisd.pipeline.segment import unet
from irisd.training import synth
from irisd.training.command import train_segmenter
from irisd.training.train import TrainConfig, train


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


def test_training_runs_and_returns_a_model_in_eval_mode() -> None:
    model = train(TrainConfig(steps=2, batch=2, workers=0, threads=1))
    assert not model.training
    assert sum(p.numel() for p in model.parameters()) < 2_000_000


def test_train_command_writes_loadable_weights(tmp_path: Path) -> None:
    out = tmp_path / "w.pt"
    args = ["train-segmenter", "--out", str(out), "--steps", "1", "--batch", "2", "--threads", "1"]
    result = CliRunner().invoke(cli, args)  # through the group: the command is loaded on use
    assert result.exit_code == 0, result.output
    assert "trained" in result.output
    assert unet.load_segmenter("cpu", out) is not None


def test_train_command_takes_no_data_directory() -> None:
    # Shipped weights are trained on rendered eyes only: nothing points it at the real sets.
    names = {name for param in train_segmenter.params for name in param.opts}
    assert names == {"--out", "--steps", "--batch", "--seed", "--threads"}
    assert all(param.envvar is None for param in train_segmenter.params)
