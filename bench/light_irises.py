"""Light-iris stress images made from real irises, with synthetic glints and window reflections.

Real irises (MMU: grey near-infrared-like; MOBIUS: dark brown phone photos) are lifted into
the levels and colours of light irises: a tone curve on CIELAB lightness puts the iris median
at L* 55-65 and stretches the real texture (gain 1-4) so that fibres become bright and crypts
stay dark, then a* and b* are set to the look's hue (bright fibres less saturated in blue and
grey irises, an amber zone around the pupil in hazel and green ones, a darker limbal rim).
Only the iris ring changes; the pupil and everything outside stay as they were.

Glints and window reflections are then added as light (linear RGB, clipped at white, as a
reflection adds to the light the iris sends back): `paste_glints` makes saturated near-white
cores with a soft halo, round or elliptic, or small ring-light arcs (3-12 % of the iris
radius); `paste_window` a window (one pane, two, or 2x2 panes with dark bars), bowed and
skewed like a reflection in the cornea, 15-35 % of the iris radius, opacity 0.35 (texture
shows through) to 1.0, near-white with a slight cast. Both return the ground-truth mask: the
pixels they changed by at least 10 % towards white.

`iris_crops` loads the real sets as square crops around the iris with their ground truth
(iris circle derived from the GT mask; pupil from the MOBIUS label, on MMU fitted to the dark
hole of the GT mask), the real highlights found and inpainted (the returned `rgb` is a
glint-free base; `glare` says where they were). Crops are downscaled so that the iris radius
is at most `max_radius` px. Everything random takes a numpy Generator: same seed, same images.

    .venv/bin/python bench/light_irises.py --save /tmp/light   # contact sheets to look at
"""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from datasets import Item, derived_circle, derived_pupil, mmu_items, mobius_items, require_root

from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle, disk, fit_circle
from irisd.pipeline.output import extract, square_around

MAX_GAIN = 4.0  # most the tone curve stretches the real texture (beyond that: noise, JPEG)
KNEE = 82.0  # L*: the tone curve's soft shoulder starts here (fibres never clip to white)
TOE = 12.0  # L*: and its soft toe
KEEP_CHROMA = 0.5  # share of the source's local a*/b* variation kept under the new hue
CHANGE = 0.1  # a pixel is ground truth where a reflection moved it this far towards white
MAX_RADIUS = 200.0  # default largest iris radius of a crop, px


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


@dataclass
class IrisCrop:
    """A square crop around a real iris, glint-free, with its ground truth (crop pixels)."""

    name: str
    source: str  # "mmu" or "mobius"
    rgb: np.ndarray  # (S, S, 3) uint8, real highlights inpainted
    visible: np.ndarray  # (S, S) bool GT visible iris
    iris: Circle  # derived from the GT iris mask
    pupil: Circle  # GT pupil label (MOBIUS) or the dark hole of the GT mask (MMU)
    glare: np.ndarray  # (S, S) bool real highlights (inpainted in `rgb`): judge nothing there

    @property
    def ring(self) -> np.ndarray:
        """(S, S) bool visible iris inside the iris circle, outside the pupil circle."""
        shape = self.visible.shape
        return np.asarray(self.visible & disk(shape, self.iris) & ~disk(shape, self.pupil))

    @property
    def seen(self) -> np.ndarray:
        """(S, S) bool visible iris and pupil: where the pipeline would see the iris."""
        return np.asarray(self.visible | disk(self.visible.shape, self.pupil))

    @property
    def cornea(self) -> np.ndarray:
        """(S, S) bool where a corneal reflection can show: visible iris and pupil, with the
        gaps between the GT mask and the pupil circle closed."""
        shape = self.visible.shape
        side = max(3, round(0.15 * self.iris.r) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
        eye = (self.visible | disk(shape, self.pupil)).astype(np.uint8)
        closed = cv2.morphologyEx(eye, cv2.MORPH_CLOSE, kernel) > 0
        return np.asarray(closed & disk(shape, self.iris))


# Colour conversions -------------------------------------------------------------------------


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB → float32 CIELAB (L* 0-100)."""
    return np.asarray(cv2.cvtColor(rgb.astype(np.float32) / 255.0, cv2.COLOR_RGB2Lab))


def from_lab(lab: np.ndarray) -> np.ndarray:
    """float32 CIELAB → (..., 3) float32 RGB 0-255 (clipped)."""
    rgb = cv2.cvtColor(lab.astype(np.float32), cv2.COLOR_Lab2RGB)
    return np.asarray(np.clip(np.asarray(rgb) * 255.0, 0, 255), np.float32)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """uint8/float sRGB 0-255 → float32 linear light 0-1."""
    x = np.asarray(rgb, np.float32) / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def from_linear(light: np.ndarray) -> np.ndarray:
    """float linear light → uint8 sRGB, clipped at white."""
    x = np.clip(light, 0.0, 1.0)
    srgb = np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)
    return np.asarray(np.clip(srgb * 255.0 + 0.5, 0, 255), np.uint8)


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


# Reflections ---------------------------------------------------------------------------------


def add_light(rgb: np.ndarray, light: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Add (S, S, 3) linear `light` to an (S, S, 3) uint8 image; returns (image, GT mask):
    the mask is where the grey level moved at least CHANGE of the way towards white."""
    out = from_linear(to_linear(rgb) + light)
    before = rgb.astype(np.float32).mean(axis=2)
    after = out.astype(np.float32).mean(axis=2)
    truth = (after - before) >= CHANGE * np.maximum(255.0 - before, 1.0)
    return out, np.asarray(truth & (light.max(axis=2) > 0))


def near_white(rng: np.random.Generator, cast: float) -> np.ndarray:
    """(3,) linear RGB near white with a random cast of up to `cast` per channel."""
    return np.asarray(1.0 - rng.uniform(0.0, cast, 3), np.float32)


def pick_centre(place: np.ndarray, margin: float, rng: np.random.Generator) -> tuple[int, int]:
    """A random (x, y) in `place` at least `margin` px from its edge (or anywhere in it)."""
    mask = place.astype(np.uint8)
    steps = max(0, round(margin))
    if steps:
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * steps + 1, 2 * steps + 1))
        eroded = np.asarray(cv2.erode(mask, kernel), np.uint8)
        mask = eroded if eroded.any() else mask
    points = np.argwhere(mask > 0)
    y, x = points[rng.integers(len(points))]
    return int(x), int(y)


@dataclass(frozen=True)
class Glint:
    """One glint's shape (px): round/elliptic (`arc` 0) or a ring-light arc of `span` rad."""

    size: float  # core radius (round) or arc radius
    half: float  # core half-width (round: = size; arc: half the line width)
    stretch: float  # ellipse elongation (round only)
    turn: float  # orientation, rad
    span: float  # arc length, rad; 0 for a round glint
    halo: float  # halo width (1/e), px
    halo_level: float  # halo brightness next to the core, 0-1

    @property
    def extent(self) -> float:
        """Distance from the centre beyond which the glint changes nothing visible."""
        reach = self.stretch * self.size if self.span == 0 else self.size + self.half
        return reach + 1.5 * self.halo


def draw_glint(size: float, rng: np.random.Generator) -> Glint:
    """A random glint of `size` px: 65 % round or elliptic, 35 % ring-light arcs."""
    turn = float(rng.uniform(0, math.pi))
    level = float(rng.uniform(0.5, 0.9))
    if rng.random() < 0.65:
        half = max(size, 1.0)
        halo = float(rng.uniform(0.3, 0.8)) * half + 0.5
        return Glint(half, half, float(rng.uniform(1.0, 1.6)), turn, 0.0, halo, level)
    radius = max(size, 2.5)
    half = max(0.8, float(rng.uniform(0.15, 0.3)) * radius)
    span = float(rng.uniform(math.radians(120), math.radians(330)))
    halo = float(rng.uniform(0.3, 0.6)) * half + 0.4
    return Glint(radius, half, 1.0, turn, span, halo, level)


def glint_alpha(shape: tuple[int, int], centre: tuple[int, int], glint: Glint) -> np.ndarray:
    """(H, W) float32 0-1: the glint's core (1, anti-aliased edge) and its halo."""
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xs - centre[0], ys - centre[1]
    u = dx * math.cos(glint.turn) + dy * math.sin(glint.turn)
    v = -dx * math.sin(glint.turn) + dy * math.cos(glint.turn)
    if glint.span == 0:
        edge = np.hypot(u / glint.stretch, v) - glint.half  # < 0 inside the core
    else:
        angle = np.mod(np.arctan2(v, u) + math.pi, 2 * math.pi)  # 0 at -u
        ends = [
            np.hypot(u + glint.size * math.cos(a), v + glint.size * math.sin(a))
            for a in (0.0, glint.span)
        ]
        on_arc = np.abs(np.hypot(u, v) - glint.size)
        edge = np.where(angle <= glint.span, on_arc, np.minimum(*ends)) - glint.half
    core = np.clip(0.5 - edge, 0.0, 1.0)
    halo = glint.halo_level * np.exp(-((np.maximum(edge, 0.0) / glint.halo) ** 2))
    return np.asarray(np.maximum(core, halo * (edge > 0)), np.float32)


def paste_glints(
    rgb: np.ndarray,
    place: np.ndarray,
    iris_radius: float,
    rng: np.random.Generator,
    count: int = 3,
    clip: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Add `count` glints to an (S, S, 3) uint8 image; returns (image, GT mask (S, S) bool).

    Each glint lies wholly inside `place` (S, S) bool where it fits (else its centre does),
    and is cut to `clip` (default `place`). Sizes 3-12 % of `iris_radius`; saturated cores
    (twice white added), near-white halos with a slight cast.
    """
    shape = place.shape
    light = np.zeros((*shape, 3), np.float32)
    for _ in range(count):
        glint = draw_glint(float(rng.uniform(0.03, 0.12)) * iris_radius, rng)
        centre = pick_centre(place, glint.extent, rng)
        colour = 2.0 * near_white(rng, 0.08)
        light = np.maximum(light, glint_alpha(shape, centre, glint)[..., None] * colour)
    light *= (place if clip is None else clip)[..., None]
    return add_light(rgb, light)


def window_alpha(
    shape: tuple[int, int], centre: tuple[int, int], width: float, rng: np.random.Generator
) -> np.ndarray:
    """(H, W) float32 0-1 window reflection: panes, dark bars, bowed, skewed, soft edges."""
    height = width * rng.uniform(0.55, 1.0)
    if rng.random() < 0.3:
        width, height = height, width
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]].astype(np.float32)
    dx, dy = xs - centre[0], ys - centre[1]
    turn = math.radians(rng.uniform(-15, 15))
    u = dx * math.cos(turn) + dy * math.sin(turn)
    v = -dx * math.sin(turn) + dy * math.cos(turn)
    u = u - rng.uniform(-0.2, 0.2) * v  # skew
    bow, lean = rng.uniform(0.0, 0.12), rng.uniform(-0.1, 0.1)
    near = (np.abs(u) < width) & (np.abs(v) < height)  # the bends below fold far away
    nu, nv = np.clip(u / (width / 2), -1.5, 1.5), np.clip(v / (height / 2), -1.5, 1.5)
    # a convex mirror: sides bulge outward in their middle (barrel), the whole may lean
    v = v / (1 + bow * (1 - nu * nu)) - lean * (height / 2) * nu * nu
    u = u / (1 + bow * (1 - nv * nv))
    rect = np.clip(width / 2 - np.abs(u) + 0.5, 0, 1) * np.clip(height / 2 - np.abs(v) + 0.5, 0, 1)
    rect = rect * near
    panes = int(rng.choice([1, 2, 4], p=[0.3, 0.2, 0.5]))
    if panes > 1:
        bar = max(1.0, rng.uniform(0.06, 0.12) * width) / 2
        bars = np.clip(bar - np.abs(u) + 0.5, 0, 1)
        if panes == 4:
            bars = np.maximum(bars, np.clip(bar - np.abs(v) + 0.5, 0, 1))
        rect = rect * (1 - (1 - rng.uniform(0.0, 0.15)) * bars)
    gradient = 1 - rng.uniform(0.0, 0.35) * np.clip(v / height + 0.5, 0, 1)  # sky brighter
    field = rng.standard_normal(shape).astype(np.float32)
    noise = np.asarray(cv2.GaussianBlur(field, (0, 0), width / 6), np.float32)
    noise = noise * (0.08 / max(float(noise.std()), 1e-6))
    alpha = rect * gradient * (1 + noise)
    blur = rng.uniform(0.3, 0.8) * max(1.0, width / 30)
    return np.asarray(cv2.GaussianBlur(alpha.astype(np.float32), (0, 0), blur), np.float32)


def paste_window(
    rgb: np.ndarray,
    place: np.ndarray,
    iris_radius: float,
    rng: np.random.Generator,
    clip: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Add one window reflection to an (S, S, 3) uint8 image; returns (image, GT (S, S) bool).

    The window (15-35 % of `iris_radius` wide) is centred in `place` (S, S) bool, a quarter
    of its height from the edge, and cut to `clip` (default `place`; pass the visible iris and
    pupil: a corneal reflection spans both). Opacity 0.35-1.0; near-white with a slight cast.
    The GT does not include the dark bars between panes where they let the iris through.
    """
    width = rng.uniform(0.15, 0.35) * iris_radius
    centre = pick_centre(place, 0.3 * width, rng)
    alpha = window_alpha(place.shape, centre, width, rng)
    colour = rng.uniform(0.35, 1.0) * near_white(rng, 0.15)
    light = alpha[..., None] * colour * (place if clip is None else clip)[..., None]
    return add_light(rgb, light)


# Real crops ----------------------------------------------------------------------------------


def pupil_from_hole(rgb: np.ndarray, visible: np.ndarray, iris: Circle) -> Circle:
    """Pupil circle of an image without a pupil label: the dark blob in the hole of the GT
    visible-iris mask nearest the iris centre, fitted to its edge where it borders the iris
    (lids and lashes cut the hole open)."""
    shape = visible.shape
    grey = rgb.astype(np.float32).mean(axis=2)
    inside = disk(shape, iris.resized(0.85))
    level = (np.median(grey[inside & ~visible]) + np.median(grey[visible & inside])) / 2
    dark = ((grey < level) & inside & ~visible).astype(np.uint8)
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))  # the glint
    side = max(3, round(0.15 * iris.r) | 1)  # lashes are thinner than that, the pupil is not
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((side, side), np.uint8))
    count, labels = cv2.connectedComponents(dark)
    if count < 2:
        return iris.resized(0.35)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    dist = np.hypot(xs - iris.x, ys - iris.y)
    best = min(range(1, count), key=lambda k: float(dist[labels == k].min()))
    blob = np.zeros(shape, np.uint8)  # holes (left by a glint) filled
    outline, _ = cv2.findContours(
        (labels == best).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    cv2.drawContours(blob, outline, -1, 1, -1)
    # the largest inscribed disk: dense lashes widen the blob upward but stay outside it
    depth = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
    cy, cx = np.unravel_index(int(np.argmax(depth)), shape)
    inscribed = Circle(float(cx), float(cy), float(depth[cy, cx]))
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    points = np.vstack([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    reach = np.hypot(points[:, 0] - inscribed.x, points[:, 1] - inscribed.y)
    near = cv2.dilate(visible.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    on_iris = near[points[:, 1].astype(int), points[:, 0].astype(int)]
    edge = points[on_iris & (reach < 1.3 * inscribed.r + 1)]
    fitted = fit_circle(edge) if len(edge) >= 20 else None
    if fitted is None or fitted.distance(inscribed) > 0.3 * inscribed.r + 1:
        return inscribed
    if not 0.9 * inscribed.r <= fitted.r <= 1.3 * inscribed.r + 1:
        return inscribed
    return fitted


def real_highlights(rgb: np.ndarray, where: np.ndarray, iris_radius: float) -> np.ndarray:
    """(S, S) bool real specular reflections inside `where`: brighter than a median wider
    than a glint by far more than the iris texture varies, grown into their halos."""
    light = to_lab(rgb)[..., 0]
    side = max(3, round(0.6 * iris_radius) | 1)
    background = cv2.medianBlur(np.clip(light * 2.55, 0, 255).astype(np.uint8), min(side, 255))
    excess = light - background.astype(np.float32) / 2.55
    spread = 1.4826 * float(np.median(np.abs(excess[where] - np.median(excess[where]))))
    step = max(10.0, 6.0 * spread)
    core = (excess > step) & where
    grown = (excess > step / 2) & where
    count, labels = cv2.connectedComponents((grown | core).astype(np.uint8))
    keep = np.zeros(count, bool)
    keep[np.unique(labels[core])] = True
    keep[0] = False
    margin = max(1, round(0.02 * iris_radius))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    return np.asarray(cv2.dilate((keep[labels] | core).astype(np.uint8), kernel) > 0)


def make_crop(item: Item, source: str, max_radius: float) -> IrisCrop | None:
    """The glint-free square crop of one real image, downscaled to `max_radius`."""
    circle = derived_circle(item.iris)
    if circle is None:
        return None
    window = square_around(circle)
    rgb = extract(decode(item.image.read_bytes(), 100_000_000), window)
    visible = extract(item.iris, window)
    iris = window.circle(circle)
    pupil_label = None if item.pupil is None else extract(item.pupil, window)
    scale = min(1.0, max_radius / iris.r)
    if scale < 1.0:
        side = max(8, round(rgb.shape[0] * scale))
        rgb = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)
        nearest = cv2.INTER_NEAREST
        visible = cv2.resize(visible.astype(np.uint8), (side, side), interpolation=nearest) > 0
        if pupil_label is not None:
            pupil_label = (
                cv2.resize(pupil_label.astype(np.uint8), (side, side), interpolation=nearest) > 0
            )
        iris = iris.scaled(side / window.side)
    glare = real_highlights(rgb, eye_region(visible, iris), iris.r)
    clean = cv2.inpaint(rgb, glare.astype(np.uint8), 3, cv2.INPAINT_TELEA) if glare.any() else rgb
    pupil = None if pupil_label is None else derived_pupil(pupil_label)
    if pupil is None:
        pupil = pupil_from_hole(clean, visible, iris)
    return IrisCrop(item.name, source, clean, visible, iris, pupil, glare)


def eye_region(visible: np.ndarray, iris: Circle) -> np.ndarray:
    """(S, S) bool iris disk within the convex hull of the visible iris: iris and pupil, not
    the lid skin beyond the mask."""
    hull = np.zeros(visible.shape, np.uint8)
    points = cv2.findNonZero(visible.astype(np.uint8))
    if points is not None:
        cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    return np.asarray((hull > 0) & disk(visible.shape, iris))


def iris_crops(root: Path, split: str = "test", max_radius: float = MAX_RADIUS) -> list[IrisCrop]:
    """MMU crops of `split` (test: persons 31-45) and the 6 MOBIUS crops."""
    crops = []
    for source, items in (("mmu", mmu_items(root, split)), ("mobius", mobius_items(root))):
        for item in items:
            crop = make_crop(item, source, max_radius)
            if crop is not None:
                crops.append(crop)
    return crops


# Looking -------------------------------------------------------------------------------------


def tile(rgb: np.ndarray, side: int = 240) -> np.ndarray:
    return np.asarray(cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA))


def sheet(crop: IrisCrop, seed: int) -> np.ndarray:
    """One row per look (original first): the light iris, with glints, with a window."""
    rows = []
    for row, look in enumerate((None, *LIGHT_COLOURS.values())):
        base = (
            crop.rgb
            if look is None
            else lighten(crop.rgb, crop.visible, crop.iris, crop.pupil, look)
        )
        rng = np.random.default_rng([seed, row])
        glints, _ = paste_glints(base, crop.ring & ~crop.glare, crop.iris.r, rng)
        window, _ = paste_window(base, crop.ring & ~crop.glare, crop.iris.r, rng, clip=crop.cornea)
        rows.append(np.hstack([tile(base), tile(glints), tile(window)]))
    return np.vstack(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", type=Path, required=True, help="folder for the PNG sheets")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    crops = iris_crops(require_root())
    args.save.mkdir(parents=True, exist_ok=True)
    for index in (0, 21, 44, len(crops) - 6, len(crops) - 4, len(crops) - 1):
        crop = crops[index]
        path = args.save / f"light-{Path(crop.name).stem}.png"
        cv2.imwrite(str(path), sheet(crop, args.seed)[..., ::-1])
        print(path)


if __name__ == "__main__":
    main()
