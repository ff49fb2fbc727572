"""Layout of one rendered eye: where iris, pupil and lids are, as signed distances."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

Array = np.ndarray


@dataclass(frozen=True)
class Eye:
    """Geometry of one eye in pixel coordinates of the canvas."""

    cx: float
    cy: float
    ra: float  # iris semi-axes (x, y before rotation)
    rb: float
    angle: float
    px: float  # pupil centre and semi-axes
    py: float
    pa: float
    pb: float
    ex: float  # eye-opening centre, half-width, tilt
    ey: float
    ew: float
    tilt: float
    upper: float  # lid heights at the eye centre (pixels above / below ey)
    lower: float
    present: bool


def sample_eye(rng: np.random.Generator, h: int, w: int) -> Eye:
    """Random geometry: iris radius 6-45 % of the shorter side, off-centre pupil, lids."""
    short = min(h, w)
    frac = rng.uniform(0.06, 0.15) if rng.random() < 0.3 else rng.uniform(0.15, 0.45)
    r = short * frac
    cx = rng.uniform(min(0.7 * r, w / 2), max(w - 0.7 * r, w / 2))
    cy = rng.uniform(min(0.7 * r, h / 2), max(h - 0.7 * r, h / 2))
    squash = rng.uniform(0.75, 1.0) if rng.random() < 0.6 else 1.0
    ra, rb = r * squash * rng.uniform(0.96, 1.04), r * rng.uniform(0.96, 1.04)
    ratio = rng.uniform(0.2, 0.7)
    slack = (1 - ratio) * r * 0.35
    off = rng.uniform(-slack, slack, 2)
    pr = ratio * r
    pa, pb = pr * squash * rng.uniform(0.93, 1.07), pr * rng.uniform(0.93, 1.07)
    ew = r * rng.uniform(1.9, 3.6)
    ex = cx + rng.uniform(-1, 1) * max(ew - 1.1 * r, 0.0)
    return Eye(
        cx=cx,
        cy=cy,
        ra=ra,
        rb=rb,
        angle=rng.uniform(-0.35, 0.35),
        px=cx + off[0] * squash,
        py=cy + off[1],
        pa=pa,
        pb=pb,
        ex=ex,
        ey=cy + rng.uniform(-0.25, 0.25) * r,
        ew=ew,
        tilt=rng.uniform(-0.2, 0.2),
        upper=r * rng.uniform(0.4, 1.35),
        lower=r * rng.uniform(0.55, 1.35),
        present=bool(rng.random() > 0.03),
    )


def ellipse_distance(
    xs: Array, ys: Array, cx: float, cy: float, a: float, b: float, angle: float
) -> Array:
    """Approximate signed distance (pixels, negative inside) to a rotated ellipse."""
    c, s = math.cos(angle), math.sin(angle)
    dx, dy = xs - cx, ys - cy
    u, v = (c * dx + s * dy) / a, (-s * dx + c * dy) / b
    result: Array = (np.sqrt(u * u + v * v) - 1.0) * min(a, b)
    return result


def lid_curves(xs: Array, eye: Eye) -> tuple[Array, Array, Array]:
    """Upper and lower lid y and the normalised x, for xs in the tilted eye frame."""
    t = np.clip((xs - eye.ex) / eye.ew, -1.0, 1.0)
    tc = float(np.clip((eye.cx - eye.ex) / eye.ew, -0.95, 0.95))
    shape = np.sqrt(np.maximum(1 - t * t, 0.0)) ** 1.3
    base = max((1 - tc * tc) ** 0.65, 0.1)
    up = eye.upper + (eye.cy - eye.ey)
    down = eye.lower - (eye.cy - eye.ey)
    upper_y = eye.ey - max(up, 0.05 * eye.ew) / base * shape
    lower_y = eye.ey + max(down, 0.05 * eye.ew) / base * shape
    return upper_y, lower_y, t


def _to_eye_frame(xs: Array, ys: Array, eye: Eye) -> tuple[Array, Array]:
    c, s = math.cos(eye.tilt), math.sin(eye.tilt)
    dx, dy = xs - eye.ex, ys - eye.ey
    return eye.ex + c * dx + s * dy, eye.ey - s * dx + c * dy


def opening_distance(xs: Array, ys: Array, eye: Eye) -> Array:
    """Signed vertical distance (pixels, negative inside) to the palpebral opening."""
    ex, ey = _to_eye_frame(xs, ys, eye)
    upper_y, lower_y, _ = lid_curves(ex, eye)
    d = np.maximum(upper_y - ey, ey - lower_y)
    result: Array = np.maximum(d, np.abs(ex - eye.ex) - eye.ew * 0.999)
    return result


def soft(d: Array) -> Array:
    """Anti-aliased coverage (0..1) from a signed distance in pixels."""
    result: Array = np.clip(0.5 - d, 0.0, 1.0)
    return result


def upper_half(d_open: Array, eye: Eye) -> Array:
    """(H, W) bool: rows above the eye-opening centre line (approximate, ignores tilt)."""
    ys = np.arange(d_open.shape[0], dtype=np.float32)[:, None] + 0.5
    result: Array = np.broadcast_to(ys < eye.ey, d_open.shape)
    return result
