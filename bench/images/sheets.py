"""Before/after contact sheets (PNG) of the art result on the real sets, for looking at.

Every photo of $IRISD_DATA (default ../shared/data) goes through `irisd.pipeline.process`
(default options, or `--occlusion transparent`): MMU, all 180, 16 tiles a sheet; MOBIUS,
all 6, large tiles. A tile shows the input cropped to the window the result covers (same
scale as the result; for a refused photo, around the GT iris) beside the result composited
on mid-grey (transparent shows as grey), captioned with the file, accepted or refused (the
message), quality_score, size, enlargement, the printed-lid share (see bench/images/art.py) and the
first quality note. `--outline` draws the GT visible-iris outline (green) on the input.

More sheets: full photos (the 6 MOBIUS, every tenth MMU test photo) whose GT iris ring
is recoloured into a light iris (blue, grey, amber, green, hazel, light brown; two looks a
photo) with synthetic glints and/or a window reflection pasted on (light_photos.light_photo:
light_looks.lighten, pasted_reflections.paste_glints, paste_window), encoded as PNG and
processed; the input panel shows the synthetic photo as processed. And light irises in dim
light (bench/images/dim_colour.py: every tenth MMU test photo lit as a light iris, two looks a
photo, then with 1/16 of the light): the input panel shows the photo in good light, the
result is made from the dim one.

The tiles and sheets are drawn by contact_sheets.py; this script picks the photos.

    .venv/bin/python -m bench.images.sheets [OUT_DIR] [--occlusion fill|transparent] [--outline]
        [--sets mobius,light,dim,mmu]

OUT_DIR defaults to /tmp/irisd-sheets; the paths written are printed. Sheets stay below
1600x1600 px.
"""

from __future__ import annotations

import argparse
import csv
from collections.abc import Iterable
from pathlib import Path

import cv2
import numpy as np

from bench.images.dim_colour import dimmed
from bench.lib.art_runs import run_bytes
from bench.lib.contact_sheets import Entry, Layout, write_sheets
from bench.lib.datasets import Item, mmu_items, mobius_items, require_root
from bench.lib.light_photos import LOOKS, REFLECTIONS, encode_png, light_photo
from bench.pipeline.light_segmentation import lit_rgb
from irisd.pipeline import PipelineOptions

MMU = Layout(panel=190, columns=4, rows=4, scale=0.37)
MOBIUS = Layout(panel=390, columns=2, rows=3, scale=0.45)
LIGHT = Layout(panel=250, columns=3, rows=4, scale=0.4)


# --- sets ----------------------------------------------------------------------------------


def real_entries(items: list[Item], options: PipelineOptions) -> Iterable[Entry]:
    for item in items:
        outcome = run_bytes(item.name, item.image.read_bytes(), options)
        yield Entry(outcome, item, outcome.rgb)


def all_mmu(root: Path) -> list[Item]:
    """All 180 MMU photos. datasets.mmu_items splits by MMU folder (1-30, 31-45), and MMU
    has no folder 4: its 45th person, folder 46, is in neither split."""
    base = root / "mmu-kozlova"
    with (base / "manifest.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    return [
        Item(row["image"], base / row["image"], decode_mask(base / row["mask"])) for row in rows
    ]


def decode_mask(path: Path) -> np.ndarray:
    return np.asarray(cv2.imread(str(path), cv2.IMREAD_GRAYSCALE) > 127)


def light_entries(root: Path, options: PipelineOptions) -> list[Entry]:
    """Synthetic light irises (two looks per photo: the 6 MOBIUS photos and every tenth MMU
    test photo) through the pipeline."""
    items = mobius_items(root) + mmu_items(root, "test")[::10]
    entries = []
    for index, item in enumerate(items):
        for k in range(2):
            look = LOOKS[(2 * index + k) % len(LOOKS)]
            reflection = REFLECTIONS[(2 * index + k) % len(REFLECTIONS)]
            photo = light_photo(item, look, reflection, seed=2 * index + k)
            if photo is None:
                continue
            name = f"{Path(item.name).stem} {look}, {reflection}"
            outcome = run_bytes(name, encode_png(photo), options)
            entries.append(Entry(outcome, item, photo))
    return entries


def dim_entries(root: Path, options: PipelineOptions) -> list[Entry]:
    """Light irises in dim light (bench/images/dim_colour.py: every tenth MMU test photo, two looks
    each, lit, then with 1/16 of the light) through the pipeline; the input panel shows the
    photo in good light, what the print should look like."""
    entries = []
    for index, item in enumerate(mmu_items(root, "test")[::10]):
        for k in range(2):
            look = LOOKS[(2 * index + k) % len(LOOKS)]
            lit = lit_rgb(item, look, seed=index)
            if lit is None:
                continue
            dim = dimmed(lit, seed=index)
            outcome = run_bytes(f"{Path(item.name).stem} {look}, dim", encode_png(dim), options)
            entries.append(Entry(outcome, item, lit))
    return entries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", nargs="?", default="/tmp/irisd-sheets", type=Path)
    parser.add_argument("--occlusion", choices=["fill", "transparent"], default="fill")
    parser.add_argument("--outline", action="store_true", help="GT visible-iris outline")
    parser.add_argument("--sets", default="mobius,light,dim,mmu")
    args = parser.parse_args()
    root = require_root()
    args.out.mkdir(parents=True, exist_ok=True)
    options = PipelineOptions(occlusion=args.occlusion)
    sets = args.sets.split(",")
    suffix = f"occlusion={args.occlusion}"
    if "mobius" in sets:
        entries = real_entries(mobius_items(root), options)
        write_sheets(entries, MOBIUS, "mobius", f"MOBIUS, {suffix}", args.out, args.outline)
    if "light" in sets:
        light = light_entries(root, options)
        write_sheets(light, LIGHT, "light", f"Light irises, {suffix}", args.out, args.outline)
    if "dim" in sets:
        dim = dim_entries(root, options)
        title = f"Light irises in dim light, {suffix}"
        write_sheets(dim, LIGHT, "dim", title, args.out, args.outline)
    if "mmu" in sets:
        items = all_mmu(root)
        entries = real_entries(items, options)
        write_sheets(entries, MMU, "mmu", f"MMU, {suffix}", args.out, args.outline)


if __name__ == "__main__":
    main()
