"""The report of bench/images/reflections.py: its tables, summary and example sheets.

Reads the `Bench.tally` of reflection_scores.py: per look (and all light looks together)
and method, the false-positive repaint, detection of glints and windows and the fills,
against the targets below; `save_examples` writes irisd's example rows as PNG sheets.
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from bench.lib.light_looks import LIGHT_COLOURS
from bench.lib.reflection_scores import SMALL_AREA, Tally

FP_TARGET = 0.02
RECALL_TARGET = 0.95
PRECISION_TARGET = 0.9
ENERGY_RANGE = (0.8, 1.25)


# Report --------------------------------------------------------------------------------------


def values(tally: Tally, metric: str, method: str, looks: list[str]) -> np.ndarray:
    found = [v for look in looks for v in tally.get((metric, method, look), [])]
    array = np.asarray(found, np.float64)
    return array[np.isfinite(array)]


def stat(array: np.ndarray, how: str) -> float:
    if array.size == 0:
        return math.nan
    if how == "mean":
        return float(array.mean())
    if how == "min":
        return float(array.min())
    if how == "max":
        return float(array.max())
    return float(np.percentile(array, {"median": 50, "p90": 90}[how]))


def rows_of(looks: list[str]) -> list[tuple[str, list[str]]]:
    light = [look for look in looks if look != "original"]
    return [(look, [look]) for look in looks] + [("all light", light)]


def print_table(title: str, methods: list[str], cells: list[tuple[str, list[str]]]) -> None:
    width = max(len(c) for _, row in cells for c in row) + 3
    print(f"\n{title}\n{'look':12s}" + "".join(f"{m:>{width}s}" for m in methods))
    for label, row in cells:
        print(f"{label:12s}" + "".join(f"{c:>{width}s}" for c in row))


def print_fp(tally: Tally, methods: list[str], looks: list[str]) -> None:
    cells = []
    for label, group in rows_of(looks):
        row = []
        for method in methods:
            v = 100 * values(tally, "fp", method, group)
            row.append(
                f"{stat(v, 'median'):5.2f} / {stat(v, 'p90'):5.2f} / {stat(v, 'max'):4.1f} %"
            )
        cells.append((label, row))
    title = (
        "False-positive repaint on glint-free iris texture: share of the visible ring flagged, "
        f"median / p90 / max over crops (target <= {100 * FP_TARGET:.0f} %)"
    )
    print_table(title, methods, cells)


def print_detection(tally: Tally, kind: str, methods: list[str], looks: list[str]) -> None:
    cells = []
    for label, group in rows_of(looks):
        row = []
        for method in methods:
            r = stat(values(tally, f"{kind}-recall", method, group), "mean")
            p = stat(values(tally, f"{kind}-precision", method, group), "mean")
            x = stat(values(tally, f"{kind}-extra", method, group), "mean")
            row.append(f"R {r:.3f}  P {p:.3f}  x{x:5.2f}")
        cells.append((label, row))
    title = (
        f"{kind.capitalize()}s, mean over crops: R recall of GT pixels incl. halo (target >= "
        f"{RECALL_TARGET}), P precision (target >= {PRECISION_TARGET}), x extra px per GT px"
    )
    print_table(title, methods, cells)


def print_fill(tally: Tally, kind: str, stage: str, methods: list[str], looks: list[str]) -> None:
    cells = []
    for label, group in rows_of(looks):
        row = []
        for method in methods:
            p = values(tally, f"{kind}-{stage}-psnr", method, group)
            e = values(tally, f"{kind}-{stage}-energy", method, group)
            row.append(
                f"{stat(p, 'mean'):4.1f} ({stat(p, 'min'):4.1f}) dB  {stat(e, 'mean'):4.2f} "
                f"({stat(e, 'min'):4.2f}-{stat(e, 'max'):4.2f})"
            )
        cells.append((label, row))
    holes = "GT holes (the fill alone)" if stage == "gt" else "GT + detected holes"
    title = (
        f"Fill of {kind}s, inside the {holes}: PSNR vs clean, mean (min); texture energy "
        f"in/around, mean (min-max), target {ENERGY_RANGE[0]}-{ENERGY_RANGE[1]}"
    )
    print_table(title, methods, cells)
    if stage == "gt":
        e = values(tally, f"{kind}-gt-clean-energy", "irisd", looks)
        print(
            f"    the clean image's own ratio in these holes: {stat(e, 'mean'):.2f} "
            f"({stat(e, 'min'):.2f}-{stat(e, 'max'):.2f}): the measure's own spread"
        )


def verdict(ok: bool) -> str:
    return "meets" if ok else "MISSES"


def print_summary(tally: Tally, method: str, looks: list[str]) -> None:
    light = [look for look in looks if look != "original"]
    fp = values(tally, "fp", method, light)
    p90 = stat(fp, "p90")
    print(
        f"  {method}: FP repaint on light irises median {100 * stat(fp, 'median'):.2f} %, "
        f"p90 {100 * p90:.2f} % ({verdict(p90 <= FP_TARGET)} <= 2 % at p90)"
    )
    for kind in ("glint", "window"):
        r = stat(values(tally, f"{kind}-recall", method, light), "mean")
        p = stat(values(tally, f"{kind}-precision", method, light), "mean")
        ok = r >= RECALL_TARGET and p >= PRECISION_TARGET
        print(f"    {kind}s: recall {r:.3f}, precision {p:.3f} ({verdict(ok)} 0.95 / 0.9)")
        parts = []
        for size, label in (("large", f">= {SMALL_AREA} px"), ("small", f"< {SMALL_AREA} px")):
            recalls = values(tally, f"{kind}-{size}-recall", method, light)
            if recalls.size:
                precision = stat(values(tally, f"{kind}-{size}-precision", method, light), "mean")
                parts.append(
                    f"{label}: {recalls.size} x recall {stat(recalls, 'mean'):.3f},"
                    f" precision {precision:.3f}"
                )
        print(f"      by size, {'; '.join(parts)}")


def print_fill_summary(tally: Tally, fill: str, stage: str, method: str) -> None:
    low, high = ENERGY_RANGE
    for kind in ("glint", "window"):
        e = values(tally, f"{kind}-{stage}-energy", method, list(LIGHT_COLOURS))
        r = values(tally, f"{kind}-{stage}-relative-energy", method, list(LIGHT_COLOURS))
        p = values(tally, f"{kind}-{stage}-psnr", method, list(LIGHT_COLOURS))
        within = float(np.mean((e >= low) & (e <= high))) if e.size else 0.0
        ok = low <= stat(e, "median") <= high
        print(
            f"    {fill}, {kind}s: PSNR {stat(p, 'mean'):.1f} dB; energy ratio mean "
            f"{stat(e, 'mean'):.2f}, median {stat(e, 'median'):.2f} ({verdict(ok)} {low}-{high}"
            f" at the median)\n      {100 * within:.0f} % of crops within; result's ratio over"
            f" the clean image's in the same holes: median {stat(r, 'median'):.2f}"
        )


def save_examples(folder: Path, examples: dict[str, list[np.ndarray]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in examples.items():
        path = folder / f"reflections-{name}.png"
        cv2.imwrite(str(path), np.vstack(rows)[:, :, ::-1])
    print(f"\n{len(examples)} example sheets in {folder} (rows: clean, glints, window; columns:")
    print(
        "input, flags yellow hit / red false / cyan missed, irisd detect + fill, GT holes + fill)"
    )
