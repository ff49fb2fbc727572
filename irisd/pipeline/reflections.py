"""Specular highlights inside the iris and pupil: found by colour, brightness and shape.

A reflection is the light source's colour (near-white after white balance), brighter than
the iris around it in every channel, and a blob rather than a line. Light iris texture
(bright fibres and crypts of blue, grey, amber or green irises) fails at least one of these:
it is tinted like the iris, it is less than a glint's step lighter than its surroundings,
or it is thin and vanishes under a small opening. So a core must be
  - at least STEP_FLOOR, and STEP_SPREAD times the iris texture's spread, lighter (L*)
    than a wide median background, and above it in every channel;
  - (or, in a dark photo, DARK_RATIO times as bright in every channel; or, on a dark
    coloured iris, near-grey and PALE_RATIO times as bright;)
  - no more saturated than WHITE_SATURATION, and less than the iris around it;
  - wider than the fibres: it survives an opening CORE_WIDTH of the iris radius across;
  - over the pupil, brighter in every channel than the iris beside it as well.
Cores grow into the glow around them (hysteresis on a lower step, near the core only, as far
as the core is thick), the glow judged against the iris just outside it.

Windows and lamps also lay a smooth, semi-transparent layer of their light over the iris:
the texture still shows, lifted and greyed. Such a veil is measured against the iris's own
colour at the same place between pupil and limbus all round (the rubber sheet, sheet.py)
and subtracted, not painted over; where it saturates, it is a hole like a
glint (veils.py). So is the halo a large glint spreads around it, where the light added
falls off steadily with the distance from it (veils.haze). Works at most at WORK_RADIUS px
of iris radius.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from irisd.pipeline import veils
from irisd.pipeline.geometry import Circle, disk, round_kernel
from irisd.pipeline.sheet import Sheet

WORK_RADIUS = 160.0  # iris radius (px) of the working copy
# Lightness above the background, in L*: perceptual, so one step serves dark and light
# irises. Glints: 35-50 above a dark iris, 30-40 above a light one (they saturate); light
# iris fibres and crypts: 10-20.
STEP_FLOOR = 25.0
STEP_SPREAD = 4.0  # ... and this many robust spreads of the iris texture's own lift
CHANNEL_STEP = 8.0  # grey levels above the background in every channel
# Or, where the iris is dark, DARK_RATIO times the background's light in every channel and
# DARK_LIFT above it in L* (a dim glint in a dark MOBIUS photo: 2.8x, L* +24).
DARK_RATIO = 2.5
DARK_LIFT = 12.0
# A glint's glow: pixels moved at least HALO_SHARE of the way from the background to white
# in every channel (reflected light adds to the iris's own), and HALO_STEP grey levels.
HALO_SHARE = 0.15
HALO_STEP = 6.0
GLOW_SMOOTH = 1.0  # sigma (working px) of the smoothing the glow is judged on
LOCAL = 0.25  # ... above the iris's median over this share of the background window
WHITE_SATURATION = 0.35  # (max - min) / max of a core pixel
SATURATION_DROP = 0.8  # ... and at most this share of the iris's (but 0.15 always passes)
CORE_WIDTH = 0.025  # the opening's diameter as a share of the iris radius
HALO_REACH = 0.1  # how far a glow may reach from its core at most, iris radii
# On a dark, coloured iris (median L* below PALE_DARK) a near-grey patch (saturation under
# PALE_SHARE of the iris's) that is DARK_LIFT above it and PALE_RATIO times as bright in every
# channel is reflected light too: the small panes a window leaves in a dim photo (MOBIUS: 2-3
# times the iris's light). Such an iris has no pale fibres to mistake for them; a light one
# is left to the tests above.
PALE_DARK = 35.0
PALE_SHARE = 0.35
PALE_RATIO = 1.6
CLIPPED = 250.0  # every channel at least this bright: a core
VEIL_OPAQUE = 248.0  # a veiled pixel this bright in any channel shows no iris: a hole


def search_region(visible: np.ndarray, iris_disk: np.ndarray, iris_radius: float) -> np.ndarray:
    """Where highlights are looked for: visible iris + pupil with glint-sized holes closed,
    and every hole they close round.

    `visible` (H, W) bool excludes glints as well as lids; a closing about a fifth of the
    iris radius wide fills the glints back in but not the lids, so lid skin is never taken
    for a reflection. A window's reflection can be wider than that, but the iris and pupil
    close round it where they never close round a lid (colour-dev gray14: a bright core
    beside the pupil printed white once the pupil's circle no longer covered it).
    """
    scale = min(1.0, 256.0 / max(visible.shape))  # large kernels are slow at full size
    small = cv2.resize(visible.astype(np.uint8) * 255, None, fx=scale, fy=scale)
    side = max(3, round(0.2 * iris_radius * scale) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    closed = cv2.morphologyEx(small, cv2.MORPH_CLOSE, kernel)
    # Holes: what the border's flood of the rest does not reach.
    outside = cv2.copyMakeBorder(255 - closed, 1, 1, 1, 1, cv2.BORDER_CONSTANT, value=255)
    cv2.floodFill(outside, None, (0, 0), 0)
    closed = cv2.bitwise_or(closed, outside[1:-1, 1:-1])
    full = cv2.resize(closed, visible.shape[::-1], interpolation=cv2.INTER_LINEAR) >= 128
    return np.asarray((full | visible) & iris_disk, bool)


@dataclass(frozen=True)
class Reflections:
    """What was found in a crop: `opaque` (H, W) bool holes to fill, and `veil` (H, W)
    float32, the grey levels (in the light's least channel) that a window or lamp adds over
    iris texture that still shows through (0 elsewhere), to subtract in the light's colour,
    `light` (3,): each channel's lift per grey level of the veil (veils.light_colour)."""

    opaque: np.ndarray
    veil: np.ndarray
    light: np.ndarray = field(default_factory=lambda: np.ones(3, np.float32))

    @property
    def mask(self) -> np.ndarray:
        return np.asarray(self.opaque | (self.veil > 0), bool)

    def remove_veil(self, crop: np.ndarray) -> np.ndarray:
        """(H, W, 3) uint8 with the veil's light taken off, in its colour."""
        if not self.veil.any():
            return crop
        out = crop.astype(np.float32) - self.veil[:, :, None] * self.light
        return np.asarray(np.clip(out + 0.5, 0, 255), np.uint8)


def detect(
    crop: np.ndarray,
    region: np.ndarray,
    iris_radius: float,
    pupil: Circle | None = None,
    seen: np.ndarray | None = None,
) -> np.ndarray:
    """(H, W) bool: every reflection (with halo) found in `region`; see `find`."""
    return find(crop, region, iris_radius, pupil, seen).mask


def find(
    crop: np.ndarray,
    region: np.ndarray,
    iris_radius: float,
    pupil: Circle | None = None,
    seen: np.ndarray | None = None,
) -> Reflections:
    """Reflections in an (H, W, 3) uint8 RGB crop centred on the iris, within `region`.

    `region` (H, W) bool is the iris + pupil disk; `iris_radius` is in crop pixels, and so
    is `pupil` (unknown: a point at the iris centre). Veils are looked for only where the
    iris is `seen` (H, W) bool (default: all of `region`): a lid is brighter than the iris
    in every channel too, and is no veil.
    """
    scale = min(1.0, WORK_RADIUS / max(iris_radius, 1.0))
    small = _resized(crop, scale, cv2.INTER_AREA).astype(np.float32)
    area = _resized(region.astype(np.uint8), scale, cv2.INTER_NEAREST) > 0
    radius = iris_radius * scale
    nothing = Reflections(np.zeros(region.shape, bool), np.zeros(region.shape, np.float32))
    if area.sum() < 16:
        return nothing
    centre = (crop.shape[1] - 1) / 2, (crop.shape[0] - 1) / 2
    iris = Circle(centre[0], centre[1], iris_radius)
    sheet = Sheet(iris.scaled(scale), (pupil or iris.resized(0.0)).scaled(scale))
    opaque = _glints(small, area, disk(area.shape, sheet.pupil), radius)
    if seen is not None:
        area = area & (_resized(seen.astype(np.uint8), scale, cv2.INTER_NEAREST) > 0)
    added = veils.added_light(small, area, sheet)
    veil = veils.find(small, area, sheet, opaque, added)
    # The glare's halo around a large glint is light laid over the iris as well.
    veil = np.maximum(veil, veils.haze(added.lift, area, opaque, radius))
    # Where a veil leaves a channel near white, nothing of the iris shows through.
    opaque |= (veil > 0) & (small.max(axis=2) >= VEIL_OPAQUE)
    veil[opaque] = 0
    size = region.shape[::-1]
    full = cv2.resize(opaque.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR)
    spread = cv2.resize(veil, size, interpolation=cv2.INTER_LINEAR)
    holes = (full >= 96) & region
    light = veils.light_colour(added, area, veil)
    return Reflections(
        np.asarray(holes), np.where(region & ~holes, spread, 0).astype(np.float32), light
    )


def _glints(rgb: np.ndarray, area: np.ndarray, pupil: np.ndarray, radius: float) -> np.ndarray:
    """Glints (cores and their glow), (h, w) bool; see the module docstring."""
    # A glint a fifth as wide as the median window lifts its own background and hides its
    # middle: a first pass on a window twice as wide finds the large ones, then the
    # background is measured again with those glints and their glow set aside.
    background, iris = _background(rgb, area, pupil, 2 * radius)
    core = _cores(rgb, rgb - background, area, radius) & _over_iris(rgb, iris, pupil)
    if not core.any():
        return np.asarray(core)
    first = grow(core, _glow(rgb, rgb - background) & area & _near(core, radius))
    background, iris = _background(rgb, area & ~first, pupil, radius)
    core = _cores(rgb, rgb - background, area, radius) & _over_iris(rgb, iris, pupil)
    # The glow is judged against the iris just outside it (a narrower window, the glints'
    # reach left out): a wide median puts a lighter zone of the iris "above background".
    near = _near(core, radius)
    local, _ = _background(rgb, area & ~first & ~near, pupil, LOCAL * radius)
    return grow(core, _glow(rgb, rgb - local) & area & near)


def _over_iris(rgb: np.ndarray, iris: np.ndarray, pupil: np.ndarray) -> np.ndarray:
    """Outside the pupil everywhere; in it, only what is brighter in every channel than the
    iris beside it too: the pupil's edge, half iris, stands far above the black pupil."""
    return np.asarray(~pupil | ((rgb - iris).min(axis=2) > CHANNEL_STEP))


def _glow(rgb: np.ndarray, excess: np.ndarray) -> np.ndarray:
    """Pixels lifted towards white as reflected light lifts them (see HALO_SHARE).

    A glow fades smoothly; the iris texture under it does not. Judged on the lift smoothed
    over GLOW_SMOOTH px, the glow's edge follows the fade, not the bright fibres across it."""
    room = np.maximum(255.0 - (rgb - excess), 1.0)
    share = cv2.GaussianBlur((excess / room).min(axis=2), (0, 0), GLOW_SMOOTH)
    step = cv2.GaussianBlur(excess.min(axis=2), (0, 0), GLOW_SMOOTH)
    return np.asarray((share > HALO_SHARE) & (step > HALO_STEP))


def _near(core: np.ndarray, radius: float) -> np.ndarray:
    """Where a core's glow may reach: as far as the core is thick (its half-width, so a thin
    ring-light arc reaches little; HALO_REACH of the iris radius at most), not along the
    bright fibres that run out of it on a light iris."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(core.astype(np.uint8))
    near = np.zeros(core.shape, bool)
    depth = cv2.distanceTransform(core.astype(np.uint8), cv2.DIST_L2, 3)
    for index in range(1, count):
        size = float(depth[labels == index].max())
        reach = round(min(HALO_REACH * radius, max(2.0, size)))
        x, y, w, h = (int(v) for v in stats[index, :4])
        box = (slice(max(0, y - reach), y + h + reach), slice(max(0, x - reach), x + w + reach))
        blob = (labels[box] == index).astype(np.uint8)
        near[box] |= cv2.dilate(blob, round_kernel(reach)) > 0
    return near


def _resized(image: np.ndarray, scale: float, method: int) -> np.ndarray:
    if scale >= 1.0:
        return image
    return np.asarray(cv2.resize(image, None, fx=scale, fy=scale, interpolation=method))


def _background(
    rgb: np.ndarray, area: np.ndarray, pupil: np.ndarray, radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Per-channel median over a window wider than any glint (0.6 iris radius), of the iris
    for iris pixels and of the pupil for pupil pixels: next to a black pupil, or to dark lid
    shadow or skin outside the search area, a light iris would otherwise stand far above its
    "background" all along that edge. Pixels of neither kind take the local mean of the
    region's own. Also returns the iris's median everywhere (the pupil too)."""
    width = min(255, max(3, int(radius * 0.6) | 1))
    out = np.empty_like(rgb)
    iris = out
    for inside in (~pupil, pupil):
        own = area & inside
        levels = rgb.copy()
        if own.any():
            levels[~own] = _local_mean(rgb, own, width)[~own]
        median = cv2.medianBlur(np.clip(levels + 0.5, 0, 255).astype(np.uint8), width)
        out[inside] = median[inside]
        if inside is not pupil:
            iris = median.astype(np.float32)
    return out, iris


def _local_mean(rgb: np.ndarray, own: np.ndarray, width: int) -> np.ndarray:
    """Mean of the `own` pixels in a `width` box around each pixel (their median where the
    box holds none)."""
    weight = own.astype(np.float32)
    total = cv2.blur(rgb * weight[..., None], (width, width))
    count = cv2.blur(weight, (width, width))[..., None]
    fallback = np.median(rgb[own], axis=0)
    return np.where(count > 0.02, total / np.maximum(count, 1e-6), fallback).astype(np.float32)


def _cores(rgb: np.ndarray, excess: np.ndarray, area: np.ndarray, radius: float) -> np.ndarray:
    """Pixels that are a reflection's core (see the module docstring), (h, w) bool."""
    background = rgb - excess
    level = _lightness(background)
    lift = _lightness(rgb) - level  # L* above the background
    top = rgb.max(axis=2)
    saturation = (top - rgb.min(axis=2)) / np.maximum(top, 1.0)
    iris = area & (lift < np.percentile(lift[area], 99.5))
    step = max(STEP_FLOOR, STEP_SPREAD * _spread(lift[iris]))
    iris_saturation = float(np.median(saturation[iris])) if iris.any() else 0.0
    white = saturation < min(WHITE_SATURATION, max(0.15, SATURATION_DROP * iris_saturation))
    # In a dark photo a glint need not be far above in L*, but it multiplies the light.
    ratio = (rgb / np.maximum(background, 4.0)).min(axis=2)
    lighter = (lift > step) | ((ratio > DARK_RATIO) & (lift > DARK_LIFT))
    if iris.any() and float(np.median(level[iris])) < PALE_DARK:
        pale = saturation < PALE_SHARE * iris_saturation
        lighter |= pale & (lift > DARK_LIFT) & (ratio > PALE_RATIO)
    # A pixel clipped in every channel shows no iris, whatever its background.
    clipped = rgb.min(axis=2) >= CLIPPED
    core = ((lighter & (excess.min(axis=2) > CHANNEL_STEP) & white) | clipped) & area
    width = max(2, round(CORE_WIDTH * radius))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (width, width))
    opened = cv2.morphologyEx(core.astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    core = grow(opened, core) if opened.any() else opened
    return np.asarray(core, bool)


def _lightness(rgb: np.ndarray) -> np.ndarray:
    """CIE L* (0..100) of (h, w, 3) float32 RGB in 0..255."""
    lab = cv2.cvtColor(np.clip(rgb, 0, 255) / 255.0, cv2.COLOR_RGB2LAB)
    return np.asarray(lab[:, :, 0], np.float32)


def _spread(values: np.ndarray) -> float:
    """Robust standard deviation (1.4826 MAD) of the iris texture around its background."""
    if values.size < 16:
        return 0.0
    centre = float(np.median(values))
    return 1.4826 * float(np.median(np.abs(values - centre)))


def grow(core: np.ndarray, candidates: np.ndarray) -> np.ndarray:
    """Hysteresis: the connected parts of `candidates` that touch a `core` pixel, plus cores."""
    count, labels = cv2.connectedComponents((candidates | core).astype(np.uint8), connectivity=8)
    keep = np.zeros(count, bool)
    keep[np.unique(labels[core])] = True
    keep[0] = False
    return np.asarray(keep[labels] | core)
