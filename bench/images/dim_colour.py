"""True colour from a dim photo: the same light iris photographed in good light and in dim light.

Each look of bench/pipeline/light_segmentation.py (an MMU test photo, every Nth, its iris made blue,
grey, amber, green, hazel or light brown, the rest of the eye lit as in a colour photo) is
the photo in good light. The same photo with its light cut to DIM in linear light, sensor
noise added (NOISE grey levels) and 8-bit quantised, is a dim photo of the same eye, as
dark as the MOBIUS irises (L* 9-15). Brightening the dim photo must bring back the iris's
colour: its print should have the iris's hue and its chroma relative to its lightness, as
an exposure change leaves it: C*/(L* + 16) (L* + 16 and C* both grow with the cube root of
the light). Less is a greyer print than the eye, more a more vivid one. The well-lit iris
is measured on the photo (GT iris), the print on the result's ring (colour_scores.ring).

Per look: how many dim photos were accepted and how many of those are outlined wrongly
(circle IoU with the GT's below light_segmentation.WRONG), how many refused were told the
photo is too dark (refusals.TOO_DARK); the median over the accepted ones of the dim
and the printed iris's median L*, of the print's C*/(L* + 16) over the well-lit iris's (1:
the colour of the eye), of the hue difference (coloured irises only), and of the share of
clipped print pixels.

    .venv/bin/python -m bench.images.dim_colour [--every N]   # every Nth MMU test photo
"""

from __future__ import annotations

import argparse

import numpy as np

from bench.lib.art_runs import run_bytes
from bench.lib.colour_scores import Colour, clipped, colour, hue_shift, ring
from bench.lib.datasets import derived_circle, mmu_items, require_root
from bench.lib.light_photos import LOOKS, encode_png
from bench.lib.pasted_reflections import from_linear, to_linear
from bench.pipeline.light_segmentation import WRONG, circle_iou, lit_rgb
from irisd.pipeline import PipelineOptions, refusals

DIM = 1 / 16  # of the light, in linear light: a lit iris at L* 60 comes to about L* 13
NOISE = 1.0  # grey levels (sRGB) of sensor noise in the dim photo


def dimmed(rgb: np.ndarray, seed: int) -> np.ndarray:
    """The photo with DIM of its light (in linear light), sensor noise and 8-bit quantisation."""
    dark = from_linear(to_linear(rgb) * DIM).astype(np.float64)
    noise = np.random.default_rng(seed).normal(0.0, NOISE, rgb.shape)
    return np.asarray(np.clip(dark + noise + 0.5, 0, 255), np.uint8)


def vividness(c: Colour) -> float:
    """Chroma relative to lightness as an exposure change leaves it: C*/(L* + 16)."""
    return c.chroma / (c.lightness + 16.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=5, help="every Nth MMU test photo")
    args = parser.parse_args()
    items = mmu_items(require_root(), "test")[:: args.every]
    print(f"{len(items)} MMU test photos x {len(LOOKS)} looks, dimmed to {DIM:.3f} of the light")
    print("look         accepted wrong dark  L* dim → print   vividness kept   Δhue°   clipped %")
    for look in LOOKS:
        levels, dim_levels, kept, shifts, clips = [], [], [], [], []
        accepted, wrong, dark = 0, 0, 0
        for index, item in enumerate(items):
            lit = lit_rgb(item, look, seed=index)
            if lit is None:
                continue
            iris = item.iris  # MMU's visible iris leaves the pupil out
            dim = dimmed(lit, seed=index)
            outcome = run_bytes(item.name, encode_png(dim), PipelineOptions())
            if outcome.art is None:
                dark += outcome.message == refusals.TOO_DARK
                continue
            accepted += 1
            truth_circle = derived_circle(item.iris)
            if truth_circle is not None:
                disc = outcome.art.disc_in
                wrong += circle_iou(item.iris.shape, disc, truth_circle) < WRONG
            truth, printed = colour(lit[iris]), colour(ring(outcome.art))
            dim_levels.append(colour(dim[iris]).lightness)
            levels.append(printed.lightness)
            kept.append(vividness(printed) / vividness(truth))
            shift = hue_shift(truth, printed)
            if shift is not None:
                shifts.append(abs(shift))
            clips.append(clipped(ring(outcome.art)))
        if not accepted:
            print(f"{look:12s} accepted 0/{len(items)}")
            continue
        hue = f"{np.median(shifts):6.1f}" if shifts else "     -"
        print(
            f"{look:12s} {accepted:3d}/{len(items):<3d} {wrong:5d} {dark:4d}"
            f"  {np.median(dim_levels):5.1f} →"
            f" {np.median(levels):5.1f}    {np.median(kept):12.2f}     {hue}  "
            f" {np.median(clips):6.2f}"
        )
        print(
            f"SUMMARY dim {look}: vividness kept {np.median(kept):.2f} (1 = the eye's colour),"
            f" |Δhue| {hue.strip()}°, accepted {accepted}/{len(items)}, wrong {wrong}"
        )


if __name__ == "__main__":
    main()
