"""How far synthetic training falls short: the same U-Net trained on MMU persons 1-30.

Trains a comparison segmenter on the MMU calibration persons (flips, small rotations and
scalings, brightness and contrast), with the same loss, schedule and input size as
`irisd train-segmenter`, and prints its iris IoU on MMU persons 31-45 beside the shipped
weights' (models/segmenter.pt, synthetic data only), alone and inside the default pipeline
(the combined path of bench/pipeline/segmentation.py). The comparison model lives only in memory:
MMU has no licence, so nothing trained on it is ever written or shipped.

    .venv/bin/python -m bench.pipeline.synthetic_gap [--steps 600] [--threads 2]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import cv2
import numpy as np
import torch
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from torch.utils.data import Dataset

from bench.lib.datasets import (
    MMU_CALIBRATION_PERSONS,
    data_root,
    mmu_iris,
    mmu_items,
    mmu_pairs,
    read_rgb,
)
from bench.pipeline.segmentation import evaluate, report
from bench.pipeline.segmenter_scores import SetScore, evaluate_mmu
from irisd.pipeline.geometry import disk
from irisd.pipeline.segment import network
from irisd.pipeline.segment.outline import segment
from irisd.pipeline.segment.unet import INPUT_SIZE, Segmenter, load_segmenter, to_input
from irisd.training.train import TrainConfig, train


class MmuExamples(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """Augmented (x, y) pairs from MMU `persons`; y is 1 on the visible iris, 2 on the pupil,
    else 0. MMU labels no pupil: it is the classical path's, where that saw one (near-infrared
    pupils are found reliably), so that the model can also stand in the pipeline."""

    def __init__(self, root: Path, persons: range, seed: int, length: int) -> None:
        self.pairs: list[tuple[np.ndarray, np.ndarray]] = []
        for image, mask in mmu_pairs(root, persons):
            rgb = read_rgb(image)
            self.pairs.append((rgb, _labels(rgb, mmu_iris(mask))))
        self.seed, self.length = seed, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        rng = np.random.default_rng([self.seed, index])
        rgb, labels = self.pairs[int(rng.integers(len(self.pairs)))]
        h, w = labels.shape
        centre = (w / 2 + rng.uniform(-30, 30), h / 2 + rng.uniform(-20, 20))
        warp = cv2.getRotationMatrix2D(centre, rng.uniform(-15, 15), rng.uniform(0.8, 1.25))
        image = cv2.warpAffine(rgb, warp, (w, h), borderMode=cv2.BORDER_REFLECT)
        label = cv2.warpAffine(
            labels,
            warp,
            (w, h),
            flags=cv2.INTER_NEAREST,
            borderMode=cv2.BORDER_REFLECT,
        )
        if rng.random() < 0.5:
            image, label = image[:, ::-1], label[:, ::-1]
        gain, bias = rng.uniform(0.7, 1.3), rng.uniform(-30, 30)
        image = np.clip(image.astype(np.float32) * gain + bias, 0, 255).astype(np.uint8)
        x, box = to_input(image, INPUT_SIZE)
        y = np.zeros((INPUT_SIZE, INPUT_SIZE), np.int64)
        size = (box.width, box.height)
        y[box.top : box.top + box.height, box.left : box.left + box.width] = cv2.resize(
            np.ascontiguousarray(label), size, interpolation=cv2.INTER_NEAREST
        )
        return torch.from_numpy(x), torch.from_numpy(y)


def _labels(rgb: np.ndarray, iris: np.ndarray) -> np.ndarray:
    """(H, W) uint8 class map: the GT iris, and the classical pupil where it was seen."""
    labels = iris.astype(np.uint8)
    seg = segment(rgb, use_learned=False)
    if seg is not None and seg.pupil_seen:
        labels[disk(iris.shape, seg.pupil) & ~iris] = 2
    return labels


@contextlib.contextmanager
def in_pipeline(segmenter: Segmenter) -> Iterator[None]:
    """The pipeline's learned path uses `segmenter`, which is never on disk to be loaded."""
    original = network.load
    network.load = lambda: segmenter
    try:
        yield
    finally:
        network.load = original


def summary(name: str, score: SetScore) -> str:
    ious = score.iris
    return (
        f"{name:<34} iris IoU {statistics.mean(ious):.3f}  median {statistics.median(ious):.3f}"
        f"  min {min(ious):.3f}  (n={len(ious)})"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=600)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    root = data_root()
    if not (root / "mmu-kozlova" / "manifest.csv").is_file():
        print(f"no MMU data under {root}", file=sys.stderr)
        return 1
    shipped = load_segmenter("cpu")
    if shipped is None:
        print("models/segmenter.pt is missing", file=sys.stderr)
        return 1
    config = TrainConfig(steps=args.steps, threads=args.threads, workers=0)
    data = MmuExamples(root, MMU_CALIBRATION_PERSONS, config.seed, config.steps * config.batch)
    columns = (TextColumn("training"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    started = time.monotonic()
    with Progress(*columns, transient=True) as progress:
        task = progress.add_task("train", total=config.steps)
        model = train(config, lambda step, _: progress.update(task, completed=step), data)
    seconds = time.monotonic() - started
    print(f"MMU test persons 31-45; comparison trained {args.steps} steps in {seconds:.0f} s")
    comparison = Segmenter(model, "cpu")
    print(summary("shipped (synthetic only)", evaluate_mmu(shipped, root)))
    print(summary("comparison (MMU persons 1-30)", evaluate_mmu(comparison, root)))
    items = mmu_items(root, "test")
    print("In the pipeline (combined path; failures count as IoU 0):")
    for name, segmenter in (("shipped", shipped), ("comparison", comparison)):
        with in_pipeline(segmenter):
            report(f"mmu-test {name}", "combined", len(items), evaluate(items, "combined"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
