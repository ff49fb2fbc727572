"""True colour and a visible iris: white balance from the sclera, then exposure by a tone curve.

White balance: the sclera is the natural white reference of every eye photo. It is taken
from a band around the iris (SCLERA_BAND iris radii): its brightest, least saturated pixels
that are not skin (skin is red-yellow). With too few of them the fallback is the
shades-of-grey estimate of the whole photo with the gains held close to 1 (a grey world
of a periocular photo is mostly skin, and would turn a brown iris blue). Either way the
gains are eased towards 1 until the iris's mean colour moves by at most HUE_HOLD of its
chroma: a sclera under warm light, or tinged by its vessels, turned dark brown irises mauve
(colour-dev clinic photos: hue 20-33 degrees to 2-22).

Exposure: a dark iris is lifted by a power curve on CIE L* that takes the iris ring's
median to TARGET_L, after a denoise whose strength follows the measured noise. Where the
sclera was seen, no further than the sclera's own exposure asks (WHITE_L): a dark brown
iris in a well-lit photo is printed as the dark iris it is, not lifted into a pale wash.
A curve on L* raises the texture's contrast far less than a linear gain would (L* 8 → 42:
slope 1.9 against a 12x gain in linear light), so grain is not blown up. Chroma follows
lightness (the lift to the power CHROMA_FOLLOWS), hue is untouched (a* and b* scale
together).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle
from irisd.pipeline.lab import to_lab, to_rgb

SCLERA_BAND = (1.15, 2.2)  # iris radii
MIN_SCLERA = 200  # sampled pixels needed to trust the sclera
SCLERA_GAIN = (0.7, 1.45)  # bounds of a gain taken from the sclera ...
FALLBACK_GAIN = (0.95, 1.05)  # ... and of one from the fallback
TARGET_L = 42.0  # iris ring median L* that a dark iris is lifted to
WHITE_L = 80.0  # L* of a well-exposed sclera: a photo whose sclera is this light needs no lift
# The white balance may move the iris's mean a*b* by at most this share of its chroma (about
# 5 degrees of hue), or HUE_FLOOR for a near-grey iris.
HUE_HOLD = 0.09
HUE_FLOOR = 1.5
HOLD_STEPS = (1.0, 0.75, 0.5, 0.25, 0.0)  # shares of the gains' way from 1 that are tried
IRIS_BAND = (0.4, 0.9)  # iris radii: where the iris's colour is sampled for the hold
# Chroma grows with the lift of lightness to this power: the print of a dim photo then has
# the colour the eye shows in good light (its C*/(L* + 16), which an exposure change leaves
# as it is; bench/images/dim_colour.py: 0.82-1.05 of it across six light looks; at 0.5, 0.61-0.76,
# a greyer iris than the eye).
CHROMA_FOLLOWS = 0.75
MAX_CHROMA_GAIN = 4.0  # a near-black pixel's colour is mostly noise
PUPIL_FADE = 0.1  # of the pupil radius: how far inside its edge the pupil keeps its own L*
SAMPLE_SIDE = 400  # white balance is estimated on a copy at most this wide


@dataclass(frozen=True)
class Balance:
    """Per-channel RGB gains and where they came from ("sclera", "shades_of_grey", "none"),
    and the sclera's L* where it was seen (None otherwise)."""

    gains: tuple[float, float, float]
    source: str
    white: float | None = None

    def apply(self, rgb: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 with the gains applied."""
        if self.source == "none":
            return rgb
        gains = np.asarray(self.gains, np.float32)
        return np.asarray(np.clip(rgb.astype(np.float32) * gains + 0.5, 0, 255), np.uint8)


def white_balance(rgb: np.ndarray, iris: Circle) -> Balance:
    """Gains that make the sclera (or, failing it, the eye's surround) neutral."""
    h, w = rgb.shape[:2]
    step = max(1, round(max(h, w) / SAMPLE_SIDE))
    small = rgb[::step, ::step].astype(np.float32)
    ys, xs = np.mgrid[0 : small.shape[0], 0 : small.shape[1]]
    distance = np.hypot(xs * step - iris.x, ys * step - iris.y) / max(iris.r, 1.0)
    band = (distance > SCLERA_BAND[0]) & (distance < SCLERA_BAND[1])
    pixels = small[band]
    if len(pixels) < MIN_SCLERA or _grey(pixels):
        return Balance((1.0, 1.0, 1.0), "none")
    iris_pixels = small[(distance > IRIS_BAND[0]) & (distance < IRIS_BAND[1])]
    sclera = _sclera(pixels)
    if len(sclera) >= MIN_SCLERA // 4:
        white = sclera.mean(axis=0)
        gains = _held(_gains(white, SCLERA_GAIN), iris_pixels)
        return Balance(gains, "sclera", float(_lab(white[None, :])[0, 0]))
    # No sclera: the shades-of-grey estimate (a p-norm that leans to the brightest,
    # most neutral surfaces) of the whole photo, held close to 1.
    grey = np.power(np.mean(np.power(small.reshape(-1, 3) / 255.0, 6), axis=0), 1 / 6)
    return Balance(_held(_gains(grey * 255.0, FALLBACK_GAIN), iris_pixels), "shades_of_grey")


def _lab(pixels: np.ndarray) -> np.ndarray:
    """(N, 3) CIE Lab of (N, 3) RGB levels 0..255."""
    rgb = np.clip(pixels.reshape(-1, 1, 3) / 255.0, 0, 1).astype(np.float32)
    return np.asarray(cv2.cvtColor(rgb, cv2.COLOR_RGB2LAB).reshape(-1, 3), np.float64)


def _held(gains: tuple[float, float, float], iris: np.ndarray) -> tuple[float, float, float]:
    """The `gains` eased towards 1 until they move the mean a*b* of the (N, 3) `iris`
    pixels by at most HUE_HOLD of its chroma (HUE_FLOOR at least)."""
    if len(iris) == 0:
        return gains
    before = _lab(iris)[:, 1:].mean(axis=0)
    allowed = max(HUE_FLOOR, HUE_HOLD * float(np.hypot(*before)))
    for share in HOLD_STEPS:
        eased = 1.0 + share * (np.asarray(gains) - 1.0)
        after = _lab(iris * eased)[:, 1:].mean(axis=0)
        if float(np.hypot(*(after - before))) <= allowed:
            break
    return (float(eased[0]), float(eased[1]), float(eased[2]))


def _grey(pixels: np.ndarray) -> bool:
    """Whether a photo is greyscale (all channels equal): nothing to balance."""
    return float(np.abs(pixels - pixels.mean(axis=1, keepdims=True)).max()) < 1.0


def _sclera(pixels: np.ndarray) -> np.ndarray:
    """The band's white pixels: bright (top third), low saturation, not skin."""
    top = pixels.max(axis=1)
    saturation = (top - pixels.min(axis=1)) / np.maximum(top, 1.0)
    level = pixels.mean(axis=1)
    bright = level >= max(60.0, float(np.percentile(level, 67)))
    r, g, b = pixels[:, 0], pixels[:, 1], pixels[:, 2]
    skin = (r > g * 1.12) & (g > b)  # red-yellow: lids, lashes' skin, caruncle
    return np.asarray(pixels[bright & (saturation < 0.3) & ~skin & (top < 254)])


def _gains(reference: np.ndarray, bounds: tuple[float, float]) -> tuple[float, float, float]:
    grey = float(reference.mean())
    gains = np.clip(grey / np.maximum(reference, 1.0), *bounds)
    gains = gains / float(np.mean(gains))  # keep the overall level
    return (float(gains[0]), float(gains[1]), float(gains[2]))


@dataclass(frozen=True)
class Exposure:
    """What the exposure step did: iris median L* before and after, and the noise it saw."""

    level_in: float
    level_out: float
    noise: float  # robust std of the iris's finest detail in L* before the lift


def expose(
    rgb: np.ndarray,
    ring: np.ndarray,
    pupil: np.ndarray | None = None,
    white: float | None = None,
) -> tuple[np.ndarray, Exposure]:
    """Denoise and lift (H, W, 3) uint8 so the `ring` (H, W) bool median reaches TARGET_L,
    or, given the sclera's L* `white`, as far towards it as lighting the sclera to WHITE_L
    would take the iris.

    The `pupil` (H, W) bool keeps its own lightness, fading in from its edge over
    PUPIL_FADE of its radius: the curve that shows a dark iris would print the black pupil
    grey (L* 5 -> 32 for an iris lifted from 10 to 42), and any reflection in it."""
    lab = to_lab(rgb)
    lightness = lab[:, :, 0]
    level = float(np.median(lightness[ring])) if ring.any() else 50.0
    noise = _noise(lightness, ring)
    target = TARGET_L if white is None else min(TARGET_L, _relit(level, white))
    if level >= target - 0.5:
        return rgb, Exposure(level, level, noise)
    # Denoise first, harder the more the iris is lifted: a very dark JPEG is mostly its
    # 8 px blocks (16 px in chroma), which a lift would print. Bilateral on L* (edges such
    # as the pupil's stay), a blur on chroma.
    strength = min(1.0, (target / max(level, 1.0) - 1.0) / 4.0)
    colour_sigma = max(0.5, 2.5 * noise) + 2.0 * strength
    lab[:, :, 0] = cv2.bilateralFilter(lightness, 9, colour_sigma, 1.5 + 2.5 * strength)
    for channel in (1, 2):
        lab[:, :, channel] = cv2.GaussianBlur(lab[:, :, channel], (0, 0), 1.2 + 3.0 * strength)
    gamma = math.log(target / 100.0) / math.log(max(level, 1.0) / 100.0)
    before = np.maximum(lab[:, :, 0], 0.05)
    after = 100.0 * (before / 100.0) ** gamma
    chroma = np.clip(
        np.power(after / before, CHROMA_FOLLOWS, dtype=np.float32), 1.0, MAX_CHROMA_GAIN
    )
    if pupil is not None and pupil.any():
        keep = _inside(pupil)
        after = after * (1.0 - keep) + before * keep
        chroma = chroma * (1.0 - keep) + keep
    lab[:, :, 0] = after
    lab[:, :, 1] *= chroma
    lab[:, :, 2] *= chroma
    lifted = to_rgb(lab)
    level_out = float(np.median(after[ring])) if ring.any() else level
    return lifted, Exposure(level, level_out, noise)


def _relit(level: float, white: float) -> float:
    """The L* that `level` takes when the exposure is raised until `white` reaches WHITE_L
    (in linear light, as a longer exposure would; never lowered)."""
    gain = max(1.0, _luminance(WHITE_L) / _luminance(max(white, 1.0)))
    y = min(1.0, _luminance(level) * gain)
    return 116.0 * y ** (1 / 3) - 16.0 if y > 0.008856 else 903.3 * y


def _luminance(lightness: float) -> float:
    """CIE Y (0..1) of an L*."""
    return ((lightness + 16.0) / 116.0) ** 3 if lightness > 8.0 else lightness / 903.3


def _inside(region: np.ndarray) -> np.ndarray:
    """(H, W) float32 0..1: 1 deep inside `region`, 0 outside, rising over PUPIL_FADE of its
    (area-equivalent) radius from the edge inwards."""
    depth = cv2.distanceTransform(region.astype(np.uint8), cv2.DIST_L2, 3)
    fade = max(1.0, PUPIL_FADE * math.sqrt(float(region.sum()) / math.pi))
    return np.asarray(np.clip(depth / fade, 0.0, 1.0), np.float32)


def grain(rgb: np.ndarray, ring: np.ndarray) -> float:
    """The noise (L* std of the finest detail) of an (H, W, 3) uint8 image in `ring`."""
    lab = to_lab(rgb)
    return _noise(lab[:, :, 0], ring)


def _noise(lightness: np.ndarray, ring: np.ndarray) -> float:
    """Robust std (L* units) of the finest detail: median absolute Laplacian over 0.67."""
    if not ring.any():
        return 0.0
    detail = lightness - cv2.blur(lightness, (3, 3))
    values = np.abs(detail[ring])
    return float(np.median(values)) / 0.6745
