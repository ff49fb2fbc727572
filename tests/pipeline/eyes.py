"""Synthetic test images: a drawn eye with exact geometry, and non-eye pictures.

Real eye photos cannot be test fixtures (the research sets have no licence for that), so the
always-on tests draw their own: skin, sclera, a textured iris, a pupil, lids and a glint.
"""

from __future__ import annotations

import io

import cv2
import numpy as np
from PIL import Image


def synthetic_eye(
    width: int = 640,
    height: int = 480,
    iris_r: float = 110.0,
    pupil_ratio: float = 0.4,
    blur: float = 0.0,
    seed: int = 0,
    iris_colour: tuple[float, float, float] = (92, 120, 70),
) -> np.ndarray:
    """(H, W, 3) uint8 RGB eye centred in the frame; iris radius `iris_r` px, mean colour
    `iris_colour` (default hazel-green)."""
    rng = np.random.default_rng(seed)
    cx, cy = width / 2, height / 2
    image = np.zeros((height, width, 3), np.float32)
    image[:] = (196, 150, 128)  # skin
    eye = np.zeros((height, width), np.uint8)
    axes = (round(iris_r * 2.4), round(iris_r * 1.15))
    cv2.ellipse(eye, (round(cx), round(cy)), axes, 0, 0, 360, 1, -1)
    image[eye > 0] = (232, 226, 222)  # sclera
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    dist = np.hypot(xs - cx, ys - cy)
    angle = np.arctan2(ys - cy, xs - cx)
    texture = 12 * np.sin(angle * 37) * np.sin(dist * 0.35) + rng.normal(0, 6, dist.shape)
    iris = (dist <= iris_r) & (eye > 0)
    base = np.array(iris_colour, np.float32)
    image[iris] = base + texture[iris, None]
    pupil = dist <= iris_r * pupil_ratio
    image[pupil] = (18, 16, 16)
    glint = np.hypot(xs - cx - iris_r * 0.25, ys - cy + iris_r * 0.2) <= max(2.0, iris_r * 0.06)
    image[glint] = (255, 255, 255)
    if blur > 0:
        image = cv2.GaussianBlur(image, (0, 0), blur)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def landscape(width: int = 640, height: int = 480) -> np.ndarray:
    """A non-eye picture: sky gradient, hills, a sun, a house and some text."""
    ys = np.linspace(0, 1, height, dtype=np.float32)[:, None, None]
    sky = (90 + 120 * ys) * np.array([0.6, 0.8, 1.0], np.float32)
    image = np.broadcast_to(sky, (height, width, 3)).copy()
    xs = np.arange(width)
    hill = (height * 0.6 + 40 * np.sin(xs / 70.0)).astype(int)
    for x, top in zip(xs, hill, strict=True):
        image[top:, x] = (60, 140, 60)
    image = np.ascontiguousarray(image.astype(np.uint8))
    cv2.circle(image, (520, 90), 40, (255, 230, 120), -1)
    cv2.rectangle(image, (120, 240), (220, 330), (150, 60, 40), -1)
    cv2.putText(
        image, "Hello, world 0 O o", (40, 420), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (20, 20, 20), 3
    )
    return image


def encode_png(rgb: np.ndarray) -> bytes:
    """(H, W, 3) uint8 RGB → PNG bytes."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return buffer.getvalue()


def light_iris(
    side: int = 400, iris_r: float = 160.0, pupil_r: float = 50.0, seed: int = 0
) -> np.ndarray:
    """(side, side, 3) uint8 RGB crop of a light blue-grey iris centred in it, on sclera.

    The texture is what fooled grey-level glare tests: bright, thin, near-white radial
    fibres and a bright collarette over a light, low-saturation base, with dark crypts.
    """
    rng = np.random.default_rng(seed)
    c = (side - 1) / 2
    ys, xs = np.mgrid[0:side, 0:side].astype(np.float32)
    dist = np.hypot(xs - c, ys - c)
    angle = np.arctan2(ys - c, xs - c)
    fibres = np.zeros_like(dist)
    for _ in range(90):  # thin bright radial fibres, each at its own angle
        a0 = rng.uniform(-np.pi, np.pi)
        width = rng.uniform(0.006, 0.012)
        gap = np.angle(np.exp(1j * (angle - a0)))
        fibres += np.exp(-((gap / width) ** 2)) * rng.uniform(0.5, 1.0)
    grain = cv2.GaussianBlur(rng.normal(0, 1, dist.shape).astype(np.float32), (0, 0), 1.2)
    level = 150 + 55 * np.clip(fibres, 0, 1.2) + 14 * grain
    collarette = np.exp(-(((dist - 1.6 * pupil_r) / 6) ** 2))
    level += 35 * collarette * (0.6 + 0.4 * np.sin(angle * 23))
    for _ in range(12):  # dark crypts
        r0, a0 = rng.uniform(pupil_r * 1.3, iris_r * 0.9), rng.uniform(-np.pi, np.pi)
        px, py = c + r0 * np.cos(a0), c + r0 * np.sin(a0)
        level -= 45 * np.exp(-(((xs - px) ** 2 + (ys - py) ** 2) / (2 * 5.0**2)))
    tint = np.array((0.82, 0.92, 1.0), np.float32)  # light blue-grey
    image = np.empty((side, side, 3), np.float32)
    image[:] = (228, 224, 220)  # sclera
    iris = dist <= iris_r
    image[iris] = np.clip(level[iris, None] * tint, 0, 255)
    image[dist <= pupil_r] = (20, 18, 18)
    return np.clip(image + 0.5, 0, 255).astype(np.uint8)


def paste_glints(
    image: np.ndarray, centres: list[tuple[float, float]], radius: float
) -> tuple[np.ndarray, np.ndarray]:
    """Saturated glints with a soft halo; returns (image, (H, W) bool cores)."""
    ys, xs = np.mgrid[0 : image.shape[0], 0 : image.shape[1]].astype(np.float32)
    out = image.astype(np.float32)
    cores = np.zeros(image.shape[:2], bool)
    for x, y in centres:
        dist = np.hypot(xs - x, ys - y)
        alpha = np.where(dist <= radius, 1.0, np.exp(-(((dist - radius) / (0.6 * radius)) ** 2)))
        out += (255 - out) * alpha[:, :, None]
        cores |= dist <= radius
    return np.clip(out + 0.5, 0, 255).astype(np.uint8), cores
