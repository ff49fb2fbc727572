"""The honest part of the quality score: what the finished result had to make up.

`input_quality.py` judges the photo before anything is changed; this module judges what the
pipeline then did to it: the share of the printed disc repainted over reflections, the
share of the iris ring completed where lids or lashes covered it, how far the photo had to
be enlarged, the grain left after brightening, the exposure reached, and how much of what
is shown as iris the segmenter does not see as iris. Too much repainting or completing is a
refusal with its cause; less is a short note on the job, and it lowers the score.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from irisd.errors import QualityIssue
from irisd.options import PRINT_SIDE
from irisd.pipeline.input_quality import LIDS, REFLECTIONS
from irisd.pipeline.types import Occlusion

# Refusals. Reflections: repainting more than this share of the disc is no longer the
# same iris (MMU, all 180 photos, whose glint sits in the pupil: at most 0.024). Lids:
# MMU's lids and lashes (with the margin and lashes of occlusion.py) cover a median 0.32
# of the ring and at most 0.57 on photos its annotators outlined; more is a closed eye.
MAX_REPAINTED = 0.12
MAX_COMPLETED = 0.6
# Notes: above these a person should know what was made up.
NOTE_REPAINTED = 0.03
NOTE_COMPLETED = 0.05
MAX_ENLARGEMENT = 2.0  # interpolation beyond 2x shows as blur and jaggies at print size
DARK_LEVEL = 20.0  # iris median L* below which the photo counts as dark
GRAINY = 2.5  # L* std of the finest detail in the result's iris that shows as grain
# Share of the shown iris the segmenter sees no iris in (learned.unbacked) that is worth a
# word. MMU persons 1-45 (176 photos): at most 0.13 (a nearly closed eye), the rest 0.05;
# MOBIUS 1_1i_Ll_2 (looking aside, its top in shadow): 0.32. Synthetic light irises
# (bench/light_segmentation.py --every 3): 11 of the 21 outlined wrongly, over skin and
# shadow, reach 0.2; 3 of the 115 outlined right (circle IoU 0.76-0.81).
NOTE_UNBACKED = 0.2
NOT_IRIS = (
    "Part of what was printed may not be iris (the eye may be turned or shadowed). Check the"
    " print, or retake the photo looking straight at the camera in even light."
)


@dataclass(frozen=True)
class Outcome:
    """What the finished result is made of: `repainted` share of the disc, `completed` share
    of the iris ring (0..1)."""

    repainted: float
    completed: float
    occlusion: Occlusion
    side: int  # result side, px
    requested: int  # the side asked for
    enlargement: float  # result px per photo px
    level_in: float  # iris median L* of the photo
    level_out: float  # ... and of the result
    noise: float  # L* std of the finest detail in the result's iris
    unbacked: float = 0.0  # share of the shown iris the segmenter sees no iris in

    def as_dict(self) -> dict[str, float]:
        values = {k: v for k, v in vars(self).items() if isinstance(v, int | float)}
        return {f"result_{k}": round(float(v), 4) for k, v in values.items()}


def cover_gate(repainted: float, completed: float) -> None:
    """Refuse a photo whose iris would be mostly made up rather than shown."""
    if repainted > MAX_REPAINTED:
        raise QualityIssue(REFLECTIONS, repainted=repainted)
    if completed > MAX_COMPLETED:
        raise QualityIssue(LIDS, completed=completed)


def output_side(requested: int, crop_side: int) -> int:
    """The result's side: as asked, but never more than MAX_ENLARGEMENT x the photo's crop."""
    return max(64, min(requested, math.floor(MAX_ENLARGEMENT * crop_side)))


def notes(o: Outcome) -> tuple[str, ...]:
    """Short sentences on what holds the result back, most important first."""
    found: list[str] = []
    if o.unbacked >= NOTE_UNBACKED:
        found.append(NOT_IRIS)
    if o.repainted >= NOTE_REPAINTED:
        found.append(
            f"Reflections covered {_pct(o.repainted)} of the iris; they were filled in from"
            " the texture beside them."
        )
    if o.completed >= NOTE_COMPLETED:
        done = (
            "that part was completed from the iris around it."
            if o.occlusion == "fill"
            else "that part is left transparent."
        )
        found.append(f"Eyelids or lashes covered {_pct(o.completed)} of the iris; {done}")
    if o.side < min(o.requested, PRINT_SIDE):
        found.append(
            f"This result is {o.side} px across: fine on a screen, too small to print (a print"
            f" needs {PRINT_SIDE} px). Take the photo closer, at the camera's full resolution."
        )
    if o.level_in < DARK_LEVEL:
        found.append(
            "The photo was dark, so the iris was brightened. Bright, even light (no flash"
            " glare) gives a cleaner print."
        )
    elif o.noise > GRAINY:
        found.append("The result is grainy. Brighter light gives a cleaner print.")
    return tuple(found)


def score(photo_score: float, o: Outcome) -> float:
    """0..1: the photo's score and the result's, combined (geometric mean)."""
    parts = (
        1.0 - _ramp(o.repainted, 0.01, MAX_REPAINTED),
        1.0 - _ramp(o.completed, NOTE_COMPLETED, MAX_COMPLETED),
        _ramp(o.side, 256, PRINT_SIDE),
        1.0 - _ramp(o.noise, 1.0, 2 * GRAINY),
        _ramp(o.level_in, 5.0, 30.0),
        1.0 - _ramp(o.unbacked, NOTE_UNBACKED / 4, 2 * NOTE_UNBACKED),
    )
    result = float(np.mean(parts))
    return round(math.sqrt(max(0.0, photo_score) * result), 4)


def _pct(share: float) -> str:
    return f"{max(1, round(100 * share))}%"


def _ramp(value: float, low: float, high: float) -> float:
    return float(np.clip((value - low) / (high - low), 0.0, 1.0))
