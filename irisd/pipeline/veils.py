"""Veils: the smooth, semi-transparent light a window or lamp lays over the iris.

The iris texture still shows through a veil, lifted and greyed, so it is taken off (the
light subtracted, in its own colour) rather than painted over. Found on the rubber sheet
(sheet.py): the iris's expected colour at each place is its median colour at the same place
between pupil and limbus all round, and what every channel has above that is added light.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from irisd.pipeline.geometry import masked_blur
from irisd.pipeline.sheet import Sheet

# The step that makes a veil, grey levels: FLOOR plus SHARE of the iris's median level (a
# veil over a light iris must lift it further to stand out from its natural variation).
FLOOR = 6.0
SHARE = 0.15
GREYER = 0.85  # a veil greys the iris: its saturation at most this share of the iris's
GLINT_SHARE = 0.5  # a blob this much glint is that glint
AREA = 0.01  # least blob, share of the iris disk
SIGMA = 0.02  # smoothing, iris radii
WIDE = 0.5  # light varying slower than this (iris radii) is no veil
EDGE = 0.25  # a veil's edge rises at least this share of its lift per pixel
# A glint's halo (see `haze`): rings HAZE_BIN iris radii wide out to HAZE_REACH, measured
# against the HAZE_FAR beyond; HAZE_STEP grey levels above that next to the glint, rising by
# at most HAZE_RISE from one ring to the next outwards; HAZE_PIXELS per ring at least.
# Measured on the ring light's halos of colour-dev's clinic-brown photos: 23-50 grey levels
# in the first ring, 0.43-0.67 of that in the third (HAZE_KEPT), 0.14-0.33 in the sixth
# (HAZE_GONE); in bench/images/reflections.py a pasted glint's soft edge keeps <= 0.27 in the third,
# a lighter zone of the iris >= 0.78, a window's side light >= 0.43 in the sixth.
HAZE_BIN = 0.04
HAZE_REACH = 0.4
HAZE_FAR = 0.12
HAZE_STEP = 22.0
HAZE_KEPT = (0.3, 0.75)
HAZE_GONE = 0.4
HAZE_RISE = 3.0
HAZE_PIXELS = 30
HAZE_GLINT = 0.005  # glints of at least this share of the iris disk cast one
LIGHT_PIXELS = 50  # veiled pixels needed to tell the light's colour
MAX_TINT = 2.0  # a channel of the light at most this many times its least


def find(
    rgb: np.ndarray,
    area: np.ndarray,
    sheet: Sheet,
    glints: np.ndarray,
    added: Added | None = None,
) -> np.ndarray:
    """Light laid over parts of the iris, (h, w) float32 grey levels of its least channel
    (`light_colour` gives the others), in the working copy `rgb` (h, w, 3) float32 where
    `area` (h, w) bool is the seen iris and pupil and `glints` (h, w) bool the glints
    already found.

    Kept where it is a clear step (FLOOR + SHARE of the iris level) over a blob
    of at least AREA of the iris that is greyer than the iris and sharp-edged: natural
    variation of a coloured iris lifts its channels unequally, and a lighter zone of the
    iris fades in where a window's reflection starts at an edge. `added` is
    `added_light(rgb, area, sheet)` where the caller has it already.
    """
    found = added if added is not None else added_light(rgb, area, sheet)
    lift, level = found.lift, found.level
    radius = sheet.iris.r
    sigma = max(1.0, SIGMA * radius)
    amount = cv2.GaussianBlur(cv2.medianBlur(lift, 5), (0, 0), sigma)
    # Found without the light that varies slower than WIDE iris radii (a lamp to one
    # side, the NIR illuminator): that is lighting, not a reflection.
    weight = area.astype(np.float32)
    wide = max(2.0, WIDE * radius)
    slow = masked_blur(lift, area, wide)
    fine = cv2.medianBlur(np.asarray((lift - slow) * weight, np.float32), 5)
    smooth = cv2.GaussianBlur(fine, (0, 0), sigma)
    step = FLOOR + SHARE * level
    labels, keep = _blobs(rgb, (smooth > step) & area, area, glints, (fine, smooth), radius)
    if not keep[1:].any():
        return np.zeros(area.shape, np.float32)
    # Half the step comes off everywhere the veil reaches, feathered, so that no edge is
    # drawn where the estimate crosses the threshold.
    reach = cv2.GaussianBlur(keep[labels].astype(np.float32), (0, 0), 3 * sigma)
    return np.asarray(np.maximum(amount - step / 2, 0) * np.minimum(1.0, 2 * reach), np.float32)


def _blobs(
    rgb: np.ndarray,
    veiled: np.ndarray,
    area: np.ndarray,
    glints: np.ndarray,
    lift: tuple[np.ndarray, np.ndarray],
    radius: float,
) -> tuple[np.ndarray, np.ndarray]:
    """The blobs of `veiled` (labels) and which of them are veils (see `find`). A blob that
    is mostly `glints` is that glint and its glow: as a veil, its feathered edge would
    spread over the texture around it."""
    fine, smooth = lift
    count, labels, stats, _ = cv2.connectedComponentsWithStats(veiled.astype(np.uint8))
    top = rgb.max(axis=2)
    saturation = (top - rgb.min(axis=2)) / np.maximum(top, 1.0)
    sizes = np.maximum(stats[:, cv2.CC_STAT_AREA], 1)
    iris_saturation = float(np.median(saturation[area]))
    greyer = np.bincount(labels.ravel(), saturation.ravel(), count) / sizes <= (
        GREYER * iris_saturation
    )
    big = stats[:, cv2.CC_STAT_AREA] >= AREA * np.pi * radius * radius
    glint = np.bincount(labels.ravel(), glints.ravel().astype(np.float64), count) / sizes
    keep = big & greyer & (glint < GLINT_SHARE) & _sharp(fine, smooth, labels, count)
    keep[0] = False
    return labels, keep


@dataclass(frozen=True)
class Added:
    """What every channel of the working copy has above the iris's expected colour (see
    `added_light`): `excess` (h, w, 3) float32, its least channel `lift` (h, w) float32 (0
    outside the area), and the iris's median grey level."""

    excess: np.ndarray
    lift: np.ndarray
    level: float


def added_light(rgb: np.ndarray, area: np.ndarray, sheet: Sheet) -> Added:
    """The light added over the iris's expected colour at each `area` pixel (see
    `_expected`)."""
    excess = np.zeros(rgb.shape, np.float32)
    expected = _expected(rgb, area, sheet, area)
    if expected is None:
        return Added(excess, excess[..., 0], 0.0)
    excess[area] = rgb[area] - expected
    return Added(excess, excess.min(axis=2), float(np.median(expected.mean(axis=1))))


def light_colour(added: Added, area: np.ndarray, veil: np.ndarray) -> np.ndarray:
    """(3,) float32: how much each channel of the veil's light is lifted per grey level of
    the veil (its least channel, 1): a ring light is bluer than the daylight the photo is
    balanced to, and what its least channel leaves behind prints as a lavender haze.
    Measured where the veil is at least half its strongest; (1, 1, 1) where there is too
    little veil to tell."""
    neutral = np.ones(3, np.float32)
    strongest = float(veil.max(initial=0.0))
    strong = area & (veil >= 0.5 * strongest)
    if strongest <= 0.0 or strong.sum() < LIGHT_PIXELS:
        return neutral
    excess = added.excess[strong]
    least = np.maximum(excess.min(axis=1), 1.0)
    ratio = np.median(excess / least[:, None], axis=0)
    return np.asarray(np.clip(ratio, 1.0, MAX_TINT), np.float32)


def _expected(rgb: np.ndarray, area: np.ndarray, sheet: Sheet, at: np.ndarray) -> np.ndarray | None:
    """(N, 3) float32: the iris's expected colour at each `at` pixel (row-major order), the
    median of the `area` pixels along its row of the rubber sheet (the same position between
    pupil and limbus all round); None with no iris on the sheet."""
    polar = sheet.unwrap(rgb)
    inside = sheet.unwrap(area.astype(np.float32)) > 0.99
    seen = inside.any(axis=1)  # rows with iris on them
    if not seen.any():
        return None
    known = np.nanmedian(np.where(inside[seen, :, None], polar[seen], np.nan), axis=1)
    # A row with no iris fully on it (a thin band beside an off-centre pupil) takes its
    # neighbours' colour, not black: black would make all its iris look lit.
    rows_seen = np.flatnonzero(seen)
    every = np.arange(sheet.rows)
    profile = np.stack([np.interp(every, rows_seen, known[:, c]) for c in range(3)], axis=1)
    ys, xs = np.nonzero(at)
    rows, _ = sheet.locate(xs.astype(np.float64), ys.astype(np.float64))
    return np.asarray(profile[np.clip(np.round(rows).astype(int), 0, sheet.rows - 1)], np.float32)


def _sharp(fine: np.ndarray, smooth: np.ndarray, labels: np.ndarray, count: int) -> np.ndarray:
    """Per blob: whether its edge is a step (mean gradient along it at least EDGE of
    the blob's mean lift per pixel) rather than a slope."""
    gx = cv2.Sobel(fine, cv2.CV_32F, 1, 0, ksize=3) / 8
    gy = cv2.Sobel(fine, cv2.CV_32F, 0, 1, ksize=3) / 8
    gradient = cv2.GaussianBlur(np.hypot(gx, gy), (0, 0), 1.0)
    blobs = labels.astype(np.uint8) if count < 256 else (labels > 0).astype(np.uint8)
    kernel = np.ones((5, 5), np.uint8)
    edge = (cv2.dilate(blobs, kernel) != cv2.erode(blobs, kernel)) & (labels > 0)
    sizes = np.maximum(np.bincount(labels.ravel(), minlength=count), 1)
    lift = np.bincount(labels.ravel(), smooth.ravel(), count) / sizes
    edges = np.maximum(np.bincount(labels[edge], minlength=count), 1)
    slope = np.bincount(labels[edge], gradient[edge], count) / edges
    return np.asarray(slope >= EDGE * np.maximum(lift, 1.0), bool)


def haze(lift: np.ndarray, area: np.ndarray, glints: np.ndarray, radius: float) -> np.ndarray:
    """The glare's halo: light a glint spreads over the iris around it, fading with distance
    from it, (h, w) float32 grey levels to subtract, 0 where there is none.

    Per glint of HAZE_GLINT of the iris disk at least, the median `lift` (added_light) of
    the `area` in rings HAZE_BIN iris radii wide out to HAZE_REACH, over its level further
    out: a halo is HAZE_STEP above that next to the glint and falls off gradually and
    steadily (see `_profile`); the iris's own lighter zones and crypts do not. Only that
    profile comes off, so the texture under it stays; over the pupil too (left there, the
    halo drew a pale edge along the pupil's rim: colour-dev IMG_1028, IMG_1041). The glints
    of bench/images/reflections.py (pasted without a halo) cast none: glint precision 0.903 as
    before.
    """
    out = np.zeros(area.shape, np.float32)
    count, labels = cv2.connectedComponents(glints.astype(np.uint8))
    edges = np.arange(0.0, HAZE_REACH + HAZE_FAR + 1e-6, HAZE_BIN) * radius
    least = HAZE_GLINT * np.pi * radius * radius
    for index in range(1, count):
        if np.count_nonzero(labels == index) < least:
            continue
        away = cv2.distanceTransform((labels != index).astype(np.uint8), cv2.DIST_L2, 5)
        profile = _profile(lift, area & ~glints, away, edges)
        if profile is None:
            continue
        centres = (edges[:-1] + edges[1:]) / 2
        near = area & ~glints & (away < HAZE_REACH * radius)
        out[near] = np.maximum(out[near], np.interp(away[near], centres, profile, right=0.0))
    return out


def _profile(
    lift: np.ndarray, area: np.ndarray, away: np.ndarray, edges: np.ndarray
) -> np.ndarray | None:
    """The halo's lift at each ring of `edges` (px from the glint), non-increasing and 0 at
    HAZE_REACH, or None where the rings show no halo (see `haze`)."""
    bins = np.digitize(away, edges) - 1
    inside = area & (bins >= 0) & (bins < len(edges) - 1)
    medians = []
    for ring in range(len(edges) - 1):
        values = lift[inside & (bins == ring)]
        if values.size < HAZE_PIXELS:
            return None
        medians.append(float(np.median(values)))
    rings = round(HAZE_REACH / HAZE_BIN)
    raised = np.asarray(medians[:rings]) - float(np.median(medians[rings:]))
    # A halo fades gradually (convex, as scattered light does): two rings out it still
    # has HAZE_KEPT of its lift. The soft edge of a glint alone is gone by then; a lighter
    # zone of the iris around it stays near its level. And 0.2 iris radii out, no more than
    # HAZE_GONE (a halo is a glint's, not the light of the whole side).
    kept, gone = raised[[2, 5]] / max(float(raised[0]), 1.0)
    if raised[0] < HAZE_STEP or not HAZE_KEPT[0] <= kept <= HAZE_KEPT[1] or gone > HAZE_GONE:
        return None
    # It falls off as far as no ring rises more than HAZE_RISE over the one inside it
    # (beyond, other light: a lid's, a lighter zone); by then to half its lift at least.
    rises = np.flatnonzero(np.diff(raised) > HAZE_RISE)
    cut = int(rises[0]) + 1 if rises.size else rings
    profile = np.minimum.accumulate(raised[:cut])
    if profile[-1] > raised[0] / 2:
        return None
    # Measured from where it stops, so that nothing is taken off past it.
    profile = np.maximum(profile - max(float(profile[-1]), 0.0), 0.0)
    return np.asarray(np.concatenate([profile, np.zeros(len(medians) - cut)]), np.float32)
