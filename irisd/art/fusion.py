"""Fusion: two to four iris prints of one person blended into one iris disc.

Each print is registered on its own iris and pupil circles (Daugman's rubber sheet: a point
a share t of the way from the pupil's edge to the iris's edge, at angle theta, goes to the
same t and theta of the fused disc, whose pupil is centred and of the prints' mean size).
Each source then owns an angular sector (two: the left and right halves; four: quarters).

- `poisson`: gradient-domain. Every sector keeps its own gradients and a Poisson solve in
  the polar frame (`irisd.art.polar_poisson`) finds the one image with them: the sectors'
  light and colour are made to agree, spread smoothly over the whole disc, so the result
  reads as one iris in one light (prints of one person's eye under different lamps become
  one colour; prints of unlike irises meet at their mean). Their texture crosses over a
  band SEAM_FEATHER of the side wide, and no seam shows (measured: the gradients along the
  borders are below those inside the sectors; `bench/images/fusion.py`).
- `alpha`: a soft feathered blend: each sector fades into the next over half its angle, with
  no colour matching: each print keeps its own colour, mixed where they meet.

The pupil is painted in the sources' black, round and centred; the result is a disc with
alpha like a print (transparent outside the iris).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Literal, get_args

import cv2
import numpy as np

from irisd.art import polar_poisson
from irisd.art.print_disc import Disc, check_count, disc_of, iris_of, premultiplied, unpremultiplied
from irisd.pipeline.output import alpha as disc_alpha

BlendMode = Literal["poisson", "alpha"]
BLEND_MODES: tuple[BlendMode, ...] = get_args(BlendMode)

# Of the output side: the poisson mode's texture cross-fade at a border (measured along the
# circle). At 0.004 (8 px) the light matched but two textures still met in a visible line.
SEAM_FEATHER = 0.03
ALPHA_FEATHER = 0.5  # of a sector's angle: the alpha mode's fade between two sources
RIM_INSET = 1.5  # px of a print: its iris edge is sampled this far in, inside its anti-aliasing
PUPIL_EDGE = 0.08  # of the pupil radius: the band inside its edge where the black fades in


class UnknownBlendMode(ValueError):
    """Neither "poisson" nor "alpha"."""


def fuse(
    prints: Sequence[np.ndarray],
    mode: BlendMode,
    size: int = 2048,
    report: Callable[[float], None] | None = None,
) -> np.ndarray:
    """One (size, size, 4) uint8 BGRA iris disc blended from 2..4 BGRA prints."""
    check_count(prints)
    if mode not in BLEND_MODES:
        raise UnknownBlendMode(f"blend mode must be one of {', '.join(BLEND_MODES)}")
    tell = report or (lambda _fraction: None)
    discs = [disc_of(image) for image in prints]
    frame = Frame.of(size, discs)
    tell(0.1)
    warped = []  # premultiplied float32 BGRA on the frame
    for k, (image, disc) in enumerate(zip(prints, discs, strict=True)):
        warped.append(frame.warp(image, disc))
        tell(0.1 + 0.5 * (k + 1) / len(prints))
    count = len(prints)
    if mode == "poisson":
        weights = frame.sector_weights(count, feather_px=SEAM_FEATHER * size)
        corrections = polar_poisson.corrections(warped, frame.polar, count)
        for image, correction in zip(warped, corrections, strict=True):
            image[:, :, :3] += frame.polar.to_cartesian(correction) * (image[:, :, 3:] / 255.0)
    else:
        weights = frame.sector_weights(count, feather_rad=ALPHA_FEATHER * 2 * math.pi / count)
    tell(0.9)
    fused = np.zeros((size, size, 4), np.float32)
    for image, weight in zip(warped, weights, strict=True):
        fused += image * weight[:, :, None]
    np.clip(fused[:, :, :3], 0.0, fused[:, :, 3:], out=fused[:, :, :3])
    out = frame.cut_out(frame.paint_pupil(unpremultiplied(fused), discs))
    tell(1.0)
    return out


class Frame:
    """The fused disc's geometry: `size` px, the iris centred and as large as in the prints
    (their opaque disc, a little inside the nominal PADDING), the pupil centred, of the
    prints' mean share of the iris."""

    def __init__(self, size: int, pupil_share: float, disc_share: float = 1.0) -> None:
        self.size = size
        self.iris = iris_of(size).resized(disc_share)
        self.pupil_r = self.iris.r * pupil_share
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        self.dx, self.dy = xs - np.float32(self.iris.x), ys - np.float32(self.iris.y)
        self.rho = np.hypot(self.dx, self.dy)
        self.theta = np.arctan2(self.dy, self.dx)  # -pi..pi, 0 to the right, y down
        self.cos, self.sin = np.cos(self.theta), np.sin(self.theta)
        # t: 0 at the pupil's edge, 1 at the iris's edge.
        self.t = (self.rho - np.float32(self.pupil_r)) / np.float32(self.iris.r - self.pupil_r)
        self.polar = polar_poisson.Grid(
            (self.iris.x, self.iris.y), self.pupil_r, self.iris.r, self.theta, self.t
        )

    @classmethod
    def of(cls, size: int, discs: Sequence[Disc]) -> Frame:
        pupil = float(np.mean([d.pupil.r / d.iris.r for d in discs]))
        disc = float(np.mean([d.iris.r / iris_of(d.side).r for d in discs]))
        return cls(size, pupil, disc)

    def warp(self, image: np.ndarray, disc: Disc) -> np.ndarray:
        """The print on this frame, premultiplied float32 BGRA (0..255): the point a share t
        of the way from the frame's pupil edge to its iris edge, at angle theta, is sampled
        the same share t of the way between the print's own pupil and iris edges."""
        px = disc.pupil.x + disc.pupil.r * self.cos
        py = disc.pupil.y + disc.pupil.r * self.sin
        rim = disc.iris.r - RIM_INSET  # its edge's last fully opaque pixels
        map_x = px + self.t * (disc.iris.x + rim * self.cos - px)
        map_y = py + self.t * (disc.iris.y + rim * self.sin - py)
        # uint8 premultiplied: exact inside the disc (alpha 255), and cubic remaps of uint8
        # run several times faster than of float32.
        source = np.clip(premultiplied(image) + 0.5, 0, 255).astype(np.uint8)
        sampled = cv2.remap(source, map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT)
        return np.asarray(sampled, np.float32)

    def sector_weights(
        self, count: int, *, feather_px: float | None = None, feather_rad: float | None = None
    ) -> list[np.ndarray]:
        """Per source, an (S, S) float32 weight: 1 inside its sector, fading across a border
        over `feather_px` (measured along the circle) or `feather_rad`; they sum to 1."""
        half = math.pi / count
        raw = []
        for k in range(count):
            centre = 2 * math.pi * k / count
            turn = np.float32(2 * math.pi)
            off = np.abs((self.theta - np.float32(centre - math.pi)) % turn - np.float32(math.pi))
            inside = half - off  # radians inside the sector (negative: outside)
            if feather_px is not None:
                width = np.float32(feather_px) / np.maximum(self.rho, 1.0)
            else:
                width = np.full_like(inside, np.float32(feather_rad or 0.0))
            ramp = np.clip(0.5 + inside / np.maximum(width, 1e-6), 0.0, 1.0)
            raw.append(ramp * ramp * (3.0 - 2.0 * ramp))  # smoothstep
        total = np.maximum(np.sum(raw, axis=0), 1e-6)
        return [np.asarray(w / total, np.float32) for w in raw]

    def paint_pupil(self, bgra: np.ndarray, discs: Sequence[Disc]) -> np.ndarray:
        """The centred pupil painted in the sources' mean black, its edge fading in."""
        black = np.mean([d.black for d in discs], axis=0).astype(np.float32)
        depth = (np.float32(self.pupil_r) - self.rho) / np.float32(
            max(PUPIL_EDGE * self.pupil_r, 1.0)
        )
        weight = np.clip(depth, 0.0, 1.0)[:, :, None]
        out = bgra.copy()
        colour = bgra[:, :, :3].astype(np.float32) * (1.0 - weight) + black * weight
        out[:, :, :3] = np.clip(colour + 0.5, 0, 255).astype(np.uint8)
        return out

    def cut_out(self, bgra: np.ndarray) -> np.ndarray:
        """`bgra` made transparent outside the frame's disc, its edge anti-aliased like a
        print's; inside it keeps its own alpha (a lid cut out of a source stays cut out)."""
        out = bgra.copy()
        disc = disc_alpha(self.size, self.iris).astype(np.float32) / 255.0
        out[:, :, 3] = np.clip(bgra[:, :, 3] * disc + 0.5, 0, 255).astype(np.uint8)
        return out
