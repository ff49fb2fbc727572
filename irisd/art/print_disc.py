"""Where the iris and the pupil are in a print, and the checks and resizes the blends share.

A print (`irisd.pipeline.output`) is a square crop centred on the iris, PADDING iris radii to
each side, transparent outside the iris disc; its pupil is painted black but need not be
centred (a pupil sits a little nasal of the iris's centre), so it is found, not assumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, area_circle
from irisd.pipeline.output import PADDING

MIN_PRINTS, MAX_PRINTS = 2, 4
PUPIL_DARK = 40  # max(B, G, R) of a painted pupil's pixels (painted at RGB ~12, edge fading)
PUPIL_RANGE = (0.1, 0.8)  # a pupil's radius, as a share of the iris radius
TYPICAL_PUPIL = 0.4  # of the iris radius: assumed where no dark disc is found (unpainted pupil)
OFF_NOMINAL = 0.05  # an opaque disc further than this from the nominal radius is not trusted
CORE = 0.5  # of the pupil radius: the core whose colour is the print's black


class PrintCount(ValueError):
    """Not 2 to 4 prints."""


@dataclass(frozen=True)
class Disc:
    """A print's iris and pupil circles, in its own pixels, its pupil's black (B, G, R) and
    its side."""

    iris: Circle
    pupil: Circle
    black: tuple[float, float, float]
    side: int


def check_count(prints: Sequence[np.ndarray]) -> None:
    if not MIN_PRINTS <= len(prints) <= MAX_PRINTS:
        raise PrintCount(f"{MIN_PRINTS} to {MAX_PRINTS} prints are needed, not {len(prints)}")
    for image in prints:
        if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 4:
            raise ValueError("a print is an (H, W, 4) uint8 BGRA array")


def iris_of(side: int) -> Circle:
    """The iris circle of a `side` px print (the pipeline centres it, PADDING radii out)."""
    return Circle(side / 2, side / 2, side / (2 * PADDING))


def disc_of(print_bgra: np.ndarray) -> Disc:
    """The print's iris circle and its pupil: the dark opaque region around the centre."""
    iris = opaque_circle(print_bgra[:, :, 3])
    dark = (print_bgra[:, :, :3].max(axis=2) <= PUPIL_DARK) & (print_bgra[:, :, 3] > 0)
    # Only the central part: dark crypts or a lid's shadow near the rim are no pupil.
    near = np.zeros_like(dark)
    cv2.circle(near, (round(iris.x), round(iris.y)), round(iris.r * PUPIL_RANGE[1]), 1, -1)
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        (dark & near).astype(np.uint8), connectivity=8
    )
    pupil = None
    if count > 1:
        biggest = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        found = area_circle(labels == biggest)
        if PUPIL_RANGE[0] <= found.r / iris.r <= PUPIL_RANGE[1]:
            pupil = found
    if pupil is None:
        pupil = iris.resized(TYPICAL_PUPIL)
    return Disc(iris, pupil, _black(print_bgra, pupil), print_bgra.shape[0])


def opaque_circle(alpha: np.ndarray) -> Circle:
    """The circle enclosing a print's opaque disc (its iris edge as painted, which can sit a
    pixel or two off the nominal `iris_of`; lids cut out of it do not shrink it), else the
    nominal one."""
    nominal = iris_of(alpha.shape[0])
    contours, _ = cv2.findContours(
        (alpha >= 128).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    if not contours:
        return nominal
    (x, y), r = cv2.minEnclosingCircle(np.concatenate(contours))
    found = Circle(float(x), float(y), float(r) + 0.5)  # to the pixels' outer edge
    return found if abs(found.r / nominal.r - 1) < OFF_NOMINAL else nominal


def _black(print_bgra: np.ndarray, pupil: Circle) -> tuple[float, float, float]:
    core = np.zeros(print_bgra.shape[:2], np.uint8)
    cv2.circle(core, (round(pupil.x), round(pupil.y)), max(1, round(pupil.r * CORE)), 1, -1)
    b, g, r = np.median(print_bgra[core > 0, :3], axis=0)
    return float(b), float(g), float(r)


def resized(print_bgra: np.ndarray, side: int) -> np.ndarray:
    """The square BGRA print resized to `side` x `side` (`scaled`)."""
    return scaled(print_bgra, side, side)


def scaled(bgra: np.ndarray, width: int, height: int) -> np.ndarray:
    """A BGRA image resized to `width` x `height`: shrunk by area averaging, enlarged by
    Lanczos, colour premultiplied by alpha so the transparent black around a disc does not
    bleed a dark fringe into its edge."""
    if bgra.shape[1] == width and bgra.shape[0] == height:
        return bgra.copy()
    method = cv2.INTER_AREA if width < bgra.shape[1] else cv2.INTER_LANCZOS4
    return unpremultiplied(cv2.resize(premultiplied(bgra), (width, height), interpolation=method))


def fitted(shape: tuple[int, ...], long_side: int) -> tuple[int, int]:
    """(width, height) of an image of `shape` scaled so that its longer side is `long_side`."""
    height, width = shape[:2]
    scale = long_side / max(height, width)
    return max(1, round(width * scale)), max(1, round(height * scale))


def premultiplied(bgra: np.ndarray) -> np.ndarray:
    """float32 BGRA, colour times alpha (0..1), in 0..255."""
    out = bgra.astype(np.float32)
    out[:, :, :3] *= out[:, :, 3:] / 255.0
    return out


def unpremultiplied(premult: np.ndarray) -> np.ndarray:
    """uint8 BGRA from `premultiplied`'s float32 form (colour 0 where alpha is 0)."""
    alpha = np.clip(premult[:, :, 3:], 0.0, 255.0)
    colour = np.where(alpha > 0.5, premult[:, :, :3] * 255.0 / np.maximum(alpha, 1e-6), 0.0)
    out = np.concatenate([colour, alpha], axis=2)
    return np.asarray(np.clip(out + 0.5, 0, 255), np.uint8)
