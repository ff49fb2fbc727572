"""The fusion's Poisson solve, in the iris's polar frame (theta across, pupil-to-rim down).

In that frame the fusion's angular sectors are column ranges and the frame wraps round in
theta, so a gradient-domain blend is one periodic solve: the guidance field is each sector's
own gradient, and across a border the mean of the two sources' gradients; the Laplacian is
inverted by FFT (periodic in theta; Neumann at the pupil's and the iris's edges, by mirroring
the rows). The solve runs on a coarse grid (ROWS x COLS): what it returns is, per source, the
smooth correction (solution minus that source) that makes the colour and light of the
sectors agree; the texture itself stays at full resolution, untouched by resampling.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

ROWS = 96  # pupil edge to iris edge
COLS = 1024  # round the circle
SHRINK = 4  # the full-size frame is reduced this much before it is sampled on the grid


class Grid:
    """The coarse polar grid over the annulus between a frame's pupil and its iris edge."""

    def __init__(
        self,
        centre: tuple[float, float],
        pupil_r: float,
        iris_r: float,
        theta: np.ndarray,
        t: np.ndarray,
    ) -> None:
        cols = (np.arange(COLS, dtype=np.float32) + 0.5) / COLS * 2 * np.pi - np.pi
        rows = (np.arange(ROWS, dtype=np.float32) + 0.5) / ROWS
        rho = pupil_r + rows[:, None] * (iris_r - pupil_r)
        # Where each grid cell lies in the SHRINK-times smaller frame.
        self.sample_x = ((centre[0] + rho * np.cos(cols)[None, :]) / SHRINK).astype(np.float32)
        self.sample_y = ((centre[1] + rho * np.sin(cols)[None, :]) / SHRINK).astype(np.float32)
        # Where each pixel of the frame lies on the grid (2 wrapped columns pad each side).
        self.grid_x = ((theta + np.pi) / (2 * np.pi) * COLS - 0.5 + 2).astype(np.float32)
        self.grid_y = (t * ROWS - 0.5).astype(np.float32)
        self.cols_theta = cols

    def sample(self, straight_bgra: np.ndarray) -> np.ndarray:
        """(ROWS, COLS, 3) float32 colour of a frame-sized float32 straight BGRA image."""
        premult = straight_bgra.copy()
        premult[:, :, :3] *= premult[:, :, 3:] / 255.0
        side = straight_bgra.shape[0]
        small = cv2.resize(premult, (side // SHRINK, side // SHRINK), interpolation=cv2.INTER_AREA)
        polar = cv2.remap(
            small, self.sample_x, self.sample_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        alpha = np.maximum(polar[:, :, 3:], 1e-3) / 255.0
        return np.asarray(polar[:, :, :3] / alpha, np.float32)

    def to_cartesian(self, polar: np.ndarray) -> np.ndarray:
        """A (ROWS, COLS, C) grid image at every pixel of the frame (edges held)."""
        padded = np.concatenate([polar[:, -2:], polar, polar[:, :2]], axis=1)
        out = cv2.remap(
            padded, self.grid_x, self.grid_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        return np.asarray(out, np.float32)

    def owners(self, count: int) -> np.ndarray:
        """(COLS,) int: the source whose sector each column is in (sector k centred at
        2 pi k / count, as `irisd.art.fusion` weighs them)."""
        step = 2 * np.pi / count
        return np.asarray(np.round(self.cols_theta / step).astype(int) % count)


def corrections(warped: Sequence[np.ndarray], grid: Grid, count: int) -> list[np.ndarray]:
    """Per source, a (ROWS, COLS, 3) float32 correction to add to its colour."""
    sources = np.stack([grid.sample(image) for image in warped])  # (K, ROWS, COLS, 3)
    owner = grid.owners(count)
    composite = sources[owner, :, np.arange(COLS)].transpose(1, 0, 2)  # (ROWS, COLS, 3)
    solved = solve(guidance_divergence(sources, owner), float_mean(composite))
    out = []
    for k in range(count):
        own = owner == k
        correction = solved - sources[k]
        out.append(correction[:, nearest_owned(own)])
    return out


def float_mean(image: np.ndarray) -> np.ndarray:
    return np.asarray(image.reshape(-1, image.shape[-1]).mean(axis=0), np.float32)


def guidance_divergence(sources: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """div of the guidance field: the owner's gradients inside a sector, across a border the
    mean of the two sources' own gradients."""
    cols = np.arange(COLS)
    right = (cols + 1) % COLS
    along = sources[:, :, right] - sources  # (K, ROWS, COLS, 3): theta step col -> col+1
    same = owner == owner[right]
    vx = np.where(
        same[None, :, None],
        along[owner, :, cols].transpose(1, 0, 2),
        0.5 * (along[owner, :, cols] + along[owner[right], :, cols]).transpose(1, 0, 2),
    )
    down = sources[:, 1:] - sources[:, :-1]  # (K, ROWS-1, COLS, 3)
    vy = np.zeros((ROWS, COLS, sources.shape[-1]), np.float32)
    vy[:-1] = down[owner, :, cols].transpose(1, 0, 2)  # zero flux through the last row
    div = vx - np.roll(vx, 1, axis=1) + vy
    div[1:] -= vy[:-1]
    return np.asarray(div, np.float32)


def solve(div: np.ndarray, mean: np.ndarray) -> np.ndarray:
    """f with Laplacian `div`: periodic in columns, Neumann at the first and last rows
    (the rows mirrored into a periodic problem), the mean set to `mean`."""
    rows, cols = div.shape[:2]
    mirrored = np.concatenate([div, div[::-1]], axis=0)
    ky = 2 * np.cos(2 * np.pi * np.fft.fftfreq(2 * rows)) - 2
    kx = 2 * np.cos(2 * np.pi * np.fft.fftfreq(cols)) - 2
    denominator = ky[:, None] + kx[None, :]
    denominator[0, 0] = 1.0
    spectrum = np.fft.fft2(mirrored, axes=(0, 1)) / denominator[:, :, None]
    spectrum[0, 0] = 0.0
    f = np.real(np.fft.ifft2(spectrum, axes=(0, 1)))[:rows]
    return np.asarray(f + mean, np.float32)


def nearest_owned(own: np.ndarray) -> np.ndarray:
    """(COLS,) column indices: each column itself where `own`, else the nearest column
    (round the circle) that is."""
    owned = np.flatnonzero(own)
    cols = np.arange(COLS)
    gap = np.abs(cols[:, None] - owned[None, :])
    gap = np.minimum(gap, COLS - gap)
    return np.asarray(owned[np.argmin(gap, axis=1)])
