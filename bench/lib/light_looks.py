"""The light-iris looks and `lighten`, which turns a real iris ring into one of them.

Real irises (MMU: grey near-infrared-like; MOBIUS: dark brown phone photos) are lifted into
the levels and colours of light irises: a tone curve on CIELAB lightness puts the iris median
at L* 55-65 and stretches the real texture (gain 1-4) so that fibres become bright and crypts
stay dark, then a* and b* are set to the look's hue (bright fibres less saturated in blue and
grey irises, an amber zone around the pupil in hazel and green ones, a darker limbal rim).
Only the iris ring changes; the pupil and everything outside stay as they were.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, disk

MAX_GAIN = 4.0  # most the tone curve stretches the real texture (beyond that: noise, JPEG)
KNEE = 82.0  # L*: the tone curve's soft shoulder starts here (fibres never clip to white)
TOE = 12.0  # L*: and its soft toe
KEEP_CHROMA = 0.5  # share of the source's local a*/b* variation kept under the new hue


@dataclass(frozen=True)
class LightColour:
    """A light-iris look: tone curve on L* (target median and spread) and hue on a*, b*."""

    name: str
    median: float  # L* the iris median is moved to
    spread: float  # L* from the median to the 95th percentile: how bright fibres get
    shade: float  # L* from the 5th percentile to the median: how dark crypts stay
    a: float  # a* at the median lightness (outer iris)
    b: float  # b*
    fibre_chroma: float = 1.0  # chroma multiplier `spread` above the median (< 1: whitish)
    limbus: float = 10.0  # L* darkening of the outer rim of the ring (limbal ring)
    inner_a: float | None = None  # a* of a zone around the pupil (central heterochromia)
    inner_b: float | None = None
    inner_width: float = 0.3  # that zone's width as a share of the ring width


LIGHT_COLOURS: dict[str, LightColour] = {
    look.name: look
    for look in (
        LightColour("blue", 60, 17, 14, -3, -15, fibre_chroma=0.45, limbus=16),
        LightColour("grey", 63, 16, 13, -2, -4, fibre_chroma=0.5, limbus=14),
        LightColour("green", 57, 15, 14, -11, 17, limbus=12, inner_a=3, inner_b=30),
        LightColour("amber", 58, 16, 14, 8, 34, fibre_chroma=0.85, limbus=10),
        LightColour(
            "hazel", 55, 15, 14, -5, 20, limbus=10, inner_a=12, inner_b=32, inner_width=0.45
        ),
        LightColour("light-brown", 55, 14, 14, 11, 27, fibre_chroma=0.85, limbus=8),
    )
}


# Colour conversions -------------------------------------------------------------------------


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB → float32 CIELAB (L* 0-100)."""
    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab))


def from_lab(lab: np.ndarray) -> np.ndarray:
    """float32 CIELAB → (..., 3) float32 RGB 0-255 (clipped)."""
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB)
    return np.asarray(np.clip(np.asarray(rgb) * 255.0, 0, 255), np.float32)


# Light irises --------------------------------------------------------------------------------


def smoothstep(low: float, high: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - low) / max(high - low, 1e-6), 0.0, 1.0)
    return np.asarray(t * t * (3 - 2 * t), np.float32)


def soft_clip(light: np.ndarray) -> np.ndarray:
    """L* with a soft shoulder above KNEE and a soft toe below TOE (monotone, continuous)."""
    top = 100.0 - KNEE
    out = np.where(light > KNEE, KNEE + top * np.tanh((light - KNEE) / top), light)
    return np.asarray(np.where(out < TOE, TOE - TOE * np.tanh((TOE - out) / TOE), out), np.float32)


def tone_curve(light: np.ndarray, ring: np.ndarray, look: LightColour) -> np.ndarray:
    """L* mapped so that the ring's 5th/50th/95th percentiles land on the look's levels.

    Piecewise linear around the median (gains 1 to MAX_GAIN, texture is never flattened),
    then soft-clipped, so every fibre stays a fibre: a tone curve, the same for all pixels.
    """
    low, mid, high = np.percentile(light[ring], (5, 50, 95))
    up = float(np.clip(look.spread / max(high - mid, 0.5), 1.0, MAX_GAIN))
    down = float(np.clip(look.shade / max(mid - low, 0.5), 1.0, MAX_GAIN))
    delta = light - mid
    return soft_clip(look.median + np.where(delta > 0, up * delta, down * delta))


def ring_position(shape: tuple[int, int], iris: Circle, pupil: Circle) -> np.ndarray:
    """(H, W) float32: 0 on the pupil circle, 1 on the iris circle, along rays from the
    iris centre (the pupil may be off-centre)."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xs - iris.x, ys - iris.y
    dist = np.hypot(dx, dy) + 1e-6
    ux, uy = dx / dist, dy / dist
    px, py = pupil.x - iris.x, pupil.y - iris.y
    along = ux * px + uy * py
    inner = along + np.sqrt(np.maximum(along * along - (px * px + py * py) + pupil.r**2, 0.0))
    return np.asarray((dist - inner) / np.maximum(iris.r - inner, 1.0), np.float32)


def lighten(
    rgb: np.ndarray,
    visible: np.ndarray,
    iris: Circle,
    pupil: Circle,
    look: LightColour,
    reference: np.ndarray | None = None,
) -> np.ndarray:
    """The (S, S, 3) uint8 crop with its iris ring turned into a light iris of `look`.

    `visible` (S, S) bool is the visible iris; the ring is that inside `iris` and outside
    `pupil` (crop coordinates). Outside the ring nothing changes; its edge is feathered inward
    over about a pixel. `reference` (S, S) bool, default the ring, is where the levels that
    set the tone curve are read (leave out inpainted highlights).
    """
    shape = visible.shape
    ring = visible & disk(shape, iris) & ~disk(shape, pupil)
    if reference is not None and np.count_nonzero(reference & ring) >= 20:
        ring_levels = reference & ring
    else:
        ring_levels = ring
    if np.count_nonzero(ring) < 20:
        return rgb.copy()
    lab = to_lab(rgb)
    light = tone_curve(lab[..., 0], ring_levels, look)
    rho = ring_position(shape, iris, pupil)
    light = light - look.limbus * smoothstep(0.72, 1.0, rho)
    weight = np.clip(1 + (look.fibre_chroma - 1) * (light - look.median) / look.spread, 0.3, 1.6)
    inner = 1 - smoothstep(0.5 * look.inner_width, 1.5 * look.inner_width, rho)
    hue = []
    for channel, outer, centre in ((1, look.a, look.inner_a), (2, look.b, look.inner_b)):
        target = outer + (0.0 if centre is None else (centre - outer) * inner)
        local = lab[..., channel] - float(np.median(lab[..., channel][ring]))
        hue.append(target * weight + KEEP_CHROMA * local)
    lifted = from_lab(np.dstack([light, *hue]))
    alpha = cv2.GaussianBlur(ring.astype(np.float32), (0, 0), 0.7) * ring
    out = rgb * (1 - alpha[..., None]) + lifted * alpha[..., None]
    return np.asarray(np.clip(out + 0.5, 0, 255), np.uint8)
