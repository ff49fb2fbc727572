"""What covers the iris in the crop: lids and lashes, never to be printed as iris.

The visible-iris mask says where the iris shows. What it leaves out of the ring is covered
where it reaches the limbus (lids, and sclera or skin inside a circle a little too large).
Its holes inside the iris are the iris's own dark crypts and pale fibres that its noise test
flags, and glints (which reflections.py finds): completing them repainted real iris. Two
things are added to the lids, both measured on MMU (whose masks leave lids and lashes out):
  - a margin along each lid (LID_MARGIN of the iris radius): a lid's edge is soft and the
    mask's boundary a pixel or two off, which prints as a dark rim of lid (MMU test, share
    of the disc printed as lid, bench/images/art.py: median 0.97 % at 0.04, 0.71 % at 0.07);
  - lashes hanging from a lid over the visible iris: thin, dark strokes (a black-hat at
    LASH_WIDTH of the iris radius, LASH_STEP robust spreads above the iris texture's) that
    touch the lid, or the top of the limbus where the lid lies along it without covering
    the iris; dark crypts elsewhere in the iris do not touch either and stay.
"""

from __future__ import annotations

import cv2
import numpy as np

from irisd.pipeline.geometry import round_kernel
from irisd.pipeline.segment.eyelids import far_in_colour

WORK_RADIUS = 200.0  # iris radius (px) of the copy the masks are worked out on
EDGE_REACH = 0.06  # iris radii: how far the visible mask is carried to the ring's edges
IRIS_TOP = 99.0  # ... where not far lighter than this percentile of the iris shown
SCLERA_STEP = 0.5  # ... plus this share of its height above the iris median (a dark iris's
# soft blend into the sclera stays; hiding it left a thin rim that filled dark)
LID_AREA = 0.01  # a covered part this large (share of the ring) at the limbus is a lid
LID_MARGIN = 0.07  # iris radii of a lid's edge also taken as covered
LASH_WIDTH = 0.08  # iris radii: the black-hat's width (wider than a lash, narrower than a crypt)
LASH_STEP = 3.0  # robust spreads of the black-hat over the iris that make a lash
# A lid may lie along the limbus without entering the ring; lashes hanging from it enter
# through the ring's outer band (RIM iris radii) above the centre (by UPPER iris radii).
RIM = 0.06
UPPER = 0.3


def covered(
    grey: np.ndarray,
    visible: np.ndarray,
    ring: np.ndarray,
    radius: float,
    chroma: np.ndarray | None = None,
) -> np.ndarray:
    """(S, S) bool: the part of the `ring` that lids and lashes cover, from the visible-iris
    mask `visible`, the crop's (S, S) float32 `grey` levels and, in a colour photo, its
    (S, S, 2) float32 a*b* `chroma`; `radius` in crop pixels. Worked out at most at
    WORK_RADIUS px of iris radius (lashes are wider than a pixel there too)."""
    scale = min(1.0, WORK_RADIUS / max(radius, 1.0))
    if scale < 1.0:
        size = (max(1, round(grey.shape[1] * scale)), max(1, round(grey.shape[0] * scale)))
        small = covered(
            cv2.resize(grey, size, interpolation=cv2.INTER_AREA),
            _resized_mask(visible, size),
            _resized_mask(ring, size),
            radius * scale,
            None if chroma is None else cv2.resize(chroma, size, interpolation=cv2.INTER_AREA),
        )
        return np.asarray(_resized_mask(small, grey.shape[::-1]) & ring, bool)
    shown = _to_edges(grey, visible, ring, radius, chroma)
    edge, lids = _at_limbus(ring & ~shown, ring, radius)
    margin = round_kernel(LID_MARGIN * radius)
    near_lid = cv2.dilate(lids.astype(np.uint8), margin) > 0
    edge |= near_lid
    lashes = _lashes(grey, shown & ~edge, ring & ~edge, near_lid | _upper_rim(ring, radius), radius)
    return np.asarray(ring & (edge | lashes), bool)


def _resized_mask(mask: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    resized = cv2.resize(mask.astype(np.uint8) * 255, size, interpolation=cv2.INTER_LINEAR)
    return np.asarray(resized >= 128, bool)


def _to_edges(
    grey: np.ndarray,
    mask: np.ndarray,
    ring: np.ndarray,
    radius: float,
    chroma: np.ndarray | None = None,
) -> np.ndarray:
    """The mask carried to the ring's edges: it stops a little inside the limbus and outside
    the pupil on purpose (segment.LIMBUS_INSET), which is iris all the same and must not be
    completed all the way round. Not where the band is far lighter than the iris shown (its
    IRIS_TOP percentile, plus half its height above the median): that is sclera inside a circle
    a little too large, and would print as a pale rim and be copied into the completed parts.
    Nor, in a colour photo, where the band's a*b* is far from the iris shown (eyelids'
    colour test): the pink skin of a lower lid that only grazes the circle. The soft blend of
    a dark iris into the sclera stays."""
    kernel = round_kernel(EDGE_REACH * radius)
    edges = ring & ~cv2.erode(ring.astype(np.uint8), kernel).astype(bool)
    grown = cv2.dilate(mask.astype(np.uint8), kernel).astype(bool)
    if mask.any():
        middle, top = np.percentile(grey[mask], [50, IRIS_TOP])
        edges &= grey <= top + SCLERA_STEP * (top - middle)
        if chroma is not None:
            edges &= ~_off_colour(chroma, mask)
    return np.asarray((mask | (grown & edges)) & ring, bool)


def _off_colour(chroma: np.ndarray, iris: np.ndarray) -> np.ndarray:
    """(S, S) bool: pixels whose a*b* is far from the `iris` pixels' median (eyelids' test)."""
    distance = np.linalg.norm(chroma - np.median(chroma[iris], axis=0), axis=2)
    return far_in_colour(distance, distance[iris])


def _at_limbus(holes: np.ndarray, ring: np.ndarray, radius: float) -> tuple[np.ndarray, np.ndarray]:
    """The `holes` that reach the limbus, and those of them that are lids: large too."""
    count, labels, stats, _ = cv2.connectedComponentsWithStats(holes.astype(np.uint8))
    limbus = ring & ~cv2.erode(ring.astype(np.uint8), round_kernel(0.05 * radius)).astype(bool)
    at_limbus = np.zeros(count, bool)
    at_limbus[np.unique(labels[limbus & holes])] = True
    at_limbus[0] = False
    large = stats[:, cv2.CC_STAT_AREA] >= LID_AREA * max(1, int(ring.sum()))
    return np.asarray(at_limbus[labels], bool), np.asarray((at_limbus & large)[labels], bool)


def _upper_rim(ring: np.ndarray, radius: float) -> np.ndarray:
    """The `ring`'s outer band (RIM of the iris `radius`) above its centre: where lashes
    hanging from a lid that lies along the limbus enter the iris."""
    ys, xs = np.nonzero(ring)
    if len(ys) == 0:
        return ring
    cy, cx = (ys.min() + ys.max()) / 2, (xs.min() + xs.max()) / 2
    yy, xx = np.mgrid[0 : ring.shape[0], 0 : ring.shape[1]]
    far = np.hypot(yy - cy, xx - cx) >= (1 - RIM) * radius
    return np.asarray(ring & far & (yy < cy - UPPER * radius), bool)


def _lashes(
    grey: np.ndarray, shown: np.ndarray, iris: np.ndarray, lids: np.ndarray, radius: float
) -> np.ndarray:
    """Dark thin strokes in the `iris` that hang from `lids` (where lids cover the ring or
    meet it), measured against the texture `shown`."""
    if not shown.any():
        return np.zeros(shown.shape, bool)
    dark = cv2.morphologyEx(grey, cv2.MORPH_BLACKHAT, round_kernel(LASH_WIDTH * radius / 2))
    values = dark[shown]
    centre = float(np.median(values))
    spread = 1.4826 * float(np.median(np.abs(values - centre))) + 1.0
    strokes = (dark > centre + LASH_STEP * spread) & (iris | lids)
    count, labels = cv2.connectedComponents(strokes.astype(np.uint8))
    hanging = np.zeros(count, bool)
    hanging[np.unique(labels[strokes & lids])] = True
    hanging[0] = False
    return np.asarray(hanging[labels] & iris, bool)
