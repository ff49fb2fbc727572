"""Super-resolution (Real-ESRGAN x4plus, bench/realesrgan.py) against interpolation.

    .venv/bin/python bench/superres.py [--sizes 128,256] [--threads N]

Needs artifacts/realesrgan-x4plus.pt (scripts/convert_realesrgan.py). Prints:

1. CPU time to enlarge a crop of each size by 2x (and by 4x), and seconds per megapixel of
   output. The network always runs x4 on the input, so both factors cost about the same.
2. PSNR (RGB, 8-bit) of 2x enlargement against the original, on the MOBIUS iris crops in
   $IRISD_DATA (default ../shared/data; research-only photos, read here, never saved):
   the original crop is area-downscaled 2x, then enlarged back by bicubic, Lanczos and the
   network. Two kinds of crop per size N:
   - "whole": the iris's bounding square, area-resized to N x N (a small, clean iris, as when
     a photo holds a small iris);
   - "native": N x N photo pixels at the iris centre (sensor noise and JPEG artefacts kept).
   PSNR rewards the mean; a GAN-trained network draws plausible texture and removes noise,
   so it can lose on PSNR while looking sharper. Read the figures with that in mind.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import cv2
import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script from anywhere

import realesrgan as superres  # noqa: E402
from datasets import data_root, mobius_items, read_rgb  # noqa: E402


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(255**2 / max(mse, 1e-10))


def iris_crops(size: int) -> list[tuple[str, str, np.ndarray]]:
    """(photo, kind, crop) for each MOBIUS photo: the whole iris resized, and native pixels."""
    out: list[tuple[str, str, np.ndarray]] = []
    for item in mobius_items(data_root()):
        rgb = read_rgb(item.image)
        assert item.pupil is not None  # MOBIUS labels the pupil
        ys, xs = np.nonzero(item.iris | item.pupil)
        cy, cx = (ys.min() + ys.max()) // 2, (xs.min() + xs.max()) // 2
        half = min(max(ys.max() - ys.min(), xs.max() - xs.min()) // 2, cy, cx)
        square = rgb[cy - half : cy + half, cx - half : cx + half]
        whole = cv2.resize(square, (size, size), interpolation=cv2.INTER_AREA)
        native = rgb[cy - size // 2 : cy + size // 2, cx - size // 2 : cx + size // 2]
        name = Path(item.name).stem
        out += [(name, "whole", whole), (name, "native", np.ascontiguousarray(native))]
    return out


def timing(model: superres.RRDBNet, sizes: list[int]) -> None:
    print(f"== CPU time (torch threads: {torch.get_num_threads()}) ==")
    rng = np.random.default_rng(0)
    for size in sizes:
        # A smooth random image: the cost does not depend on the content.
        crop = cv2.GaussianBlur(rng.integers(0, 256, (size, size, 3), dtype=np.uint8), (0, 0), 3)
        for factor in (2, 4):
            start = time.perf_counter()
            big = superres.enlarge(crop, factor, model)
            took = time.perf_counter() - start
            out_mp, in_mp = big.shape[0] * big.shape[1] / 1e6, size * size / 1e6
            print(
                f"{size}x{size} -> {big.shape[1]}x{big.shape[0]} (x{factor}): {took:6.1f} s, "
                f"{took / out_mp:6.1f} s per output MP, {took / in_mp:6.0f} s per input MP"
            )


def quality(model: superres.RRDBNet, sizes: list[int]) -> None:
    methods = {
        "bicubic": lambda lo, n: cv2.resize(lo, (n, n), interpolation=cv2.INTER_CUBIC),
        "lanczos": lambda lo, n: cv2.resize(lo, (n, n), interpolation=cv2.INTER_LANCZOS4),
        "realesrgan": lambda lo, n: superres.enlarge(lo, n / lo.shape[0], model),
    }
    print("\n== PSNR of 2x enlargement vs the original (dB; MOBIUS iris crops) ==")
    for size in sizes:
        scores: dict[tuple[str, str], list[float]] = {}
        for name, kind, crop in iris_crops(size):
            low = cv2.resize(crop, (size // 2, size // 2), interpolation=cv2.INTER_AREA)
            row = {m: psnr(f(low, size), crop) for m, f in methods.items()}
            for m, value in row.items():
                scores.setdefault((kind, m), []).append(value)
            print(
                f"{size:4d} {kind:6s} {name:12s} "
                + "  ".join(f"{m} {v:5.2f}" for m, v in row.items())
            )
        for kind in ("whole", "native"):
            means = "  ".join(f"{m} {statistics.mean(scores[kind, m]):5.2f}" for m in methods)
            print(f"MEAN {size} {kind:6s} n={len(scores[kind, 'bicubic'])}: {means}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="128,256")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    model = superres.load("cpu")
    if model is None:
        raise SystemExit(f"no {superres.DEFAULT_PATH}: run scripts/convert_realesrgan.py")
    sizes = [int(s) for s in args.sizes.split(",")]
    timing(model, sizes)
    if (data_root() / "mobius-samples").is_dir():
        quality(model, sizes)
    else:
        print(f"\nno MOBIUS samples under {data_root()} (set IRISD_DATA): PSNR skipped")


if __name__ == "__main__":
    main()
