"""Lids printed as iris: the GT occluded part of a photo and the share of the disc printed there.

`lid_score` compares an `Art` with the GT of its photo (see bench/images/art.py): shares of the
output disc printed over GT occluded pixels (by the mask, beyond a TOLERANCE band, by the
result's alpha), the GT occluded share, stray mask pixels, and the GT visible iris the mask
leaves out (`hidden`: what cutting too much costs, the other side of `lid`; `repainted`, the
same as a share of the GT visible iris), and the mask's IoU with the GT visible iris. Without
a pupil label the GT pupil is a circle fitted to the inner boundary of the GT mask
(`inner_circle`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from bench.lib.art_runs import Art
from bench.lib.datasets import Item, derived_circle
from irisd.pipeline.geometry import Circle, disk, fit_circle

TOLERANCE = 0.02  # boundary band ignored by `lid>tol`, in iris radii (at least 1 px)


# --- lids ----------------------------------------------------------------------------------


def inner_circle(visible: np.ndarray, iris: Circle) -> Circle | None:
    """Pupil circle fitted to the inner boundary of a visible-iris mask: per ray from the
    iris centre, the first mask pixel; rays that meet a lid or nothing are trimmed away."""
    rays = max(32, round(iris.r))
    polar = cv2.warpPolar(
        visible.astype(np.uint8) * 255,
        (rays, 360),
        (iris.x, iris.y),
        iris.r,
        cv2.WARP_POLAR_LINEAR | cv2.INTER_NEAREST,
    )
    hit = polar > 127
    first = hit.argmax(axis=1)
    usable = hit.any(axis=1) & (first > 0) & (first < 0.8 * rays)
    radii = first[usable] * iris.r / rays
    theta = np.deg2rad(np.arange(360)[usable])
    points = np.stack([iris.x + radii * np.cos(theta), iris.y + radii * np.sin(theta)], 1)
    keep = np.ones(len(points), bool)
    circle = None
    for _ in range(3):
        if keep.sum() < 20:
            return None
        circle = fit_circle(points[keep])
        if circle is None:
            return None
        residual = np.abs(np.hypot(*(points - [circle.x, circle.y]).T) - circle.r)
        keep = residual <= max(1.5, 2.5 * float(np.median(residual[keep])))
    if circle is None or circle.r >= 0.9 * iris.r or circle.distance(iris) > 0.5 * iris.r:
        return None
    return circle


def gt_regions(item: Item) -> tuple[np.ndarray, np.ndarray, Circle] | None:
    """(H, W) bool GT occluded (lid or lash inside the derived iris circle) and GT pupil,
    and that circle."""
    iris = derived_circle(item.iris)
    if iris is None:
        return None
    shape = item.iris.shape
    if item.pupil is not None:
        pupil = item.pupil
    else:
        inner = inner_circle(item.iris, iris)
        pupil = disk(shape, inner) if inner is not None else np.zeros(shape, bool)
    return disk(shape, iris) & ~pupil & ~item.iris, pupil, iris


@dataclass(frozen=True)
class LidScore:
    """Shares of the output disc, %."""

    lid: float  # mask ∩ GT occluded
    beyond: float  # the same beyond the tolerance band
    opaque: float  # alpha ∩ GT occluded
    occluded: float  # GT occluded
    stray: float  # mask ∩ neither GT visible iris nor GT pupil, also beyond the GT circle
    hidden: float  # GT visible iris in the disc not under the mask (completed, not shown)
    repainted: float  # the same as a share of the GT visible iris, % (not of the disc)
    iou: float  # the returned mask against the GT visible iris, 0..1


def lid_score(item: Item, art: Art) -> LidScore | None:
    found = gt_regions(item)
    if found is None:
        return None
    occluded, pupil, iris = found
    shape = occluded.shape
    inside = disk(shape, art.disc_in)
    area = max(1, int(inside.sum()))
    occluded &= inside
    band = max(1, round(TOLERANCE * iris.r))
    near = cv2.dilate(item.iris.astype(np.uint8), np.ones((2 * band + 1,) * 2, np.uint8)) > 0
    alpha = art.to_input(art.rgba[:, :, 3], shape, cv2.INTER_LINEAR) > 127

    def share(plane: np.ndarray) -> float:
        return 100.0 * float(plane.sum()) / area

    return LidScore(
        share(art.mask & occluded),
        share(art.mask & occluded & ~near),
        share(alpha & occluded),
        share(occluded),
        share(art.mask & inside & ~item.iris & ~pupil),
        share(inside & item.iris & ~art.mask),
        100.0 * float((inside & item.iris & ~art.mask).sum()) / max(1, int(item.iris.sum())),
        float((art.mask & item.iris).sum()) / max(1, int((art.mask | item.iris).sum())),
    )
