"""Completing lid-sized holes: texture kept, and no seams where copied pieces meet.

With `occlusion = "fill"` the part of the iris under a lid (often a third of the circle)
is completed from the iris's own texture (irisd.pipeline.fill.polar_fill). Each real crop
(MMU test persons 31-45 and the 6 MOBIUS photos, bench/lib/real_crops.py; iris radius at most
200 px) gets a lid-shaped hole where the truth is known: its own GT occlusion (the iris
circle less the GT visible iris and pupil), turned a quarter turn so that it lies on the
side of the iris, cut to the visible ring (a real lid covers the top; its side is open).
The real occlusion is a hole too, as in the pipeline. Scored in the synthetic hole:

- PSNR against the photo (a copy of other texture scores low by nature; it is here to catch
  blotches, not to rank copies);
- texture energy: RMS of a difference of Gaussians inside the hole over that in a band around
  it, both 2 px in from the ring's edges (1 = the same grain; a smooth fill is << 1, a
  blotchy one > 1), and the same ratio of the photo itself;
- seams: on the rubber sheet (sheet.Sheet), the mean absolute step between neighbouring
  columns (angles) per column of the hole; `seam` = the 99th percentile of those columns
  over their median, for the fill and for the photo. Slices copied from different places
  meet in a straight radial line with a step all along it: a column far above the others.

- repeat: on the sheet, the highest correlation of the hole's fine detail (grey less its
  3x3 mean) with itself a few columns round (8 columns to half the hole's width), for the
  fill and for the photo. A fill that copies the slice filled just before repeats one motif
  at the slice's period: a correlation far above the photo's.

Crops whose synthetic hole holds fewer than 2 % of the ring's pixels are skipped.

    .venv/bin/python -m bench.images.lid_fill [--also REV]

`--also REV` scores fill.py as of git revision REV beside the working tree's.
"""

from __future__ import annotations

import argparse
import math
import statistics
from collections.abc import Callable

import cv2
import numpy as np

from bench.images.reflections import module_at
from bench.lib.datasets import require_root
from bench.lib.real_crops import IrisCrop, iris_crops
from bench.lib.reflection_scores import band_around, energy_ratio, iris_texture, psnr
from irisd.pipeline import fill
from irisd.pipeline.geometry import Circle, disk

MIN_HOLE = 0.02  # share of the ring
Filler = Callable[[np.ndarray, np.ndarray, Circle, Circle], np.ndarray]


def occluded(crop: IrisCrop) -> np.ndarray:
    """(S, S) bool: the crop's GT occlusion, the iris circle less the visible iris and pupil."""
    shape = crop.visible.shape
    return np.asarray(disk(shape, crop.iris) & ~crop.visible & ~disk(shape, crop.pupil))


def side_hole(crop: IrisCrop) -> np.ndarray | None:
    """The crop's own GT occlusion turned a quarter turn about the iris centre, cut to the
    visible ring; None when too small."""
    shape = crop.visible.shape
    turn = cv2.getRotationMatrix2D((crop.iris.x, crop.iris.y), 90.0, 1.0)
    covered = occluded(crop).astype(np.uint8)
    turned = cv2.warpAffine(covered, turn, shape[::-1], flags=cv2.INTER_NEAREST)
    hole = (turned > 0) & crop.ring & ~crop.glare
    return hole if hole.sum() >= MIN_HOLE * max(1, int(crop.ring.sum())) else None


def seam(image: np.ndarray, hole: np.ndarray, sheet: fill.Sheet) -> float:
    """p99 over median of the per-column mean step between neighbouring columns in the hole."""
    grey = sheet.unwrap(image.astype(np.float32).mean(axis=2))
    inside = sheet.unwrap(hole.astype(np.float32)) > 0.99
    both = inside & np.roll(inside, -1, axis=1)
    step = np.abs(np.roll(grey, -1, axis=1) - grey)
    counts = both.sum(axis=0)
    columns = counts >= 3
    if columns.sum() < 8:
        return math.nan
    means = (step * both).sum(axis=0)[columns] / counts[columns]
    typical = float(np.median(means))
    return float(np.percentile(means, 99) / typical) if typical > 0.5 else math.nan


def repeat(image: np.ndarray, hole: np.ndarray, sheet: fill.Sheet) -> float:
    """Highest correlation of the hole's fine detail on the sheet with itself shifted by 8
    columns up to half the hole's angular width."""
    grey = sheet.unwrap(image.astype(np.float32).mean(axis=2))
    detail = grey - cv2.blur(grey, (3, 3))
    inside = sheet.unwrap(hole.astype(np.float32)) > 0.99
    width = int(inside.any(axis=0).sum())
    best = math.nan
    for shift in range(8, width // 2 + 1, 2):
        both = inside & np.roll(inside, -shift, axis=1)
        if both.sum() < 200:
            break
        a, b = detail[both], np.roll(detail, -shift, axis=1)[both]
        r = float(np.corrcoef(a, b)[0, 1])
        best = r if math.isnan(best) else max(best, r)
    return best


def score(crop: IrisCrop, hole: np.ndarray, filler: Filler) -> dict[str, float]:
    filled = filler(crop.rgb, hole | occluded(crop), crop.iris, crop.pupil)
    texture = iris_texture(crop, crop.glare)
    around = band_around(hole, texture & ~hole, crop.iris.r)
    sheet = fill.Sheet(crop.iris, crop.pupil)
    return {
        "psnr": psnr(filled, crop.rgb, hole),
        "energy": energy_ratio(filled, hole & texture, around),
        "energy_photo": energy_ratio(crop.rgb, hole & texture, around),
        "seam": seam(filled, hole, sheet),
        "seam_photo": seam(crop.rgb, hole, sheet),
        "repeat": repeat(filled, hole, sheet),
        "repeat_photo": repeat(crop.rgb, hole, sheet),
    }


def fill_at(revision: str) -> Filler:
    """polar_fill of irisd/pipeline/fill.py as of a git revision."""
    return module_at(revision, "irisd/pipeline/fill.py", {}).polar_fill  # type: ignore[no-any-return]


def median(values: list[float]) -> float:
    kept = [v for v in values if not math.isnan(v)]
    return statistics.median(kept) if kept else math.nan


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--also", metavar="REV", help="also score fill.py as of git REV")
    args = parser.parse_args()
    fillers: dict[str, Filler] = {"irisd": fill.polar_fill}
    if args.also:
        fillers[f"irisd@{args.also}"] = fill_at(args.also)
    results: dict[str, list[dict[str, float]]] = {name: [] for name in fillers}
    crops = iris_crops(require_root(), "test", 200.0)
    used = 0
    for crop in crops:
        hole = side_hole(crop)
        if hole is None:
            continue
        used += 1
        for name, filler in fillers.items():
            results[name].append(score(crop, hole, filler))
    print(f"{used} of {len(crops)} crops with a lid-sized side hole (MMU test + MOBIUS)")
    print(
        f"{'fill':16s} {'PSNR':>6s} {'energy':>7s} {'(photo)':>8s} {'seam':>6s} {'(photo)':>8s}"
        f" {'repeat':>7s} {'(photo)':>8s}"
    )
    for name, rows in results.items():
        figures = {key: median([row[key] for row in rows]) for key in rows[0]}
        print(
            f"{name:16s} {figures['psnr']:6.1f} {figures['energy']:7.2f} "
            f"{figures['energy_photo']:8.2f} {figures['seam']:6.2f} {figures['seam_photo']:8.2f}"
            f" {figures['repeat']:7.2f} {figures['repeat_photo']:8.2f}"
        )
        worst = sorted(row["seam"] for row in rows if not math.isnan(row["seam"]))
        print(f"{'':16s} seam p90 {np.percentile(worst, 90):.2f}, max {worst[-1]:.2f}")
    main_rows = results["irisd"]
    print(
        f"SUMMARY lid fill: energy ratio median {median([r['energy'] for r in main_rows]):.2f}"
        f" (photo {median([r['energy_photo'] for r in main_rows]):.2f}), seam median"
        f" {median([r['seam'] for r in main_rows]):.2f}"
        f" (photo {median([r['seam_photo'] for r in main_rows]):.2f}), repeat median"
        f" {median([r['repeat'] for r in main_rows]):.2f}"
        f" (photo {median([r['repeat_photo'] for r in main_rows]):.2f})"
    )


if __name__ == "__main__":
    main()
