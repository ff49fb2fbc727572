"""What every style starts from: the print as floats, its disc and pupil, its polar frame, and
the tools the styles share (scale-free blurs, seeded noise, gradient maps, paper).

Every length a style uses is given in pixels of a REFERENCE-px print and scaled by `px`, and
every random pattern is drawn at a fixed size in the print's own frame and resized: so a 512 px
preview and a 2048 px full size are the same picture, and the same input gives the same output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from functools import cached_property

import cv2
import numpy as np

REFERENCE = 1024  # the print side the styles' pixel lengths are given for

Stops = Sequence[tuple[float, tuple[int, int, int]]]  # (position 0..1, BGR 0..255)


class Canvas:
    """One print, read once. `bgr` float32 0..1, `alpha` float32 0..1 (the disc)."""

    def __init__(self, print_bgra: np.ndarray, preset_id: str) -> None:
        if print_bgra.ndim != 3 or print_bgra.shape[2] != 4 or print_bgra.dtype != np.uint8:
            raise ValueError("a style takes a BGRA uint8 print (H x W x 4)")
        self.height, self.width = print_bgra.shape[:2]
        self.bgr = print_bgra[:, :, :3].astype(np.float32) / 255.0
        self.alpha = print_bgra[:, :, 3].astype(np.float32) / 255.0
        self.preset_id = preset_id

    @property
    def shape(self) -> tuple[int, int]:
        return self.height, self.width

    @property
    def side(self) -> int:
        return int(max(self.height, self.width))

    def px(self, length: float) -> float:
        """`length` reference pixels at this print's size."""
        return length * self.side / REFERENCE

    def rng(self, salt: str = "") -> np.random.Generator:
        """Randomness seeded from the preset id: the same picture every time."""
        digest = hashlib.sha256(f"{self.preset_id}/{salt}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    @cached_property
    def lum(self) -> np.ndarray:
        return cv2.cvtColor(self.bgr, cv2.COLOR_BGR2GRAY)

    @cached_property
    def centre(self) -> tuple[float, float]:
        """The disc's centre (x, y): the alpha's centroid, or the middle when all opaque."""
        total = float(self.alpha.sum())
        if total < 1.0 or float(self.alpha.min()) > 0.5:
            return (self.width - 1) / 2.0, (self.height - 1) / 2.0
        ys, xs = np.indices(self.shape, dtype=np.float32)
        return float((xs * self.alpha).sum() / total), float((ys * self.alpha).sum() / total)

    @cached_property
    def radius(self) -> float:
        """The disc's radius in pixels (from the alpha's area; the half side when opaque)."""
        area = float((self.alpha > 0.5).sum())
        if float(self.alpha.min()) > 0.5 or area < 16:
            return min(self.shape) / 2.0
        return float(np.sqrt(area / np.pi))

    @cached_property
    def distance(self) -> np.ndarray:
        """Every pixel's distance from the disc's centre, in disc radii."""
        ys, xs = np.indices(self.shape, dtype=np.float32)
        cx, cy = self.centre
        return np.asarray(np.sqrt((xs - cx) ** 2 + (ys - cy) ** 2) / self.radius, np.float32)

    @cached_property
    def polar_grid(self) -> tuple[np.ndarray, np.ndarray]:
        """(r, theta) of every pixel, theta in radians (-pi..pi) round the disc's centre, r in
        disc radii from a centre that moves from the pupil's (inside the pupil) to the disc's
        (at the rim): a pupil off the middle is still the circle r = `pupil`."""
        ys, xs = np.indices(self.shape, dtype=np.float32)
        cx, cy = self.centre
        px, py, _ = self.pupil_circle
        from_pupil = np.sqrt((xs - px) ** 2 + (ys - py) ** 2) / self.radius
        pull = smoothstep(self.pupil, 0.9, from_pupil)
        ox, oy = px + (cx - px) * pull, py + (cy - py) * pull
        r = np.sqrt((xs - ox) ** 2 + (ys - oy) ** 2) / self.radius
        return np.asarray(r, np.float32), np.arctan2(ys - cy, xs - cx)

    @property
    def pupil(self) -> float:
        """The pupil's radius in disc radii (0.3 where the print shows no dark pupil)."""
        return self.pupil_circle[2]

    @cached_property
    def pupil_circle(self) -> tuple[float, float, float]:
        """The pupil: its centre (x, y, pixels) and radius (disc radii), from the dark blob
        round the disc's centre, darker than half-way between the centre's darkest ring and
        the iris's median; the disc's centre and 0.3 where there is none."""
        cx, cy = self.centre
        profile = radial_profile(self, self.lum, bins=64)
        inner, ring = profile[2:30], profile[38:58]
        dark, light = float(inner.min()), float(np.median(ring))
        if light - dark < 0.06:
            return cx, cy, 0.3
        soft = blur(self.lum, self.px(2.0))
        blob = ((soft < (dark + light) / 2) & (self.distance < 0.75)).astype(np.uint8)
        contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
        if not contours:
            return cx, cy, 0.3
        biggest = max(contours, key=cv2.contourArea)
        area = float(cv2.contourArea(biggest))  # its outline's area: glints inside count
        moments = cv2.moments(biggest)
        if area < 4.0 or moments["m00"] <= 0:
            return cx, cy, 0.3
        radius = float(np.sqrt(area / np.pi)) / self.radius
        return moments["m10"] / moments["m00"], moments["m01"] / moments["m00"], min(radius, 0.8)

    def detail(self, sigma: float = 6.0) -> np.ndarray:
        """The fibres and crypts: luminance less its blur at `sigma` reference px, in units of
        its own spread over the disc (so dark and light irises give the same strength)."""
        fine = self.lum - blur(self.lum, self.px(sigma))
        spread = float(fine[self.alpha > 0.5].std()) if (self.alpha > 0.5).any() else 0.0
        return np.asarray(fine / max(spread, 1e-3), np.float32)


def blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """A Gaussian blur that costs the same at any sigma: wide ones run on a smaller copy."""
    if sigma < 0.3:
        return image.copy()
    if sigma <= 6:
        return cv2.GaussianBlur(image, (0, 0), sigma, borderType=cv2.BORDER_REFLECT)
    h, w = image.shape[:2]
    factor = sigma / 3.0
    small = cv2.resize(
        image, (max(1, round(w / factor)), max(1, round(h / factor))), interpolation=cv2.INTER_AREA
    )
    small = cv2.GaussianBlur(small, (0, 0), 3.0, borderType=cv2.BORDER_REFLECT)
    return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)


def noise(canvas: Canvas, cells: int, salt: str, octaves: int = 1) -> np.ndarray:
    """Smooth seeded noise, about -1..1, `cells` features across the print (fractal with
    `octaves` > 1). Drawn at a fixed size, so every print size gets the same pattern."""
    rng = canvas.rng(f"noise/{salt}/{cells}")
    total = np.zeros(canvas.shape, np.float32)
    weight = 0.0
    for octave in range(octaves):
        n = cells * 2**octave + 3
        grid = rng.standard_normal((n, n)).astype(np.float32)
        big = cv2.resize(grid, (canvas.width, canvas.height), interpolation=cv2.INTER_CUBIC)
        amplitude = 0.5**octave
        total += amplitude * big
        weight += amplitude
    return np.asarray(np.clip(total / weight / 1.2, -1.5, 1.5), np.float32)


def grain(canvas: Canvas, salt: str, side: int = 1024) -> np.ndarray:
    """Fine seeded grain (paper, canvas), about -1..1: drawn at `side` px and resized."""
    rng = canvas.rng(f"grain/{salt}")
    small = rng.standard_normal((side, side), dtype=np.float32)
    small = cv2.GaussianBlur(small, (0, 0), 0.8) * 2.0
    return cv2.resize(small, (canvas.width, canvas.height), interpolation=cv2.INTER_LINEAR)


def gradient_map(values: np.ndarray, stops: Stops) -> np.ndarray:
    """BGR float 0..1 for `values` (0..1) along the colour `stops`."""
    positions = [p for p, _ in stops]
    lut = np.empty((256, 3), np.float32)
    ramp = np.linspace(0.0, 1.0, 256)
    for c in range(3):
        lut[:, c] = np.interp(ramp, positions, [colour[c] / 255.0 for _, colour in stops])
    index = np.clip(values * 255.0, 0, 255).astype(np.uint8)
    return lut[index]


def normalise(values: np.ndarray, mask: np.ndarray, low: float = 1, high: float = 99) -> np.ndarray:
    """`values` stretched so that the masked pixels' percentiles `low`..`high` span 0..1."""
    inside = values[mask > 0.5] if (mask > 0.5).any() else values.ravel()
    lo, hi = np.percentile(inside, [low, high])
    return np.asarray(np.clip((values - lo) / max(float(hi - lo), 1e-6), 0.0, 1.0), np.float32)


def radial_profile(canvas: Canvas, values: np.ndarray, bins: int) -> np.ndarray:
    """The median of `values` per ring of the disc, `bins` rings from the centre out."""
    r = canvas.distance
    index = np.clip((r * bins).astype(np.int32), 0, bins)
    out = np.zeros(bins, np.float32)
    flat_index, flat_values = index.ravel(), values.ravel()
    order = np.argsort(flat_index, kind="stable")
    edges = np.searchsorted(flat_index[order], np.arange(bins + 1))
    for b in range(bins):
        ring = flat_values[order[edges[b] : edges[b + 1]]]
        out[b] = float(np.median(ring)) if ring.size else (out[b - 1] if b else 0.0)
    return out


def to_polar(canvas: Canvas, image: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """`image` in the polar frame: rows are angles (0..2pi from +x, clockwise on screen),
    columns the distance from the centre out to `radius` disc radii."""
    cols = max(8, round(canvas.radius * radius))
    rows = max(16, round(2 * np.pi * canvas.radius * 0.5))
    return cv2.warpPolar(
        image,
        (cols, rows),
        canvas.centre,
        canvas.radius * radius,
        cv2.INTER_LINEAR | cv2.WARP_FILL_OUTLIERS,
    )


def from_polar(canvas: Canvas, polar: np.ndarray, radius: float = 1.0) -> np.ndarray:
    """The inverse of `to_polar`, back to the print's frame."""
    return cv2.warpPolar(
        polar,
        (canvas.width, canvas.height),
        canvas.centre,
        canvas.radius * radius,
        cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP | cv2.WARP_FILL_OUTLIERS,
    )


def paper(canvas: Canvas, tone: tuple[int, int, int], salt: str, texture: float) -> np.ndarray:
    """A sheet of paper in `tone` (BGR) with seeded fibre grain and slow cloudiness."""
    base = np.empty((*canvas.shape, 3), np.float32)
    base[:] = np.array(tone, np.float32) / 255.0
    shade = 1.0 + texture * (0.6 * grain(canvas, salt) + 0.5 * noise(canvas, 6, salt, 3))
    return np.clip(base * shade[:, :, None], 0.0, 1.0)


def smoothstep(edge0: float, edge1: float, x: np.ndarray) -> np.ndarray:
    """0 below `edge0`, 1 above `edge1`, a smooth S between."""
    t = np.clip((x - edge0) / (edge1 - edge0), 0.0, 1.0)
    return np.asarray(t * t * (3.0 - 2.0 * t), np.float32)


def over(top: np.ndarray, alpha: np.ndarray, bottom: np.ndarray) -> np.ndarray:
    """`top` laid over `bottom` with `alpha` (HxW, 0..1)."""
    a = alpha[:, :, None]
    return np.asarray(top * a + bottom * (1.0 - a), np.float32)


def finish(bgr: np.ndarray, alpha: np.ndarray | None) -> np.ndarray:
    """The BGRA uint8 result: `alpha` None paints the whole square (opaque)."""
    h, w = bgr.shape[:2]
    out = np.empty((h, w, 4), np.uint8)
    out[:, :, :3] = np.clip(bgr * 255.0 + 0.5, 0, 255).astype(np.uint8)
    out[:, :, 3] = 255 if alpha is None else np.clip(alpha * 255.0 + 0.5, 0, 255).astype(np.uint8)
    return out
