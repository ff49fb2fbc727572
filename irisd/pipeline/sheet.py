"""The iris's own polar frame (Daugman's rubber sheet): rows from the pupil centre to the
pupil boundary and on from there to just past the limbus, columns around the circle.

Iris fibres run along the columns, so the fill copies texture along rows (fill.py) and the
veils are measured against the iris's own colour at the same row all round (veils.py).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle

OUTER = 1.04  # the sheet reaches this far past the limbus (the print's edge is inside it)
MAX_COLUMNS = 2048  # angular samples; more only costs time


class Sheet:
    """The rubber-sheet map between crop pixels and (row, column) of the polar frame."""

    def __init__(self, iris: Circle, pupil: Circle) -> None:
        self.iris, self.pupil = iris, pupil
        self.inner_rows = max(4, math.ceil(pupil.r))
        self.outer_rows = max(4, math.ceil(OUTER * iris.r - pupil.r))
        self.columns = int(min(MAX_COLUMNS, max(64, round(2 * math.pi * iris.r))))

    @property
    def rows(self) -> int:
        return self.inner_rows + self.outer_rows

    @property
    def limbus_row(self) -> int:
        """The first row past the limbus (sclera, lids: no reference for the iris)."""
        return self.inner_rows + int(self.outer_rows / OUTER)

    def unwrap(self, image: np.ndarray) -> np.ndarray:
        """(S, S[, C]) float32 → (rows, columns[, C]) float32, bilinear."""
        theta = np.arange(self.columns, dtype=np.float32) * (2 * np.pi / self.columns)
        rho = np.arange(self.rows, dtype=np.float32)[:, None]
        xs, ys = self._points(rho, theta[None, :])
        return np.asarray(
            cv2.remap(image, xs, ys, cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT),
            np.float32,
        )

    def _points(self, row: np.ndarray, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Crop coordinates of sheet positions (broadcast arrays)."""
        p, i = self.pupil, self.iris
        cos, sin = np.cos(theta), np.sin(theta)
        t = np.clip((row - self.inner_rows) / self.outer_rows * OUTER, 0, None)
        inside = row < self.inner_rows
        # inside the pupil: straight out from its centre; beyond: pupil edge → limbus edge
        radius = np.where(inside, row / self.inner_rows * p.r, (1 - t) * p.r + t * i.r)
        cx = np.where(inside, p.x, (1 - t) * p.x + t * i.x)
        cy = np.where(inside, p.y, (1 - t) * p.y + t * i.y)
        xs = (cx + radius * cos).astype(np.float32)
        ys = (cy + radius * sin).astype(np.float32)
        return xs, ys

    def locate(self, xs: np.ndarray, ys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Sheet (row, column) of crop points: the inverse of `_points`."""
        p, i = self.pupil, self.iris
        vx, vy = xs - p.x, ys - p.y
        dx, dy, dr = i.x - p.x, i.y - p.y, i.r - p.r
        # |v - t d| = p.r + t dr, solved for t (quadratic; dr > |d| for a pupil inside the iris)
        a = dx * dx + dy * dy - dr * dr
        b = -2 * (vx * dx + vy * dy + p.r * dr)
        c = vx * vx + vy * vy - p.r * p.r
        if abs(a) < 1e-9:
            t = -c / np.where(np.abs(b) < 1e-9, -1e-9, b)
        else:
            root = np.sqrt(np.maximum(b * b - 4 * a * c, 0))
            t = np.maximum((-b - root) / (2 * a), (-b + root) / (2 * a))
        pupil_dist = np.hypot(vx, vy)
        inside = pupil_dist < p.r
        theta_out = np.arctan2(vy - t * dy, vx - t * dx)
        theta_in = np.arctan2(vy, vx)
        theta = np.mod(np.where(inside, theta_in, theta_out), 2 * np.pi)
        row = np.where(
            inside,
            pupil_dist / max(p.r, 1e-6) * self.inner_rows,
            self.inner_rows + np.maximum(t, 0) / OUTER * self.outer_rows,
        )
        return row, theta / (2 * np.pi) * self.columns

    def wrap(self, polar: np.ndarray, where: np.ndarray) -> np.ndarray:
        """Sheet values at the crop pixels `where` (S, S) bool → (N, C) float32."""
        ys, xs = np.nonzero(where)
        row, col = self.locate(xs.astype(np.float64), ys.astype(np.float64))
        pad = 2  # columns wrap around: pad the sheet circularly for the bilinear lookup
        padded = np.concatenate([polar[:, -pad:], polar, polar[:, :pad]], axis=1)
        count = len(xs)
        width = 1024  # remap maps are images: at most 32767 wide, so fold the list
        size = -(-count // width) * width
        map_x = np.zeros(size, np.float32)
        map_y = np.zeros(size, np.float32)
        map_x[:count] = col + pad
        map_y[:count] = np.minimum(row, self.rows - 1)
        values = cv2.remap(
            padded,
            map_x.reshape(-1, width),
            map_y.reshape(-1, width),
            cv2.INTER_LINEAR,
            borderMode=cv2.BORDER_REPLICATE,
        )
        return np.asarray(values, np.float32).reshape(size, -1)[:count]
