"""Painted styles: pigment on paper or canvas, with the brush following the iris's fibres."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.art.styles.canvas import (
    Canvas,
    blur,
    finish,
    from_polar,
    gradient_map,
    grain,
    noise,
    normalise,
    over,
    paper,
    to_polar,
)

_WORK = 512  # the side the slow smoothing filters run at: they then cost the same at any size


def _smooth(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return t * t * (3.0 - 2.0 * t)


def _small(canvas: Canvas, image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, (_WORK, _WORK), interpolation=cv2.INTER_AREA)


def _big(canvas: Canvas, image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, (canvas.width, canvas.height), interpolation=cv2.INTER_CUBIC)


def _ragged_disc(canvas: Canvas, salt: str, roughness: float) -> np.ndarray:
    """The disc with a hand-made edge: its rim pushed in and out by seeded noise."""
    r, _ = canvas.polar_grid
    edge = 1.0 + roughness * (0.6 * noise(canvas, 14, salt, 3) - 0.3)
    return _smooth(-0.012, 0.012, edge - r)


def watercolor_dream(canvas: Canvas) -> np.ndarray:
    """Washes of the iris's colours on cold-press paper: pigment pooling in darker wet edges,
    granulating in the paper's tooth, bleeding softly past the rim (paints the whole square)."""
    small = _small(canvas, canvas.bgr)
    washes = (small * 255).astype(np.uint8)
    for _ in range(2):  # flat washes with their edges kept: pigment stops where a shape does
        washes = cv2.edgePreservingFilter(washes, flags=cv2.RECURS_FILTER, sigma_s=40, sigma_r=0.45)
    flat = _big(canvas, washes.astype(np.float32) / 255.0)
    flat = blur(flat, canvas.px(1.5))
    # pigment as absorbance: where the wash is dark, more pigment; brighter, more water
    pigment = np.clip(1.0 - flat, 0.0, 1.0) * 0.85
    grey = cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY)
    gx = cv2.Sobel(grey, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(grey, cv2.CV_32F, 0, 1, ksize=3)
    rims = normalise(np.sqrt(gx * gx + gy * gy), canvas.alpha, 60, 99.5)
    wet_edges = blur(rims, canvas.px(1.2))
    tooth = grain(canvas, "tooth")
    granulation = 1.0 + 0.18 * tooth + 0.22 * noise(canvas, 30, "pool", 2)
    density = pigment * granulation[:, :, None] * (1.0 + 0.55 * wet_edges)[:, :, None]
    fibres = np.clip(-canvas.detail(2.5), 0.0, 3.0) / 3.0
    density = density + 0.25 * fibres[:, :, None] * pigment  # the brush's finest lines
    bleed = blur(canvas.alpha * 0.0 + _ragged_disc(canvas, "bleed", 0.09), canvas.px(6))
    coverage = np.maximum(_ragged_disc(canvas, "rim", 0.05), 0.55 * bleed)
    coverage = coverage * (0.85 + 0.15 * noise(canvas, 20, "bloom", 2))
    sheet = paper(canvas, (228, 240, 246), "paper", 0.035)
    out = sheet * (1.0 - np.clip(density * coverage[:, :, None], 0.0, 0.95))
    return finish(out, None)


def oil_master(canvas: Canvas) -> np.ndarray:
    """Oil paint laid in strokes along the radial fibres, rich glazed colour, and impasto
    ridges lit from the upper left on a canvas weave (paints the whole square)."""
    disc = canvas.alpha
    rich = np.clip(canvas.lum[:, :, None] + (canvas.bgr - canvas.lum[:, :, None]) * 1.5, 0, 1)
    polar = to_polar(canvas, rich, radius=1.02)
    rows, cols = polar.shape[:2]
    # strokes: drag the paint along each ray (the fibres' direction), a little across
    length = max(3, round(cols * 0.045)) | 1
    across = max(1, round(rows * 0.0025)) | 1
    stroked = cv2.blur(polar, (length, across))
    dabs = to_polar(canvas, noise(canvas, 90, "dabs", 1)[:, :, None].repeat(3, axis=2), 1.02)
    stroked = np.clip(stroked * (1.0 + 0.08 * dabs), 0, 1)
    levels = 14.0
    stroked = np.round(stroked * levels) / levels
    stroked = cv2.blur(stroked, (max(3, length // 3) | 1, 1))
    paint = from_polar(canvas, stroked, radius=1.02)
    paint = over(paint, _smooth(0.0, 0.3, blur(disc, canvas.px(2))), paint)
    # impasto: the brush's ridges as a height field, lit from the upper left
    ridges = to_polar(canvas, grain(canvas, "bristles", 512), 1.02)
    ridges = cv2.blur(ridges, (length, 1))
    height = from_polar(canvas, ridges, radius=1.02) * 0.6 + 2.0 * cv2.cvtColor(
        paint, cv2.COLOR_BGR2GRAY
    )
    height = blur(height, canvas.px(1.0))
    gx = cv2.Sobel(height, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(height, cv2.CV_32F, 0, 1, ksize=3)
    light = np.clip(1.0 - 0.12 * (gx + gy) * (512.0 / canvas.side) * 6.0, 0.55, 1.45)
    lit = paint * light[:, :, None]
    weave = paper(canvas, (40, 55, 70), "canvas", 0.25)
    thread = 0.04 * (np.sin(np.indices(canvas.shape)[0] * np.pi / canvas.px(3)) ** 2)[:, :, None]
    ground = weave * (1.0 - thread)
    cover = _ragged_disc(canvas, "stroke-rim", 0.03)
    varnish = 0.9 + 0.1 * noise(canvas, 3, "varnish", 1)[:, :, None]
    out = over(lit, cover, ground) * varnish
    return finish(out, None)


def monets_garden(canvas: Canvas) -> np.ndarray:
    """Impressionist dabs: short strokes of broken colour round the eye, the iris's own hues
    pushed toward a water-garden palette of lilac, sage and sky (paints the whole square)."""
    _r, _theta = canvas.polar_grid
    disc = canvas.alpha
    base = blur(canvas.bgr, canvas.px(2))
    lilac = np.array([200, 150, 170], np.float32) / 255.0
    sage = np.array([120, 170, 130], np.float32) / 255.0
    tone = normalise(blur(canvas.lum, canvas.px(2)), disc)
    shift = over(np.broadcast_to(lilac, base.shape), 1.0 - tone, np.broadcast_to(sage, base.shape))
    palette = np.clip(0.55 * base * 1.4 + 0.45 * shift * (0.5 + tone[:, :, None]), 0, 1)
    garden = paper(canvas, (215, 205, 190), "linen", 0.05)
    ground = over(palette, blur(disc, canvas.px(25)), garden * np.array([1.0, 0.97, 0.92]))
    out = blur(ground, canvas.px(8))
    rng = canvas.rng("dabs")
    cx, cy = canvas.centre
    for count, size in ((2600, 14.0), (5200, 8.0)):
        xs, ys = rng.random(count), rng.random(count)
        jitter = rng.standard_normal((count, 3)) * 0.06
        turns = rng.standard_normal(count) * 0.35
        lengths = size * (0.7 + 0.6 * rng.random(count))
        for x, y, j, turn, length in zip(xs, ys, jitter, turns, lengths, strict=True):
            px, py = x * (canvas.width - 1), y * (canvas.height - 1)
            colour = ground[int(py), int(px)] + j
            # strokes lie across the rays: round the eye, like ripples round a lily pad
            angle = np.degrees(np.arctan2(py - cy, px - cx)) + 90.0 + np.degrees(turn)
            axes = (max(1, round(canvas.px(length))), max(1, round(canvas.px(length * 0.38))))
            cv2.ellipse(
                out,
                (round(px), round(py)),
                axes,
                float(angle),
                0,
                360,
                tuple(float(v) for v in np.clip(colour, 0, 1)),
                -1,
                cv2.LINE_AA,
            )
    detail = np.clip(canvas.detail(2.5), -3, 3) / 3.0
    out = np.clip(out * (1.0 + 0.25 * detail * disc)[:, :, None], 0, 1)
    out = out * (1.0 + 0.05 * grain(canvas, "weave"))[:, :, None]
    return finish(out, None)


def ink_wash(canvas: Canvas) -> np.ndarray:
    """Sumi-e: the iris in graded ink on rice paper, washes from its tones, dry-brush strokes
    on its darkest fibres and crypts, a red seal (paints the whole square)."""
    r, theta = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    tone = normalise(blur(canvas.lum, canvas.px(2.5)), disc)
    ink = 1.0 - tone
    # three washes: the brush holds a few dilutions, not a continuous grey
    washes = 0.12 + 0.28 * _smooth(0.25, 0.4, ink) + 0.3 * _smooth(0.5, 0.62, ink)
    washes = washes + 0.3 * _smooth(0.78, 0.9, ink)
    washes = blur(washes, canvas.px(2.5)) * (1.0 + 0.15 * noise(canvas, 25, "bleed", 2))
    strokes = np.clip(-canvas.detail(2.0), 0.0, 3.0) / 3.0
    polar = to_polar(canvas, strokes)
    polar = cv2.blur(polar, (max(3, polar.shape[1] // 40) | 1, 1))
    dry = from_polar(canvas, polar) * (0.6 + 0.6 * np.clip(grain(canvas, "dry"), 0, 1))
    dry = _smooth(0.18, 0.45, dry)
    ring = np.exp(-(((r - 1.0) / 0.025) ** 2)) * (0.7 + 0.3 * noise(canvas, 10, "rim", 2))
    dark_pupil = 1.0 - _smooth(pupil * 0.9, pupil * 1.05, r)
    density = np.maximum(washes * _ragged_disc(canvas, "wash", 0.05), dry * 0.9)
    density = np.maximum(density, np.maximum(ring * 0.85, dark_pupil * 0.92))
    sheet = paper(canvas, (222, 236, 242), "rice", 0.045)
    ink_colour = np.array([30, 26, 22], np.float32) / 255.0
    out = over(np.broadcast_to(ink_colour, sheet.shape), np.clip(density, 0, 1), sheet)
    # the seal: a small red chop in the lower right corner
    side = canvas.px(56)
    x0, y0 = canvas.width - canvas.px(40) - side, canvas.height - canvas.px(40) - side
    seal = np.zeros(canvas.shape, np.float32)
    cv2.rectangle(seal, (round(x0), round(y0)), (round(x0 + side), round(y0 + side)), 1.0, -1)
    inner = max(1, round(canvas.px(5)))
    cv2.rectangle(
        seal,
        (round(x0) + inner, round(y0) + inner),
        (round(x0 + side) - inner, round(y0 + side) - inner),
        0.0,
        max(1, round(canvas.px(4))),
    )
    seal = seal * np.clip(0.75 + 0.5 * grain(canvas, "seal"), 0, 1)
    vermilion = np.array([40, 45, 190], np.float32) / 255.0
    out = over(np.broadcast_to(vermilion, out.shape), seal, out)
    _ = theta, gradient_map
    return finish(out, None)
