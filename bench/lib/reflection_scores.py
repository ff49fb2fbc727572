"""Scoring highlight removal on one crop: `Bench` runs the detectors and fills under test.

For bench/images/reflections.py. `Bench.run` scores a crop as it is or lifted into a light look:
the false-positive repaint on the glint-free ring, then pasted glints and a window (recall,
precision, extra flagged pixels; PSNR and texture-energy ratio of the fills inside the GT
holes and inside GT + detected holes), into its `tally` (metric, method, look) -> one value
per crop; and keeps irisd's example rows for the looks in EXAMPLE_LOOKS.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

from bench.lib.light_looks import LightColour, lighten
from bench.lib.pasted_reflections import paste_glints, paste_window
from bench.lib.real_crops import IrisCrop
from irisd.pipeline.geometry import Circle

GLINTS = 3
SEED = 7
# Reflections below this many GT pixels are scored apart as well: a window 15-35 % of the
# iris radius wide covers fewer only on low-resolution irises (MMU: radius ~56 px).
SMALL_AREA = 300
EXAMPLES = ("31_right_roslir1", "36_right_tanwnr4", "1_1i_Lr_1", "35_2i_Ll_1")
EXAMPLE_LOOKS = ("original", "blue", "grey", "amber")

Detector = Callable[[np.ndarray, np.ndarray, float, Circle, np.ndarray], np.ndarray]
Filler = Callable[[np.ndarray, np.ndarray, Circle, Circle], np.ndarray]
Tally = dict[tuple[str, str, str], list[float]]  # (metric, method, look) -> one value per crop


# Measures ------------------------------------------------------------------------------------


def share(part: np.ndarray, whole: np.ndarray) -> float:
    total = np.count_nonzero(whole)
    return float(np.count_nonzero(part & whole) / total) if total else math.nan


def psnr(result: np.ndarray, clean: np.ndarray, where: np.ndarray) -> float:
    if not where.any():
        return math.nan
    diff = result[where].astype(np.float64) - clean[where].astype(np.float64)
    mse = float(np.mean(diff**2))
    return 99.0 if mse == 0 else 10 * math.log10(255.0**2 / mse)


def band_pass(image: np.ndarray) -> np.ndarray:
    grey = image.astype(np.float32).mean(axis=2)
    return np.asarray(
        cv2.GaussianBlur(grey, (0, 0), 0.7) - cv2.GaussianBlur(grey, (0, 0), 2.0), np.float32
    )


def energy_ratio(image: np.ndarray, holes: np.ndarray, around: np.ndarray) -> float:
    """RMS band-pass inside `holes` over that in `around`; nan if either is too small."""
    if np.count_nonzero(holes) < 4 or np.count_nonzero(around) < 20:
        return math.nan
    texture = band_pass(image)
    inside = float(np.sqrt(np.mean(texture[holes] ** 2)))
    outside = float(np.sqrt(np.mean(texture[around] ** 2)))
    return inside / max(outside, 1e-6)


def band_around(holes: np.ndarray, allowed: np.ndarray, radius: float) -> np.ndarray:
    """A band 1 px off the holes, ~6 % of the iris radius wide, within `allowed`."""
    width = max(3, round(0.06 * radius))
    wide = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * width + 3, 2 * width + 3))
    near = np.ones((3, 3), np.uint8)
    outer = cv2.dilate(holes.astype(np.uint8), wide) > 0
    inner = cv2.dilate(holes.astype(np.uint8), near) > 0
    return np.asarray(outer & ~inner & allowed)


def iris_texture(crop: IrisCrop, ignore: np.ndarray) -> np.ndarray:
    """Where texture energy is measured: the visible ring 2 px in from its edges (the pupil
    and limbus edges are not texture), real highlights and ignored pixels left out."""
    ring = (crop.ring & ~ignore).astype(np.uint8)
    return np.asarray(cv2.erode(ring, np.ones((5, 5), np.uint8)) > 0)


def window_bars(truth: np.ndarray, cornea: np.ndarray) -> np.ndarray:
    """The window's convex hull on the cornea minus its GT: the bars between panes."""
    points = cv2.findNonZero(truth.astype(np.uint8))
    hull = np.zeros(truth.shape, np.uint8)
    if points is not None:
        cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    return np.asarray((hull > 0) & cornea & ~truth)


# One crop ------------------------------------------------------------------------------------


class Bench:
    """Detectors and fills under test, and the tally of their scores."""

    def __init__(self, detectors: dict[str, Detector], fills: dict[str, Filler]) -> None:
        self.detectors = detectors
        self.fills = fills
        # which fill goes with which detector for "detect + fill"
        self.pairs = {name: "telea" if name == "baseline" else "irisd" for name in detectors}
        self.tally: Tally = defaultdict(list)
        self.examples: dict[str, list[np.ndarray]] = {}

    def add(self, metric: str, method: str, look: str, value: float) -> None:
        self.tally[(metric, method, look)].append(value)

    def run(self, crop: IrisCrop, index: int, look: LightColour | None) -> None:
        name = "original" if look is None else look.name
        ring = crop.ring & ~crop.glare
        base = crop.rgb
        if look is not None:
            base = lighten(crop.rgb, crop.visible, crop.iris, crop.pupil, look, reference=ring)
        region = crop.cornea
        rows = []
        for method, detect in self.detectors.items():
            holes = detect(base, region, crop.iris.r, crop.pupil, crop.seen)
            self.add("fp", method, name, share(holes, ring))
            if method == "irisd" and name in EXAMPLE_LOOKS:
                filled = self.fills["irisd"](base, holes, crop.iris, crop.pupil)
                rows.append(example_row(base, holes, np.zeros_like(holes), filled, base))
        rng = np.random.default_rng([SEED, index])
        image, truth = paste_glints(base, ring, crop.iris.r, rng, count=GLINTS)
        rows.append(self.reflection(crop, name, "glint", base, image, truth, crop.glare))
        rng = np.random.default_rng([SEED, index, 1])
        image, truth = paste_window(base, ring, crop.iris.r, rng, clip=region)
        ignore = crop.glare | window_bars(truth, region)
        rows.append(self.reflection(crop, name, "window", base, image, truth, ignore))
        if Path(crop.name).stem in EXAMPLES and name in EXAMPLE_LOOKS:
            self.examples[f"{Path(crop.name).stem}-{name}"] = rows

    def reflection(
        self,
        crop: IrisCrop,
        look: str,
        kind: str,
        clean: np.ndarray,
        image: np.ndarray,
        truth: np.ndarray,
        ignore: np.ndarray,
    ) -> np.ndarray:
        """Score detection and fills on one pasted image; returns irisd's example row."""
        texture = iris_texture(crop, ignore)
        gt_filled = image
        for fill_name, fill in self.fills.items():
            filled = fill(image, truth, crop.iris, crop.pupil)
            self.add(f"{kind}-gt-psnr", fill_name, look, psnr(filled, clean, truth))
            self.energy(f"{kind}-gt", fill_name, look, crop, (filled, clean), truth, texture)
            gt_filled = filled if fill_name == "irisd" else gt_filled
        row = np.zeros(0)
        for method, detect in self.detectors.items():
            holes = detect(image, crop.cornea, crop.iris.r, crop.pupil, crop.seen)
            flagged = holes & ~ignore
            hits = np.count_nonzero(holes & truth)
            recall = hits / max(1, int(np.count_nonzero(truth)))
            precision = hits / np.count_nonzero(flagged) if flagged.any() else math.nan
            self.add(f"{kind}-recall", method, look, recall)
            self.add(f"{kind}-precision", method, look, precision)
            size = "small" if np.count_nonzero(truth) < SMALL_AREA else "large"
            self.add(f"{kind}-{size}-recall", method, look, recall)
            self.add(f"{kind}-{size}-precision", method, look, precision)
            extra = np.count_nonzero(flagged & ~truth) / max(1, int(np.count_nonzero(truth)))
            self.add(f"{kind}-extra", method, look, extra)
            filled = self.fills[self.pairs[method]](image, holes, crop.iris, crop.pupil)
            repainted = (holes | truth) & ~ignore
            self.add(f"{kind}-det-psnr", method, look, psnr(filled, clean, repainted))
            self.energy(f"{kind}-det", method, look, crop, (filled, clean), repainted, texture)
            if method == "irisd":
                row = example_row(image, holes, truth, filled, gt_filled)
        return row

    def energy(
        self,
        prefix: str,
        method: str,
        look: str,
        crop: IrisCrop,
        images: tuple[np.ndarray, np.ndarray],
        holes: np.ndarray,
        texture: np.ndarray,
    ) -> None:
        """Texture-energy ratio of the (result, clean) pair in `holes`: the result's, the
        clean image's in the same place, and the one over the other."""
        around = band_around(holes, texture & ~holes, crop.iris.r)
        result, clean = (energy_ratio(image, holes & texture, around) for image in images)
        self.add(f"{prefix}-energy", method, look, result)
        self.add(f"{prefix}-clean-energy", method, look, clean)
        self.add(f"{prefix}-relative-energy", method, look, result / clean)


# Examples ------------------------------------------------------------------------------------


def tile(image: np.ndarray, side: int = 256) -> np.ndarray:
    return np.asarray(cv2.resize(image, (side, side), interpolation=cv2.INTER_NEAREST))


def example_row(
    image: np.ndarray,
    holes: np.ndarray,
    truth: np.ndarray,
    filled: np.ndarray,
    gt_filled: np.ndarray,
) -> np.ndarray:
    """Input, flags over a dimmed input (yellow hit, red false, cyan missed), two fills."""
    flags = (image * 0.6).astype(np.uint8)
    flags[holes & truth] = (255, 220, 0)
    flags[holes & ~truth] = (255, 40, 40)
    flags[~holes & truth] = (0, 220, 255)
    return np.hstack([tile(image), tile(flags), tile(filled), tile(gt_filled)])
