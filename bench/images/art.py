"""The finished art on real photos: lids printed as iris (MMU) and colour and exposure (MOBIUS).

Runs `irisd.pipeline.process` (default options, or `--occlusion transparent`) on the real
sets in $IRISD_DATA (default ../shared/data) and scores the result, not the segmentation.

Lids, MMU persons 31-45 (`--split calibration`: 1-30). GT occluded = inside the iris circle
derived from the GT mask (datasets.derived_circle), outside the GT pupil (a circle fitted
to the inner boundary of the GT mask; MMU has no pupil labels; MOBIUS: its pupil label) and
not GT visible iris. The pipeline prints original pixels only under its `mask`; elsewhere in
the disc it prints completed texture or nothing. So

    lid = |mask ∩ GT occluded ∩ disc| / |disc|                       target ≤ 1 %

with the disc = the output disc in input pixels (measures iris_x, iris_y, iris_radius_px, or
else the enclosing circle of the mask's largest component). Beside it: `lid>tol`, the same
without GT occluded pixels within TOLERANCE iris radii of the GT visible iris (boundary
disagreement of a pixel or two, not a lid printed); `opaque`, the same with the result's alpha
(> 127, mapped back onto the input) in place of the mask: with `--occlusion transparent` the
direct figure, with fill everything that covers a lid (original or completed); `occl`, the GT
occluded share of the disc (what there was to cut); `stray`, mask pixels in the disc that are
neither GT visible iris nor GT pupil, wherever they are (also lid, skin or sclera beyond the
GT circle); `hidden`, GT visible iris in the disc that the mask leaves out (completed, not
shown: the cost of cutting too much, paired with `lid`). Refused photos are counted, not
scored.

Colour and exposure, MOBIUS (6 phone photos): median L* (CIE Lab, cv2, D65) of the input's
GT iris pixels and of the result's iris ring (alpha > 127, outside the pupil: the measured
pupil/iris ratio, else the inner 35 % of the radius); hue = circular mean of atan2(b*, a*)
over pixels with chroma > CHROMA, compared where at least COLOURED of the input iris has that
chroma; clipped = ring pixels with any channel ≥ 254 or all ≤ 1; enlargement = output disc
radius / the pipeline's input iris radius. Targets: L* ≥ 30, |Δhue| ≤ 10°, clipped ≤ 1 %.
The lid figures are shown for MOBIUS too (its GT labels the pupil).

The photos run through the pipeline in art_runs.py; the lid figures are lid_scores.py's
(TOLERANCE there), the colour ones colour_scores.py's (CHROMA, COLOURED, PUPIL_SHARE).

`--sets light` scores the lids the same way on every `--every`th MMU photo of the split made
light (bench/pipeline/light_segmentation.py: the iris recoloured blue, grey, amber, green, hazel or
light brown, the rest lit so that the sclera stays the lightest part of the eye), per look.

    .venv/bin/python -m bench.images.art [--occlusion fill|transparent] [--split test|calibration]
                                  [--sets mmu,mobius,light] [--every N] [--all]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass

import numpy as np

from bench.lib.art_runs import Outcome, run_bytes, run_items
from bench.lib.colour_scores import Colour, clipped, colour, hue_shift, ring
from bench.lib.datasets import Item, mmu_items, mobius_items, require_root
from bench.lib.lid_scores import LidScore, lid_score
from bench.lib.light_photos import LOOKS
from bench.pipeline.light_segmentation import lit_photo
from irisd.pipeline import PipelineOptions

LID_TARGET = 1.0  # % of the disc
L_TARGET = 30.0  # median L* of the printed iris
HUE_TARGET = 10.0  # degrees
CLIP_TARGET = 1.0  # % of the printed iris ring


# --- reports -------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None or math.isnan(value) else format(value, spec)


def short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else float("nan")


def report_lids(title: str, items: list[Item], outcomes: list[Outcome], show_all: bool) -> None:
    scored: list[tuple[str, LidScore]] = []
    refused: list[str] = []
    sources: dict[str, int] = {}
    for item, outcome in zip(items, outcomes, strict=True):
        if outcome.art is None:
            refused.append(f"{item.name}: {outcome.message}")
            continue
        sources[outcome.art.disc_from] = sources.get(outcome.art.disc_from, 0) + 1
        score = lid_score(item, outcome.art)
        if score is not None:
            scored.append((item.name, score))
    print(f"\n== Lids printed as iris: {title}, n={len(items)}, refused {len(refused)}, "
          f"scored {len(scored)} (disc from {sources}) ==")  # fmt: skip
    print(f"{'% of disc':10s} {'median':>7s} {'mean':>7s} {'p90':>7s} {'max':>7s}")
    for label, key in (("lid", "lid"), ("lid>tol", "beyond"), ("opaque", "opaque"),
                       ("occl", "occluded"), ("stray", "stray"), ("hidden", "hidden")):  # fmt: skip
        values = [getattr(s, key) for _, s in scored]
        print(
            f"{label:10s} {fmt(percentile(values, 50), '7.2f')} "
            f"{fmt(statistics.fmean(values) if values else None, '7.2f')} "
            f"{fmt(percentile(values, 90), '7.2f')} {fmt(max(values, default=None), '7.2f')}"
        )
    worst = sorted(scored, key=lambda pair: -pair[1].lid)
    print("worst 5 by lid:" if not show_all else "all, worst first:")
    for name, s in worst if show_all else worst[:5]:
        print(f"  {name:34s} lid {s.lid:5.2f}  lid>tol {s.beyond:5.2f}  "
              f"opaque {s.opaque:5.2f}  occl {s.occluded:5.2f}  stray {s.stray:5.2f}  "
              f"hidden {s.hidden:5.2f}")  # fmt: skip
    for line in refused:
        print(f"  refused {short(line, 90)}")
    passed = sum(s.lid <= LID_TARGET for _, s in scored)
    median = percentile([s.lid for _, s in scored], 50)
    hidden = percentile([s.hidden for _, s in scored], 50)
    repainted = percentile([s.repainted for _, s in scored], 50)
    iou = statistics.fmean(s.iou for _, s in scored) if scored else None
    print(f"SUMMARY lids {title}: median {fmt(median, '.2f')} % printed as lid (target ≤ "
          f"{LID_TARGET:g} %), {passed}/{len(scored)} photos within target, iris hidden "
          f"median {fmt(hidden, '.2f')} % of the disc ({fmt(repainted, '.2f')} % of the GT "
          f"visible iris), mask IoU mean {fmt(iou, '.3f')}, refused "
          f"{len(refused)}/{len(items)}")  # fmt: skip


@dataclass(frozen=True)
class ColourRow:
    name: str
    before: Colour
    after: Colour | None
    clip: float
    lid: LidScore | None


def colour_row(item: Item, outcome: Outcome) -> ColourRow:
    before = colour(outcome.rgb[item.iris])
    if outcome.art is None:
        return ColourRow(item.name, before, None, float("nan"), None)
    pixels = ring(outcome.art)
    return ColourRow(
        item.name, before, colour(pixels), clipped(pixels), lid_score(item, outcome.art)
    )


def print_colour_row(row: ColourRow, outcome: Outcome) -> None:
    art, b, a = outcome.art, row.before, row.after
    if art is None or a is None:
        print(
            f"{row.name:16s} REFUSED {'':16s} L*in {b.lightness:5.1f}  "
            f"hue in {fmt(b.hue, '6.1f')}  {outcome.seconds:.1f}s  {outcome.message}"
        )
        return
    res = art.result
    m = res.measures
    enlarge = art.disc_out.r / m.get("iris_radius_px", art.disc_in.r)
    print(
        f"{row.name:16s} ok {res.width:5d}x{res.height:<5d} q {res.quality_score:.3f} "
        f"x{enlarge:4.2f}  L* {b.lightness:5.1f} → {a.lightness:5.1f}  "
        f"hue {fmt(b.hue, '6.1f')} → {fmt(a.hue, '6.1f')} Δ {fmt(hue_shift(b, a), '6.1f')}  "
        f"C* {b.chroma:4.1f} → {a.chroma:4.1f} (col {100 * b.coloured:3.0f} %)  "
        f"clip {row.clip:5.2f} %  lid {fmt(row.lid.lid if row.lid else None, '5.2f')} %  "
        f"{outcome.seconds:.1f}s"
    )
    for note in res.quality_notes:
        print(f"{'':19s}note: {note}")


def report_colour(items: list[Item], outcomes: list[Outcome]) -> None:
    print(f"\n== Colour and exposure: MOBIUS, n={len(items)} ==")
    print("name             status  WxH        score enlarge  median L* in → out   "
          "hue° in → out, Δ       chroma in → out     clipped   lid   time")  # fmt: skip
    rows = []
    for item, outcome in zip(items, outcomes, strict=True):
        row = colour_row(item, outcome)
        print_colour_row(row, outcome)
        rows.append(row)
    done = [r for r in rows if r.after is not None]
    dark = [r.name for r in done if r.after is not None and r.after.lightness < L_TARGET]
    shifts = [(r.name, hue_shift(r.before, r.after)) for r in done if r.after is not None]
    judged = [(n, s) for n, s in shifts if s is not None]
    off = [n for n, s in judged if abs(s) > HUE_TARGET]
    clip = [r.name for r in done if r.clip > CLIP_TARGET]
    print(
        f"SUMMARY colour MOBIUS: accepted {len(done)}/{len(rows)}; "
        f"L* ≥ {L_TARGET:g}: {len(done) - len(dark)}/{len(done)}"
        f"{' (below: ' + ', '.join(dark) + ')' if dark else ''}; "
        f"|Δhue| ≤ {HUE_TARGET:g}°: {len(judged) - len(off)}/{len(judged)} coloured"
        f"{' (off: ' + ', '.join(off) + ')' if off else ''}; "
        f"clipped ≤ {CLIP_TARGET:g} %: {len(done) - len(clip)}/{len(done)}"
        f"{' (over: ' + ', '.join(clip) + ')' if clip else ''}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--occlusion", choices=["fill", "transparent"], default="fill")
    parser.add_argument("--split", choices=["test", "calibration"], default="test")
    parser.add_argument("--sets", default="mmu,mobius")
    parser.add_argument("--all", action="store_true", help="list every MMU photo")
    parser.add_argument("--every", type=int, default=3, help="light: every Nth MMU photo")
    args = parser.parse_args()
    root = require_root()
    options = PipelineOptions(occlusion=args.occlusion)
    sets = args.sets.split(",")
    print(f"irisd.pipeline.process, occlusion={args.occlusion}, data {root}")
    if "mmu" in sets:
        items = mmu_items(root, args.split)
        start = time.perf_counter()
        outcomes = run_items(items, options)
        per = (time.perf_counter() - start) / max(1, len(items))
        report_lids(f"MMU {args.split} ({per:.2f} s/photo)", items, outcomes, args.all)
    if "mobius" in sets:
        items = mobius_items(root)
        outcomes = run_items(items, options)
        report_colour(items, outcomes)
        report_lids("MOBIUS", items, outcomes, args.all)
    if "light" in sets:
        items = mmu_items(root, args.split)[:: args.every]
        for look in LOOKS:
            looked, outcomes = light_runs(items, look, options)
            report_lids(f"MMU {args.split} made {look}", looked, outcomes, args.all)


def light_runs(
    items: list[Item], look: str, options: PipelineOptions
) -> tuple[list[Item], list[Outcome]]:
    """The photos with their iris recoloured into a light `look` and the rest lit as in
    bench/pipeline/light_segmentation.py (the sclera the lightest part of the eye), processed."""
    looked, outcomes = [], []
    for index, item in enumerate(items):
        photo = lit_photo(item, look, seed=index)
        if photo is not None:
            looked.append(item)
            outcomes.append(run_bytes(item.name, photo, options))
    return looked, outcomes


if __name__ == "__main__":
    main()
