"""The segmenter alone on the real sets: iris and pupil IoU of its argmax, per set.

What `irisd train-segmenter` printed at its end before training stopped reading the data:
MMU test persons 31-45 (iris only, MMU labels no pupil) and the MOBIUS samples (iris and
pupil). The network only, no circles, no pipeline (for that: bench/pipeline/segmentation.py).

`--light N` adds every Nth MMU test photo recoloured into each light look and lit as such
(bench/pipeline/light_segmentation.py's photos): iris IoU, and the share of the GT iris the network
calls iris or pupil (recall; it under-calls light irises).

    .venv/bin/python -m bench.pipeline.segmenter_scores [--weights models/segmenter.pt] [--light 3]
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bench.lib.datasets import (
    MMU_TEST_PERSONS,
    iou,
    mmu_iris,
    mmu_items,
    mmu_pairs,
    mobius_items,
    read_rgb,
    require_root,
)
from bench.lib.light_photos import LOOKS
from bench.pipeline.light_segmentation import lit_rgb
from irisd.pipeline.segment.unet import DEFAULT_PATH, Segmenter, load_segmenter


@dataclass
class SetScore:
    """Per-image IoUs on one set (pupil only where the ground truth has it)."""

    name: str
    iris: list[float] = field(default_factory=list)
    pupil: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)  # share of the GT iris called eye

    @property
    def count(self) -> int:
        return len(self.iris)

    @staticmethod
    def mean(values: list[float]) -> float:
        return float(np.mean(values)) if values else math.nan


def evaluate_mmu(segmenter: Segmenter, root: Path, persons: range = MMU_TEST_PERSONS) -> SetScore:
    """Iris IoU per image on MMU `persons`."""
    score = SetScore(f"mmu persons {persons.start}-{persons.stop - 1}")
    for image, mask in mmu_pairs(root, persons):
        labels = segmenter.predict(read_rgb(image)).argmax(axis=2)
        score.iris.append(iou(labels == 1, mmu_iris(mask)))
    return score


def evaluate_mobius(segmenter: Segmenter, root: Path) -> SetScore:
    """Iris and pupil IoU per image on the MOBIUS samples."""
    score = SetScore("mobius samples")
    for item in mobius_items(root):
        labels = segmenter.predict(read_rgb(item.image)).argmax(axis=2)
        score.iris.append(iou(labels == 1, item.iris))
        assert item.pupil is not None  # MOBIUS labels the pupil
        score.pupil.append(iou(labels == 2, item.pupil))
    return score


def evaluate_light(segmenter: Segmenter, root: Path, every: int) -> list[SetScore]:
    """Per light look: iris IoU and recall of the GT iris."""
    items = mmu_items(root, "test")[::every]
    scores = []
    for look in LOOKS:
        score = SetScore(f"light {look}")
        for seed, item in enumerate(items):
            rgb = lit_rgb(item, look, seed=seed)
            if rgb is None:
                continue
            labels = segmenter.predict(rgb).argmax(axis=2)
            score.iris.append(iou(labels == 1, item.iris))
            score.recall.append(float((labels > 0)[item.iris].mean()))
        scores.append(score)
    return scores


def evaluate(segmenter: Segmenter, root: Path) -> list[SetScore]:
    """Scores on every set present under `root` (MMU test persons, MOBIUS)."""
    scores = []
    if (root / "mmu-kozlova" / "manifest.csv").is_file():
        scores.append(evaluate_mmu(segmenter, root))
    if (root / "mobius-samples" / "manifest.csv").is_file():
        scores.append(evaluate_mobius(segmenter, root))
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weights", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--light", type=int, default=0, metavar="N", help="every Nth photo")
    args = parser.parse_args()
    root = require_root()
    segmenter = load_segmenter("cpu", args.weights)
    if segmenter is None:
        raise SystemExit(f"no weights at {args.weights}")
    print(f"{'set':<20} {'images':>6} {'iris IoU':>9} {'pupil IoU':>10}  (means)")
    for score in evaluate(segmenter, root):
        pupil = f"{score.mean(score.pupil):.3f}" if score.pupil else "-"
        print(f"{score.name:<20} {score.count:>6} {score.mean(score.iris):>9.3f} {pupil:>10}")
    if args.light:
        print(f"{'light look':<20} {'images':>6} {'iris IoU':>9} {'recall':>10}  (means)")
        for score in evaluate_light(segmenter, root, args.light):
            iris, recall = score.mean(score.iris), score.mean(score.recall)
            print(f"{score.name:<20} {score.count:>6} {iris:>9.3f} {recall:>10.3f}")


if __name__ == "__main__":
    main()
