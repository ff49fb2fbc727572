"""Training the segmenter on synthetic eyes, and scoring it on the real evaluation sets.

The shipped weights are trained only on `irisd.pipeline.synth` (rights-clean, exact masks).
The real sets under the data directory (MMU, MOBIUS) are read by `evaluate`, and by
`bench/synthetic_gap.py`, which trains a comparison model on MMU that is never shipped.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from irisd.pipeline import synth
from irisd.pipeline.unet import INPUT_SIZE, Segmenter, UNet, to_input

MMU_TEST_PERSONS = range(31, 46)
MMU_CALIBRATION_PERSONS = range(1, 31)

OnStep = Callable[[int, float], None]


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (the defaults made the shipped weights)."""

    steps: int = 600
    batch: int = 16
    lr: float = 3e-3
    seed: int = 0
    threads: int = 2
    workers: int = 1


def synthetic_example(
    seed: int, index: int, size: int = INPUT_SIZE
) -> tuple[np.ndarray, np.ndarray]:
    """Training pair `index` of run `seed`: x (3, S, S) float32 (as `to_input`), y (S, S) int64.

    A random aspect ratio is rendered with its longer side S and letterboxed like a photo.
    """
    rng = np.random.default_rng([seed, index])
    short = size if rng.random() < 0.4 else int(size * rng.uniform(0.5, 1.0))
    h, w = (short, size) if rng.random() < 0.75 else (size, short)
    rgb, labels = synth.render(rng, (h, w))
    x, box = to_input(rgb, size)
    y = np.zeros((size, size), np.int64)
    y[box.top : box.top + box.height, box.left : box.left + box.width] = labels
    return x, y


class _Synthetic(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    def __init__(self, seed: int, length: int) -> None:
        self.seed, self.length = seed, length

    def __len__(self) -> int:
        return self.length

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = synthetic_example(self.seed, index)
        return torch.from_numpy(x), torch.from_numpy(y)


def _loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Cross-entropy plus soft Dice on iris and pupil (the thin classes CE under-weights)."""
    ce = F.cross_entropy(logits, target)
    probs = torch.softmax(logits, dim=1)[:, 1:]
    onehot = F.one_hot(target, probs.shape[1] + 1).permute(0, 3, 1, 2)[:, 1:].float()
    inter = (probs * onehot).sum(dim=(0, 2, 3))
    dice = (2 * inter + 1) / (probs.sum(dim=(0, 2, 3)) + onehot.sum(dim=(0, 2, 3)) + 1)
    return ce + (1 - dice).mean()


Examples = Dataset[tuple[torch.Tensor, torch.Tensor]]


def _batches(config: TrainConfig, data: Examples) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
    loader = DataLoader(
        data,
        batch_size=config.batch,
        shuffle=False,
        num_workers=config.workers,
        persistent_workers=config.workers > 0,
    )
    yield from loader


def train(config: TrainConfig, on_step: OnStep | None = None, data: Examples | None = None) -> UNet:
    """Train a fresh U-Net on `config.steps` batches; deterministic for a seed.

    `data` (default: the synthetic set) yields (x, y) pairs as `synthetic_example` does and
    holds at least steps * batch of them. `on_step(step, loss)` is called after each
    optimiser step (1-based).
    """
    if data is None:
        data = _Synthetic(config.seed, config.steps * config.batch)
    torch.manual_seed(config.seed)
    torch.set_num_threads(config.threads)
    model = UNet()
    opt = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=1e-4)
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, max_lr=config.lr, total_steps=config.steps, pct_start=0.1
    )
    model.train()
    for step, (x, y) in enumerate(_batches(config, data), start=1):
        loss = _loss(model(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()  # type: ignore[no-untyped-call]
        opt.step()
        sched.step()
        if on_step is not None:
            on_step(step, loss.item())
    return model.eval()


@dataclass
class SetScore:
    """Per-image IoUs on one evaluation set (pupil only where the ground truth has it)."""

    name: str
    iris: list[float] = field(default_factory=list)
    pupil: list[float] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.iris)

    @staticmethod
    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan


def iou(pred: np.ndarray, truth: np.ndarray) -> float:
    """Intersection over union of two (H, W) bool masks; 1.0 when both are empty."""
    union = int(np.count_nonzero(pred | truth))
    return 1.0 if union == 0 else int(np.count_nonzero(pred & truth)) / union


def mmu_person(folder: int) -> int:
    """MMU image folder → person 1-45 (MMU has no folder 4; see mmu-kozlova/SOURCE.md)."""
    return folder if folder <= 3 else folder - 1


def read_rgb(path: Path) -> np.ndarray:
    """An image file as (H, W, 3) uint8 RGB (the real sets' images and colour masks)."""
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise FileNotFoundError(path)
    rgb: np.ndarray = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
    return rgb


def mmu_pairs(root: Path, persons: range) -> list[tuple[Path, Path]]:
    """(image, mask) paths of the MMU images of `persons`, in manifest order."""
    with (root / "manifest.csv").open(newline="") as f:
        rows = list(csv.DictReader(f))
    return [
        (root / r["image"], root / r["mask"])
        for r in rows
        if mmu_person(int(r["mmu_folder"])) in persons
    ]


def evaluate_mmu(segmenter: Segmenter, root: Path, persons: range = MMU_TEST_PERSONS) -> SetScore:
    """Iris IoU per image on MMU `persons` (mask: white = visible iris)."""
    score = SetScore(f"mmu persons {persons.start}-{persons.stop - 1}")
    for image, mask in mmu_pairs(root, persons):
        labels = segmenter.predict(read_rgb(image)).argmax(axis=2)
        score.iris.append(iou(labels == 1, read_rgb(mask)[..., 0] > 127))
    return score


def evaluate_mobius(segmenter: Segmenter, root: Path) -> SetScore:
    """Iris and pupil IoU per image on the MOBIUS samples (iris green, pupil blue)."""
    score = SetScore("mobius samples")
    for image in sorted((root / "images").glob("*.jpg")):
        labels = segmenter.predict(read_rgb(image)).argmax(axis=2)
        truth = read_rgb(root / "masks" / f"{image.stem}.png")
        score.iris.append(iou(labels == 1, np.all(truth == (0, 255, 0), axis=2)))
        score.pupil.append(iou(labels == 2, np.all(truth == (0, 0, 255), axis=2)))
    return score


def evaluate(segmenter: Segmenter, data_dir: Path) -> list[SetScore]:
    """Scores on every real set present under `data_dir` (MMU test persons, MOBIUS)."""
    scores = []
    if (data_dir / "mmu-kozlova" / "manifest.csv").is_file():
        scores.append(evaluate_mmu(segmenter, data_dir / "mmu-kozlova"))
    if (data_dir / "mobius-samples" / "images").is_dir():
        scores.append(evaluate_mobius(segmenter, data_dir / "mobius-samples"))
    return scores
