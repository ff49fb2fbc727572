"""Highlight removal measured with synthetic glints pasted onto clean irises of real photos.

For each image (MMU test persons 31-45 and MOBIUS), GLINTS highlights (saturated core with a
Gaussian halo, radius 4-12 % of the iris radius) are pasted inside the ground-truth visible
iris (within the derived iris circle, one glint diameter from its edges); the clean image
is the ground truth. Reported, for irisd (`reflections.remove`) and for the baseline
(fixed threshold > 200 + cv2.inpaint Telea radius 3):
recall of highlight pixels including the halo (pixels changed by ≥ 10 % towards white), and
PSNR inside the highlight pixels after filling.

    .venv/bin/python bench/reflections.py
"""

from __future__ import annotations

import math
import statistics
from pathlib import Path

import cv2
import numpy as np
from segmentation import data_root, derived_circle, mmu_items, mobius_items

from irisd.pipeline import reflections
from irisd.pipeline.decode import decode
from irisd.pipeline.eyelids import gray
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.output import extract, square_around

GLINTS = 3
SEED = 7


def paste(
    clean: np.ndarray, iris: np.ndarray, radius: float, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Paste GLINTS glints into an (S, S, 3) crop inside `iris` (S, S) bool; returns (img, GT)."""
    out = clean.astype(np.float32)
    truth = np.zeros(iris.shape, bool)
    ys, xs = np.mgrid[0 : iris.shape[0], 0 : iris.shape[1]].astype(np.float32)
    for _ in range(GLINTS):
        core = float(rng.uniform(0.04, 0.12)) * radius
        safe = cv2.erode(
            iris.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(1, round(2 * core))
        )
        candidates = np.argwhere(safe > 0)
        if len(candidates) == 0:
            continue
        cy, cx = candidates[rng.integers(len(candidates))]
        dist = np.hypot(xs - cx, ys - cy)
        alpha = np.where(dist <= core, 1.0, np.exp(-(((dist - core) / (0.6 * core + 1)) ** 2)))
        out = out + (255.0 - out) * alpha[:, :, None]
        truth |= alpha >= 0.1
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), truth


def baseline(image: np.ndarray, region: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    holes = (gray(image) > 200) & region
    filled = cv2.inpaint(image, holes.astype(np.uint8), 3, cv2.INPAINT_TELEA)
    return filled, holes


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 99.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def crops(root: Path) -> list[tuple[str, np.ndarray, np.ndarray, Circle]]:
    out = []
    for item in mmu_items(root, "test") + mobius_items(root):
        circle = derived_circle(item.iris)
        if circle is None:
            continue
        rgb = decode(item.image.read_bytes(), 100_000_000)
        window = square_around(circle)
        out.append(
            (item.name, extract(rgb, window), extract(item.iris, window), window.circle(circle))
        )
    return out


def main() -> None:
    rng = np.random.default_rng(SEED)
    results: dict[str, dict[str, list[float]]] = {
        name: {"recall": [], "psnr": [], "fp": []} for name in ("irisd", "baseline")
    }
    data = crops(data_root())
    for _, clean, iris_gt, circle in data:
        region = disk(iris_gt.shape, circle)
        image, truth = paste(clean, iris_gt & region, circle.r, rng)
        for name, method in (
            ("irisd", lambda i, r, c=circle: reflections.remove(i, r, c.r)),
            ("baseline", baseline),
        ):
            filled, holes = method(image, region)
            results[name]["recall"].append(float((holes & truth).sum() / max(1, truth.sum())))
            results[name]["psnr"].append(psnr(filled[truth], clean[truth]))
            results[name]["fp"].append(float((holes & ~truth).sum() / max(1, truth.sum())))
    print(
        f"{len(data)} crops (MMU test persons 31-45 + MOBIUS), "
        f"{GLINTS} synthetic glints each, seed {SEED}"
    )
    for name, values in results.items():
        print(
            f"{name:9s} recall(with halo)={statistics.fmean(values['recall']):.3f} "
            f"(min {min(values['recall']):.3f}) "
            f"PSNR in holes={statistics.fmean(values['psnr']):.1f} dB "
            f"(min {min(values['psnr']):.1f}) extra pixels/GT={statistics.fmean(values['fp']):.2f}"
        )


if __name__ == "__main__":
    main()
