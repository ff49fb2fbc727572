"""Fusions, compositions and HD-export enlargement (irisd/art) on real prints: sheets, timings,
seam and upscale measures.

Prints are made by `irisd.pipeline.process` (default options) from colour-dev photos in
$IRISD_DATA (default ../shared/data): a "brown" set (four clinic photos, dark brown irises
as alike as one person's two eyes on two days) and a "mixed" set (blue, green, grey, brown:
the hardest case for a seam). Written into OUT (default /tmp/irisd-fusion), never the
repository:

- `fusion.png`: each set with 2, 3 and 4 prints: the sources, then `poisson`, then `alpha`;
- `seams-SET-MODE.png`: 4-print fusions at full size, 512 px around every border at mid-radius,
  1:1, to check the borders by eye; the fused discs themselves as `fused-SET-N-MODE.png`;
- `layouts.png`: `horizontal`, `vertical` and `grid_2x2` with 2, 3 and 4 prints (on a
  checkerboard: the background is transparent);
- `upscale.png`: each print shrunk by half and enlarged back, a 192 px patch shown twice
  the size: the original, Lanczos, Lanczos with back-projection (`irisd.art.upscale`).

Printed: the time of each fusion, composition and export; per fusion `seam_ratio` (gradient
energy along the borders over that along the sectors' middles; target <= 1) and each
source's `own_texture` in its sector (target >= 0.9; others' <= 0.1; bench/lib/blend_scores.py);
per print and on average, PSNR, SSIM and texture ratio (1.0 = the original's fine texture)
of Lanczos and of back-projection against the original (target: back-projection above
Lanczos in mean PSNR and SSIM, its texture ratio nearer 1).

    .venv/bin/python -m bench.images.fusion [--out DIR] [--size 2048]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import cv2
import numpy as np

from bench.lib.blend_scores import (
    inner_disc,
    own_texture,
    psnr,
    seam_ratio,
    sector_middle,
    ssim,
    texture_ratio,
)
from bench.lib.datasets import require_root
from irisd.art.export import ExportFormat, export
from irisd.art.fusion import BLEND_MODES, Frame, fuse
from irisd.art.layout import LAYOUTS, compose
from irisd.art.print_disc import disc_of
from irisd.art.upscale import enlarge, lanczos
from irisd.pipeline import PipelineOptions, process

SETS = {
    "brown": [
        "clinic-brown/images/IMG_1014.jpg",
        "clinic-brown/images/IMG_1020.jpg",
        "clinic-brown/images/IMG_1023.jpg",
        "clinic-brown/images/IMG_1029.jpg",
    ],
    "mixed": [
        "web-colours/images/blue9.jpg",
        "web-colours/images/green12.jpg",
        "web-colours/images/gray7.jpg",
        "clinic-brown/images/IMG_1025.jpg",
    ],
}
TILE = 260  # px, a sheet's tile
PATCH = 192  # px of a print, shown twice the size on the upscale sheet
SEAM_CROP = 512
T = TypeVar("T")


def make_print(root: Path, name: str) -> np.ndarray:
    result = process(
        (root / "colour-dev" / name).read_bytes(), lambda _s, _p: None, PipelineOptions()
    )
    image = cv2.imdecode(np.frombuffer(result.image, np.uint8), cv2.IMREAD_UNCHANGED)
    return np.asarray(image)


def on_checks(bgra: np.ndarray) -> np.ndarray:
    """BGR of a BGRA image over a grey checkerboard (transparent shows as checks)."""
    h, w = bgra.shape[:2]
    ys, xs = np.mgrid[0:h, 0:w]
    checks = np.where(((ys // 16 + xs // 16) % 2)[:, :, None] == 0, 200, 150).astype(np.float32)
    weight = bgra[:, :, 3:].astype(np.float32) / 255.0
    return np.asarray(bgra[:, :, :3] * weight + checks * (1 - weight), np.uint8)


def tile(bgra: np.ndarray, label: str, side: int = TILE) -> np.ndarray:
    h, w = bgra.shape[:2]
    scale = side / max(h, w)
    small = cv2.resize(
        bgra, (max(1, round(w * scale)), max(1, round(h * scale))), interpolation=cv2.INTER_AREA
    )
    out = np.full((side + 22, side, 3), 255, np.uint8)
    y0, x0 = (side - small.shape[0]) // 2, (side - small.shape[1]) // 2
    out[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = on_checks(small)
    cv2.putText(
        out, label, (4, side + 16), cv2.FONT_HERSHEY_SIMPLEX, 0.45, (0, 0, 0), 1, cv2.LINE_AA
    )
    return out


def rows_to_sheet(rows: list[list[np.ndarray]]) -> np.ndarray:
    width = max(sum(t.shape[1] for t in row) for row in rows)
    lines = []
    for row in rows:
        line = np.hstack(row)
        lines.append(
            np.pad(line, ((0, 0), (0, width - line.shape[1]), (0, 0)), constant_values=255)
        )
    return np.vstack(lines)


def timed(run: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    value = run()
    return value, time.perf_counter() - start


def fusions(sets: dict[str, list[np.ndarray]], size: int, out: Path) -> None:
    rows = []
    for name, prints in sets.items():
        for count in (2, 3, 4):
            sources = prints[:count]
            row = [tile(p, f"{name} source {k + 1}") for k, p in enumerate(sources)]
            row += [np.full((TILE + 22, TILE, 3), 255, np.uint8)] * (4 - count)
            discs = [disc_of(p) for p in sources]
            frame = Frame.of(size, discs)
            registered = [frame.warp(p, d) for p, d in zip(sources, discs, strict=True)]
            for mode in BLEND_MODES:
                fused, seconds = timed(lambda: fuse(sources, mode, size))  # noqa: B023
                own = [
                    own_texture(fused, registered[k], sector_middle(frame, count, k))
                    for k in range(count)
                ]
                other = max(
                    own_texture(fused, registered[j], sector_middle(frame, count, k))
                    for k in range(count)
                    for j in range(count)
                    if j != k
                )
                print(
                    f"fuse {name} x{count} {mode:7s} {seconds:5.2f} s  seam_ratio "
                    f"{seam_ratio(fused, frame, count):.2f}  own_texture "
                    f"{min(own):.3f}..{max(own):.3f}  others' <= {other:.3f}"
                )
                row.append(tile(fused, f"{mode} x{count}"))
                cv2.imwrite(str(out / f"fused-{name}-{count}-{mode}.png"), fused)
                if count == 4:
                    seams(fused, frame, out / f"seams-{name}-{mode}.png")
            rows.append(row)
    cv2.imwrite(str(out / "fusion.png"), rows_to_sheet(rows))


def seams(fused: np.ndarray, frame: Frame, path: Path) -> None:
    """SEAM_CROP px around each of four borders at mid-radius, 1:1, side by side."""
    radius = (frame.pupil_r + frame.iris.r) / 2
    crops = []
    for k in range(4):
        angle = np.pi * (2 * k + 1) / 4
        x = round(frame.iris.x + radius * np.cos(angle)) - SEAM_CROP // 2
        y = round(frame.iris.y + radius * np.sin(angle)) - SEAM_CROP // 2
        x, y = np.clip([x, y], 0, fused.shape[0] - SEAM_CROP)
        crops.append(on_checks(fused[y : y + SEAM_CROP, x : x + SEAM_CROP]))
    cv2.imwrite(str(path), np.hstack(crops))


def layouts(prints: list[np.ndarray], size: int, out: Path) -> None:
    rows = []
    for layout in LAYOUTS:
        row = []
        for count in (2, 3, 4):
            canvas, seconds = timed(lambda: compose(prints[:count], layout, size))  # noqa: B023
            width, height = canvas.shape[1], canvas.shape[0]
            print(f"compose {layout:10s} x{count} {seconds:5.2f} s  {width}x{height}")
            row.append(tile(canvas, f"{layout} x{count}", 360))
        rows.append(row)
    cv2.imwrite(str(out / "layouts.png"), rows_to_sheet(rows))


def upscales(prints: list[np.ndarray], names: list[str], out: Path) -> None:
    scores: dict[str, list[tuple[float, float, float]]] = {"lanczos": [], "back-projection": []}
    rows = []
    for image, name in zip(prints, names, strict=True):
        side = image.shape[0] - image.shape[0] % 2
        original = image[:side, :side]
        small = cv2.resize(original, (side // 2, side // 2), interpolation=cv2.INTER_AREA)
        region = inner_disc(side, 0.85)
        made = {
            "lanczos": lanczos(small, side, side),
            "back-projection": enlarge(small, side, side),
        }
        line = [name.split("/")[-1]]
        for method, enlarged in made.items():
            score = (
                psnr(enlarged, original, region),
                ssim(enlarged, original, region),
                texture_ratio(enlarged, original, region),
            )
            scores[method].append(score)
            line.append(f"{method} {score[0]:.2f} dB {score[1]:.4f} {score[2]:.3f}")
        print("upscale x2 " + "  ".join(line))
        # A patch two thirds of the way out to the iris's edge, right of the centre.
        y0, x0 = side // 2 - PATCH // 2, round(side * 0.81) - PATCH // 2
        row = []
        for label, picture in [("original", original), *made.items()]:
            patch = picture[y0 : y0 + PATCH, x0 : x0 + PATCH]
            zoom = cv2.resize(patch, (2 * PATCH, 2 * PATCH), interpolation=cv2.INTER_NEAREST)
            row.append(tile(zoom, f"{name.split('/')[-1]} {label}", 2 * PATCH))
        rows.append(row)
    for method, values in scores.items():
        mean = [statistics.fmean(v[i] for v in values) for i in range(3)]
        print(
            f"upscale x2 mean {method:15s} PSNR {mean[0]:.2f} dB  SSIM {mean[1]:.4f}  "
            f"texture {mean[2]:.3f}"
        )
    cv2.imwrite(str(out / "upscale.png"), rows_to_sheet(rows))


def exports(image: np.ndarray) -> None:
    runs: list[tuple[str, ExportFormat]] = [
        ("20x20cm", "png"),
        ("20x20cm", "tiff"),
        ("50x50cm", "png"),
    ]
    for size, fmt in runs:
        made, seconds = timed(lambda: export(image, native_px=1800, print_size=size, format=fmt))  # noqa: B023
        print(
            f"export {size} {fmt:4s} {seconds:5.2f} s  {made.width} px  "
            f"{len(made.data) / 1e6:.1f} MB  enlarged={made.enlarged}  detail {made.detail_dpi} dpi"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("/tmp/irisd-fusion"))
    parser.add_argument("--size", type=int, default=2048)
    args = parser.parse_args()
    root = require_root()
    args.out.mkdir(parents=True, exist_ok=True)
    made = {name: [make_print(root, photo) for photo in photos] for name, photos in SETS.items()}
    fusions(made, args.size, args.out)
    layouts(made["mixed"], args.size, args.out)
    names = [photo for photos in SETS.values() for photo in photos]
    upscales([p for prints in made.values() for p in prints], names, args.out)
    exports(made["brown"][1])
    for path in sorted(args.out.glob("*.png")):
        print(path)


if __name__ == "__main__":
    main()
