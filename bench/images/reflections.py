"""Highlight removal on real irises made light, with synthetic glints and window reflections.

Highlight removal failed in practice on light irises (bright fibres taken for glare and
painted over) and on window reflections. Each crop (MMU test persons 31-45 and the 6 MOBIUS
photos; square crops around the GT iris, downscaled so that the iris radius is at most 200 px)
is scored as it is ("original") and lifted into each light look of bench/lib/light_looks.py
(blue, grey, green, amber, hazel, light brown: tone curve on L*, hue on a*/b*, iris ring
only). Real highlights are found and inpainted first and left out of every score. Then:

- false-positive repaint: the share of the glint-free visible iris ring (GT mask within the
  derived iris circle, outside the pupil) that the detector flags; median, p90 and max over
  crops. Target <= 2 %.
- glints: 3 per crop (round, elliptic or ring-light arcs, 3-12 % of the iris radius, inside
  the visible ring), ground truth = pixels changed by >= 10 % towards white (core and halo):
  recall, precision (flagged pixels that are glint; real highlights ignored) and extra
  flagged pixels per GT pixel, mean over crops. Targets recall >= 0.95, precision >= 0.9.
  Windows the same, one per crop (1, 2 or 2x2 panes with bars, 15-35 % of the iris radius,
  opacity 0.35-1; the bars inside a window are ignored for precision).
- fill quality inside the GT holes (the fill alone) and inside GT + detected holes (detector
  and fill together): PSNR against the clean image (before pasting), and a texture-energy
  ratio: RMS of a difference of Gaussians (sigma 0.7 and 2 px) of the grey level inside the
  holes over that in a band around them (both on the visible ring 2 px in from its edges),
  on the result (1 = same texture as around; a flat repaint is << 1; a seam or blotch > 1);
  mean and range over crops. Target 0.8-1.25. The clean image's own ratio in the same holes
  is printed for scale (small holes on non-uniform texture spread it), and the summary
  gives the result's ratio over the clean one's.

Detectors: irisd (`irisd.pipeline.reflections.detect(crop, region, iris_radius, pupil, seen)`
of the working tree; region = visible iris + pupil within the iris circle, small gaps closed,
like the pipeline's search region; seen = the GT visible iris + pupil, as the pipeline
passes its own visible mask) and the baseline (fixed threshold grey > 200,
cv2.inpaint Telea radius 3); `--also REV` adds irisd's detector as of git revision REV
(e.g. HEAD; filled with the current irisd fill, so only detection differs). irisd's fill is
`irisd.pipeline.fill.polar_fill`. `--save DIR` writes example PNGs (rows: clean, glints,
window; columns: input, flags (yellow = hit, red = false, cyan = missed), detect + fill, GT
holes + fill). Deterministic (seed 7); about a minute on 2 cores. The scoring of one crop
is in reflection_scores.py (`Bench`), the tables in reflection_report.py.

    .venv/bin/python -m bench.images.reflections [--save DIR] [--also HEAD]
"""

from __future__ import annotations

import argparse
import subprocess
import types
from pathlib import Path

import cv2
import numpy as np

from bench.lib.datasets import REPO, require_root
from bench.lib.light_looks import LIGHT_COLOURS, LightColour
from bench.lib.real_crops import iris_crops
from bench.lib.reflection_report import (
    print_detection,
    print_fill,
    print_fill_summary,
    print_fp,
    print_summary,
    save_examples,
)
from bench.lib.reflection_scores import GLINTS, SEED, Bench, Detector
from irisd import pipeline
from irisd.pipeline import reflections
from irisd.pipeline.fill import polar_fill
from irisd.pipeline.geometry import Circle

MAX_RADIUS = 200.0


# Methods -------------------------------------------------------------------------------------


def baseline_detect(
    image: np.ndarray, region: np.ndarray, radius: float, pupil: Circle, seen: np.ndarray
) -> np.ndarray:
    """Fixed threshold: grey (0.6 R + 0.3 G + 0.1 B) above 200."""
    grey = image.astype(np.float32) @ np.array([0.6, 0.3, 0.1], np.float32)
    return np.asarray((grey > 200) & region)


def telea(image: np.ndarray, holes: np.ndarray, iris: Circle, pupil: Circle) -> np.ndarray:
    """The baseline fill: cv2.inpaint Telea, radius 3."""
    if not holes.any():
        return image.copy()
    return np.asarray(cv2.inpaint(image, holes.astype(np.uint8), 3, cv2.INPAINT_TELEA))


def module_at(revision: str, path: str, replace: dict[str, types.ModuleType]) -> types.ModuleType:
    """The module at `path` (e.g. irisd/pipeline/veils.py) as of a git revision, with the
    sibling modules in `replace` (name -> module) in place of the working tree's while it
    loads."""
    source = subprocess.run(
        ["git", "show", f"{revision}:{path}"], cwd=REPO, capture_output=True, text=True, check=True
    ).stdout
    module = types.ModuleType(f"{Path(path).stem}_at_{revision}")
    saved = {name: getattr(pipeline, name) for name in replace}
    try:
        for name, sibling in replace.items():
            setattr(pipeline, name, sibling)
        exec(compile(source, f"{revision}:{path}", "exec"), module.__dict__)
    finally:
        for name, sibling in saved.items():
            setattr(pipeline, name, sibling)
    return module


def detector_at(revision: str) -> Detector:
    """`find(...).mask` of irisd/pipeline/reflections.py as of a git revision, with the
    veils.py of that revision (revisions since the polar frame: pupil and seen are passed)."""
    veils = module_at(revision, "irisd/pipeline/veils.py", {})
    old = module_at(revision, "irisd/pipeline/reflections.py", {"veils": veils})
    return lambda image, region, radius, pupil, seen: np.asarray(
        old.detect(image, region, radius, pupil, seen)
    )


# Main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, help="write example PNGs into this folder")
    parser.add_argument("--also", metavar="REV", help="also score detect() as of git REV")
    args = parser.parse_args()
    root = require_root()
    detectors: dict[str, Detector] = {"irisd": reflections.detect}
    if args.also:
        detectors[f"irisd@{args.also}"] = detector_at(args.also)
    detectors["baseline"] = baseline_detect
    bench = Bench(detectors, {"irisd": polar_fill, "telea": telea})
    crops = iris_crops(root, "test", MAX_RADIUS)
    looks: list[LightColour | None] = [None, *LIGHT_COLOURS.values()]
    for index, crop in enumerate(crops):
        for look in looks:
            bench.run(crop, index, look)
    mmu = sum(crop.source == "mmu" for crop in crops)
    print("irisd fill: irisd.pipeline.fill.polar_fill; baseline: grey > 200 + cv2 Telea radius 3")
    print(
        f"{len(crops)} crops ({mmu} MMU test persons 31-45, {len(crops) - mmu} MOBIUS), iris "
        f"radius <= {MAX_RADIUS:.0f} px, {GLINTS} glints and 1 window per crop, seed {SEED}; "
        f"looks: original + {', '.join(LIGHT_COLOURS)}"
    )
    names = ["original", *LIGHT_COLOURS]
    methods = list(detectors)
    print_fp(bench.tally, methods, names)
    for kind in ("glint", "window"):
        print_detection(bench.tally, kind, methods, names)
    for kind in ("glint", "window"):
        print_fill(bench.tally, kind, "gt", ["irisd", "telea"], names)
        print_fill(bench.tally, kind, "det", methods, names)
    print("\nSummary on the light looks (all crops x 6 looks):")
    for method in methods:
        print_summary(bench.tally, method, names)
    print_fill_summary(bench.tally, "irisd fill in GT holes", "gt", "irisd")
    print_fill_summary(bench.tally, "irisd detect + fill", "det", "irisd")
    if args.save:
        save_examples(args.save, bench.examples)


if __name__ == "__main__":
    main()
