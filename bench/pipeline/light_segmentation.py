"""Outlining light irises: refusals and circle accuracy on real photos recoloured light.

bench/lib/light_looks.py recolours only the iris ring, so a light iris can end up lighter than
the sclera around it (the MMU photos are near-infrared, where the sclera is mid grey; the
MOBIUS ones are dim). No real photo looks like that, and the outline suffers for it. Here
the rest of the photo is lifted as well (on L* outside the GT iris and pupil, by an amount
that takes its 90th percentile to at least 28 above the new iris median, at most L* 96, and
falls with the square of the level, so lashes stay dark), so that the sclera stays the
lightest part of the eye, as in a photo of a blue or green eye. Lids over the iris are lifted
with the rest of the skin (until 2026-12-02 those inside the iris circle were left at their
infrared level, a dark cap no real photo has, and a power curve lifted lashes to mid grey).

Per look: accepted / refused (by message) and, for accepted photos, the IoU of the result's
iris disc with the circle derived from the GT mask, and how many of them are wrong (IoU below
WRONG): every accepted outline counts, so refusing fewer cannot hide wrong ones. Of the wrong
and of the right ones, how many the result tells that part of the print may not be iris
(result_quality.NOT_IRIS, its first note): the wrong ones should, the right ones should not.

    .venv/bin/python -m bench.pipeline.light_segmentation [--every N]   # every Nth MMU test photo
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import numpy as np

from bench.lib import light_looks
from bench.lib.art_runs import run_bytes
from bench.lib.datasets import Item, derived_circle, iou, mmu_items, mobius_items, require_root
from bench.lib.light_photos import LOOKS, encode_png, light_photo_and_pupil
from irisd.pipeline import result_quality
from irisd.pipeline.geometry import Circle, disk
from irisd.pipeline.types import PipelineOptions

SCLERA_ABOVE = 28.0  # L*: the sclera's 90th percentile above the light iris's median
BRIGHTEST = 96.0  # ... but no higher than this
WRONG = 0.75  # circle IoU below which an accepted outline counts as wrong


def lit(photo: np.ndarray, item: Item, pupil: Circle) -> np.ndarray:
    """The photo with everything but the iris and the pupil lifted (see the module
    docstring): lids and lashes over the iris too, as the rest of the skin."""
    lab = light_looks.to_lab(photo)
    lightness = lab[..., 0]
    outside = ~(disk(item.iris.shape, pupil) | item.iris)
    top = float(np.percentile(lightness[outside], 90))
    iris_level = float(np.median(lightness[item.iris]))
    want = min(BRIGHTEST, max(top, iris_level + SCLERA_ABOVE))
    # the lift grows with the square of the level: skin and sclera come up, lashes stay dark
    share = np.clip(lightness / max(top, 1.0), 0.0, 1.0) ** 2
    lifted = np.clip(lightness + (want - top) * share, 0.0, 100.0)
    lab[..., 0] = np.where(outside, lifted, lightness)
    return np.asarray(light_looks.from_lab(lab), np.uint8)


def lit_rgb(item: Item, look: str, seed: int) -> np.ndarray | None:
    """The photo with its iris recoloured into the light `look` and the rest lit (see `lit`);
    None when it has no iris to recolour."""
    made = light_photo_and_pupil(item, look, "none", seed=seed)
    return None if made is None else lit(made[0], item, made[1])


def lit_photo(item: Item, look: str, seed: int) -> bytes | None:
    """`lit_rgb` as a PNG, as the pipeline is sent it."""
    rgb = lit_rgb(item, look, seed)
    return None if rgb is None else encode_png(rgb)


def circle_iou(shape: tuple[int, int], a: Circle, b: Circle) -> float:
    return iou(disk(shape, a), disk(shape, b))


@dataclass
class Tally:
    """What the pipeline made of the lit looks."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)  # (look, message)
    ious: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    by_set: dict[str, list[float | None]] = field(  # circle IoU, None = refused
        default_factory=lambda: defaultdict(list)
    )
    told: Counter[bool] = field(default_factory=Counter)  # noted as maybe not iris: wrong?


def run(items: list[Item], mobius: int) -> Tally:
    """Every look of every item (the first `mobius` are MOBIUS photos) through the pipeline."""
    tally = Tally()
    for index, item in enumerate(items):
        source = "MOBIUS" if index < mobius else "MMU"
        iris = derived_circle(item.iris)
        for look in LOOKS:
            photo = lit_photo(item, look, seed=index)
            if photo is None or iris is None:
                continue
            outcome = run_bytes(item.name, photo, PipelineOptions())
            tally.outcomes[(look, outcome.message.split(".")[0] or "accepted")] += 1
            value = None
            if outcome.art is not None:
                value = circle_iou(item.iris.shape, outcome.art.disc_in, iris)
                tally.ious[look].append(value)
                if result_quality.NOT_IRIS in outcome.art.result.quality_notes:
                    tally.told[value < WRONG] += 1
            tally.by_set[source].append(value)
    return tally


def report(tally: Tally) -> None:
    """Per look, the refusals by message, per set, and the summary line."""
    outcomes, ious = tally.outcomes, tally.ious
    for look in LOOKS:
        total = sum(n for (name, _), n in outcomes.items() if name == look)
        accepted = outcomes[(look, "accepted")]
        median = float(np.median(ious[look])) if ious[look] else float("nan")
        wrong = sum(value < WRONG for value in ious[look])
        print(
            f"{look:12s} accepted {accepted:3d}/{total}  circle IoU median {median:.3f}"
            f"  wrong {wrong}"
        )
    print("refusals:")
    reasons: Counter[str] = Counter()
    for (_, message), n in outcomes.items():
        if message != "accepted":
            reasons[message] += n
    for message, n in reasons.most_common():
        print(f"  {n:3d}  {message}")
    # The MOBIUS eyes are mostly turned sideways and recoloured inside a GT polygon: looks
    # that no camera makes, worth telling apart from the MMU ones.
    for name, values in tally.by_set.items():
        scored = [v for v in values if v is not None]
        wrong = sum(v < WRONG for v in scored)
        print(f"{name}-based: accepted {len(scored)}/{len(values)}, wrong {wrong}")
    accepted = sum(n for (_, m), n in outcomes.items() if m == "accepted")
    every = [v for values in ious.values() for v in values]
    wrong = sum(v < WRONG for v in every)
    print(
        f"told the print may not be iris: {tally.told[True]} of {wrong} wrong,"
        f" {tally.told[False]} of {len(every) - wrong} right"
    )
    print(
        f"SUMMARY light irises outlined: accepted {accepted}/{sum(outcomes.values())}, "
        f"circle IoU median {np.median(every):.3f}, "
        f"wrong (IoU < {WRONG}) {wrong}, told {tally.told[True]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=int, default=5, help="every Nth MMU test photo")
    args = parser.parse_args()
    root = require_root()
    mobius = mobius_items(root)
    items = mobius + mmu_items(root, "test")[:: args.every]
    tally = run(items, len(mobius))
    print(f"{len(items)} photos (6 MOBIUS, every {args.every}th MMU test) x {len(LOOKS)} looks")
    report(tally)


if __name__ == "__main__":
    main()
