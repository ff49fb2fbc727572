"""Oil Master: brush strokes laid along the iris's radial fibres, lit as impasto.

The strokes are drawn in the polar frame, where the fibres run along the rows: each band of
rows is one row of strokes, cut into lengths at a seeded offset (brick-wise, as a painter
lays them), each stroke one colour, the mean of the print beneath it. A ridge across each
stroke and bristle grooves along it make a height field, lit from the upper left.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.art.styles.canvas import (
    Canvas,
    blur,
    finish,
    from_polar,
    grain,
    noise,
    smoothstep,
    to_polar,
)

_TABLE = 4096  # seeded stroke offsets per angle: the same layout at every print size


def _strokes(
    canvas: Canvas, polar: np.ndarray, bands: int, per_ray: int, salt: str
) -> tuple[np.ndarray, np.ndarray]:
    """(colour, height) of strokes over `polar`: `bands` rows of strokes round the circle,
    `per_ray` strokes along each ray. Counted, not sized in pixels, so that every print size
    gets the same strokes in the same places."""
    rows, cols = polar.shape[:2]
    bands, per_ray = min(max(bands, 1), rows), min(max(per_ray, 1), cols)  # a tiny print
    position = np.arange(rows) * bands / rows
    band_of_row = position.astype(np.int64)
    starts = np.searchsorted(band_of_row, np.arange(bands))
    counts = np.diff(np.append(starts, rows)).astype(np.float32)
    means = np.add.reduceat(polar, starts, axis=0) / np.maximum(counts, 1)[:, None, None]
    rng = canvas.rng(f"strokes/{salt}")
    table_offsets = rng.random(_TABLE)
    table_tones = rng.standard_normal(_TABLE).astype(np.float32)
    at = (np.arange(bands) * _TABLE // bands).astype(np.int64)
    length = cols / per_ray
    shifted = (np.arange(cols)[None, :] + (table_offsets[at] * length)[:, None]) / length
    seg = np.floor(shifted).astype(np.int64)
    start = np.clip(np.round((seg - shifted) * length + np.arange(cols)), 0, cols).astype(np.int64)
    end = np.clip(np.round(start + length), 0, cols).astype(np.int64)
    start = np.clip(end - max(1, round(length)), 0, cols)
    sums = np.concatenate([np.zeros((bands, 1, 3), np.float32), np.cumsum(means, axis=1)], 1)
    b = np.arange(bands)[:, None]
    colour = (sums[b, end] - sums[b, start]) / np.maximum(end - start, 1)[:, :, None]
    tone = table_tones[(at[:, None] * 7 + seg * 131) % _TABLE]
    colour = colour * (1.0 + 0.13 * tone)[:, :, None]
    taper = np.sqrt(np.clip(np.sin(np.pi * (shifted - seg)), 0, 1))
    across = np.sin(np.pi * (position - band_of_row)) ** 0.7
    height = taper[band_of_row] * across[:, None]
    # a stroke's ends thin out over the paint beneath: its colour fades into the band's own
    laid = means + (colour - means) * (0.35 + 0.65 * taper)[:, :, None]
    return laid[band_of_row].astype(np.float32), height.astype(np.float32)


def oil_master(canvas: Canvas) -> np.ndarray:
    """Oil paint: strokes along the fibres, finer where the iris is busy, rich glazed colour
    and impasto ridges lit from the upper left, on a sunburst-stroked umber ground (paints
    the whole square)."""
    r, _ = canvas.polar_grid
    disc = canvas.alpha
    grey = canvas.lum[:, :, None]
    rich = np.clip(grey + (canvas.bgr - grey) * 1.45, 0.0, 1.0) ** 0.9
    ground_tone = 0.75 + 0.35 * noise(canvas, 4, "ground", 2)
    umber = np.array([0.09, 0.16, 0.24], np.float32) * ground_tone[:, :, None]
    cx, cy = canvas.centre
    reach = float(np.hypot(max(cx, canvas.width - cx), max(cy, canvas.height - cy)))
    reach = reach / canvas.radius + 0.02  # the polar frame reaches the corners: the ground too
    # the iris and the ground are painted apart, so that no stroke carries iris into the
    # ground: the iris's rim colour is carried on past the rim for its strokes to end in
    iris_polar = to_polar(canvas, rich * disc[:, :, None], reach)
    cols = iris_polar.shape[1]
    rim_col = max(1, min(cols - 1, int(cols / reach * 0.97)))
    iris_polar[:, rim_col:] = iris_polar[:, rim_col - 1 : rim_col]
    ground_polar = to_polar(canvas, umber, reach)
    # strokes about 11 and 5 reference px wide at the rim, 70 and 30 long
    round_px = 2 * np.pi * canvas.radius / canvas.px(1.0)
    along = reach * canvas.radius / canvas.px(1.0)
    bands, lengths = round(round_px / 11), round(along / 70)
    coarse, coarse_h = _strokes(canvas, iris_polar, bands, lengths, "coarse")
    ground, ground_h = _strokes(canvas, ground_polar, bands, lengths, "ground")
    fine, fine_h = _strokes(canvas, iris_polar, round(round_px / 5), round(along / 30), "fine")
    busy = np.abs(to_polar(canvas, blur(canvas.detail(3), canvas.px(6)), reach))
    busy = np.clip(busy * 1.5 - 0.2, 0.0, 1.0)[:, :, None]
    # the fine strokes laid over the coarse ones, wholly where the iris is busy
    cover = np.clip(busy[:, :, 0] + 0.2, 0.0, 1.0) * np.clip(fine_h * 1.6, 0.0, 1.0)
    paint = coarse * (1.0 - cover[:, :, None]) + fine * cover[:, :, None]
    height = np.maximum(coarse_h * 0.8, fine_h * cover)
    # the rim: where each ray's last stroke ends, a little in or out, seeded round the circle
    rows = iris_polar.shape[0]
    wobble = canvas.rng("rim").standard_normal(512).astype(np.float32)
    wobble = np.convolve(np.concatenate([wobble[-8:], wobble, wobble[:8]]), np.ones(9) / 9, "same")
    edge = 1.0 + 0.03 * np.interp(np.arange(rows) * 512 / rows, np.arange(512), wobble[8:-8])
    radius = (np.arange(cols) + 0.5) / cols * reach
    inside = smoothstep(-0.004, 0.004, edge[:, None] - radius[None, :])
    paint = paint * inside[:, :, None] + ground * (1.0 - inside[:, :, None])
    height = height * inside + ground_h * (1.0 - inside)
    # the strokes' edges softened a little (a polar row is about 2 px at the rim)
    paint = cv2.GaussianBlur(paint, (0, 0), sigmaX=canvas.px(2.0), sigmaY=canvas.px(0.6))
    bristles = to_polar(canvas, grain(canvas, "bristles", 768), reach)
    bristles = blur(bristles, 0.6)
    height = height + 0.25 * bristles
    paint_xy = from_polar(canvas, paint, reach)
    height_xy = from_polar(canvas, height, reach)
    # impasto: light from the upper left on the paint's ridges
    gy, gx = np.gradient(blur(height_xy, canvas.px(0.7)))
    slope = (gx + gy) * canvas.px(1.0)  # per reference pixel: the same relief at any size
    light = np.clip(1.0 - 1.1 * slope, 0.55, 1.45)
    out = paint_xy * light[:, :, None]
    out = out * (1.0 - 0.25 * np.clip(r - 1.0, 0.0, 1.0))[:, :, None]  # a darker edge, varnish
    return finish(np.clip(out, 0.0, 1.0), None)
