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
GT circle). Refused photos are counted, not scored.

Colour and exposure, MOBIUS (6 phone photos): median L* (CIE Lab, cv2, D65) of the input's
GT iris pixels and of the result's iris ring (alpha > 127, outside the pupil: the measured
pupil/iris ratio, else the inner 35 % of the radius); hue = circular mean of atan2(b*, a*)
over pixels with chroma > CHROMA, compared where at least COLOURED of the input iris has that
chroma; clipped = ring pixels with any channel ≥ 254 or all ≤ 1; enlargement = output disc
radius / the pipeline's input iris radius. Targets: L* ≥ 30, |Δhue| ≤ 10°, clipped ≤ 1 %.
The lid figures are shown for MOBIUS too (its GT labels the pupil).

    .venv/bin/python bench/art.py [--occlusion fill|transparent] [--split test|calibration]
                                  [--sets mmu,mobius] [--all]
"""

from __future__ import annotations

import argparse
import math
import statistics
import time
from dataclasses import dataclass

import cv2
import numpy as np
from datasets import Item, derived_circle, mmu_items, mobius_items, require_root

from irisd.errors import QualityIssue
from irisd.pipeline import PipelineOptions, PipelineResult, process
from irisd.pipeline.geometry import Circle, disk, fit_circle

LID_TARGET = 1.0  # % of the disc
L_TARGET = 30.0  # median L* of the printed iris
HUE_TARGET = 10.0  # degrees
CLIP_TARGET = 1.0  # % of the printed iris ring
CHROMA = 10.0  # a pixel has colour above this chroma (Lab units)
COLOURED = 0.2  # an iris has colour when this share of its pixels does
PUPIL_SHARE = 0.35  # pupil radius / disc radius when the measures give no pupil
TOLERANCE = 0.02  # boundary band ignored by `lid>tol`, in iris radii (at least 1 px)


@dataclass(frozen=True)
class Art:
    """A decoded result with its disc in output and in input pixels."""

    result: PipelineResult
    rgba: np.ndarray  # (S, S, 4) uint8 RGBA
    mask: np.ndarray  # (H, W) bool, input size: where original pixels are printed
    disc_out: Circle  # the opaque disc, output pixels
    disc_in: Circle  # the same disc, input pixels
    disc_from: str  # "measures" or "mask"

    def to_input(self, plane: np.ndarray, shape: tuple[int, int], flags: int) -> np.ndarray:
        """An output-sized plane warped onto the input's (H, W) grid."""
        scale = self.disc_out.r / self.disc_in.r
        forward = np.array(
            [
                [scale, 0.0, self.disc_out.x - scale * self.disc_in.x],
                [0.0, scale, self.disc_out.y - scale * self.disc_in.y],
            ],
            np.float32,
        )
        size = (shape[1], shape[0])
        return np.asarray(cv2.warpAffine(plane, forward, size, flags=flags | cv2.WARP_INVERSE_MAP))


@dataclass(frozen=True)
class Outcome:
    """One photo through the pipeline: its art, or the refusal sentence."""

    name: str
    rgb: np.ndarray  # (H, W, 3) uint8, the decoded input
    art: Art | None
    message: str  # refusal sentence; "" when accepted
    seconds: float


def decode_rgb(data: bytes) -> np.ndarray:
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError("undecodable input")
    return np.ascontiguousarray(bgr[:, :, ::-1])


def run_bytes(name: str, data: bytes, options: PipelineOptions) -> Outcome:
    """`process` one encoded photo; a QualityIssue becomes a refused Outcome."""
    rgb = decode_rgb(data)
    start = time.perf_counter()
    try:
        result = process(data, lambda step, progress: None, options)
    except QualityIssue as issue:
        return Outcome(name, rgb, None, issue.text, time.perf_counter() - start)
    seconds = time.perf_counter() - start
    return Outcome(name, rgb, unpack(result, rgb.shape[:2]), "", seconds)


def largest_outline(plane: np.ndarray) -> np.ndarray | None:
    """(N, 1, 2) contour of the largest component of a bool plane, or None when empty."""
    contours, _ = cv2.findContours(plane.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    return max(contours, key=cv2.contourArea) if contours else None


def enclosing(plane: np.ndarray) -> Circle | None:
    outline = largest_outline(plane)
    if outline is None:
        return None
    (x, y), r = cv2.minEnclosingCircle(outline)
    return Circle(float(x), float(y), float(r))


def unpack(result: PipelineResult, shape: tuple[int, int]) -> Art:
    """Decode the result image and mask and place the output disc in both frames."""
    image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
    if image.ndim == 3 and image.shape[2] == 4:
        rgba = cv2.cvtColor(image, cv2.COLOR_BGRA2RGBA)
    else:  # JPEG: black outside the disc, so the disc is read from the non-black pixels
        rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
        rgba = np.dstack([rgb, np.where(rgb.max(axis=2) > 8, 255, 0).astype(np.uint8)])
    mask = cv2.imdecode(np.frombuffer(result.mask, np.uint8), cv2.IMREAD_GRAYSCALE) > 0
    if mask.shape != shape:
        raise ValueError(f"mask {mask.shape} is not the input's size {shape}")
    side = rgba.shape[0]
    disc_out = enclosing(rgba[:, :, 3] > 127) or Circle(side / 2, side / 2, side / 2)
    m = result.measures
    if {"iris_x", "iris_y", "iris_radius_px"} <= m.keys():
        disc_in, source = Circle(m["iris_x"], m["iris_y"], m["iris_radius_px"]), "measures"
    else:
        found = enclosing(mask)
        if found is None:
            raise ValueError("empty mask and no iris circle in the measures")
        disc_in, source = found, "mask"
    return Art(result, rgba, mask, disc_out, disc_in, source)


# --- lids ----------------------------------------------------------------------------------


def inner_circle(visible: np.ndarray, iris: Circle) -> Circle | None:
    """Pupil circle fitted to the inner boundary of a visible-iris mask: per ray from the
    iris centre, the first mask pixel; rays that meet a lid or nothing are trimmed away."""
    rays = max(32, round(iris.r))
    polar = cv2.warpPolar(
        visible.astype(np.uint8) * 255,
        (rays, 360),
        (iris.x, iris.y),
        iris.r,
        cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST,
    )
    hit = polar > 127
    first = hit.argmax(axis=1)
    usable = hit.any(axis=1) & (first > 0) & (first < 0.8 * rays)
    radii = first[usable] * iris.r / rays
    theta = np.deg2rad(np.arange(360)[usable])
    points = np.stack([iris.x + radii * np.cos(theta), iris.y + radii * np.sin(theta)], 1)
    keep = np.ones(len(points), bool)
    circle = None
    for _ in range(3):
        if keep.sum() < 20:
            return None
        circle = fit_circle(points[keep])
        if circle is None:
            return None
        residual = np.abs(np.hypot(*(points - [circle.x, circle.y]).T) - circle.r)
        keep = residual <= max(1.5, 2.5 * float(np.median(residual[keep])))
    if circle is None or circle.r >= 0.9 * iris.r or circle.distance(iris) > 0.5 * iris.r:
        return None
    return circle


def gt_regions(item: Item) -> tuple[np.ndarray, np.ndarray, Circle] | None:
    """(H, W) bool GT occluded (lid or lash inside the derived iris circle) and GT pupil,
    and that circle."""
    iris = derived_circle(item.iris)
    if iris is None:
        return None
    shape = item.iris.shape
    if item.pupil is not None:
        pupil = item.pupil
    else:
        inner = inner_circle(item.iris, iris)
        pupil = disk(shape, inner) if inner is not None else np.zeros(shape, bool)
    return disk(shape, iris) & ~pupil & ~item.iris, pupil, iris


@dataclass(frozen=True)
class LidScore:
    """Shares of the output disc, %."""

    lid: float  # mask ∩ GT occluded
    beyond: float  # the same beyond the tolerance band
    opaque: float  # alpha ∩ GT occluded
    occluded: float  # GT occluded
    stray: float  # mask ∩ neither GT visible iris nor GT pupil, also beyond the GT circle


def lid_score(item: Item, art: Art) -> LidScore | None:
    found = gt_regions(item)
    if found is None:
        return None
    occluded, pupil, iris = found
    shape = occluded.shape
    inside = disk(shape, art.disc_in)
    area = max(1, int(inside.sum()))
    occluded &= inside
    band = max(1, round(TOLERANCE * iris.r))
    near = cv2.dilate(item.iris.astype(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)) > 0
    alpha = art.to_input(art.rgba[:, :, 3], shape, cv2.INTER_LINEAR) > 127

    def share(plane: np.ndarray) -> float:
        return 100.0 * float(plane.sum()) / area

    return LidScore(
        share(art.mask & occluded),
        share(art.mask & occluded & ~near),
        share(alpha & occluded),
        share(occluded),
        share(art.mask & inside & ~item.iris & ~pupil),
    )


# --- colour --------------------------------------------------------------------------------


def lab(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) uint8 RGB → (N, 3) float32 L* a* b*."""
    scaled = pixels.reshape(1, -1, 3).astype(np.float32) / 255.0
    return np.asarray(cv2.cvtColor(scaled, cv2.COLOR_RGB2LAB)).reshape(-1, 3)


@dataclass(frozen=True)
class Colour:
    lightness: float  # median L*
    hue: float | None  # degrees, circular mean over coloured pixels; None if too few
    coloured: float  # share of pixels with chroma > CHROMA
    chroma: float  # median chroma


def colour(pixels: np.ndarray) -> Colour:
    values = lab(pixels)
    chroma = np.hypot(values[:, 1], values[:, 2])
    vivid = chroma > CHROMA
    hue = None
    if vivid.sum() >= 50:
        angle = np.arctan2(values[vivid, 2], values[vivid, 1])
        hue = math.degrees(math.atan2(float(np.sin(angle).mean()), float(np.cos(angle).mean())))
    return Colour(
        float(np.median(values[:, 0])), hue, float(vivid.mean()), float(np.median(chroma))
    )


def ring(art: Art) -> np.ndarray:
    """(N, 3) RGB of the printed iris ring: opaque, outside the pupil."""
    m = art.result.measures
    share = PUPIL_SHARE
    if m.get("iris_radius_px", 0) > 0 and "pupil_radius_px" in m:
        share = m["pupil_radius_px"] / m["iris_radius_px"]
    side = art.rgba.shape[0]
    ys, xs = np.ogrid[:side, : art.rgba.shape[1]]
    outside = np.hypot(xs - art.disc_out.x, ys - art.disc_out.y) > share * art.disc_out.r
    return art.rgba[:, :, :3][(art.rgba[:, :, 3] > 127) & outside]


def clipped(pixels: np.ndarray) -> float:
    """% of pixels with a channel at ≥ 254 or all at ≤ 1."""
    bad = (pixels >= 254).any(axis=1) | (pixels <= 1).all(axis=1)
    return 100.0 * float(bad.mean()) if len(pixels) else float("nan")


def hue_shift(before: Colour, after: Colour) -> float | None:
    if before.coloured < COLOURED or before.hue is None or after.hue is None:
        return None
    return (after.hue - before.hue + 180.0) % 360.0 - 180.0


# --- reports -------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".1f") -> str:
    return "-" if value is None or math.isnan(value) else format(value, spec)


def short(text: str, width: int = 70) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def run_items(items: list[Item], options: PipelineOptions) -> list[Outcome]:
    return [run_bytes(item.name, item.image.read_bytes(), options) for item in items]


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
                       ("occl", "occluded"), ("stray", "stray")):  # fmt: skip
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
              f"opaque {s.opaque:5.2f}  occl {s.occluded:5.2f}  stray {s.stray:5.2f}")  # fmt: skip
    for line in refused:
        print(f"  refused {short(line, 90)}")
    passed = sum(s.lid <= LID_TARGET for _, s in scored)
    median = percentile([s.lid for _, s in scored], 50)
    print(f"SUMMARY lids {title}: median {fmt(median, '.2f')} % printed as lid (target ≤ "
          f"{LID_TARGET:g} %), {passed}/{len(scored)} photos within target, "
          f"refused {len(refused)}/{len(items)}")  # fmt: skip


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


if __name__ == "__main__":
    main()
