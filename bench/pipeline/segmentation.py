"""Segmentation accuracy on the real sets in $IRISD_DATA (default ../shared/data).

Per set and path (classical, learned, combined): iris IoU and F1, NICE.I E1 (pixel
disagreement) and E2 (mean of FPR and FNR), centre and radius error as % of the iris radius
against circles *derived* from the GT masks (least squares on the lateral arcs of the outer
boundary), failure rate (QualityIssue on an image with GT), and time per image.

    .venv/bin/python -m bench.pipeline.segmentation [--split test|calibration]
        [--paths classical,...]

`--paths gt-circles,gt-ellipses,gt-annulus` are ceilings, not paths. gt-circles: the
visible-iris mask (lids, lashes, highlights cut as in the pipeline, no network) between
circles fitted to the ground truth (iris: the derived circle; pupil: centroid and area of the
GT pupil, or on MMU, which has no pupil labels, the classical path's pupil). gt-ellipses: the
same with an ellipse fitted to the GT iris (the photo is warped so that it becomes a circle,
the mask is warped back): what ellipse boundaries could add. gt-annulus: the bare annulus
between the gt-circles, no lid, lash or highlight cut: what the noise map adds on each set.

MMU is split by person: 1-30 calibration, 31-45 test. MOBIUS (6 photos) is reported with
its count; it is a smoke test, not a benchmark.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field

import cv2
import numpy as np

from bench.lib.datasets import (
    Item,
    derived_circle,
    derived_pupil,
    hull_arcs,
    mmu_items,
    mobius_items,
    require_root,
)
from irisd.errors import QualityIssue
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.run import segment_and_gate
from irisd.pipeline.segment import fit, network
from irisd.pipeline.segment.outline import (
    LIMBUS_INSET,
    Segmentation,
    detail_crop,
    full_mask,
    segment,
)
from irisd.pipeline.types import PipelineOptions

PATHS = ("classical", "learned", "combined", "gt-circles", "gt-ellipses", "gt-annulus")


@dataclass
class Tally:
    ious: list[float] = field(default_factory=list)
    f1s: list[float] = field(default_factory=list)
    e1s: list[float] = field(default_factory=list)
    e2s: list[float] = field(default_factory=list)
    centre: list[float] = field(default_factory=list)
    radius: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    sources: Counter[str] = field(default_factory=Counter)  # which path set the boundaries


def reference_pupil(rgb: np.ndarray, item: Item) -> np.ndarray:
    """(H, W) bool pupil for the ceilings: the GT label, or where the set has none (MMU),
    the classical path's pupil disk (near-infrared pupils are found reliably)."""
    if item.pupil is not None:
        return item.pupil
    seg = segment(rgb, use_learned=False)
    if seg is None or not seg.pupil_seen:
        raise QualityIssue("no pupil: the set has no label and the classical path saw none")
    return disk(item.iris.shape, seg.pupil)


def run_ceiling(rgb: np.ndarray, item: Item, path: str) -> tuple[np.ndarray, Circle]:
    """A ceiling path: `gt-circles`, `gt-ellipses` or `gt-annulus` (see the docstring)."""
    pupil_region = reference_pupil(rgb, item)
    if path == "gt-ellipses":
        return gt_ellipses(rgb, item.iris | pupil_region, pupil_region)
    iris, pupil = derived_circle(item.iris), derived_pupil(pupil_region)
    if iris is None or pupil is None:
        raise QualityIssue("no circles derivable from the ground truth")
    if path == "gt-annulus":
        shape = item.iris.shape
        return disk(shape, iris.resized(LIMBUS_INSET)) & ~disk(shape, pupil), iris
    return full_mask(rgb, detail_crop(rgb, iris), iris, pupil, None), iris


def gt_ellipses(
    rgb: np.ndarray, eye: np.ndarray, pupil_region: np.ndarray
) -> tuple[np.ndarray, Circle]:
    """The gt-circles ceiling with ellipses: the photo is warped so that the ellipse fitted to
    the lateral arcs of `eye` (GT iris and pupil) becomes a circle of the same area (undoing
    gaze and tilt), the pupil is the warped pupil's area circle, and the mask is warped back."""
    arcs = hull_arcs(eye, 50, on_mask=True)
    if arcs is None or len(arcs) < 5:
        raise QualityIssue("no ellipse derivable from the ground truth")
    (cx, cy), axes, angle = cv2.fitEllipse(arcs.astype(np.float32))
    radius = float(np.sqrt(axes[0] * axes[1])) / 2
    turn = np.deg2rad(angle)
    rotate = np.array([[np.cos(turn), np.sin(turn)], [-np.sin(turn), np.cos(turn)]])
    linear = rotate.T @ np.diag([2 * radius / axes[0], 2 * radius / axes[1]]) @ rotate
    centre = np.array([cx, cy])
    to_round = np.hstack([linear, (centre - linear @ centre)[:, None]]).astype(np.float32)
    size = (rgb.shape[1], rgb.shape[0])
    warped = cv2.warpAffine(rgb, to_round, size, flags=cv2.INTER_LINEAR)
    nearest = cv2.INTER_NEAREST
    pupil_in = cv2.warpAffine(pupil_region.astype(np.uint8), to_round, size, flags=nearest)
    iris, pupil = Circle(cx, cy, radius), derived_pupil(pupil_in > 0)
    if pupil is None:
        raise QualityIssue("no pupil derivable from the ground truth")
    mask = full_mask(warped, detail_crop(warped, iris), iris, pupil, None)
    inverse = nearest | cv2.WARP_INVERSE_MAP
    back = cv2.warpAffine(mask.astype(np.uint8), to_round, size, flags=inverse)
    return back > 0, iris


def score(tally: Tally, pred: np.ndarray, gt: np.ndarray, iris: Circle | None) -> None:
    tp = float((pred & gt).sum())
    fp = float((pred & ~gt).sum())
    fn = float((~pred & gt).sum())
    tn = float(pred.size) - tp - fp - fn
    tally.ious.append(tp / max(1.0, tp + fp + fn))
    tally.f1s.append(2 * tp / max(1.0, 2 * tp + fp + fn))
    tally.e1s.append((fp + fn) / pred.size)
    tally.e2s.append(0.5 * fp / max(1.0, fp + tn) + 0.5 * fn / max(1.0, fn + tp))
    truth = derived_circle(gt)
    if iris is not None and truth is not None:
        tally.centre.append(100 * iris.distance(truth) / truth.r)
        tally.radius.append(100 * abs(iris.r - truth.r) / truth.r)


def run_pipeline(rgb: np.ndarray, use_learned: bool) -> Segmentation:
    options = PipelineOptions(use_learned=use_learned)
    seg, _ = segment_and_gate(rgb, lambda step, progress: None, options)
    return seg


def run_learned_only(rgb: np.ndarray) -> tuple[np.ndarray, Circle]:
    segmenter = network.load()
    assert segmenter is not None
    probs = np.asarray(segmenter.predict(rgb), np.float32)  # type: ignore[attr-defined]
    fitted = fit.fit(probs)
    if fitted is None:
        raise QualityIssue("learned: no eye")
    return np.argmax(probs, axis=2) == 1, fitted[0]


def evaluate(items: list[Item], path: str) -> Tally:
    tally = Tally()
    for item in items:
        rgb = decode(item.image.read_bytes(), 100_000_000)
        start = time.perf_counter()
        try:
            if path == "learned":
                pred, iris = run_learned_only(rgb)
            elif path.startswith("gt-"):
                pred, iris = run_ceiling(rgb, item, path)
            else:
                seg = run_pipeline(rgb, use_learned=path == "combined")
                pred, iris = seg.mask, seg.iris
                tally.sources[seg.source] += 1
        except QualityIssue as issue:
            tally.seconds.append(time.perf_counter() - start)
            tally.failures.append(f"{item.name}: {issue.text}")
            score(tally, np.zeros_like(item.iris), item.iris, None)
            continue
        tally.seconds.append(time.perf_counter() - start)
        score(tally, pred, item.iris, iris)
    return tally


def mean(values: list[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


def report(name: str, path: str, count: int, tally: Tally) -> None:
    ok = count - len(tally.failures)
    print(
        f"{name:18s} {path:11s} n={count:3d} IoU={mean(tally.ious):.3f} "
        f"(passed only {mean([v for v in tally.ious if v > 0] or [float('nan')]):.3f}) "
        f"F1={mean(tally.f1s):.3f} E1={100 * mean(tally.e1s):.2f}% E2={100 * mean(tally.e2s):.2f}% "
        f"centre_err={mean(tally.centre):.1f}% radius_err={mean(tally.radius):.1f}% "
        f"(derived, n={ok}) "
        f"fail={100 * len(tally.failures) / max(1, count):.1f}% "
        f"time={1000 * mean(tally.seconds):.0f}ms/img"
    )
    if tally.sources:
        counts = ", ".join(f"{source} {n}" for source, n in tally.sources.most_common())
        print(f"    boundaries from {counts}")
    for failure in tally.failures:
        print(f"    failed {failure}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=["test", "calibration"], default="test")
    parser.add_argument("--paths", default="classical,learned,combined")
    args = parser.parse_args()
    root = require_root()
    sets = {f"mmu-{args.split}": mmu_items(root, args.split), "mobius": mobius_items(root)}
    paths = args.paths.split(",")
    unknown = set(paths) - set(PATHS)
    if unknown:
        raise SystemExit(f"unknown paths {sorted(unknown)}; choose from {', '.join(PATHS)}")
    if network.load() is None:
        print("learned: no weights in models/ — learned and combined paths skipped")
        paths = [p for p in paths if p not in ("learned", "combined")]
    print("Failures count as IoU 0 in the means; failure = QualityIssue on an image with GT.")
    for name, items in sets.items():
        for path in paths:
            report(name, path, len(items), evaluate(items, path))


if __name__ == "__main__":
    main()
