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
OPAQUE = 128.0  # alpha from which a grid cell counts as the print's (below: a lid cut out)
FILL_SIGMA = 4.0  # grid cells: how far a hole's correction is taken from round it


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

    def sample(self, premult_bgra: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(ROWS, COLS, 3) float32 colour of a frame-sized premultiplied float32 BGRA image,
        and (ROWS, COLS) bool: where it is opaque enough to count (not a lid cut out)."""
        side = premult_bgra.shape[0]
        small = cv2.resize(
            premult_bgra, (side // SHRINK, side // SHRINK), interpolation=cv2.INTER_AREA
        )
        polar = cv2.remap(
            small, self.sample_x, self.sample_y, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
        )
        alpha = polar[:, :, 3]
        colour = polar[:, :, :3] / (np.maximum(alpha, 1e-3)[:, :, None] / 255.0)
        return np.asarray(colour, np.float32), np.asarray(alpha >= OPAQUE)

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
    """Per source, a (ROWS, COLS, 3) float32 correction to add to its colour (`warped`:
    premultiplied float32 BGRA on the frame)."""
    sampled = [grid.sample(image) for image in warped]
    sources = np.stack([colour for colour, _ in sampled])  # (K, ROWS, COLS, 3)
    valid = np.stack([opaque for _, opaque in sampled])  # (K, ROWS, COLS)
    owner = grid.owners(count)
    cols = np.arange(COLS)
    composite = sources[owner, :, cols].transpose(1, 0, 2)  # (ROWS, COLS, 3)
    shown = valid[owner, :, cols].T
    mean = composite[shown].mean(axis=0) if shown.any() else np.zeros(3, np.float32)
    solved = solve(guidance_divergence(sources, valid, owner), mean)
    out = []
    for k in range(count):
        correction = filled(solved - sources[k], valid[k])
        out.append(correction[:, nearest_owned(owner == k)])
    return out


def filled(correction: np.ndarray, valid: np.ndarray) -> np.ndarray:
    """The correction where the source is opaque; in its holes (a lid cut out) the nearby
    corrections' Gaussian mean, so no hole's black leaks into its edge when interpolated."""
    if valid.all():
        return correction
    weight = valid.astype(np.float32)
    total = cv2.GaussianBlur(weight, (0, 0), FILL_SIGMA)
    spread = cv2.GaussianBlur(correction * weight[:, :, None], (0, 0), FILL_SIGMA)
    guess = spread / np.maximum(total, 1e-6)[:, :, None]
    return np.asarray(np.where(valid[:, :, None], correction, guess), np.float32)


def guidance_divergence(sources: np.ndarray, valid: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """div of the guidance field: the owner's gradients inside a sector, across a border the
    mean of the two sources' own gradients; none to or from a transparent cell (a lid cut out
    of a print is no edge to keep)."""
    cols = np.arange(COLS)
    right = (cols + 1) % COLS
    pair = (valid[:, :, right] & valid)[..., None]  # both ends opaque, per source
    along = (sources[:, :, right] - sources) * pair  # (K, ROWS, COLS, 3): col -> col+1
    mine, theirs = owner, owner[right]
    counted = pair[mine, :, cols] + pair[theirs, :, cols]  # (COLS, ROWS, 1), 0..2
    crossing = (along[mine, :, cols] + along[theirs, :, cols]) / np.maximum(counted, 1)
    vx = np.where((mine == theirs)[:, None, None], along[mine, :, cols], crossing).transpose(
        1, 0, 2
    )
    down = (sources[:, 1:] - sources[:, :-1]) * (valid[:, 1:] & valid[:, :-1])[..., None]
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
