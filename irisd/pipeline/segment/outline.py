"""Iris segmentation: classical localisation, optional learned cross-check, visible-iris mask.

Localisation runs on a ≤ 640 px copy, boundaries are refined on a detail crop where the iris
radius is at most DETAIL_RADIUS px, and the mask is mapped back to the full-resolution input.
Nothing is ever invented: when no eye is found, `segment` returns None and the caller raises
a QualityIssue.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle, edge_gray
from irisd.pipeline.lab import to_lab
from irisd.pipeline.pupil import fitted, tightened
from irisd.pipeline.segment.arbitrate import cross_check
from irisd.pipeline.segment.circle_search import Found, prepare, refine_limbus, refine_pupil
from irisd.pipeline.segment.eyelids import visible_mask
from irisd.pipeline.segment.fit import beyond, edge_contact, unbacked
from irisd.pipeline.segment.fuse import fuse
from irisd.pipeline.segment.localise import Localisation, Located, assumed_pupil, localise

WORKING_SIDE = 640
DETAIL_RADIUS = 150.0
# The mask stops this fraction of the radius inside the limbus edge: the edge search finds
# the middle of the blurred iris-sclera transition, annotators draw its inner side.
LIMBUS_INSET = 0.97


@dataclass(frozen=True)
class Segmentation:
    """Boundaries and visible-iris mask of one photo, in full-resolution pixel coordinates.

    `mask` is (H, W) bool; contrasts are grey-level steps (0..255) across each boundary.
    """

    iris: Circle
    pupil: Circle
    mask: np.ndarray
    limbus_contrast: float
    pupil_contrast: float
    source: str  # "classical", "combined" (agreeing), "edge_backed" or "learned" (alone)
    pupil_seen: bool = True  # False: the pupil hole is assumed (see localise.assumed_pupil)
    edge_contact: float = 0.0  # see fit.edge_contact; 0 without the network
    beyond: float = 0.0  # see fit.beyond; 0 without the network
    unbacked: float = 0.0  # see fit.unbacked; 0 without the network


@dataclass(frozen=True)
class Detail:
    """A crop of the input around the iris, resized by `scale`, with its gray image."""

    x0: int
    y0: int
    x1: int
    y1: int
    scale: float
    image: np.ndarray  # (h, w) float32 gray of the resized crop
    colour: np.ndarray | None = None  # (h, w, 2) float32 CIE a*b*; None when greyscale

    def to_detail(self, circle: Circle) -> Circle:
        return circle.shifted(-self.x0, -self.y0).scaled(self.scale)

    def to_full(self, circle: Circle) -> Circle:
        return circle.scaled(1 / self.scale).shifted(self.x0, self.y0)


def working_copy(rgb: np.ndarray) -> tuple[np.ndarray, float]:
    """(H, W, 3) uint8 → (small RGB copy with longer side ≤ WORKING_SIDE, its scale)."""
    h, w = rgb.shape[:2]
    scale = min(1.0, WORKING_SIDE / max(h, w))
    if scale == 1.0:
        return rgb, 1.0
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    # Pixel skipping first makes the area filter 3-4x cheaper on 12 MP; there are still
    # several samples per output pixel.
    skip = max(1, int(1 / scale) // 3)
    return cv2.resize(rgb[::skip, ::skip], size, interpolation=cv2.INTER_AREA), scale


def detail_crop(rgb: np.ndarray, iris: Circle) -> Detail:
    """The full-resolution neighbourhood of `iris`, scaled so its radius ≤ DETAIL_RADIUS."""
    h, w = rgb.shape[:2]
    reach = 1.3 * iris.r + 4
    x0, y0 = max(0, int(iris.x - reach)), max(0, int(iris.y - reach))
    x1, y1 = min(w, int(iris.x + reach) + 1), min(h, int(iris.y + reach) + 1)
    scale = min(1.0, DETAIL_RADIUS / max(iris.r, 1.0))
    crop = rgb[y0:y1, x0:x1]
    if scale < 1.0:
        size = (max(1, round((x1 - x0) * scale)), max(1, round((y1 - y0) * scale)))
        crop = cv2.resize(crop, size, interpolation=cv2.INTER_AREA)
    return Detail(x0, y0, x1, y1, scale, edge_gray(crop), chroma(crop))


def chroma(rgb: np.ndarray) -> np.ndarray | None:
    """(h, w, 2) float32 CIE a*b* of an (h, w, 3) uint8 RGB image; None when it is grey."""
    if int(np.abs(rgb.astype(np.int16) - rgb[..., :1]).max()) <= 2:
        return None
    lab = to_lab(rgb)
    return np.ascontiguousarray(lab[..., 1:])


def refine(detail: Detail, found: Localisation, reach: float) -> Localisation:
    """Refine both circles on the detail crop (`found` and `reach` in detail pixels)."""
    image = prepare(detail.image, 1.0)
    iris = refine_limbus(image, found.iris.circle, reach, max(0.5, reach / 6))
    iris = refine_limbus(image, iris.circle, 1.0, 0.5)
    if not found.pupil_seen:
        return Localisation(iris, assumed_pupil(iris.circle), pupil_seen=False)
    pupil = refine_pupil(image, found.pupil.circle, reach, max(0.5, reach / 6))
    pupil = refine_pupil(image, pupil.circle, 1.0, 0.5)
    return Localisation(iris, pupil)


def full_mask(
    rgb: np.ndarray, detail: Detail, iris: Circle, pupil: Circle, prior: np.ndarray | None
) -> np.ndarray:
    """(H, W) bool visible iris at full resolution, computed on the detail crop; `prior`,
    the network's iris probability on the detail crop, joins in through `fuse.fuse`."""
    image = cv2.GaussianBlur(detail.image, (0, 0), 0.7)
    inset = detail.to_detail(iris.resized(LIMBUS_INSET))
    inner = detail.to_detail(pupil)
    colour = None if detail.colour is None else cv2.GaussianBlur(detail.colour, (0, 0), 0.7)
    small = visible_mask(image, inset, inner, colour)
    if prior is not None:
        small = fuse(small, inset, inner, prior)
    mask = np.zeros(rgb.shape[:2], bool)
    size = (detail.x1 - detail.x0, detail.y1 - detail.y0)
    if small.shape[::-1] != size:
        resized = cv2.resize(small.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR)
        small = resized >= 128
    mask[detail.y0 : detail.y1, detail.x0 : detail.x1] = small
    return mask


def prior_on_detail(iris_prob: np.ndarray, scale: float, detail: Detail) -> np.ndarray:
    """The working copy's (h, w) probability map resampled onto the detail crop."""
    ratio = scale / detail.scale  # working-copy pixels per detail pixel
    offset_x = 0.5 * ratio + detail.x0 * scale - 0.5  # pixel centres on both sides
    offset_y = 0.5 * ratio + detail.y0 * scale - 0.5
    to_small = np.array([[ratio, 0.0, offset_x], [0.0, ratio, offset_y]], np.float32)
    size = (detail.image.shape[1], detail.image.shape[0])
    flags = cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP
    return np.asarray(cv2.warpAffine(iris_prob, to_small, size, flags=flags), np.float32)


def classical(small: np.ndarray, scale: float) -> Localisation | None:
    """Classical localisation on the working copy, in full-resolution coordinates."""
    found = localise(edge_gray(small))
    if found is None:
        return None
    return Localisation(
        Found(found.iris.circle.scaled(1 / scale), found.iris.score),
        Found(found.pupil.circle.scaled(1 / scale), found.pupil.score),
        found.pupil_seen,
    )


def locate(rgb: np.ndarray, use_learned: bool) -> Located | None:
    """Iris and pupil circles (full-resolution pixels) and their source, or None.

    With `use_learned` and weights present, the learned boundaries must agree with the
    classical ones (see `arbitrate.cross_check`, which raises QualityIssue otherwise).
    """
    small, scale = working_copy(rgb)
    found = classical(small, scale)
    if use_learned:
        return cross_check(small, scale, found)
    return None if found is None else Located(found, "classical")


def outline(rgb: np.ndarray, located: Located) -> Segmentation:
    """Refine the boundaries on the detail crop and compute the full-resolution mask."""
    found, source = located.found, located.source
    detail = detail_crop(rgb, found.iris.circle)
    reach = max(2.0, 1.5 * detail.scale * max(rgb.shape[:2]) / WORKING_SIDE)
    coarse = Localisation(
        Found(detail.to_detail(found.iris.circle), found.iris.score),
        Found(detail.to_detail(found.pupil.circle), found.pupil.score),
        found.pupil_seen,
    )
    fine = refine(detail, coarse, reach)
    iris, pupil = detail.to_full(fine.iris.circle), detail.to_full(fine.pupil.circle)
    if fine.pupil_seen:
        pupil = fitted(rgb, tightened(rgb, pupil))
    prior, contact, outside = None, 0.0, 0.0
    if located.iris_prob is not None:
        prior = prior_on_detail(located.iris_prob, located.scale, detail)
        contact = edge_contact(located.iris_prob, iris.r * located.scale)
        outside = beyond(located.iris_prob, iris.scaled(located.scale))
    mask = full_mask(rgb, detail, iris, pupil, prior)
    unseen = 0.0 if located.iris_prob is None else unbacked(located.iris_prob, mask)
    return Segmentation(
        iris,
        pupil,
        mask,
        fine.iris.score,
        fine.pupil.score,
        source,
        fine.pupil_seen,
        contact,
        outside,
        unseen,
    )


def segment(rgb: np.ndarray, use_learned: bool) -> Segmentation | None:
    """Segment the eye in an (H, W, 3) uint8 RGB photo; None when no iris is found."""
    located = locate(rgb, use_learned)
    return None if located is None else outline(rgb, located)
