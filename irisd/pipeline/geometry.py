"""Circles, polar sampling, least-squares fits and the working gray shared by the pipeline steps."""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Circle:
    """A circle in pixel coordinates of some image (x right, y down; radius in px)."""

    x: float
    y: float
    r: float

    def scaled(self, factor: float) -> Circle:
        """The same circle in an image resized by `factor`."""
        return Circle(self.x * factor, self.y * factor, self.r * factor)

    def shifted(self, dx: float, dy: float) -> Circle:
        """The same circle in an image whose origin moved by (dx, dy)."""
        return Circle(self.x + dx, self.y + dy, self.r)

    def resized(self, factor: float) -> Circle:
        """The same centre with the radius times `factor`."""
        return Circle(self.x, self.y, self.r * factor)

    def distance(self, other: Circle) -> float:
        """Distance between the centres, px."""
        return math.hypot(self.x - other.x, self.y - other.y)


CHROMA_DARKENS = 0.5


def gray(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 RGB → (H, W) float32 gray weighted to red (best iris contrast)."""
    weights = np.array([0.6, 0.3, 0.1], np.float32)
    return np.asarray(rgb, np.float32) @ weights


def edge_gray(rgb: np.ndarray) -> np.ndarray:
    """`gray` darkened by its colourfulness, for finding boundaries: an amber, green or hazel
    iris can be as light as the white of the eye, but never as grey (CHROMA_DARKENS of
    max - min per level). Grey photos (near-infrared) are unchanged."""
    pixels = np.asarray(rgb, np.float32)
    chroma = pixels.max(axis=-1) - pixels.min(axis=-1)
    return np.asarray(np.maximum(gray(rgb) - CHROMA_DARKENS * chroma, 0.0), np.float32)


def area_circle(region: np.ndarray) -> Circle:
    """The circle with the centroid and the area of a non-empty (H, W) bool region."""
    ys, xs = np.nonzero(region)
    return Circle(float(xs.mean()), float(ys.mean()), math.sqrt(len(xs) / math.pi))


def arc_angles(spans_deg: tuple[tuple[float, float], ...], count: int) -> np.ndarray:
    """`count` angles (radians, float32) spread evenly over the given (start, end) spans."""
    lengths = np.array([end - start for start, end in spans_deg], dtype=np.float64)
    per_span = np.maximum(2, np.round(count * lengths / lengths.sum()).astype(int))
    parts = [
        np.linspace(start, end, n, endpoint=False)
        for (start, end), n in zip(spans_deg, per_span, strict=True)
    ]
    return np.deg2rad(np.concatenate(parts)).astype(np.float32)


def polar_samples(
    image: np.ndarray, centres: np.ndarray, radii: np.ndarray, angles: np.ndarray
) -> np.ndarray:
    """Bilinear samples of a (H, W) float32 image on circles.

    centres (N, 2) x/y, radii (R,), angles (T,) → (N, R, T) float32. Outside the image the
    border is replicated.
    """
    cos, sin = np.cos(angles), np.sin(angles)
    n, r, t = len(centres), len(radii), len(angles)
    xs = centres[:, 0, None, None] + radii[None, :, None] * cos[None, None, :]
    ys = centres[:, 1, None, None] + radii[None, :, None] * sin[None, None, :]
    map_x = xs.reshape(n * r, t).astype(np.float32)
    map_y = ys.reshape(n * r, t).astype(np.float32)
    sampled = cv2.remap(image, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return np.asarray(sampled, dtype=np.float32).reshape(n, r, t)


def fit_circle(points: np.ndarray) -> Circle | None:
    """Algebraic (Kåsa) least-squares circle through (N, 2) x/y points; None if degenerate."""
    if len(points) < 3:
        return None
    x, y = points[:, 0].astype(np.float64), points[:, 1].astype(np.float64)
    design = np.stack([x, y, np.ones_like(x)], axis=1)
    target = x * x + y * y
    solution, *_ = np.linalg.lstsq(design, target, rcond=None)
    cx, cy = solution[0] / 2, solution[1] / 2
    radius_sq = solution[2] + cx * cx + cy * cy
    if not np.isfinite(radius_sq) or radius_sq <= 0:
        return None
    return Circle(float(cx), float(cy), float(math.sqrt(radius_sq)))


def robust_circle(
    points: np.ndarray, tolerance: float, trials: int = 300, seed: int = 0
) -> tuple[Circle, float] | None:
    """The circle (RANSAC over 3-point circles, refitted to its inliers) that most of the
    (N, 2) x/y `points` lie within `tolerance` px of, and the share that do; None if none."""
    if len(points) < 3:
        return None
    rng = np.random.default_rng(seed)
    best: np.ndarray | None = None
    for _ in range(trials):
        circle = fit_circle(points[rng.choice(len(points), 3, replace=False)])
        if circle is None:
            continue
        near = np.abs(np.hypot(points[:, 0] - circle.x, points[:, 1] - circle.y) - circle.r)
        inliers = near < tolerance
        if best is None or inliers.sum() > best.sum():
            best = inliers
    if best is None:
        return None
    refitted = fit_circle(points[best])
    return None if refitted is None else (refitted, float(best.mean()))


def disk(shape: tuple[int, int], circle: Circle) -> np.ndarray:
    """(H, W) bool mask of the filled circle."""
    mask = np.zeros(shape, np.uint8)
    centre = (round(circle.x * 16), round(circle.y * 16))
    cv2.circle(mask, centre, round(circle.r * 16), 1, -1, cv2.LINE_8, 4)
    return mask.astype(bool)


def round_kernel(radius: float) -> np.ndarray:
    """A round morphology kernel reaching about `radius` px (at least 1) from its centre."""
    side = 2 * max(1, round(radius)) + 1
    return np.asarray(cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side)), np.uint8)


def masked_blur(values: np.ndarray, mask: np.ndarray, sigma: float) -> np.ndarray:
    """The Gaussian-weighted mean (`sigma` px) of `values` (H, W[, C]) float32 over the
    `mask` (H, W) pixels only, everywhere: what lies outside the mask does not bleed in."""
    weight = mask.astype(np.float32)
    spread = cv2.GaussianBlur(weight, (0, 0), sigma)
    if values.ndim == 3:
        weight, spread = weight[..., None], spread[..., None]
    total = cv2.GaussianBlur(values * weight, (0, 0), sigma)
    return np.asarray(total / np.maximum(spread, 1e-3), np.float32)
