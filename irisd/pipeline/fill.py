"""Texture-keeping fill of iris holes (glints, lids, lashes) in the iris's own polar frame.

The crop is unwrapped onto a rubber sheet (Daugman): rows run from the pupil centre to the
pupil boundary and then from the pupil boundary to just past the limbus, columns around the
circle. Iris fibres run along the columns, so a hole is best filled from the same rows
further round: each hole copies a patch of the photo's own texture from the place around
the circle whose surroundings match the hole's edge best (image quilting's choice, in the
polar frame), and a smooth correction taken at the hole's edge matches the patch to its
surroundings (a seam-free copy, not a smooth interpolation, so the filled part keeps the
texture's grain at print size). The sheet is then wrapped back and pasted only into the
holes.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from irisd.pipeline.geometry import Circle
from irisd.pipeline.sheet import Sheet

GAP = 2  # columns between a hole and the patch copied into it
EDGE = 3  # columns and rows of intact pixels around a hole that set its correction
MAX_SPAN = 0.08  # share of the circle one copy fills at most (wider holes go in slices)
FEATHER = 0.01  # iris radii (at least 2 px) over which a fill fades into the photo
BLEND = 0.25  # share of a slice's width over which it fades into the slice filled before
# Sources are tried every SOURCE_STEP of the hole's width around the circle; one must hold
# the photo's own texture under at least MIN_SOURCE of what is left of the hole, and one
# copied from before costs up to REUSE times more. Copying from the slice filled just before
# (the old rule: the nearest side) repeated one motif slice after slice across a lid
# (colour-dev review: "repeated crypt motifs", "seamed wedges"); a lid often leaves too
# little texture at its radii to never copy a place twice.
SOURCE_STEP = 0.25
MIN_SOURCE = 0.5
REUSE = 3.0
PASSES = 3  # places copied from, each for what the one before could not cover
SIDES = 4  # then copies from beside the hole: the nearer side, the other, twice as far
SOURCES = 96  # places tried at most (a glint's width would make it thousands)
SAMPLE = 800  # cells of a hole, and of its edge, that judge a place


def polar_fill(crop: np.ndarray, holes: np.ndarray, iris: Circle, pupil: Circle) -> np.ndarray:
    """Fill `holes` (S, S) bool of an (S, S, 3) uint8 crop; circles in crop pixels.

    Returns a new (S, S, 3) uint8 array equal to `crop` outside the holes and the thin
    band around them where the fill fades into it.
    """
    out = crop.copy()
    if not holes.any():
        return out
    # The copy also covers a thin band around each hole and fades into the photo across
    # it, so that no seam is drawn where copy and photo meet.
    feather = max(2.0, FEATHER * iris.r)
    outside = cv2.distanceTransform((~holes).astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.clip(1.0 - outside / feather, 0.0, 1.0)
    covered = weight > 0
    sheet = Sheet(iris, pupil)
    polar = sheet.unwrap(crop.astype(np.float32))
    missing = sheet.unwrap(covered.astype(np.float32)) > 0.01
    iris_rows = np.arange(sheet.rows) < sheet.limbus_row
    filled = fill_sheet(polar, missing, np.broadcast_to(iris_rows[:, None], missing.shape))
    values = sheet.wrap(filled, covered)
    share = weight[covered][:, None]
    mixed = values * share + crop[covered].astype(np.float32) * (1.0 - share)
    out[covered] = np.clip(mixed + 0.5, 0, 255).astype(np.uint8)
    return out


def fill_sheet(polar: np.ndarray, missing: np.ndarray, iris: np.ndarray) -> np.ndarray:
    """Fill the `missing` (rows, columns) bool cells of a (rows, columns, C) float32 sheet;
    only `iris` (rows, columns) bool cells may match a copy to its surroundings."""
    # Start the columns where the fewest cells are missing, so few holes cross the seam.
    seam = int(np.argmin(missing.sum(axis=0)))
    polar, missing = np.roll(polar, -seam, axis=1), np.roll(missing, -seam, axis=1)
    iris = np.roll(iris, -seam, axis=1)
    out = polar.copy()
    photo = ~missing  # the photo's own texture: where a copy may come from
    used = np.zeros(missing.shape, bool)  # ... and where one came from already
    filled = np.zeros(missing.shape, bool)
    _, labels, stats, _ = cv2.connectedComponentsWithStats(missing.astype(np.uint8), connectivity=8)
    # Small holes (glints) first, from the photo's texture: a lid-sized hole then copies
    # through them instead of taking flat row medians where they block its sources.
    order = np.argsort(stats[1:, cv2.CC_STAT_AREA]) + 1
    span = max(8, round(MAX_SPAN * polar.shape[1]))
    for index in order:
        for chunk in _chunks(labels == index, stats[index, :4], span):
            x, y, w, h = cv2.boundingRect(chunk.astype(np.uint8))
            _copy_patch(out, missing, iris, (photo, used), chunk, (x, y, w, h), filled)
            filled |= chunk
    return np.roll(out, seam, axis=1)


def _chunks(hole: np.ndarray, box: np.ndarray, span: int) -> list[np.ndarray]:
    """A hole wider than `span` columns in column slices of at most that width, from both
    ends inwards: each slice copies from texture beside it (the photo's, or a slice filled
    just before), where one wide copy would reach past the next hole or back into itself
    and leave flat row medians (a lid covers a third of the circle)."""
    x, _, w, _ = (int(v) for v in box)
    if w <= span:
        return [hole]
    count = math.ceil(w / span)
    edges = np.linspace(x, x + w, count + 1).round().astype(int)
    slices = []
    for i in range(count):
        part = np.zeros_like(hole)
        part[:, edges[i] : edges[i + 1]] = hole[:, edges[i] : edges[i + 1]]
        slices.append(part)
    inward = [slices[i // 2] if i % 2 == 0 else slices[-1 - i // 2] for i in range(count)]
    return [part for part in inward if part.any()]


def _copy_patch(
    out: np.ndarray,
    missing: np.ndarray,
    iris: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray],
    hole: np.ndarray,
    box: tuple[int, int, int, int],
    filled: np.ndarray,
) -> None:
    """Fill one hole of `out` in place: from the best-matching places of the photo's own
    texture (`_best_source`, up to PASSES of them, each for what the last left; `sources`
    is the photo's cells and those copied from before, updated), then from beside it (the
    nearer side first, then the other, then twice as far); cells no copy reaches take the
    row's median. Each copy is matched to the cells around what it fills, those filled by
    the copies before it included. The first copy also fades into the `filled` cells
    (slices of the same hole filled before, where its source is intact) across BLEND of
    the slice's width, so that two copies meet without a step."""
    x, y, w, h = box
    columns = out.shape[1]
    rows = slice(max(0, y - EDGE), min(out.shape[0], y + h + EDGE))
    block = out[rows]
    sigma = max(2.0, min(w, h) / 3)
    # The hole's columns and those its correction and fade reach, where the copies are
    # matched, blended and pasted (a whole sheet per copy cost a 12 MP photo 0.3 s).
    pad = EDGE + math.ceil(3 * sigma + BLEND * w)
    window = np.arange(x - pad, x - pad + min(columns, w + 2 * pad)) % columns
    todo = hole[rows][:, window]
    intact = ~missing[rows]
    photo, used = sources[0][rows], sources[1][rows]
    earlier: np.ndarray | None = filled[rows][:, window]
    for number in range(PASSES + SIDES):
        anchors = intact & iris[rows]
        if number < PASSES:
            source = _best_source(block, anchors, (photo, used), todo, window, x + w / 2, w)
            if source is None:
                continue
            usable = todo & photo[:, source[window]]
            ys, xs = np.nonzero(usable)
            used[ys, source[window][xs]] = True
        else:
            shifts = _sides(intact, todo, window, w + GAP)
            if number - PASSES >= len(shifts):
                break
            source = _shifted(shifts[number - PASSES], columns)
            usable = todo & intact[:, source[window]]
        near = block[:, window]
        copied = _corrected_copy(block, anchors, todo, source[window], window, sigma)
        if earlier is not None:
            _fade_into(near, copied, todo, earlier & intact[:, source[window]], w)
            earlier = None
        near[usable] = copied[usable]
        block[:, window] = near
        todo &= ~usable
        intact[:, window] |= usable
        if not todo.any():
            break
    if todo.any():
        ys, xs = np.nonzero(todo)
        block[ys, window[xs]] = _row_median(block, intact)[ys]
    missing[rows] &= ~hole[rows]


def _fade_into(
    block: np.ndarray, copied: np.ndarray, hole: np.ndarray, earlier: np.ndarray, width: int
) -> None:
    """Blend `copied` into the `earlier` filled cells of `block` next to the `hole`, from
    all of it at the hole's edge to none BLEND * `width` columns away (in place)."""
    reach = BLEND * width
    if reach < 1 or not earlier.any():
        return
    away = cv2.distanceTransform((~hole).astype(np.uint8), cv2.DIST_L2, 3)
    weight = np.clip(1.0 - away / reach, 0.0, 1.0) * earlier
    band = weight > 0
    share = weight[band][:, None]
    block[band] = copied[band] * share + block[band] * (1.0 - share)


def _best_source(
    block: np.ndarray,
    anchors: np.ndarray,
    sources: tuple[np.ndarray, np.ndarray],
    hole: np.ndarray,
    window: np.ndarray,
    centre: float,
    width: int,
) -> np.ndarray | None:
    """The source columns (a map, see `_shifted`) whose copy of the photo's texture
    (`sources`: its cells, and those copied from before) covers the `hole` (in the sheet's
    `window` columns, `width` wide about column `centre`) and whose texture
    around the hole's edge differs least from the edge's own (variance of the difference,
    over theirs: the correction takes out its mean; up to REUSE times more for a place
    copied before), or None when no place qualifies. Places are tried shifted round the
    circle and mirrored (fibres are radial, so a mirrored copy is as natural, and a lid's
    hole has twice the sources)."""
    columns = block.shape[1]
    photo, used = sources
    ys, xs = _sample(np.nonzero(hole))
    kernel = np.ones((2 * EDGE + 1, 2 * EDGE + 1), np.uint8)
    edge = (cv2.dilate(hole.astype(np.uint8), kernel) > 0) & ~hole & anchors[:, window]
    ey, ex = _sample(np.nonzero(edge))
    if len(ey) < 8:
        return None
    xs, ex = window[xs], window[ex]  # sheet columns from here on
    step = max(1, round(SOURCE_STEP * width), columns // SOURCES)
    offsets = np.arange(width + GAP, columns - width - GAP + 1, step)
    if len(offsets) == 0:
        return None
    # Every place at once, (places, cells) source columns: shifted, column c copies
    # c - offset; then mirrored about the hole's centre, 2 centre - offset - c.
    zero = np.zeros(len(offsets), np.int64)
    shifts = np.concatenate([offsets, zero])[:, None]
    signs = np.concatenate([zero + 1, zero - 1])[:, None]
    bases = np.concatenate([zero, np.round(2 * centre - offsets).astype(np.int64)])[:, None]
    hole_sources = (bases + signs * xs[None, :] - shifts) % columns
    edge_sources = (bases + signs * ex[None, :] - shifts) % columns
    usable = photo[ey[None, :], edge_sources]
    counts = usable.sum(axis=1)
    fit = (photo[ys[None, :], hole_sources].mean(axis=1) >= MIN_SOURCE) & (counts >= 8)
    if not fit.any():
        return None
    weight = usable[fit].astype(np.float32)
    weight /= np.maximum(counts[fit], 1)[:, None]
    target = block[ey, ex]
    copy = block[ey[None, :], edge_sources[fit]]

    def spread(values: np.ndarray) -> np.ndarray:
        """Per place: the channels' variance over its usable edge cells, summed."""
        terms = "kc,kcj->k" if values.ndim == 3 else "kc,cj->k"
        mean = np.einsum(terms.replace("->k", "->kj"), weight, values)
        return np.asarray(np.einsum(terms, weight, values * values) - (mean * mean).sum(1))

    # over the two textures' own variance, or a flat place would match best
    mismatch = spread(target - copy) / (spread(target) + spread(copy) + 1e-6)
    reused = used[ys[None, :], hole_sources[fit]].mean(axis=1)
    best = int(np.argmin(mismatch * (1 + REUSE * reused)))
    return np.asarray(
        (bases[fit][best] + signs[fit][best] * np.arange(columns) - shifts[fit][best]) % columns
    )


def _sample(cells: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """At most about SAMPLE of the (rows, columns) `cells`, evenly spread: a place's
    coverage and match are shares and means, and a lid's hole on a 12 MP photo has
    hundreds of thousands of cells to look up for each of its hundreds of places."""
    step = max(1, len(cells[0]) // SAMPLE)
    return tuple(axis[::step] for axis in cells)


def _shifted(offset: int, columns: int) -> np.ndarray:
    """The source column of each column for a copy from `offset` columns back."""
    return np.asarray((np.arange(columns) - offset) % columns)


def _sides(intact: np.ndarray, hole: np.ndarray, window: np.ndarray, shift: int) -> list[int]:
    """Column offsets to copy from, the side with more intact cells under the `hole` (in the
    sheet's `window` columns) first."""
    columns = intact.shape[1]
    near = sorted(
        (shift, -shift),
        key=lambda s: -int((intact[:, (window - s) % columns] & hole).sum()),
    )
    far = [2 * s for s in near]
    return [s % columns for s in near + far if 0 < abs(s) < columns]


def _corrected_copy(
    block: np.ndarray,
    anchors: np.ndarray,
    hole: np.ndarray,
    source: np.ndarray,
    window: np.ndarray,
    sigma: float,
) -> np.ndarray:
    """The block's `source` columns for its `window` columns (one source per window column),
    plus a smooth correction that matches them to the intact iris cells around the `hole`
    (in window columns; target minus copy there, spread by normalised blur):
    (rows, len(window), C)."""
    copy = block[:, source]
    copy_ok = anchors[:, source]
    target, anchors = block[:, window], anchors[:, window]
    kernel = np.ones((2 * EDGE + 1, 2 * EDGE + 1), np.uint8)
    near = cv2.dilate(hole.astype(np.uint8), kernel) > 0
    known = (near & ~hole & anchors & copy_ok).astype(np.float32)
    diff = (target - copy) * known[:, :, None]
    weight = _blur(known, sigma)[:, :, None]
    spread = _blur(diff, sigma).reshape(diff.shape) / np.maximum(weight, 1e-3)
    return np.asarray(copy + np.where(weight > 1e-3, spread, 0.0), np.float32)


def _blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Gaussian blur; a wide one runs on a copy reduced to about 4 px per sigma (the result
    is smooth at that scale anyway, and a lid-sized hole would take half a second)."""
    factor = sigma / 4.0
    if factor <= 2.0:
        return np.asarray(cv2.GaussianBlur(image, (0, 0), sigma))
    h, w = image.shape[:2]
    size = (max(1, round(w / factor)), max(1, round(h / factor)))
    small = cv2.GaussianBlur(cv2.resize(image, size, interpolation=cv2.INTER_AREA), (0, 0), 4.0)
    return np.asarray(cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR))


def _row_median(block: np.ndarray, intact: np.ndarray) -> np.ndarray:
    """(rows, C) median of each row's intact cells (the block's median where a row has none)."""
    fallback = np.median(block[intact], axis=0) if intact.any() else block.mean(axis=(0, 1))
    medians = np.empty((block.shape[0], block.shape[2]), np.float32)
    for r in range(block.shape[0]):
        cells = block[r][intact[r]]
        medians[r] = np.median(cells, axis=0) if len(cells) else fallback
    return medians
