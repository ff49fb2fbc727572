"""The real irises as glint-free square crops with their ground truth (`iris_crops`).

`iris_crops` loads the real sets as square crops around the iris with their ground truth
(iris circle derived from the GT mask; pupil from the MOBIUS label, on MMU fitted to the dark
hole of the GT mask), the real highlights found and inpainted (the returned `rgb` is a
glint-free base; `glare` says where they were). Crops are downscaled so that the iris radius
is at most `max_radius` px.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from bench.lib.datasets import Item, derived_circle, derived_pupil, mmu_items, mobius_items
from bench.lib.light_looks import to_lab
from irisd.pipeline.decode import decode
from irisd.pipeline.geometry import Circle, disk, fit_circle
from irisd.pipeline.output import extract, square_around

MAX_RADIUS = 200.0  # default largest iris radius of a crop, px


@dataclass
class IrisCrop:
    """A square crop around a real iris, glint-free, with its ground truth (crop pixels)."""

    name: str
    source: str  # "mmu" or "mobius"
    rgb: np.ndarray  # (S, S, 3) uint8, real highlights inpainted
    visible: np.ndarray  # (S, S) bool GT visible iris
    iris: Circle  # derived from the GT iris mask
    pupil: Circle  # GT pupil label (MOBIUS) or the dark hole of the GT mask (MMU)
    glare: np.ndarray  # (S, S) bool real highlights (inpainted in `rgb`): judge nothing there

    @property
    def ring(self) -> np.ndarray:
        """(S, S) bool visible iris inside the iris circle, outside the pupil circle."""
        shape = self.visible.shape
        return np.asarray(self.visible & disk(shape, self.iris) & ~disk(shape, self.pupil))

    @property
    def seen(self) -> np.ndarray:
        """(S, S) bool visible iris and pupil: where the pipeline would see the iris."""
        return np.asarray(self.visible | disk(self.visible.shape, self.pupil))

    @property
    def cornea(self) -> np.ndarray:
        """(S, S) bool where a corneal reflection can show: visible iris and pupil, with the
        gaps between the GT mask and the pupil circle closed. The pupil counts within the
        visible iris's convex hull only: a lid over it hides it (the GT marks the iris only)."""
        shape = self.visible.shape
        side = max(3, round(0.15 * self.iris.r) | 1)
        kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
        hull = np.zeros(shape, np.uint8)
        points = cv2.findNonZero(self.visible.astype(np.uint8))
        if points is not None:
            cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
        eye = (self.visible | (disk(shape, self.pupil) & (hull > 0))).astype(np.uint8)
        closed = cv2.morphologyEx(eye, cv2.MORPH_CLOSE, kernel) > 0
        return np.asarray(closed & disk(shape, self.iris))


# Real crops ----------------------------------------------------------------------------------


def pupil_from_hole(rgb: np.ndarray, visible: np.ndarray, iris: Circle) -> Circle:
    """Pupil circle of an image without a pupil label: the dark blob in the hole of the GT
    visible-iris mask nearest the iris centre, fitted to its edge where it borders the iris
    (lids and lashes cut the hole open)."""
    shape = visible.shape
    grey = rgb.astype(np.float32).mean(axis=2)
    inside = disk(shape, iris.resized(0.85))
    level = (np.median(grey[inside & ~visible]) + np.median(grey[visible & inside])) / 2
    dark = ((grey < level) & inside & ~visible).astype(np.uint8)
    dark = cv2.morphologyEx(dark, cv2.MORPH_CLOSE, np.ones((5, 5), np.uint8))  # the glint
    side = max(3, round(0.15 * iris.r) | 1)  # lashes are thinner than that, the pupil is not
    dark = cv2.morphologyEx(dark, cv2.MORPH_OPEN, np.ones((side, side), np.uint8))
    count, labels = cv2.connectedComponents(dark)
    if count < 2:
        return iris.resized(0.35)
    ys, xs = np.mgrid[0 : shape[0], 0 : shape[1]]
    dist = np.hypot(xs - iris.x, ys - iris.y)
    best = min(range(1, count), key=lambda k: float(dist[labels == k].min()))
    blob = np.zeros(shape, np.uint8)  # holes (left by a glint) filled
    outline, _ = cv2.findContours(
        (labels == best).astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE
    )
    cv2.drawContours(blob, outline, -1, 1, -1)
    # the largest inscribed disk: dense lashes widen the blob upward but stay outside it
    depth = cv2.distanceTransform(blob, cv2.DIST_L2, 5)
    cy, cx = np.unravel_index(int(np.argmax(depth)), shape)
    inscribed = Circle(float(cx), float(cy), float(depth[cy, cx]))
    contours, _ = cv2.findContours(blob, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
    points = np.vstack([c.reshape(-1, 2) for c in contours]).astype(np.float64)
    reach = np.hypot(points[:, 0] - inscribed.x, points[:, 1] - inscribed.y)
    near = cv2.dilate(visible.astype(np.uint8), np.ones((5, 5), np.uint8)) > 0
    on_iris = near[points[:, 1].astype(int), points[:, 0].astype(int)]
    edge = points[on_iris & (reach < 1.3 * inscribed.r + 1)]
    fitted = fit_circle(edge) if len(edge) >= 20 else None
    if fitted is None or fitted.distance(inscribed) > 0.3 * inscribed.r + 1:
        return inscribed
    if not 0.9 * inscribed.r <= fitted.r <= 1.3 * inscribed.r + 1:
        return inscribed
    return fitted


def real_highlights(rgb: np.ndarray, where: np.ndarray, iris_radius: float) -> np.ndarray:
    """(S, S) bool real specular reflections inside `where`: brighter than a median wider
    than a glint by far more than the iris texture varies, grown into their halos."""
    light = to_lab(rgb)[..., 0]
    side = max(3, round(0.6 * iris_radius) | 1)
    background = cv2.medianBlur(np.clip(light * 2.55, 0, 255).astype(np.uint8), min(side, 255))
    excess = light - background.astype(np.float32) / 2.55
    spread = 1.4826 * float(np.median(np.abs(excess[where] - np.median(excess[where]))))
    step = max(10.0, 6.0 * spread)
    core = (excess > step) & where
    grown = (excess > step / 2) & where
    count, labels = cv2.connectedComponents((grown | core).astype(np.uint8))
    keep = np.zeros(count, bool)
    keep[np.unique(labels[core])] = True
    keep[0] = False
    margin = max(1, round(0.02 * iris_radius))
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * margin + 1, 2 * margin + 1))
    return np.asarray(cv2.dilate((keep[labels] | core).astype(np.uint8), kernel) > 0)


def make_crop(item: Item, source: str, max_radius: float) -> IrisCrop | None:
    """The glint-free square crop of one real image, downscaled to `max_radius`."""
    circle = derived_circle(item.iris)
    if circle is None:
        return None
    window = square_around(circle)
    rgb = extract(decode(item.image.read_bytes(), 100_000_000), window)
    visible = extract(item.iris, window)
    iris = window.circle(circle)
    pupil_label = None if item.pupil is None else extract(item.pupil, window)
    scale = min(1.0, max_radius / iris.r)
    if scale < 1.0:
        side = max(8, round(rgb.shape[0] * scale))
        rgb = cv2.resize(rgb, (side, side), interpolation=cv2.INTER_AREA)
        nearest = cv2.INTER_NEAREST
        visible = cv2.resize(visible.astype(np.uint8), (side, side), interpolation=nearest) > 0
        if pupil_label is not None:
            pupil_label = (
                cv2.resize(pupil_label.astype(np.uint8), (side, side), interpolation=nearest) > 0
            )
        iris = iris.scaled(side / window.side)
    glare = real_highlights(rgb, eye_region(visible, iris), iris.r)
    clean = cv2.inpaint(rgb, glare.astype(np.uint8), 3, cv2.INPAINT_TELEA) if glare.any() else rgb
    pupil = None if pupil_label is None else derived_pupil(pupil_label)
    if pupil is None:
        pupil = pupil_from_hole(clean, visible, iris)
    return IrisCrop(item.name, source, clean, visible, iris, pupil, glare)


def eye_region(visible: np.ndarray, iris: Circle) -> np.ndarray:
    """(S, S) bool iris disk within the convex hull of the visible iris: iris and pupil, not
    the lid skin beyond the mask."""
    hull = np.zeros(visible.shape, np.uint8)
    points = cv2.findNonZero(visible.astype(np.uint8))
    if points is not None:
        cv2.fillConvexPoly(hull, cv2.convexHull(points), 1)
    return np.asarray((hull > 0) & disk(visible.shape, iris))


def iris_crops(root: Path, split: str = "test", max_radius: float = MAX_RADIUS) -> list[IrisCrop]:
    """MMU crops of `split` (test: persons 31-45) and the 6 MOBIUS crops."""
    crops = []
    for source, items in (("mmu", mmu_items(root, split)), ("mobius", mobius_items(root))):
        for item in items:
            crop = make_crop(item, source, max_radius)
            if crop is not None:
                crops.append(crop)
    return crops
