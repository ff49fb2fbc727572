"""Graphic styles: flat colour, line, facets, cells and pixels, drawn from the iris's structure."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.art.styles.canvas import (
    Canvas,
    blur,
    finish,
    from_polar,
    noise,
    normalise,
    over,
    paper,
    smoothstep,
    to_polar,
)


def _screen(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 - (1.0 - np.clip(a, 0, 1)) * (1.0 - np.clip(b, 0, 1)), np.float32)


def _hue_order(canvas: Canvas) -> float:
    """The iris's dominant hue (OpenCV degrees/2, 0..180), weighted by saturation."""
    hsv = cv2.cvtColor(canvas.bgr, cv2.COLOR_BGR2HSV)
    weight = hsv[:, :, 1] * canvas.alpha
    angle = hsv[:, :, 0] * (np.pi / 180.0)  # float HSV hue is 0..360
    s, c = float((np.sin(angle) * weight).sum()), float((np.cos(angle) * weight).sum())
    return float(np.degrees(np.arctan2(s, c)) % 360.0)


def _hsv_colour(hue: float, sat: float, val: float) -> np.ndarray:
    one = np.array([[[hue % 360.0, sat, val]]], np.float32)
    return np.asarray(cv2.cvtColor(one, cv2.COLOR_HSV2BGR)[0, 0], np.float32)


def _contours(canvas: Canvas, field: np.ndarray, levels: int, width: float) -> np.ndarray:
    """Anti-aliased lines `width` px wide along `levels` level sets of `field` (0..1)."""
    gy, gx = np.gradient(field)
    slope = np.sqrt(gx * gx + gy * gy) * levels + 1e-6
    frac = field * levels - np.floor(field * levels)
    distance = np.minimum(frac, 1.0 - frac) / slope  # to the nearest level, in pixels
    # where the field is flat a level is no line but a blot: leave those out
    steep = smoothstep(0.02, 0.06, slope * canvas.px(8) / levels)
    return np.asarray((1.0 - smoothstep(width * 0.5, width * 0.5 + 1.0, distance)) * steep)


def pop_vision(canvas: Canvas) -> np.ndarray:
    """Pop art: the iris in four flat inks from its own hue and its complement, Ben-Day dots
    in each band, bold black outlines round the bands, on a loud dotted square (paints the
    whole square)."""
    r, _ = canvas.polar_grid
    disc = canvas.alpha
    tone = normalise(blur(canvas.lum, canvas.px(1.8)), disc, 3, 97)
    hue = _hue_order(canvas)
    inks = np.stack(
        [
            _hsv_colour(hue + 180, 0.9, 0.35),
            _hsv_colour(hue, 0.95, 0.85),
            _hsv_colour(hue + 40, 0.75, 1.0),
            _hsv_colour(hue + 180, 0.25, 1.0),
        ]
    )
    band = np.clip((tone * 4).astype(np.int32), 0, 3)
    flat = inks[band]
    # Ben-Day dots on a diagonal grid in the print's own frame, larger in a band's darker part
    spacing = canvas.px(12) * 1.414
    ys, xs = np.indices(canvas.shape, dtype=np.float32)
    u = np.mod(xs + ys, spacing) / spacing - 0.5
    v = np.mod(xs - ys, spacing) / spacing - 0.5
    dist = np.sqrt(u * u + v * v)
    soft = 0.5 / spacing  # half a pixel, in grid units: anti-aliased at any size
    dot = 1.0 - smoothstep(-soft, soft, dist - 0.42 * (1.0 - np.mod(tone * 4, 1.0)) ** 0.7)
    flat = over(flat * 0.45 + inks[0] * 0.55, dot * 0.85, flat)
    outline = _contours(canvas, tone, 4, canvas.px(2.4))
    rim = np.exp(-(((r - 1.0) * canvas.radius / canvas.px(3.0)) ** 2))
    ink = np.clip(np.maximum(outline * disc, rim), 0, 1)
    field = _hsv_colour(hue + 90, 0.8, 0.95)
    dots = 1.0 - smoothstep(-soft, soft, dist - 0.18)
    square = over(
        np.broadcast_to(field * 0.75, flat.shape), dots, np.broadcast_to(field, flat.shape)
    )
    out = over(flat, smoothstep(0.0, 0.01, 1.0 - r), square)
    out = over(np.zeros_like(out) + 0.04, ink, out)
    return finish(out, None)


def minimal_lines(canvas: Canvas) -> np.ndarray:
    """Line art on white paper: the iris's rings, collarette and crypts as contour lines of
    its shading, its strongest fibres as fine radial strokes, the pupil and rim as circles,
    one accent of the iris's own hue at the collarette (paints the whole square)."""
    r, _ = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    zone = smoothstep(pupil + 0.02, pupil + 0.05, r) * (1.0 - smoothstep(0.96, 0.985, r))
    # the shading smoothed along the rays: its level sets run with the fibres, out from the
    # pupil, and bend round the crypts and the collarette
    polar = to_polar(canvas, canvas.lum)
    polar = cv2.GaussianBlur(polar, (0, 0), sigmaX=polar.shape[1] * 0.05, sigmaY=canvas.px(2.5))
    field = normalise(from_polar(canvas, polar), disc)
    contours = _contours(canvas, field, 7, canvas.px(1.2)) * zone
    fibres = -canvas.detail(2.5) * disc
    polar = to_polar(canvas, fibres)
    # clean strokes: smooth along each ray, keep thin across it
    polar = cv2.GaussianBlur(polar, (0, 0), sigmaX=max(1.0, polar.shape[1] * 0.015), sigmaY=0.7)
    strokes = from_polar(canvas, polar)
    inside = strokes[disc > 0.5] if (disc > 0.5).any() else strokes.ravel()
    strokes = strokes / max(float(np.percentile(inside, 99.5)), 1e-3)
    hairlines = smoothstep(0.45, 0.8, strokes) * zone
    width = canvas.px(1.6) / canvas.radius
    circles = np.exp(-(((r - 1.0) / width) ** 2)) + np.exp(-(((r - pupil) / width) ** 2))
    collar = pupil + 0.32 * (1.0 - pupil)
    accent = np.exp(-(((r - collar) / (width * 2.5)) ** 2))
    sheet = paper(canvas, (245, 247, 248), "sheet", 0.015)
    ink = np.array([60, 42, 30], np.float32) / 255.0
    lines = np.clip(np.maximum(contours * 0.95, hairlines * 0.55) + circles, 0, 1)
    out = over(np.broadcast_to(ink, sheet.shape), lines, sheet)
    tint = _hsv_colour(_hue_order(canvas), 0.65, 0.75)
    out = over(np.broadcast_to(tint, out.shape), np.clip(accent * 0.9, 0, 1), out)
    return finish(out, None)


def _sample_points(canvas: Canvas, count: int, salt: str, focus: np.ndarray) -> np.ndarray:
    """`count` seeded points (x, y in 0..1), denser where `focus` is high: drawn on a fixed
    128-cell grid so every print size gets the same points."""
    rng = canvas.rng(f"points/{salt}")
    small = cv2.resize(focus, (128, 128), interpolation=cv2.INTER_AREA).astype(np.float64)
    weights = small.ravel() + 1e-6
    cells = rng.choice(weights.size, size=count, p=weights / weights.sum())
    jitter = rng.random((count, 2))
    return np.stack([(cells % 128 + jitter[:, 0]) / 128, (cells // 128 + jitter[:, 1]) / 128], 1)


def _facet_labels(canvas: Canvas, focus: np.ndarray, count: int) -> tuple[np.ndarray, int]:
    """A Delaunay triangulation of `count` seeded points (denser where `focus` is high) and
    a ring round the disc, drawn as a label image (0: no facet) and its number of facets."""
    points = _sample_points(canvas, count, "facets", focus)
    ring = np.linspace(0, 2 * np.pi, 48, endpoint=False)
    cx, cy = canvas.centre
    rim = np.stack(
        [
            (cx + np.cos(ring) * canvas.radius * 1.02) / canvas.width,
            (cy + np.sin(ring) * canvas.radius * 1.02) / canvas.height,
        ],
        1,
    )
    corners = np.array([[0, 0], [1, 0], [0, 1], [1, 1]], np.float64)
    allpts = np.concatenate([np.clip(np.concatenate([points, rim]), 0, 1), corners])
    allpts = allpts * [canvas.width - 1, canvas.height - 1]  # inside the frame, as Subdiv2D needs
    subdiv = cv2.Subdiv2D((0, 0, canvas.width, canvas.height))
    for x, y in allpts:
        subdiv.insert((float(x), float(y)))
    triangles = np.asarray(subdiv.getTriangleList(), np.float32).reshape(-1, 3, 2)
    inside = (triangles >= -1).all(axis=(1, 2))
    inside &= (triangles[:, :, 0] <= canvas.width + 1).all(axis=1)
    inside &= (triangles[:, :, 1] <= canvas.height + 1).all(axis=1)
    labels = np.zeros(canvas.shape, np.int32)
    for index, tri in enumerate(triangles[inside], start=1):
        cv2.fillConvexPoly(labels, np.round(tri).astype(np.int32), index)
    return labels, int(inside.sum()) + 1


def crystal_geometry(canvas: Canvas) -> np.ndarray:
    """Cut crystal: the iris as triangular facets, smaller where its fibres are busiest, each
    facet its own colour from the iris with a prismatic tint, lit across its face as a cut
    stone is, with bright cut edges."""
    r, _ = canvas.polar_grid
    disc = canvas.alpha
    # where to cut: judged on a fixed 256 px copy, so every print size gets the same facets
    small_lum = cv2.resize(canvas.lum, (256, 256), interpolation=cv2.INTER_AREA)
    small_disc = cv2.resize(disc, (256, 256), interpolation=cv2.INTER_AREA)
    soft = cv2.GaussianBlur(small_lum, (0, 0), 0.75)
    gx = cv2.Sobel(soft, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(soft, cv2.CV_32F, 0, 1, ksize=3)
    edges = normalise(np.sqrt(gx * gx + gy * gy), small_disc)
    focus = (edges + 0.6) * (cv2.GaussianBlur(small_disc, (0, 0), 1.0) + 0.02)
    labels, n = _facet_labels(canvas, focus, 700)
    flat = labels.ravel()
    area = np.bincount(flat, minlength=n).astype(np.float32) + 1e-6
    ys, xs = np.indices(canvas.shape, dtype=np.float32)
    mx = np.bincount(flat, xs.ravel(), minlength=n) / area
    my = np.bincount(flat, ys.ravel(), minlength=n) / area
    grey = canvas.lum[:, :, None]
    rich = np.clip(grey + (canvas.bgr - grey) * 1.6, 0.0, 1.0)
    facet = np.stack([np.bincount(flat, rich[:, :, c].ravel(), minlength=n) for c in range(3)], 1)
    facet = facet / area[:, None]
    # each facet's light and tint drawn by where it lies, not by its index in the list, so
    # the same facet gets the same at any size
    cell = (np.clip(my / canvas.height, 0, 0.999) * 64).astype(np.int64) * 64
    cell += (np.clip(mx / canvas.width, 0, 0.999) * 64).astype(np.int64)
    table = canvas.rng("facets/light").random((4, 64 * 64))
    pick, strength, dim, turn = table[:, cell]
    prisms = np.array([[255, 190, 140], [170, 255, 210], [235, 160, 255], [150, 230, 255]]) / 255.0
    # the prism's tint shows in a lit facet, not in the pupil's dark ones
    lightness = facet.mean(axis=1, keepdims=True)
    tint = prisms[(pick * len(prisms)).astype(np.int64)] * strength[:, None] * 0.25 * lightness
    facet = np.clip(facet * (1.0 - 0.35 * dim)[:, None] + tint, 0.0, 1.0)
    heading = turn * 2 * np.pi
    size = np.sqrt(area)
    across = (xs - mx[labels]) * np.cos(heading)[labels] + (ys - my[labels]) * np.sin(heading)[
        labels
    ]
    shade = 1.0 + 0.6 * across / size[labels]
    out = facet[labels] * np.clip(shade, 0.45, 1.6)[:, :, None]
    edges = (labels != np.roll(labels, 1, 0)) | (labels != np.roll(labels, 1, 1))
    # a line thinner than a pixel is drawn one pixel wide and fainter: the same ink at any size
    edge = blur(edges.astype(np.float32) * min(1.0, canvas.px(1.0)), canvas.px(0.5))
    out = _screen(
        out, 0.5 * edge[:, :, None] * (0.3 + 0.7 * smoothstep(0.0, 0.3, canvas.lum))[:, :, None]
    )
    cover = smoothstep(0.0, 1.0, (1.02 - r) * canvas.radius / max(canvas.px(1.5), 1e-3))
    return finish(out, cover)


def stained_glass(canvas: Canvas) -> np.ndarray:
    """A rose window: cells set in rings and spokes that follow the iris's rings and fibres,
    each of glowing coloured glass from the iris, joined by dark lead."""
    r, _ = canvas.polar_grid
    _disc, pupil = canvas.alpha, canvas.pupil
    rng = canvas.rng("glass")
    seeds = []
    rings = 9
    for k in range(rings):
        radius = pupil + (1.0 - pupil) * (k + 0.5) / rings
        count = int(10 + 70 * radius)
        offset = rng.random() * 2 * np.pi
        for j in range(count):
            a = offset + 2 * np.pi * (j + 0.3 * rng.standard_normal()) / count
            d = radius + 0.25 * (1.0 - pupil) / rings * rng.standard_normal()
            seeds.append((d * np.cos(a), d * np.sin(a)))
    for j in range(10):
        a = 2 * np.pi * j / 10
        seeds.append((pupil * 0.55 * np.cos(a), pupil * 0.55 * np.sin(a)))
    cx, cy = canvas.centre
    marks = np.ones(canvas.shape, np.uint8)
    for x, y in seeds:
        px, py = round(cx + x * canvas.radius), round(cy + y * canvas.radius)
        if 0 <= px < canvas.width and 0 <= py < canvas.height:
            marks[py, px] = 0
    _, labels = cv2.distanceTransformWithLabels(
        marks, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    flat_labels = labels.ravel()
    n = int(flat_labels.max()) + 1
    weights = np.bincount(flat_labels, minlength=n) + 1e-6
    glass = np.empty((n, 3), np.float32)
    sat = np.clip(canvas.lum[:, :, None] + (canvas.bgr - canvas.lum[:, :, None]) * 2.2, 0, 1)
    for c in range(3):
        glass[:, c] = np.bincount(flat_labels, sat[:, :, c].ravel(), minlength=n) / weights
    lightness = glass.mean(axis=1, keepdims=True)
    glass = np.clip((glass - lightness) * 1.4 + 0.35 + 0.6 * lightness, 0, 1)
    cells = glass[labels]
    lead_map = (labels != np.roll(labels, 1, 0)) | (labels != np.roll(labels, 1, 1))
    lead = cv2.dilate(
        lead_map.astype(np.uint8), np.ones((3, 3), np.uint8), iterations=max(1, round(canvas.px(2)))
    ).astype(np.float32)
    width = canvas.px(5) / canvas.radius
    lead = np.maximum(lead, np.exp(-(((r - 1.0) / width) ** 2)))
    lead = np.maximum(lead, np.exp(-(((r - pupil) / width) ** 2)))
    lead = blur(lead, canvas.px(0.8))
    # glass: light through it, uneven, brighter in each cell's middle, streaked by the fibres
    depth = blur(lead, canvas.px(10))
    ripple = 0.88 + 0.1 * noise(canvas, 60, "ripple", 2)
    lit = cells * (ripple * (1.15 - 0.6 * depth))[:, :, None]
    lit = lit + 0.35 * blur(lit, canvas.px(12))
    # grisaille: the glass painter's dark linework, here the iris's own fibres and crypts, and
    # its shading stippled into each cell
    fibres = np.clip(-canvas.detail(2.5), 0.0, 3.0) / 3.0
    shade = normalise(blur(canvas.lum, canvas.px(3)), canvas.alpha)
    lit = lit * (0.55 + 0.6 * shade)[:, :, None] * (1.0 - 0.6 * fibres)[:, :, None]
    out = over(np.zeros_like(lit) + 0.03, np.clip(lead * 1.2, 0, 1), lit)
    cover = smoothstep(0.0, 1.0, (1.0 + width - r) * canvas.radius / max(canvas.px(1.5), 1e-3))
    return finish(out, cover)


def digital_glitch(canvas: Canvas) -> np.ndarray:
    """Glitch art: the iris torn into shifted scan-line slices, its colour channels pulled
    apart, blocks displaced and crushed, on a CRT's scan lines; still plainly the eye."""
    disc = canvas.alpha
    h, w = canvas.shape
    rng = canvas.rng("glitch")
    out = np.dstack([canvas.bgr * disc[:, :, None], disc])
    # slices: bands of rows pushed sideways
    for _ in range(26):
        top, height = rng.random(), 0.004 + 0.04 * rng.random() ** 2
        shift = round(canvas.px(rng.standard_normal() * 40))
        y0, y1 = int(top * h), min(h, int((top + height) * h) + 1)
        out[y0:y1] = np.roll(out[y0:y1], shift, axis=1)
    # blocks: rectangles copied from elsewhere, crushed to few colours
    for _ in range(14):
        bw, bh = 0.04 + 0.12 * rng.random(), 0.01 + 0.05 * rng.random()
        x0, y0 = int(rng.random() * (1 - bw) * w), int(rng.random() * (1 - bh) * h)
        # copied from the middle of the print, where the iris is, not from its empty corners
        sx = int((0.2 + rng.random() * (0.6 - bw)) * w) if bw < 0.6 else 0
        sy = int((0.2 + rng.random() * (0.6 - bh)) * h)
        x1, y1 = x0 + max(1, int(bw * w)), y0 + max(1, int(bh * h))
        block = out[sy : sy + (y1 - y0), sx : sx + (x1 - x0)].copy()
        block[:, :, :3] = np.round(block[:, :, :3] * 3) / 3
        out[y0:y1, x0:x1] = block
    colour, alpha = out[:, :, :3], out[:, :, 3]
    # channels pulled apart: red left, blue right
    d = max(1, round(canvas.px(9)))
    b, g, red = colour[:, :, 0], colour[:, :, 1], colour[:, :, 2]
    colour = np.dstack([np.roll(b, d, axis=1), g, np.roll(red, -d, axis=1)])
    alpha = np.maximum.reduce([alpha, np.roll(alpha, d, axis=1), np.roll(alpha, -d, axis=1)])
    hsv = cv2.cvtColor(np.clip(colour, 0, 1), cv2.COLOR_BGR2HSV)
    hsv[:, :, 1] = np.clip(hsv[:, :, 1] * 1.6, 0, 1)
    colour = cv2.cvtColor(hsv, cv2.COLOR_HSV2BGR)
    rows = np.arange(h, dtype=np.float32)
    scan = 0.82 + 0.18 * (np.mod(rows, canvas.px(4)) < canvas.px(2))
    colour = colour * scan[:, None, None]
    cyan = np.array([1.0, 0.9, 0.1], np.float32)
    stripe = (np.mod(rows / h * 37.0 + 0.3, 1.0) < 0.02).astype(np.float32)[:, None]
    colour = over(np.broadcast_to(cyan, colour.shape), stripe * alpha * 0.25, colour)
    return finish(colour, np.clip(alpha, 0, 1))
