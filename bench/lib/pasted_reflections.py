"""Synthetic glints and window reflections pasted onto an iris image, with their ground truth.

Glints and window reflections are added as light (linear RGB, clipped at white, as a
reflection adds to the light the iris sends back): `paste_glints` makes saturated near-white
cores with a soft halo, round or elliptic, or small ring-light arcs (3-12 % of the iris
radius); `paste_window` a window (one pane, two, or 2x2 panes with dark bars), bowed and
skewed like a reflection in the cornea, 15-35 % of the iris radius, opacity 0.35 (texture
shows through) to 1.0, near-white with a slight cast. Both return the ground-truth mask: the
pixels they changed by at least 10 % towards white. Everything random takes a numpy
Generator: same seed, same images.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np

CHANGE = 0.1  # a pixel is ground truth where a reflection moved it this far towards white


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """uint8/float sRGB 0-255 → float32 linear light 0-1."""
    x = np.asarray(rgb, np.float32) / 255.0
    return np.where(x <= 0.04045, x / 12.92, ((x + 0.055) / 1.055) ** 2.4).astype(np.float32)


def from_linear(light: np.ndarray) -> np.ndarray:
    """float linear light → uint8 sRGB, clipped at white."""
    x = np.clip(light, 0.0, 1.0)
    srgb = np.where(x <= 0.0031308, 12.92 * x, 1.055 * x ** (1 / 2.4) - 0.055)
    return np.asarray(np.clip(srgb * 255.0 + 0.5, 0, 255), np.uint8)


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
