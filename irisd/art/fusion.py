"""Fusion: two to four iris prints of one person blended into one iris disc.

Each print is registered on its own iris and pupil circles (Daugman's rubber sheet: a point
a share t of the way from the pupil's edge to the iris's edge, at angle theta, goes to the
same t and theta of the fused disc, whose pupil is centred and of the prints' mean size).
Each source then owns an angular sector (two: the left and right halves; four: quarters).

- `poisson`: gradient-domain. The sectors meet with a narrow cross-fade of their texture,
  and their colour and light are made to agree by a Poisson solve in the polar frame
  (`irisd.art.polar_poisson`), so no seam shows where one person's eye meets another's.
- `alpha`: a soft feathered blend: each sector fades into the next over a wide angle, with
  no colour matching; the sources' own tones stay, mixed where they meet.

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

BlendMode = Literal["poisson", "alpha"]
BLEND_MODES: tuple[str, ...] = get_args(BlendMode)

SEAM_FEATHER = 0.03  # of the output side: the poisson mode's texture cross-fade at a border
ALPHA_FEATHER = 0.5  # of a sector's angle: the alpha mode's fade between two sources
PUPIL_EDGE = 0.15  # of the pupil radius: the band inside its edge where the black fades in


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
    warped = []
    for k, (image, disc) in enumerate(zip(prints, discs, strict=True)):
        warped.append(frame.warp(image, disc))
        tell(0.1 + 0.4 * (k + 1) / len(prints))
    if mode == "poisson":
        weights = frame.sector_weights(len(prints), feather_px=SEAM_FEATHER * size)
        corrections = polar_poisson.corrections(warped, frame.polar, len(prints))
        tell(0.8)
        for image, correction in zip(warped, corrections, strict=True):
            image[:, :, :3] += frame.to_cartesian(correction)
    else:
        weights = frame.sector_weights(
            len(prints), feather_rad=ALPHA_FEATHER * 2 * math.pi / len(prints)
        )
        tell(0.8)
    fused = np.zeros((size, size, 4), np.float32)
    for image, weight in zip(warped, weights, strict=True):
        fused += premultiplied_float(image) * weight[:, :, None]
    out = frame.paint_pupil(unpremultiplied(fused), discs)
    tell(1.0)
    return out


def premultiplied_float(straight: np.ndarray) -> np.ndarray:
    """float32 straight-colour BGRA (0..255) with its colour multiplied by alpha."""
    out = straight.copy()
    out[:, :, :3] = np.clip(out[:, :, :3], 0.0, 255.0) * (out[:, :, 3:] / 255.0)
    return out


class Frame:
    """The fused disc's geometry: `size` px, the iris as in a print, the pupil centred."""

    def __init__(self, size: int, pupil_share: float) -> None:
        self.size = size
        self.iris = iris_of(size)
        self.pupil_r = self.iris.r * pupil_share
        ys, xs = np.mgrid[0:size, 0:size].astype(np.float32)
        self.dx, self.dy = xs - np.float32(self.iris.x), ys - np.float32(self.iris.y)
        self.rho = np.hypot(self.dx, self.dy)
        self.theta = np.arctan2(self.dy, self.dx)  # -pi..pi, 0 to the right, y down
        # t: 0 at the pupil's edge, 1 at the iris's edge.
        self.t = (self.rho - np.float32(self.pupil_r)) / np.float32(self.iris.r - self.pupil_r)
        self.polar = polar_poisson.Grid(
            (self.iris.x, self.iris.y), self.pupil_r, self.iris.r, self.theta, self.t
        )

    @classmethod
    def of(cls, size: int, discs: Sequence[Disc]) -> Frame:
        share = float(np.mean([d.pupil.r / d.iris.r for d in discs]))
        return cls(size, share)

    def warp(self, image: np.ndarray, disc: Disc) -> np.ndarray:
        """The print on this frame: float32 straight-colour BGRA, 0..255."""
        cos, sin = np.cos(self.theta), np.sin(self.theta)
        px = disc.pupil.x + disc.pupil.r * cos
        py = disc.pupil.y + disc.pupil.r * sin
        ix = disc.iris.x + disc.iris.r * cos
        iy = disc.iris.y + disc.iris.r * sin
        map_x = (px + self.t * (ix - px)).astype(np.float32)
        map_y = (py + self.t * (iy - py)).astype(np.float32)
        sampled = cv2.remap(
            premultiplied(image), map_x, map_y, cv2.INTER_CUBIC, borderMode=cv2.BORDER_CONSTANT
        )
        sampled[:, :, 3] = np.clip(sampled[:, :, 3], 0.0, 255.0)
        alpha = sampled[:, :, 3:]
        sampled[:, :, :3] = np.where(
            alpha > 0.5, sampled[:, :, :3] * 255.0 / np.maximum(alpha, 1e-6), 0.0
        )
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
            off = np.abs(np.angle(np.exp(1j * (self.theta - centre)))).astype(np.float32)
            inside = half - off  # radians inside the sector (negative: outside)
            if feather_px is not None:
                width = np.float32(feather_px) / np.maximum(self.rho, 1.0)
            else:
                width = np.full_like(inside, np.float32(feather_rad or 0.0))
            ramp = np.clip(0.5 + inside / np.maximum(width, 1e-6), 0.0, 1.0)
            raw.append(ramp * ramp * (3.0 - 2.0 * ramp))  # smoothstep
        total = np.maximum(np.sum(raw, axis=0), 1e-6)
        return [np.asarray(w / total, np.float32) for w in raw]

    def to_cartesian(self, polar: np.ndarray) -> np.ndarray:
        """A (rows, cols, C) image on `polar`'s grid sampled at every pixel of the frame."""
        return self.polar.to_cartesian(polar)

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
        out[:, :, 3] = np.where(weight[:, :, 0] > 0, 255, bgra[:, :, 3])
        return out
