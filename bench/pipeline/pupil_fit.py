"""The outline's pupil against hand-checked pupils: colour-dev's outlines and MOBIUS's labels.

Per photo the pipeline outlines (`segment_and_gate`, the default path), its pupil circle is
compared with the truth: IoU of the two discs, centre offset and radius, both in truth radii.
Pupils the outline only assumed (`pupil_seen` false: the finishing step looks for those) are
counted apart. Photos the gate refuses are left out.

    .venv/bin/python -m bench.pipeline.pupil_fit [--list]
"""

from __future__ import annotations

import argparse
import csv
import math
import statistics

import numpy as np

from bench.lib.datasets import derived_pupil, mobius_items, require_root
from irisd.errors import QualityIssue
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle
from irisd.pipeline.run import segment_and_gate
from irisd.pipeline.types import PipelineOptions


def disc_iou(a: Circle, b: Circle) -> float:
    """Intersection over union of two discs (exact, by the lens area)."""
    d = math.hypot(a.x - b.x, a.y - b.y)
    small, large = sorted((a.r, b.r))
    if d >= a.r + b.r:
        return 0.0
    if d <= large - small:
        inter = math.pi * small * small
    else:
        alpha = math.acos((d * d + a.r * a.r - b.r * b.r) / (2 * d * a.r))
        beta = math.acos((d * d + b.r * b.r - a.r * a.r) / (2 * d * b.r))
        inter = a.r * a.r * (alpha - math.sin(2 * alpha) / 2) + b.r * b.r * (
            beta - math.sin(2 * beta) / 2
        )
    return inter / (math.pi * (a.r * a.r + b.r * b.r) - inter)


def photos() -> list[tuple[str, bytes, Circle]]:
    """(set/name, encoded photo, true pupil) for colour-dev and MOBIUS."""
    root = require_root()
    base = root / "colour-dev"
    out = []
    with (base / "outlines.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            if row["pupil_cx"]:
                truth = Circle(*(float(row[k]) for k in ("pupil_cx", "pupil_cy", "pupil_r")))
                out.append(
                    (f"colour-dev/{row['image']}", (base / row["image"]).read_bytes(), truth)
                )
    for item in mobius_items(root):
        derived = derived_pupil(item.pupil) if item.pupil is not None else None
        if derived is not None:
            out.append((f"mobius/{item.name}", item.image.read_bytes(), derived))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="a line per photo")
    args = parser.parse_args()
    rows: dict[str, list[tuple[float, float, float]]] = {}
    assumed: dict[str, int] = {}
    for name, data, truth in photos():
        group = name.split("/")[0]
        try:
            seg, _ = segment_and_gate(decode(data, 60_000_000), lambda *_: None, PipelineOptions())
        except QualityIssue:
            continue
        if not seg.pupil_seen:
            assumed[group] = assumed.get(group, 0) + 1
            continue
        p = seg.pupil
        figures = (
            disc_iou(p, truth),
            math.hypot(p.x - truth.x, p.y - truth.y) / truth.r,
            p.r / truth.r,
        )
        rows.setdefault(group, []).append(figures)
        if args.list:
            print(
                f"{name:70s} IoU {figures[0]:.3f} offset {figures[1]:.2f} radius {figures[2]:.2f}"
            )
    for group, measured in rows.items():
        ious = np.array([f[0] for f in measured])
        print(
            f"{group}: {len(measured)} seen pupils ({assumed.get(group, 0)} assumed): IoU median "
            f"{statistics.median(ious):.3f}, p10 {np.percentile(ious, 10):.3f}, under 0.8: "
            f"{int((ious < 0.8).sum())}; centre offset median "
            f"{statistics.median(f[1] for f in measured):.2f} radii; radius median "
            f"{statistics.median(f[2] for f in measured):.2f} of the truth"
        )


if __name__ == "__main__":
    main()
