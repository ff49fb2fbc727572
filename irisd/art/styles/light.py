"""Styles made of light: the iris glowing, lit or recoloured along its own structure."""

from __future__ import annotations

import cv2
import numpy as np

from irisd.art.styles.canvas import (
    Canvas,
    blur,
    finish,
    from_polar,
    gradient_map,
    noise,
    normalise,
    over,
    smoothstep,
    to_polar,
)


def _screen(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.asarray(1.0 - (1.0 - np.clip(a, 0, 1)) * (1.0 - np.clip(b, 0, 1)), np.float32)


def _saturated(canvas: Canvas, amount: float) -> np.ndarray:
    """The print's colours pushed away from grey by `amount` (the iris's own hues, louder)."""
    grey = canvas.lum[:, :, None]
    return np.asarray(np.clip(grey + (canvas.bgr - grey) * amount, 0.0, 1.0), np.float32)


def _angular_colours(canvas: Canvas, colours: np.ndarray) -> np.ndarray:
    """Per angle (rows of the polar frame), the mean colour of the iris ring."""
    polar = to_polar(canvas, blur(colours, canvas.px(4)))
    cols = polar.shape[1]
    ring = polar[:, int(cols * max(canvas.pupil + 0.1, 0.35)) : int(cols * 0.92)]
    return np.asarray(ring.mean(axis=1), np.float32)


def _lookup_angle(table: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """`table` (rows = angles 0..2pi) read at `theta` (radians, any range)."""
    rows = table.shape[0]
    index = (np.mod(theta, 2 * np.pi) / (2 * np.pi) * rows).astype(np.int32) % rows
    return np.asarray(table[index])


def _stars(canvas: Canvas, count: int, salt: str) -> np.ndarray:
    """A seeded star field, HxW 0..1: positions and sizes in the print's own frame."""
    rng = canvas.rng(f"stars/{salt}")
    xs, ys = rng.random(count), rng.random(count)
    power = rng.random(count) ** 6
    field = np.zeros(canvas.shape, np.float32)
    for x, y, p in zip(xs, ys, power, strict=True):
        centre = (round(x * (canvas.width - 1)), round(y * (canvas.height - 1)))
        cv2.circle(field, centre, max(1, round(canvas.px(0.6 + 2.0 * p))), 0.35 + 0.65 * p, -1)
    return np.clip(field + 1.5 * blur(field, canvas.px(3)), 0.0, 1.0)


def cosmic_iris(canvas: Canvas) -> np.ndarray:
    """A nebula spun from the iris's own hues, its fibres glowing, stars in the pupil and all
    around the disc (paints the whole square)."""
    r, theta = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    hues = _saturated(canvas, 2.4)
    tone = normalise(blur(canvas.lum, canvas.px(1)), disc)
    fibres = np.clip(canvas.detail(5), 0.0, 4.0) / 4.0
    glow = blur(fibres, canvas.px(2.5)) + 0.6 * blur(fibres, canvas.px(10))
    # the iris: its colours lifted from the dark, fibres lit from within
    iris = hues * (0.25 + 0.95 * tone[:, :, None]) + glow[:, :, None] * (hues * 0.8 + 0.25)
    # the nebula: the ring's colours by angle, spun into arms, in fractal clouds
    arms = _angular_colours(canvas, hues)
    peak = float(arms.max()) if arms.size else 1.0
    arms = arms / max(peak, 1e-3)
    swirl = theta + 1.6 * np.log(np.maximum(r, 0.05)) + 0.5 * noise(canvas, 5, "swirl", 2)
    clouds = np.clip(0.55 + 0.9 * noise(canvas, 7, "clouds", 4), 0.0, 1.5)
    # gas round the eye; the pupil stays a window on clear, starry space
    reach = np.exp(-1.6 * np.abs(r - 1.0)) * smoothstep(canvas.pupil * 1.1, 1.0, r)
    gas = _lookup_angle(arms, swirl) * (clouds * reach)[:, :, None]
    space = gradient_map(np.clip(r / 1.5, 0, 1), [(0, (60, 20, 30)), (1, (22, 6, 8))])
    space = space + 0.9 * gas
    inner = smoothstep(pupil * 0.9, pupil * 1.15, r) * disc
    stars = _stars(canvas, 900, "field")
    stars = stars * (1.0 - inner)  # stars in the pupil and the sky, not on the fibres
    out = over(iris, inner, space)
    out = _screen(out, stars[:, :, None] * np.array([1.0, 0.95, 0.9], np.float32))
    halo = blur(inner * tone, canvas.px(30))
    out = _screen(out, 0.35 * halo[:, :, None] * arms.mean(axis=0)[None, None, :])
    return finish(out, None)


def natures_eye(canvas: Canvas) -> np.ndarray:
    """The iris as a flower: petals in its own colours gone leafy, veined by its fibres, round
    a blossom of warm pollen tones at the collarette, the pupil a seed head."""
    r, theta = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    tone = normalise(blur(canvas.lum, canvas.px(1.2)), disc)
    veins = np.clip(-canvas.detail(3), 0.0, 3.0) / 3.0
    collar = pupil + 0.3 * (1.0 - pupil)
    petals = 13
    wobble = 0.12 * noise(canvas, 6, "petal", 2)
    u = np.mod(theta * petals / (2 * np.pi) + wobble, 1.0) - 0.5
    along = np.clip((r - collar) / (1.0 - collar), 0.0, 1.0)
    width = 0.5 * np.sqrt(np.clip(np.sin(np.pi * np.clip(along * 0.92 + 0.08, 0, 1)), 0, 1))
    petal = smoothstep(0.0, 0.06, width - np.abs(u))
    midrib = 1.0 - smoothstep(0.0, 0.03, np.abs(u))
    greens = gradient_map(
        tone,
        [(0, (22, 48, 20)), (0.35, (38, 105, 58)), (0.7, (70, 175, 140)), (1, (165, 232, 222))],
    )
    # the petals take the iris's own colours, deepened, half-way to leaf greens: a blue iris
    # flowers blue-green, a brown one in autumn leaves, a grey one in sage
    own = blur(_saturated(canvas, 2.0), canvas.px(3)) * (0.35 + 0.9 * tone)[:, :, None]
    leaf = 0.55 * np.clip(own, 0.0, 1.0) + 0.45 * greens
    leaf = leaf * (0.55 + 0.45 * petal)[:, :, None] * (1.0 - 0.55 * veins)[:, :, None]
    leaf = leaf + 0.12 * (midrib * petal)[:, :, None]
    bloom = gradient_map(
        tone,
        [(0, (40, 20, 90)), (0.4, (80, 60, 200)), (0.75, (60, 160, 240)), (1, (170, 235, 255))],
    )
    bloom = bloom * (1.0 - 0.5 * veins)[:, :, None]
    centre = smoothstep(collar - 0.04, collar + 0.04, r)
    out = over(leaf, centre, bloom)
    seed = gradient_map(tone, [(0, (10, 25, 30)), (1, (40, 90, 110))])
    rng = canvas.rng("pollen")
    dots = np.zeros(canvas.shape, np.float32)
    cx, cy = canvas.centre
    for _ in range(160):
        a, d = rng.random() * 2 * np.pi, np.sqrt(rng.random()) * pupil * 0.9
        x, y = cx + np.cos(a) * d * canvas.radius, cy + np.sin(a) * d * canvas.radius
        cv2.circle(
            dots, (round(x), round(y)), max(1, round(canvas.px(3 + 4 * rng.random()))), 1.0, -1
        )
    dots = blur(dots, canvas.px(1.2))
    seed = seed + dots[:, :, None] * np.array([0.25, 0.75, 0.95], np.float32)
    out = over(seed, 1.0 - smoothstep(pupil * 0.92, pupil * 1.08, r), out)
    return finish(out, disc)


def neon_pulse(canvas: Canvas) -> np.ndarray:
    """The iris's edges drawn as neon tubes on black, glowing magenta to cyan round the eye,
    with pulse rings at the pupil and the rim (paints the whole square)."""
    r, theta = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    soft = blur(canvas.lum, canvas.px(1.5))
    gx = cv2.Sobel(soft, cv2.CV_32F, 1, 0, ksize=3)
    gy = cv2.Sobel(soft, cv2.CV_32F, 0, 1, ksize=3)
    edges = normalise(np.sqrt(gx * gx + gy * gy), disc, 40, 99.5) * disc
    # the tubes: the crypts' and collarette's edges, and the brightest fibres
    fibres = smoothstep(1.0, 2.2, canvas.detail(2.5)) * disc
    lines = np.maximum(smoothstep(0.12, 0.6, edges), 0.8 * fibres)
    phase = 0.5 + 0.5 * np.sin(2 * theta + 4 * r + 1.5 * noise(canvas, 4, "hue", 2))
    colour = gradient_map(
        phase,
        [(0, (255, 40, 255)), (0.35, (255, 60, 150)), (0.7, (255, 200, 40)), (1, (200, 255, 60))],
    )
    rings = 0.7 * np.exp(-(((r - pupil) / 0.01) ** 2)) + np.exp(-(((r - 1.0) / 0.012) ** 2))
    rings = rings + 0.5 * np.exp(-(((r - 1.12) / 0.006) ** 2))
    light = lines[:, :, None] * colour + rings[:, :, None] * np.array([255, 120, 255]) / 255.0
    light = light.astype(np.float32)
    glow = 1.3 * blur(light, canvas.px(4)) + 0.9 * blur(light, canvas.px(18))
    tone = normalise(canvas.lum, disc) * disc
    base = 0.16 * tone[:, :, None] * colour + np.array([12, 4, 6], np.float32) / 255.0
    core = np.clip(light * 1.4, 0, 1)
    core = core + 0.5 * smoothstep(0.6, 1.0, lines)[:, :, None]  # white-hot tube centres
    out = _screen(_screen(base, glow), core)
    return finish(out, None)


def aurora_flow(canvas: Canvas) -> np.ndarray:
    """The iris as a night-side world ringed by its aurora: curtains rise from the rim along
    the iris's own rays, green at their bright lower edge to violet above, folded by a slow
    flow, with the fibres faintly lit in the same light (paints the whole square)."""
    r, theta = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    detail = canvas.detail(3) * disc
    # each angle's texture: the fibres' mean brightness along that ray, as the curtains' rays
    polar = to_polar(canvas, detail)
    cols = polar.shape[1]
    rays = polar[:, int(cols * (pupil + 0.05)) : int(cols * 0.95)].mean(axis=1)
    # a ray a few tenths of a degree wide: finer would alias into a marbling as it is swirled
    rays = cv2.GaussianBlur(rays.reshape(-1, 1), (1, 0), sigmaX=1, sigmaY=rays.size / 900)
    rays = rays.ravel()
    rays = (rays - rays.mean()) / max(float(rays.std()), 1e-3)
    rays = np.clip(0.55 + 0.35 * rays, 0.05, 1.2).reshape(-1, 1)
    # a slow fold: small, or the rays would follow the noise's contours (a marbling)
    fold = 0.025 * noise(canvas, 3, "fold", 1)
    curtain = _lookup_angle(rays, theta + fold + 0.2 * (r - 1.0))[..., 0]
    # the curtains' lower edge wanders round the rim; light falls off above it
    base = 1.02 + 0.07 * noise(canvas, 4, "edge", 2)
    above = r - base
    rise = smoothstep(-0.035, 0.0, above) * np.exp(-np.maximum(above, 0.0) / 0.16)
    veil = 0.5 + 0.5 * smoothstep(-0.2, 0.6, noise(canvas, 8, "veil", 3))
    strength = rise * curtain * veil
    height = np.clip(above / 0.4, 0.0, 1.0)
    colour = gradient_map(
        height,
        [(0, (150, 255, 90)), (0.3, (120, 235, 60)), (0.6, (170, 120, 90)), (1, (190, 50, 200))],
    )
    sky = gradient_map(np.clip(r / 1.6, 0, 1), [(0, (48, 20, 8)), (1, (26, 8, 3))])
    stars = _stars(canvas, 700, "sky") * (1.0 - disc) * (1.0 - np.clip(strength * 2, 0, 1))
    # the world: the iris dark blue-green, its fibres lit in the aurora's green, more at the rim
    tone = normalise(blur(canvas.lum, canvas.px(1)), disc)
    world = gradient_map(tone, [(0, (20, 8, 2)), (0.6, (90, 60, 20)), (1, (180, 150, 80))])
    lit = np.clip(detail, 0.0, 3.0) / 3.0 * (0.3 + 0.7 * smoothstep(pupil, 1.0, r))
    world = world + lit[:, :, None] * np.array([0.45, 1.0, 0.35], np.float32)
    world = world * smoothstep(pupil * 0.95, pupil * 1.1, r)[:, :, None]
    light = colour * np.clip(strength, 0, 1.3)[:, :, None]
    scene = over(world, disc, sky)
    out = _screen(scene + 0.9 * light, 0.7 * blur(light, canvas.px(10)))
    out = _screen(out, 0.4 * blur(light, canvas.px(40)))
    return finish(_screen(out, stars[:, :, None] * 0.85), None)


def golden_hour(canvas: Canvas) -> np.ndarray:
    """The iris as a low sun at dusk: its fibres raised in relief and lit at a grazing angle
    from the upper left in umber, amber and cream, gold leaf on the brightest of them, a warm
    halo into an evening sky (paints the whole square)."""
    r, _ = canvas.polar_grid
    disc = canvas.alpha
    tone = normalise(blur(canvas.lum, canvas.px(0.8)), disc)
    warm = gradient_map(
        tone,
        [(0, (8, 16, 34)), (0.35, (20, 62, 150)), (0.7, (50, 150, 230)), (1, (175, 232, 255))],
    )
    # relief: the shading as a height field, lit low from the upper left
    height = blur(canvas.lum, canvas.px(2.0)) * disc
    gy, gx = np.gradient(height)
    slope = -(gx + gy) * canvas.radius * 0.35
    relief = np.clip(0.75 + slope, 0.25, 1.6)
    lit = warm * relief[:, :, None]
    fibres = canvas.detail(3)
    leaf = smoothstep(0.8, 1.8, fibres) * np.clip(0.6 + noise(canvas, 40, "leaf", 2), 0, 1)
    shine = np.clip(0.8 + 1.2 * (relief - 0.75), 0.35, 1.7)
    gold = np.array([55, 175, 215], np.float32) / 255.0 * shine[:, :, None]
    iris = over(gold, np.clip(leaf * 0.85, 0, 1), lit)
    iris = _screen(iris, 0.45 * blur(np.clip(iris - 0.7, 0, 1), canvas.px(12)))
    # the sky: rose above, violet below, and the sun's halo round the disc
    ys = np.indices(canvas.shape, dtype=np.float32)[0] / max(canvas.height - 1, 1)
    sky = gradient_map(ys, [(0, (90, 130, 235)), (0.5, (110, 100, 200)), (1, (90, 40, 70))])
    halo = np.exp(-np.maximum(r - 1.0, 0.0) / 0.12) * (r > 0.9)
    sky = _screen(sky, halo[:, :, None] * np.array([0.45, 0.75, 1.0], np.float32))
    out = over(iris, disc, sky)
    return finish(out, None)


def _frost(canvas: Canvas, cells: int, salt: str) -> np.ndarray:
    """Thin bright crackle lines, HxW 0..1: the borders of seeded cells (`cells` across)."""
    rng = canvas.rng(f"frost/{salt}")
    count = cells * cells
    marks = np.ones(canvas.shape, np.uint8)
    xs = (rng.random(count) * (canvas.width - 1)).round().astype(np.int64)
    ys = (rng.random(count) * (canvas.height - 1)).round().astype(np.int64)
    marks[ys, xs] = 0
    _, labels = cv2.distanceTransformWithLabels(
        marks, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    borders = (labels != np.roll(labels, 1, 0)) | (labels != np.roll(labels, 1, 1))
    ink = min(1.0, canvas.px(1.0))  # a sub-pixel line drawn fainter, not wider
    return np.asarray(blur(borders.astype(np.float32) * ink, canvas.px(0.6)))


def fire_and_ice(canvas: Canvas) -> np.ndarray:
    """The iris split along its own collarette: flames in the pupillary zone licking out along
    the fibres, cracked ice in the outer ring, a bright seam where they meet, on black with a
    cold halo (paints the whole square)."""
    r, _ = canvas.polar_grid
    disc, pupil = canvas.alpha, canvas.pupil
    tone = normalise(blur(canvas.lum, canvas.px(1)), disc)
    fibres = blur(canvas.detail(6), canvas.px(3))
    # flames: noise stretched along the rays, rising outwards
    polar_noise = to_polar(canvas, noise(canvas, 48, "flame", 2))
    cols = polar_noise.shape[1]
    polar_noise = cv2.GaussianBlur(polar_noise, (0, 0), sigmaX=cols * 0.06, sigmaY=1.0)
    flames = np.clip(0.5 + 1.4 * from_polar(canvas, polar_noise), 0.0, 1.0)
    collar = pupil + 0.42 * (1.0 - pupil)
    split = (r - collar) / 0.1 - 0.9 * fibres - 1.6 * (flames - 0.5)
    ice_share = smoothstep(-1.0, 1.0, split)
    heat = np.clip(0.55 * tone + 0.6 * flames * (1.0 - ice_share), 0.0, 1.0)
    fire = gradient_map(
        heat, [(0, (5, 5, 40)), (0.35, (10, 40, 200)), (0.7, (30, 150, 255)), (1, (180, 245, 255))]
    )
    ice = gradient_map(
        tone,
        [(0, (60, 15, 5)), (0.35, (190, 90, 20)), (0.7, (250, 210, 120)), (1, (255, 250, 235))],
    )
    ice = _screen(ice, 0.6 * _frost(canvas, 22, "crackle")[:, :, None])
    out = over(ice, ice_share, fire)
    seam = np.exp(-(split**2) / 0.5) * disc * (r > pupil)
    out = _screen(out, blur(seam, canvas.px(5))[:, :, None] * np.array([0.9, 0.9, 1.0]))
    pupil_zone = 1.0 - smoothstep(pupil * 0.9, pupil * 1.05, r)
    out = out * (1.0 - 0.85 * pupil_zone)[:, :, None]
    halo = np.exp(-np.maximum(r - 1.0, 0.0) / 0.06) * (1.0 - disc)
    night = halo[:, :, None] * np.array([0.9, 0.55, 0.2], np.float32) * 0.8
    return finish(over(out, disc, night), None)
