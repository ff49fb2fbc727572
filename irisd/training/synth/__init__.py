"""Procedural eye images whose iris/pupil masks are exact by construction (training data).

Everything is drawn from closed-form geometry on the output grid, so the label of every
pixel is known: 0 background (skin, sclera, lids, lashes), 1 visible iris, 2 pupil.
Specular highlights are painted on top without changing the label underneath (as in the
real ground truths), and are returned separately as `Sample.highlights`.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.training.synth import layers, layout
from irisd.training.synth.layout import Array


@dataclass(frozen=True)
class Sample:
    """One rendered eye.

    rgb: (H, W, 3) uint8 RGB. labels: (H, W) uint8 in {0, 1, 2} (background, visible iris,
    pupil). highlights: (H, W) bool, where a specular highlight was painted.
    """

    rgb: Array
    labels: Array
    highlights: Array


def render(rng: np.random.Generator, size: tuple[int, int]) -> tuple[Array, Array]:
    """Render one eye image of `size` = (H, W).

    Returns rgb (H, W, 3) uint8 RGB and labels (H, W) uint8: 0 background, 1 visible iris
    (pupil, lids and lashes excluded; highlights included), 2 pupil.
    """
    sample = render_sample(rng, size)
    return sample.rgb, sample.labels


def render_sample(rng: np.random.Generator, size: tuple[int, int]) -> Sample:
    """Render one eye as a `Sample` (image, labels, highlight mask); deterministic per rng state."""
    h, w = size
    nir = bool(rng.random() < 0.45)
    eye = layout.sample_eye(rng, h, w)
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    d_iris = layout.ellipse_distance(xs, ys, eye.cx, eye.cy, eye.ra, eye.rb, eye.angle)
    d_pupil = layout.ellipse_distance(xs, ys, eye.px, eye.py, eye.pa, eye.pb, eye.angle)
    d_open = layout.opening_distance(xs, ys, eye)
    lashes = layers.lashes(rng, eye, h, w)
    img = layers.skin(rng, h, w, nir)
    layers.distractors(rng, img, xs, ys, eye, d_open)
    sclera_level = rng.uniform(130, 225) if nir else rng.uniform(120, 245)
    layers.paint(img, layers.sclera(rng, xs, ys, eye, nir, sclera_level), layout.soft(d_open))
    # Width (pixels) of the soft limbus; the label goes halfway into its outer half (the MMU
    # annotators' convention, calibrated on MMU persons 1-30).
    limbus = rng.uniform(0.5, 3.0) * min(h, w) / 160
    if eye.present:
        iris_level = sclera_level * rng.uniform(0.3, 0.8) if nir else 0.0
        iris_rgb = layers.iris(rng, xs, ys, eye, d_iris, d_pupil, iris_level)
        layers.paint(img, iris_rgb, layout.soft(d_iris / limbus) * layout.soft(d_open))
        layers.paint(img, layers.pupil_colour(rng, nir), layout.soft(d_pupil) * layout.soft(d_open))
    layers.lid_shadow(img, d_open, eye, rng)
    lash_colour = np.full(3, rng.uniform(5, 45), np.float32)
    layers.paint(img, lash_colour, lashes * rng.uniform(0.75, 1.0))
    # Annotators cut the iris along the lash fringe, not between single lashes.
    fringe = cv2.GaussianBlur(lashes, (0, 0), max(eye.ra * 0.04, 0.6)) > rng.uniform(0.12, 0.3)
    highlights = layers.highlights(rng, img, eye, h, w, nir)
    labels = np.zeros((h, w), np.uint8)
    if eye.present:
        visible = (d_open < 0) & (lashes < 0.5) & ~fringe
        labels[visible & (d_iris < 0.25 * limbus)] = 1
        labels[visible & (d_pupil < 0)] = 2
    rgb = layers.camera(rng, img, nir)
    return Sample(rgb=rgb, labels=labels, highlights=highlights)
