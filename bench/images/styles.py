"""The art studio's 15 style presets (issue 27) on six real irises: speed, and a contact sheet.

Six colour-dev photos of $IRISD_DATA (default ../shared/data), one per colour (brown, dark
brown, blue, green, grey, hazel: PICKS, checked against colour-dev/manifest.csv), go through
`irisd.pipeline.process` (default options). Each print is resized (Lanczos) to the two sizes
the app asks for, the 512 px preview and the 2048 px full size (a print the pipeline made
smaller than 2048 px, as it does rather than enlarge a small iris more than 2x, is enlarged to
it here, so that every full size costs what a 2048 px one costs), and every preset renders it
on one thread (`cv2.setNumThreads(1)`, `torch.set_num_threads(1)`), as a job's worker does.

Printed: per preset, preview and full size, the median and the slowest wall time over the six
irises x `--runs`, and the median CPU time (what the work costs a core of its own: on a shared,
busy machine the wall time also counts the waiting), with the load average. Targets: full
size <= 3 s a preset (hard ceiling 5 s), preview <= 0.3 s.

Written: `styles.png` in `--out` (never the repository), a contact sheet with a row per iris,
the print in the first column and every preset's full size after it (PRESETS' order), the
display names above; with `--previews`, `styles-preview.png` too, the same from the previews
(the two should be the same pictures).

    .venv/bin/python -m bench.images.styles --out /tmp/irisd-styles [--runs 1]
        [--presets cosmic_iris,ink_wash] [--tile 256] [--previews]
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import torch

from bench.lib.datasets import REPO, require_root
from irisd.art.styles import PRESETS, preset, stylise
from irisd.pipeline import PipelineOptions, process

FULL, PREVIEW = 2048, 512
FULL_TARGET_S, FULL_CEILING_S, PREVIEW_TARGET_S = 3.0, 5.0, 0.3
# (label, photo under colour-dev/, the manifest's colour for it)
PICKS: tuple[tuple[str, str, str], ...] = (
    ("brown", "web-colours/images/brown2.jpeg", "brown (light/medium, amber)"),
    ("dark brown", "clinic-brown/images/IMG_1014.jpg", "dark brown"),
    ("blue", "web-colours/images/blue2.jpg", "blue"),
    ("green", "web-colours/images/green12.jpg", "green"),
    ("grey", "web-colours/images/gray7.jpg", "gray"),
    ("hazel", "web-iridology/images/eye-attraction.jpg", "hazel / light brown-green"),
)
GAP, HEADER, LABEL = 6, 26, 90
BACKGROUND, GREY, WHITE = (40, 40, 40), 128, (235, 235, 235)


@dataclass(frozen=True)
class Print:
    label: str
    bgra: np.ndarray  # the pipeline's print, decoded (BGRA)


def colour_dev_prints(root: Path) -> list[Print]:
    """The six PICKS processed into prints (a pick whose colour the manifest does not give it,
    or that the pipeline refuses, stops the run: the set is fixed so runs compare)."""
    folder = root / "colour-dev"
    with (folder / "manifest.csv").open(newline="", encoding="utf-8") as f:
        colours = {row["image"]: row["colour"] for row in csv.DictReader(f)}
    prints = []
    for label, image, colour in PICKS:
        if colours.get(image) != colour:
            raise SystemExit(f"{image}: the manifest says {colours.get(image)!r}, not {colour!r}")
        result = process(
            (folder / image).read_bytes(), lambda step, progress: None, PipelineOptions()
        )
        bgra = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
        prints.append(Print(label, bgra))
    return prints


def resized(bgra: np.ndarray, side: int) -> np.ndarray:
    """`bgra` at `side` x `side` (Lanczos up, area down)."""
    grow = side > bgra.shape[0]
    method = cv2.INTER_LANCZOS4 if grow else cv2.INTER_AREA
    return np.asarray(cv2.resize(bgra, (side, side), interpolation=method))


def on_grey(bgra: np.ndarray, side: int) -> np.ndarray:
    """A sheet tile: `bgra` at `side` px, its transparency shown as mid-grey."""
    small = cv2.resize(bgra, (side, side), interpolation=cv2.INTER_AREA).astype(np.float32)
    alpha = small[:, :, 3:4] / 255.0
    return np.asarray(small[:, :, :3] * alpha + GREY * (1.0 - alpha), np.uint8)


def sheet(rows: list[tuple[str, list[np.ndarray]]], names: list[str], tile: int) -> np.ndarray:
    """The contact sheet: a row per iris (its label, then its tiles), the column names on top."""
    columns = len(names)
    width = LABEL + columns * (tile + GAP) + GAP
    height = HEADER + len(rows) * (tile + GAP) + GAP
    out = np.full((height, width, 3), BACKGROUND, np.uint8)
    font, scale = cv2.FONT_HERSHEY_SIMPLEX, tile / 560
    for c, name in enumerate(names):
        x = LABEL + GAP + c * (tile + GAP)
        cv2.putText(out, name, (x, HEADER - 8), font, scale, WHITE, 1, cv2.LINE_AA)
    for r, (label, tiles) in enumerate(rows):
        y = HEADER + GAP + r * (tile + GAP)
        cv2.putText(out, label, (8, y + tile // 2), font, scale, WHITE, 1, cv2.LINE_AA)
        for c, image in enumerate(tiles):
            x = LABEL + GAP + c * (tile + GAP)
            out[y : y + tile, x : x + tile] = image
    return out


def timed(image: np.ndarray, preset_id: str) -> tuple[float, float, np.ndarray]:
    """(wall seconds, CPU seconds, result): on a busy machine the CPU time is what the work
    costs a core of its own (one thread: cv2 and torch are held to one)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    styled = stylise(image, preset_id)
    return time.perf_counter() - start, time.process_time() - start_cpu, styled


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the sheet(s)")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per preset and iris")
    parser.add_argument("--presets", default="", help="comma-separated ids (default: all)")
    parser.add_argument("--tile", type=int, default=256, help="sheet tile side, px")
    parser.add_argument("--previews", action="store_true", help="a sheet of the previews too")
    args = parser.parse_args()
    out = args.out.resolve()
    if out == REPO or REPO in out.parents:
        raise SystemExit("--out must be outside the repository")
    ids = [preset(p).id for p in args.presets.split(",") if p] or [p.id for p in PRESETS]
    cv2.setNumThreads(1)
    torch.set_num_threads(1)
    prints = colour_dev_prints(require_root())
    times: dict[tuple[str, int], list[float]] = {}
    cpu: dict[tuple[str, int], list[float]] = {}
    rows, preview_rows = [], []
    for each in prints:
        full, small = resized(each.bgra, FULL), resized(each.bgra, PREVIEW)
        tiles, preview_tiles = [on_grey(full, args.tile)], [on_grey(small, args.tile)]
        for preset_id in ids:
            for side, image, row in ((FULL, full, tiles), (PREVIEW, small, preview_tiles)):
                runs = [timed(image, preset_id) for _ in range(args.runs)]
                times.setdefault((preset_id, side), []).extend(wall for wall, _, _ in runs)
                cpu.setdefault((preset_id, side), []).extend(used for _, used, _ in runs)
                row.append(on_grey(runs[0][2], args.tile))
        rows.append((each.label, tiles))
        preview_rows.append((each.label, preview_tiles))
        print(f"{each.label}: print {each.bgra.shape[1]} px, done", flush=True)
    print(f"\n{'':<18} {'preview (512 px)':^26} {'full size (2048 px)':^26}")
    header = f"{'median':>8} {'max':>8} {'cpu med':>8}"
    print(f"{'preset':<18} {header} {header}")
    for preset_id in ids:
        cells = []
        for side in (PREVIEW, FULL):
            wall, used = times[(preset_id, side)], cpu[(preset_id, side)]
            median, slowest, median_cpu = (
                statistics.median(wall),
                max(wall),
                statistics.median(used),
            )
            cells.append(f"{median:>7.3f}s {slowest:>7.3f}s {median_cpu:>7.3f}s")
        print(f"{preset_id:<18} {cells[0]} {cells[1]}")
    load = os.getloadavg()[0]
    print(
        f"load average {load:.1f} on {os.cpu_count()} CPUs: wall times on a busy machine are long"
    )
    print(
        f"targets: preview <= {PREVIEW_TARGET_S} s; full size <= {FULL_TARGET_S} s "
        f"(ceiling {FULL_CEILING_S} s); one thread, {len(prints)} irises x {args.runs} run(s)"
    )
    out.mkdir(parents=True, exist_ok=True)
    names = ["print"] + [preset(p).display_name for p in ids]
    cv2.imwrite(str(out / "styles.png"), sheet(rows, names, args.tile))
    print(out / "styles.png")
    if args.previews:
        cv2.imwrite(str(out / "styles-preview.png"), sheet(preview_rows, names, args.tile))
        print(out / "styles-preview.png")


if __name__ == "__main__":
    main()
