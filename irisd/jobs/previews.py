"""Light images for gallery tiles: a result's preview and the same iris square of its original.

A 2048² PNG result and a full original weigh megabytes; a tile is about 300 px wide. So when a
result is stored, two WebPs of at most `SIDE` px are stored beside it: the result (`after`) and
the original cut to the result's square (`before`), found from the job's mask as the result was
(the iris's widest row gives its centre height and radius, output.square_around's padding).
Both are the same square, so a tile compares them without aligning anything. The full images
stay for the compare view and the download.
"""

from __future__ import annotations

import asyncio
import io
import math

import numpy as np
from PIL import Image, ImageOps

from irisd.db import Database
from irisd.jobs import store as job_store
from irisd.jobs.model import LiveState
from irisd.logs import get_logger
from irisd.pipeline.output import PADDING
from irisd.storage import Storage, keys

SIDE = 512
QUALITY = 80
MEDIA_TYPE = "image/webp"
log = get_logger(__name__)


def _webp(image: Image.Image) -> bytes:
    image.thumbnail((SIDE, SIDE))
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=QUALITY, method=4)
    return out.getvalue()


def after(result: bytes) -> bytes:
    """The result, at most SIDE px (its transparent corners kept)."""
    with Image.open(io.BytesIO(result)) as image:
        return _webp(image.convert("RGBA"))


def iris_square(mask: np.ndarray) -> tuple[int, int, int] | None:
    """(x0, y0, side) of the result's square in the original, from the mask; None if empty."""
    rows = mask > 0
    widths = rows.sum(axis=1)
    if not widths.any():
        return None
    y = int(widths.argmax())  # lids hide the top and bottom of the iris, never its widest row
    xs = np.flatnonzero(rows[y])
    x0, x1 = int(xs[0]), int(xs[-1])
    radius = (x1 - x0 + 1) / 2
    half = max(2, math.ceil(radius * PADDING))
    cx, cy = x0 + (x1 - x0 + 1) / 2, y + 0.5
    return round(cx) - half, round(cy) - half, 2 * half


def before(original: bytes, mask: bytes) -> bytes | None:
    """The original cut to the result's square (outside the photo: transparent), at most SIDE px;
    None when the mask does not fit the photo (a stand-in mask)."""
    with Image.open(io.BytesIO(mask)) as mask_image:
        found = np.asarray(mask_image.convert("L"))
    with Image.open(io.BytesIO(original)) as opened:
        photo = ImageOps.exif_transpose(opened).convert("RGBA")  # as the pipeline decoded it
    square = iris_square(found)
    if square is None or photo.size != (found.shape[1], found.shape[0]):
        return None
    x0, y0, side = square
    return _webp(photo.crop((x0, y0, x0 + side, y0 + side)))  # crop pads outside with clear


def make(result: bytes, original: bytes, mask: bytes) -> tuple[bytes, bytes | None]:
    """(after, before) previews of a stored result."""
    return after(result), before(original, mask)


async def store(
    db: Database, storage: Storage, state: LiveState, result: bytes, original: bytes, mask: bytes
) -> None:
    """Make and store the job's previews beside its result. A failure here only logs: the
    result stands, and its tile shows the full images instead."""
    try:
        light, cut = await asyncio.to_thread(make, result, original, mask)
        await storage.put(keys.preview(state.user_id, state.job_id), light, MEDIA_TYPE)
        if cut is not None:
            await storage.put(keys.original_preview(state.user_id, state.job_id), cut, MEDIA_TYPE)
        await job_store.save_previews(db, state.job_id, 1 if cut is None else 2)
    except Exception:
        log.warning("job.preview_failed", job_id=state.job_id, exc_info=True)
