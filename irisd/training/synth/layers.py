"""The painted layers of a rendered eye: skin, sclera, iris, pupil, lids, lashes, glints,
and the camera that takes the picture."""

from __future__ import annotations

import math

import cv2
import numpy as np

from irisd.training.synth.layout import Array, Eye, lid_curves, upper_half

# Visible-light iris colours (RGB): (pupillary zone, ciliary zone), before jitter.
_IRIS_PALETTE: tuple[tuple[tuple[int, int, int], tuple[int, int, int]], ...] = (
    ((95, 55, 25), (70, 40, 20)),  # brown
    ((45, 28, 18), (35, 22, 15)),  # dark brown
    ((34, 24, 20), (30, 22, 19)),  # near-black brown (low pupil contrast)
    ((120, 130, 110), (80, 110, 150)),  # blue
    ((130, 110, 50), (85, 110, 65)),  # green
    ((125, 80, 35), (100, 105, 60)),  # hazel
    ((110, 115, 120), (85, 95, 110)),  # grey
)


def paint(img: Array, colour: Array, alpha: Array) -> None:
    """Alpha-blend `colour` ((3,) or (H, W, 3) float) into img (H, W, 3) float32 in place."""
    a = alpha[..., None]
    img *= 1 - a
    img += a * colour


def _smooth_noise(rng: np.random.Generator, h: int, w: int, cells: int) -> Array:
    """Low-frequency noise (H, W) float32 of roughly unit amplitude."""
    grid = rng.normal(size=(cells, cells)).astype(np.float32)
    return cv2.resize(grid, (w, h), interpolation=cv2.INTER_CUBIC)


def skin(rng: np.random.Generator, h: int, w: int, nir: bool) -> Array:
    """Skin with blotches, pores and sometimes brow hair: (H, W, 3) float32 0..255."""
    if nir:
        base = np.full(3, rng.uniform(140, 245), np.float32)
    else:
        tone = rng.uniform(0, 1)
        base = (
            np.array([235, 190, 160], np.float32) * (1 - tone)
            + np.array([110, 70, 45], np.float32) * tone
        )
        base *= rng.uniform(0.85, 1.1, 3).astype(np.float32)
    shade = 1 + 0.07 * _smooth_noise(rng, h, w, 4) + 0.04 * _smooth_noise(rng, h, w, 16)
    pores = rng.normal(0, rng.uniform(1, 6), (h, w)).astype(np.float32)
    img = base[None, None, :] * shade[..., None] + pores[..., None]
    if rng.random() < 0.4:
        _brow(rng, img, h, w)
    return img.astype(np.float32)


def _brow(rng: np.random.Generator, img: Array, h: int, w: int) -> None:
    """Dark hair strokes along the top edge."""
    hair = np.zeros((h, w), np.float32)
    band = int(h * rng.uniform(0.05, 0.25))
    for _ in range(int(rng.integers(20, 80))):
        x0, y0 = rng.uniform(0, w), rng.uniform(0, band)
        length, ang = rng.uniform(0.03, 0.12) * w, rng.uniform(-0.5, 0.5)
        x1, y1 = x0 + length * math.cos(ang), y0 + length * math.sin(ang)
        cv2.line(hair, (int(x0), int(y0)), (int(x1), int(y1)), 1.0, 1, cv2.LINE_AA)
    paint(img, np.full(3, rng.uniform(20, 70), np.float32), hair * 0.8)


def sclera(
    rng: np.random.Generator, xs: Array, ys: Array, eye: Eye, nir: bool, level: float
) -> Array:
    """Sclera colour field with shading towards the corners and faint vessels."""
    h, w = xs.shape
    tint = np.ones(3, np.float32) if nir else rng.uniform([0.95, 0.85, 0.8], [1.0, 1.0, 0.98])
    corner = np.clip(np.abs(xs - eye.ex) / eye.ew, 0, 1) ** 2
    shade = 1 - rng.uniform(0.1, 0.45) * corner + 0.05 * _smooth_noise(rng, h, w, 6)
    sclera = (level * tint)[None, None, :] * shade[..., None]
    if not nir and rng.random() < 0.6:
        vessels = np.zeros((h, w), np.float32)
        for _ in range(int(rng.integers(3, 15))):
            pts = np.cumsum(rng.normal(0, eye.ra * 0.15, (6, 2)), axis=0)
            pts += [rng.uniform(eye.ex - eye.ew, eye.ex + eye.ew), eye.ey]
            cv2.polylines(vessels, [pts.astype(np.int32)], False, 1.0, 1, cv2.LINE_AA)
        paint(sclera, np.array([170, 60, 60], np.float32), vessels * rng.uniform(0.2, 0.6))
    return sclera.astype(np.float32)


def _iris_texture(rng: np.random.Generator) -> Array:
    """Polar iris texture (rows = radius pupil→limbus, cols = angle), float32 about -1..1."""
    rows, cols = 48, 256
    fibres = cv2.resize(rng.normal(size=(6, cols)).astype(np.float32), (cols, rows))
    fine = cv2.resize(rng.normal(size=(rows // 2, cols * 2)).astype(np.float32), (cols, rows))
    tex = 0.6 * fibres + 0.3 * fine
    rho = np.linspace(0, 1, rows, dtype=np.float32)[:, None]
    theta = np.linspace(0, 2 * math.pi, cols, endpoint=False, dtype=np.float32)[None, :]
    collar = rng.uniform(0.2, 0.45) + 0.04 * np.sin(rng.integers(8, 20) * theta + rng.uniform(0, 6))
    tex += np.where(rho < collar, rng.uniform(-0.6, 0.6), 0.0)
    tex -= rng.uniform(0, 1.2) * np.exp(-(((rho - collar) / 0.03) ** 2))
    tex -= rng.uniform(0.3, 1.5) * np.clip((rho - 0.8) / 0.2, 0, 1) ** 2  # limbal ring
    tex -= rng.uniform(0, 1.0) * np.exp(-((rho / 0.05) ** 2))  # pupillary ruff
    for _ in range(int(rng.integers(0, 12))):  # crypts
        r0, t0 = rng.uniform(0.2, 0.8) * rows, rng.uniform(0, cols)
        axes = (int(rng.uniform(2, 10)), int(rng.uniform(2, 6)))
        crypt = np.zeros((rows, cols), np.float32)
        cv2.ellipse(crypt, (int(t0), int(r0)), axes, 0, 0, 360, 1.0, -1, cv2.LINE_AA)
        tex -= crypt * rng.uniform(0.3, 1.0)
    return tex.astype(np.float32)


def iris(
    rng: np.random.Generator,
    xs: Array,
    ys: Array,
    eye: Eye,
    d_iris: Array,
    d_pupil: Array,
    level: float,
) -> Array:
    """Iris colour field (H, W, 3) float32 from a random polar texture.

    `level` > 0 gives a grey (near-infrared) iris of that brightness, 0 a coloured one.
    """
    tex = _iris_texture(rng)
    rows, cols = tex.shape
    inner = np.maximum(d_pupil, 0.0)
    rho = np.clip(inner / (inner - np.minimum(d_iris, -1e-3)), 0, 1)
    theta = np.arctan2(ys - eye.py, xs - eye.px) + math.pi
    map_x = (theta / (2 * math.pi) * cols).astype(np.float32)
    map_y = (rho * (rows - 1)).astype(np.float32)
    field = cv2.remap(tex, map_x, map_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_WRAP)
    contrast = rng.uniform(0.08, 0.3)
    if level > 0:
        col_in = col_out = np.full(3, level, np.float32)
    else:
        pal = _IRIS_PALETTE[int(rng.integers(len(_IRIS_PALETTE)))]
        jitter = rng.uniform(0.7, 1.3, 3).astype(np.float32) * rng.uniform(0.6, 1.4)
        col_in = np.array(pal[0], np.float32) * jitter
        col_out = np.array(pal[1], np.float32) * jitter
    mix = rho[..., None]
    colour = col_in * (1 - mix) + col_out * mix
    out: Array = colour * (1 + contrast * field)[..., None]
    return out.astype(np.float32)


def pupil_colour(rng: np.random.Generator, nir: bool) -> Array:
    level = rng.uniform(2, 40) if nir else rng.uniform(5, 35)
    return (level * rng.uniform(0.85, 1.15, 3)).astype(np.float32)


def distractors(
    rng: np.random.Generator, img: Array, xs: Array, ys: Array, eye: Eye, d_open: Array
) -> None:
    """Dark socket shadows, moles and a caruncle on the skin: things that are not an iris."""
    h, w = xs.shape
    if rng.random() < 0.6:  # eye-socket / brow shadow above the eye
        dy = (eye.ey - ys) / max(eye.ew, 1.0)
        dx = (xs - eye.ex) / max(eye.ew * rng.uniform(1.0, 2.0), 1.0)
        ring = np.exp(-((dy - rng.uniform(0.3, 0.8)) ** 2 + dx**2) / rng.uniform(0.05, 0.3))
        img *= (1 - rng.uniform(0.2, 0.75) * ring * (d_open > 0))[..., None]
    for _ in range(int(rng.integers(0, 4))):  # moles, pores, dark spots
        disc = np.zeros((h, w), np.float32)
        r = max(eye.ra * rng.uniform(0.1, 0.7), 1.0)
        centre = (int(rng.uniform(0, w)), int(rng.uniform(0, h)))
        cv2.circle(disc, centre, int(r), 1.0, -1, cv2.LINE_AA)
        spot = cv2.GaussianBlur(disc, (0, 0), r * rng.uniform(0.1, 0.6)) * (d_open > 0)
        paint(img, np.full(3, rng.uniform(20, 90), np.float32) * rng.uniform(0.8, 1.2, 3), spot)
    if rng.random() < 0.5:  # caruncle in the inner corner
        side = rng.choice([-1.0, 1.0])
        cx, cy = eye.ex + side * eye.ew * 0.92, eye.ey
        blob = np.exp(-(((xs - cx) / (0.12 * eye.ew)) ** 2 + ((ys - cy) / (0.08 * eye.ew)) ** 2))
        paint(img, np.array([190, 110, 110], np.float32) * rng.uniform(0.6, 1.1), blob * 0.8)


def lid_shadow(img: Array, d_open: Array, eye: Eye, rng: np.random.Generator) -> None:
    """Darken the lid margin and the eye just under the upper lid."""
    width = max(eye.ra * rng.uniform(0.03, 0.15), 0.7)
    margin = np.exp(-((d_open / width) ** 2)) * rng.uniform(0.2, 0.7)
    depth = np.clip(-d_open, 0, None) / max(eye.ra * rng.uniform(0.1, 0.4), 1.0)
    inside = np.exp(-depth) * rng.uniform(0.0, 0.45) * (d_open < 0)
    crease = np.exp(-(((d_open - eye.ra * rng.uniform(0.3, 0.9)) / (2 * width)) ** 2))
    crease *= np.abs(np.arange(d_open.shape[1])[None, :] - eye.ex) < eye.ew * 0.95
    band = eye.ra * rng.uniform(0.02, 0.25)
    above = (d_open > 0) & (d_open < band) & upper_half(d_open, eye)
    above &= np.abs(np.arange(d_open.shape[1])[None, :] - eye.ex) < eye.ew * 0.95
    mass = above * rng.uniform(0.0, 0.8)
    dim = margin + inside + crease * rng.uniform(0.0, 0.25) + mass
    img *= np.clip(1 - dim, 0.05, 1)[..., None]


def lashes(rng: np.random.Generator, eye: Eye, h: int, w: int) -> Array:
    """Eyelash coverage (H, W) float32 0..1 drawn from the upper (and lower) lid margin."""
    cover = np.zeros((h, w), np.float32)
    if rng.random() < 0.12:
        return cover
    down_share = rng.uniform(0, 0.7)
    thickness = 2 if min(h, w) > 400 and rng.random() < 0.5 else 1
    c, s = math.cos(eye.tilt), math.sin(eye.tilt)
    for i in range(int(rng.integers(20, 160))):
        t = rng.uniform(-0.95, 0.95)
        lx = np.array([eye.ex + t * eye.ew], np.float32)
        upper_y, lower_y, _ = lid_curves(lx, eye)
        lower = i % 4 == 3
        base_y = float(lower_y[0] if lower else upper_y[0])
        pointing_down = lower or rng.random() < down_share
        length = eye.ra * (rng.uniform(0.1, 0.5) if pointing_down else rng.uniform(0.2, 0.9))
        ang = math.pi / 2 + t * 0.8 if pointing_down else -math.pi / 2 + t * 0.9
        ang += rng.normal(0, 0.25)
        bend = rng.normal(0, 0.3)
        pts = []
        for k in range(4):
            a = ang + bend * k / 3
            f = k / 3
            px = float(lx[0]) + f * length * math.cos(a)
            py = base_y + f * length * math.sin(a)
            dx, dy = px - eye.ex, py - eye.ey
            pts.append((eye.ex + c * dx - s * dy, eye.ey + s * dx + c * dy))
        cv2.polylines(cover, [np.array(pts, np.int32)], False, 1.0, thickness, cv2.LINE_AA)
    return cover


def highlights(rng: np.random.Generator, img: Array, eye: Eye, h: int, w: int, nir: bool) -> Array:
    """Paint specular highlights (mostly on pupil and iris); return their mask (H, W) bool."""
    mask = np.zeros((h, w), np.float32)
    count = int(rng.integers(1, 3)) if nir else int(rng.integers(0, 5))
    for _ in range(count):
        r = max(eye.ra * rng.uniform(0.03, 0.18), 0.8)
        spread = eye.ra * (0.5 if rng.random() < 0.7 else 1.6)
        x, y = eye.cx + rng.uniform(-spread, spread), eye.cy + rng.uniform(-spread, spread) * 0.8
        if rng.random() < 0.6:
            axes = (max(int(r), 1), max(int(r * rng.uniform(0.4, 1.0)), 1))
            cv2.ellipse(mask, (int(x), int(y)), axes, rng.uniform(0, 180), 0, 360, 1.0, -1)
        else:
            box = (
                (x, y),
                (r * rng.uniform(1.0, 3.0), r * rng.uniform(0.6, 2.0)),
                rng.uniform(0, 90),
            )
            cv2.fillPoly(mask, [cv2.boxPoints(box).astype(np.int32)], 1.0)
    hard = mask > 0.5
    sigma = max(eye.ra * 0.02, 0.5)
    halo = cv2.GaussianBlur(mask, (0, 0), sigma)
    paint(img, np.full(3, rng.uniform(220, 255), np.float32), np.maximum(halo, mask))
    result: Array = hard
    return result


def camera(rng: np.random.Generator, img: Array, nir: bool) -> Array:
    """Lighting gradient, exposure, blur, noise and JPEG artefacts → (H, W, 3) uint8 RGB."""
    h, w = img.shape[:2]
    gy, gx = np.mgrid[0:h, 0:w].astype(np.float32)
    grad = 1 + rng.uniform(-0.4, 0.4) * (gx / w - 0.5) + rng.uniform(-0.4, 0.4) * (gy / h - 0.5)
    img = img * (grad * rng.uniform(0.55, 1.25))[..., None]
    if not nir:
        img = img * rng.uniform(0.85, 1.15, 3).astype(np.float32)
    gamma = rng.uniform(0.75, 1.35)
    img = 255 * (np.clip(img, 0, 255) / 255) ** gamma
    sigma = rng.uniform(0, 2.5) * min(h, w) / 240
    if sigma > 0.3:
        img = cv2.GaussianBlur(img, (0, 0), sigma)
    img = img + rng.normal(0, rng.uniform(0, 8), img.shape).astype(np.float32)
    if nir:
        grey = img.mean(axis=2, keepdims=True)
        img = grey + rng.normal(0, 1.0, img.shape).astype(np.float32)
    out = np.clip(img, 0, 255).astype(np.uint8)
    if rng.random() < 0.5:
        ok, buf = cv2.imencode(".jpg", out, [cv2.IMWRITE_JPEG_QUALITY, int(rng.integers(30, 95))])
        if ok:
            out = cv2.imdecode(buf, cv2.IMREAD_UNCHANGED)
    result: Array = out
    return result
