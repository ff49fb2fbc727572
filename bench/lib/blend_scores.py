"""Measures of the art studio's blends (irisd/art): fusion seams and sources, upscale fidelity.

Fusion: `seam_ratio`, the gradient energy along the borders between the sources' sectors
against the same along the middle of each sector (1 or less: the borders are no busier than
the iris itself; a hard cut gives a line of strong gradient); `own_texture`, the correlation
of the fused iris's fine texture with one source's, registered on the fused disc, over the
middle of a sector (high for the sector's own source, near 0 for the others).

Upscale: how close an enlarged print comes to the original it was shrunk from. `psnr` and
`ssim` (Wang et al. 2004: Gaussian window, sigma 1.5) on luma, and
`texture_ratio`: the fine texture's strength (the standard deviation of a difference of
Gaussians, the band of an iris's crypts and fibres) against the original's, 1.0 meaning the
same; below 1 is blur, above 1 sharpening or noise. Each is taken over a (H, W) bool region
(an iris disc, its corners are transparent).

Used by bench/images/fusion.py and tests/art/test_fusion.py, test_export.py.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import cv2
import numpy as np

from irisd.art.fusion import Frame

SEAM_BAND = 3.0  # px either side of a border (or a sector's middle) whose gradients count
SEAM_SIGMA = 1.0  # px: the luma is smoothed this much first (pixel noise is no seam)
RINGS = 8  # rings of the ANNULUS over which a border's step is taken apart
ANNULUS = (0.1, 0.9)  # of the way from the pupil's edge to the iris's edge: where it is measured
SSIM_SIGMA = 1.5
C1, C2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
TEXTURE_SIGMAS = (0.7, 2.0)  # px: the difference of Gaussians that keeps an iris's fine texture


def luma(bgr: np.ndarray) -> np.ndarray:
    """(H, W) float64 Rec. 601 luma of (H, W, 3+) BGR(A)."""
    b, g, r = (bgr[:, :, c].astype(np.float64) for c in range(3))
    return np.asarray(0.114 * b + 0.587 * g + 0.299 * r)


def psnr(test: np.ndarray, truth: np.ndarray, region: np.ndarray) -> float:
    """Peak signal-to-noise ratio of the luma, dB."""
    mse = float(np.mean((luma(test) - luma(truth))[region] ** 2))
    return math.inf if mse == 0 else 10 * math.log10(255.0**2 / mse)


def ssim(test: np.ndarray, truth: np.ndarray, region: np.ndarray) -> float:
    """Mean structural similarity of the luma over `region`."""
    x, y = luma(test), luma(truth)

    def blur(a: np.ndarray) -> np.ndarray:
        return np.asarray(cv2.GaussianBlur(a, (0, 0), SSIM_SIGMA))

    mx, my = blur(x), blur(y)
    vx, vy, cov = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    index = ((2 * mx * my + C1) * (2 * cov + C2)) / ((mx * mx + my * my + C1) * (vx + vy + C2))
    return float(index[region].mean())


def texture(bgr: np.ndarray, region: np.ndarray) -> float:
    """Standard deviation of the luma's fine band (TEXTURE_SIGMAS) over `region`."""
    return float(fine(bgr)[region].std())


def texture_ratio(test: np.ndarray, truth: np.ndarray, region: np.ndarray) -> float:
    return texture(test, region) / max(texture(truth, region), 1e-9)


def inner_disc(side: int, share: float) -> np.ndarray:
    """(side, side) bool: the disc of `share` of the half-side round the centre (inside an
    iris print's disc, clear of its anti-aliased edge)."""
    ys, xs = np.mgrid[0:side, 0:side]
    centre = side / 2
    return np.asarray(np.hypot(xs - centre, ys - centre) < share * centre)


def angle_gap(frame: Frame, angle: float) -> np.ndarray:
    """(S, S) float32: each pixel's distance (px, along its circle) from the ray at `angle`."""
    turn = 2 * math.pi
    off = (frame.theta - np.float32(angle - math.pi)) % np.float32(turn) - np.float32(math.pi)
    return np.asarray(np.abs(off) * frame.rho, np.float32)


def borders(count: int) -> list[float]:
    """The angles where the fusion's sectors meet (sector k is centred at 2 pi k / count)."""
    return [math.pi * (2 * k + 1) / count for k in range(count)]


def middles(count: int) -> list[float]:
    return [2 * math.pi * k / count for k in range(count)]


def _near(frame: Frame, angles: Sequence[float]) -> np.ndarray:
    inside = (frame.t > ANNULUS[0]) & (frame.t < ANNULUS[1])
    near = np.zeros_like(inside)
    for angle in angles:
        near |= angle_gap(frame, angle) < SEAM_BAND
    return np.asarray(near & inside)


def seam_ratio(fused: np.ndarray, frame: Frame, count: int) -> float:
    """Mean gradient energy of the smoothed luma along the borders over that along the
    sectors' middles."""
    y = cv2.GaussianBlur(luma(fused), (0, 0), SEAM_SIGMA)
    energy = cv2.Sobel(y, cv2.CV_64F, 1, 0) ** 2 + cv2.Sobel(y, cv2.CV_64F, 0, 1) ** 2
    along = float(energy[_near(frame, borders(count))].mean())
    inside = float(energy[_near(frame, middles(count))].mean())
    return along / max(inside, 1e-9)


def fine(bgr: np.ndarray) -> np.ndarray:
    """The luma's fine band (TEXTURE_SIGMAS)."""
    y = luma(bgr)
    return np.asarray(
        cv2.GaussianBlur(y, (0, 0), TEXTURE_SIGMAS[0])
        - cv2.GaussianBlur(y, (0, 0), TEXTURE_SIGMAS[1])
    )


def sector_middle(frame: Frame, count: int, k: int) -> np.ndarray:
    """(S, S) bool: the middle half of sector k's angle, over the ANNULUS."""
    inside = (frame.t > ANNULUS[0]) & (frame.t < ANNULUS[1])
    turn = 2 * math.pi
    off = (frame.theta - np.float32(middles(count)[k] - math.pi)) % np.float32(turn) - np.float32(
        math.pi
    )
    return np.asarray(inside & (np.abs(off) < math.pi / count / 2))


def own_texture(fused: np.ndarray, registered: np.ndarray, region: np.ndarray) -> float:
    """Correlation of the fine texture of `fused` and of a source `registered` on its frame
    (both BGR(A) uint8, or premultiplied float), over `region`."""
    a, b = fine(fused)[region], fine(registered)[region]
    return float(np.corrcoef(a, b)[0, 1])


def border_step(fused: np.ndarray, frame: Frame, count: int, reach: float, strip: float) -> float:
    """The mean luma step across the borders: per border and per ring (RINGS of the
    ANNULUS), the mean luma `reach` to `reach` + `strip` px (along the circle) after the
    border less that before it, in absolute value, averaged."""
    y = luma(fused)
    ring = np.floor((frame.t - ANNULUS[0]) / (ANNULUS[1] - ANNULUS[0]) * RINGS).astype(int)
    steps = []
    for angle in borders(count):
        turn = 2 * math.pi
        off = (frame.theta - np.float32(angle - math.pi)) % np.float32(turn) - np.float32(math.pi)
        signed = off * frame.rho
        after = (signed > reach) & (signed < reach + strip)
        before = (signed < -reach) & (signed > -reach - strip)
        for k in range(RINGS):
            here = ring == k
            steps.append(abs(float(y[after & here].mean() - y[before & here].mean())))
    return float(np.mean(steps))


def sector_lumas(sources: Sequence[np.ndarray], frame: Frame) -> list[float]:
    """Mean luma of each registered source over its own sector's middle."""
    count = len(sources)
    return [
        float(luma(image)[sector_middle(frame, count, k)].mean()) for k, image in enumerate(sources)
    ]
