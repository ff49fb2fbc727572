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
    smoothstep,
    to_polar,
)

_WORK = 512  # the side the slow smoothing filters run at: they then cost the same at any size


def _small(canvas: Canvas, image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, (_WORK, _WORK), interpolation=cv2.INTER_AREA)


def _big(canvas: Canvas, image: np.ndarray) -> np.ndarray:
    return cv2.resize(image, (canvas.width, canvas.height), interpolation=cv2.INTER_CUBIC)


def _ragged_disc(canvas: Canvas, salt: str, roughness: float) -> np.ndarray:
    """The disc with a hand-made edge: its rim pushed in and out by seeded noise."""
    r, _ = canvas.polar_grid
    edge = 1.0 + roughness * (0.6 * noise(canvas, 14, salt, 3) - 0.3)
    return smoothstep(-0.012, 0.012, edge - r)


def watercolor_dream(canvas: Canvas) -> np.ndarray:
    """Washes of the iris's colours on cold-press paper: a few flat layers of pigment, each
    drying to a darker wet edge, the fibres touched in with a fine brush, pigment granulating
    in the paper's tooth and bleeding softly past a hand-made rim (paints the whole square)."""
    small = _small(canvas, canvas.bgr)
    washes = (small * 255).astype(np.uint8)
    # flat washes with their edges kept: pigment stops where a shape does
    washes = np.asarray(
        cv2.edgePreservingFilter(washes, flags=cv2.RECURS_FILTER, sigma_s=60, sigma_r=0.45),
        np.uint8,
    )
    flat = blur(_big(canvas, washes.astype(np.float32) / 255.0), canvas.px(1.5))
    grey = flat.mean(axis=2, keepdims=True)
    flat = np.clip(grey + (flat - grey) * 1.5, 0.0, 1.0)
    # layers: the wash's tone in a few steps, each step's border a darker dried edge
    tone = normalise(cv2.cvtColor(flat, cv2.COLOR_BGR2GRAY), canvas.alpha)
    steps = 5.0
    level = tone * steps
    frac = level - np.floor(level)
    soft_steps = (np.floor(level) + smoothstep(0.35, 0.65, frac)) / steps
    gy, gx = np.gradient(blur(tone, canvas.px(2)))
    slope = np.sqrt(gx * gx + gy * gy) * steps + 1e-4
    edge_px = np.abs(frac - 0.5) / slope  # distance to the nearest step, in pixels
    wet = np.exp(-((edge_px / canvas.px(3.0)) ** 2)) * smoothstep(0.02, 0.08, slope * 20 / steps)
    lift = (soft_steps - tone)[:, :, None] * 0.6
    pigment = np.clip(1.0 - flat - lift, 0.0, 1.0) * 0.9
    fibres = np.clip(-canvas.detail(3.0), 0.0, 3.0) / 3.0
    tooth = grain(canvas, "tooth")
    granulation = 1.0 + 0.12 * tooth + 0.08 * noise(canvas, 40, "pool", 2)
    density = pigment * (granulation * (1.0 + 0.22 * wet + 0.5 * fibres))[:, :, None]
    bleed = blur(_ragged_disc(canvas, "bleed", 0.09), canvas.px(6))
    coverage = np.maximum(_ragged_disc(canvas, "rim", 0.05), 0.5 * bleed)
    sheet = paper(canvas, (228, 240, 246), "paper", 0.035)
    out = sheet * (1.0 - np.clip(density * coverage[:, :, None], 0.0, 0.95))
    return finish(out, None)


def monets_garden(canvas: Canvas) -> np.ndarray:
    """Impressionist dabs of broken colour: the iris in short strokes along its fibres, its
    own hues shot with lilac, rose, sage and sky, afloat on a lily pond painted in level
    strokes (paints the whole square)."""
    r, _ = canvas.polar_grid
    disc = canvas.alpha
    grey = canvas.lum[:, :, None]
    iris = np.clip(grey + (canvas.bgr - grey) * 1.3, 0, 1)
    iris = iris * 0.8 + 0.2 * smoothstep(canvas.pupil * 0.9, canvas.pupil * 1.1, r)[:, :, None]
    pond = gradient_map(
        np.clip(0.5 + 0.45 * noise(canvas, 5, "pond", 3), 0, 1),
        [(0, (95, 110, 60)), (0.45, (150, 150, 95)), (0.75, (190, 170, 150)), (1, (170, 205, 200))],
    )
    ground = over(iris, blur(disc, canvas.px(6)), pond)
    out = blur(ground, canvas.px(6))
    palette = (
        np.array(
            [[210, 160, 190], [170, 150, 235], [130, 185, 140], [225, 200, 150], [200, 230, 240]],
            np.float32,
        )
        / 255.0
    )
    rng = canvas.rng("dabs")
    cx, cy = canvas.centre
    for count, size in ((1000, 22.0), (2200, 12.5)):
        xs, ys = rng.random(count), rng.random(count)
        tints = rng.integers(0, len(palette), count)
        mixes = 0.15 + 0.3 * rng.random(count)
        shades = 0.85 + 0.3 * rng.random(count)
        turns = rng.standard_normal(count) * 0.3
        lengths = size * (0.7 + 0.6 * rng.random(count))
        for x, y, tint, mix, shade, turn, length in zip(
            xs, ys, tints, mixes, shades, turns, lengths, strict=True
        ):
            px, py = x * (canvas.width - 1), y * (canvas.height - 1)
            inside = disc[int(py), int(px)] > 0.5
            base = ground[int(py), int(px)]
            mix *= min(1.0, float(base.mean()) * 2.5)  # the pupil stays dark
            colour = np.clip((base * (1 - mix) + palette[tint] * mix) * shade, 0, 1)
            # along the fibres in the eye, level like water on the pond
            along = np.arctan2(py - cy, px - cx) if inside else 0.0
            angle = np.degrees(along + turn * (1.0 if inside else 0.4))
            axes = (max(1, round(canvas.px(length))), max(1, round(canvas.px(length * 0.35))))
            cv2.ellipse(
                out,
                (round(px), round(py)),
                axes,
                float(angle),
                0,
                360,
                tuple(float(v) for v in colour),
                -1,
                cv2.LINE_AA,
            )
    shape = np.clip(canvas.detail(5), -3, 3) / 3.0
    out = np.clip(out * (1.0 + 0.15 * blur(shape, canvas.px(2)) * disc)[:, :, None], 0, 1)
    out = out * (1.0 + 0.05 * grain(canvas, "weave"))[:, :, None]
    return finish(out, None)


def ink_wash(canvas: Canvas) -> np.ndarray:
    """Sumi-e: the iris in graded ink on rice paper, washes from its tones, dry-brush strokes
    on its darkest fibres and crypts, a red seal (paints the whole square)."""
    r, _ = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    tone = normalise(blur(canvas.lum, canvas.px(2.5)), disc)
    ink = 1.0 - tone
    # three washes: the brush holds a few dilutions, not a continuous grey
    washes = 0.12 + 0.28 * smoothstep(0.25, 0.4, ink) + 0.3 * smoothstep(0.5, 0.62, ink)
    washes = washes + 0.3 * smoothstep(0.78, 0.9, ink)
    washes = blur(washes, canvas.px(2.5)) * (1.0 + 0.15 * noise(canvas, 25, "bleed", 2))
    strokes = np.clip(-canvas.detail(2.0), 0.0, 3.0) / 3.0
    polar = to_polar(canvas, strokes)
    polar = cv2.blur(polar, (max(3, polar.shape[1] // 40) | 1, 1))
    dry = from_polar(canvas, polar) * (0.6 + 0.6 * np.clip(grain(canvas, "dry"), 0, 1))
    dry = smoothstep(0.18, 0.45, dry)
    ring = np.exp(-(((r - 1.0) / 0.025) ** 2)) * (0.7 + 0.3 * noise(canvas, 10, "rim", 2))
    dark_pupil = 1.0 - smoothstep(pupil * 0.9, pupil * 1.05, r)
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
    return finish(out, None)
