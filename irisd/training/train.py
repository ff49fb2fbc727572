"""Training the segmenter on synthetic eyes.

The shipped weights are trained only on `irisd.training.synth` (rights-clean, exact masks).
`train` also takes other (x, y) pairs: `bench/pipeline/synthetic_gap.py` trains a comparison
model on MMU with it, in memory only, never written or shipped.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset

from irisd.pipeline.segment.unet import INPUT_SIZE, UNet, to_input
from irisd.training import synth

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
