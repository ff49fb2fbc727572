"""End-to-end time of a 12 MP photo, per step, next to the JPEG decode + encode floor.

The photo is a MOBIUS image (1_1i_Ls_1.jpg) enlarged to 4000 px wide and padded (mirror) to
4000x3000, encoded as JPEG q92. One warm-up run (imports, first-call costs), then RUNS timed
runs; medians are printed. Output: 2048 px PNG (the default).

    .venv/bin/python -m bench.pipeline.pipeline_speed [--learned | --no-learned]

(default: the pipeline's default)
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import cv2
import numpy as np
from PIL import Image

from bench.lib.datasets import data_root
from irisd.pipeline import PipelineOptions, process

RUNS = 3
STEPS = ("loading", "segmenting", "removing_reflections", "enhancing")


def photo_12mp() -> bytes:
    source = data_root() / "mobius-samples" / "images" / "1_1i_Ls_1.jpg"
    rgb = np.asarray(Image.open(source).convert("RGB"))
    big = cv2.resize(
        rgb, (4000, round(rgb.shape[0] * 4000 / rgb.shape[1])), interpolation=cv2.INTER_CUBIC
    )
    pad = 3000 - big.shape[0]
    big = cv2.copyMakeBorder(big, pad // 2, pad - pad // 2, 0, 0, cv2.BORDER_REFLECT)
    buffer = io.BytesIO()
    Image.fromarray(big).save(buffer, format="JPEG", quality=92)
    return buffer.getvalue()


def jpeg_floor(data: bytes) -> float:
    """Seconds to decode the JPEG and encode it again (Pillow, quality 92)."""
    start = time.perf_counter()
    image = Image.open(io.BytesIO(data))
    image.load()
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=92)
    return time.perf_counter() - start


def timed_run(data: bytes, options: PipelineOptions) -> dict[str, float]:
    marks: list[tuple[str, float]] = []
    start = time.perf_counter()
    process(data, lambda step, progress: marks.append((step, time.perf_counter())), options)
    end = time.perf_counter()
    spans: dict[str, float] = {}
    for step in STEPS:
        times = [t for s, t in marks if s == step]
        following = [t for s, t in marks if STEPS.index(s) > STEPS.index(step)]
        spans[step] = (min(following) if following else end) - min(times)
    spans["total"] = end - start
    return spans


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--learned",
        action=argparse.BooleanOptionalAction,
        default=PipelineOptions().use_learned,
        help="both segmentation paths (the default) or the classical alone",
    )
    args = parser.parse_args()
    data = photo_12mp()
    options = PipelineOptions(use_learned=args.learned)
    timed_run(data, options)  # warm-up
    runs = [timed_run(data, options) for _ in range(RUNS)]
    floors = [jpeg_floor(data) for _ in range(RUNS)]
    print(
        f"12 MP (4000x3000) JPEG, {len(data) / 1e6:.1f} MB, output 2048 px PNG, "
        f"learned={args.learned}"
    )
    for key in (*STEPS, "total"):
        print(f"  {key:22s} {1000 * statistics.median(r[key] for r in runs):7.0f} ms")
    print(f"  {'JPEG decode+encode floor':22s} {1000 * statistics.median(floors):7.0f} ms")


if __name__ == "__main__":
    main()
