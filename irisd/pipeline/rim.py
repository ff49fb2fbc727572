"""A clean disc edge: a pale wash over the print's outermost band is taken off, down to the
iris's own level there, its texture kept.

The limbus is blurred, so the band just inside the printed disc still holds the outer half of
the iris-sclera transition, a lid's pink margin or the glare's halo: the studio review of
colour-dev names a pale, cream, grey or pink rim on about a third of the prints. The iris's
edge (the limbal ring) is as dark as the iris just inside it or darker, never paler. So, at
each angle, the iris's level is taken from a REFERENCE band inside the rim (its median L*
and a*b*); where the rim's local mean (over WASH of the radius) is paler than that by more
than TOLERANCE, the excess is taken off every pixel there and its colour drawn towards the
iris's by the same share: a wash, not the texture under it. The change fades in from RIM
over FADE of the radius, so no circle is drawn where it starts. Like a veil taken off (veils.py),
what is left is the iris's own texture: the returned mask keeps it.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, masked_blur
from irisd.pipeline.lab import to_lab, to_rgb

RIM = 0.86  # of the disc's radius: where the rim starts
FADE = 0.05  # ... and over how much of it the change fades in
REFERENCE = (0.7, 0.82)  # of the disc's radius: the iris band the rim is judged against
TOLERANCE = 5.0  # L* a rim pixel may be paler than the iris at its angle
SECTORS = 180  # angular bins of the reference
SMOOTH = 2  # bins either side over which the reference is averaged
WASH = 0.03  # of the radius: the smoothing that tells the rim's wash from its texture
SAMPLE_SIDE = 400  # the rim is judged on a copy of about this side


def clean(rgb: np.ndarray, disc: Circle) -> np.ndarray:
    """(H, W, 3) uint8 RGB crop with the rim of `disc` (crop pixels) cleaned."""
    h, w = rgb.shape[:2]
    scale = min(1.0, SAMPLE_SIDE / max(h, w))
    small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    lab = to_lab(small)
    ys, xs = np.mgrid[0 : small.shape[0], 0 : small.shape[1]].astype(np.float32)
    centre = disc.scaled(scale)
    reach = np.hypot(xs - centre.x, ys - centre.y) / max(centre.r, 1.0)
    sector = _sector(xs - centre.x, ys - centre.y)
    reference = _reference(lab, reach, sector)
    if reference is None:
        return rgb
    # The rim's wash, not its texture: the lift of its local mean over the iris's level.
    mean = masked_blur(lab, reach <= 1.0, max(1.0, WASH * centre.r))
    level = reference[sector]
    fade = np.clip((reach - RIM) / FADE, 0.0, 1.0) * (reach <= 1.05)  # to the last pixel
    lift = np.maximum(mean[..., 0] - level[..., 0] - TOLERANCE, 0.0) * fade
    if not (lift > 0.5).any():
        return rgb
    share = np.clip(lift / np.maximum(mean[..., 0] - level[..., 0], 1e-3), 0.0, 1.0)
    shift = np.concatenate(
        [-lift[..., None], (level[..., 1:] - mean[..., 1:]) * share[..., None]], 2
    )
    full = cv2.resize(shift, (w, h), interpolation=cv2.INTER_LINEAR)
    # Flat indices, not a boolean mask: its gathers and scatters cost a 12 MP crop 0.1 s.
    moved = np.flatnonzero(np.abs(full[..., 0]) > 0.5)
    if not len(moved):
        return rgb
    pixels = to_lab(rgb.reshape(-1, 3).take(moved, axis=0)[None])[0]
    pixels += full.reshape(-1, 3).take(moved, axis=0)
    out = rgb.copy()
    out.reshape(-1, 3)[moved] = to_rgb(pixels[None])[0]
    return out


def _reference(lab: np.ndarray, reach: np.ndarray, sectors: np.ndarray) -> np.ndarray | None:
    """(SECTORS, 3) median L*a*b* of the REFERENCE band per angle (`sectors`: each pixel's)."""
    band = (reach >= REFERENCE[0]) & (reach <= REFERENCE[1])
    if band.sum() < 4 * SECTORS:
        return None
    sector = sectors[band]
    values = lab[band]
    order = np.argsort(sector, kind="stable")
    bounds = np.searchsorted(sector[order], np.arange(SECTORS + 1))
    medians = np.full((SECTORS, 3), np.nan, np.float32)
    for index in range(SECTORS):
        chunk = values[order[bounds[index] : bounds[index + 1]]]
        if len(chunk):
            medians[index] = np.median(chunk, axis=0)
    if np.isnan(medians[:, 0]).all():
        return None
    medians = np.where(np.isnan(medians), np.nanmedian(medians, axis=0), medians)
    wrapped = np.concatenate([medians[-SMOOTH:], medians, medians[:SMOOTH]])
    kernel = np.ones(2 * SMOOTH + 1, np.float32) / (2 * SMOOTH + 1)
    return np.stack(
        [np.convolve(wrapped[:, c], kernel, mode="valid") for c in range(3)], axis=1
    ).astype(np.float32)


def _sector(dx: np.ndarray, dy: np.ndarray) -> np.ndarray:
    """The angular bin (0..SECTORS-1) of offsets from the centre."""
    angle = np.mod(np.arctan2(dy, dx), 2 * np.pi)
    return np.asarray(np.minimum((angle / (2 * np.pi) * SECTORS).astype(int), SECTORS - 1))
