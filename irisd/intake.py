"""Intake checks of an uploaded image, by content (type, pixels, truncation), and its thumbnail.

The declared type is never trusted: `inspect` decodes every byte (pipeline.decode, the same
limits a job uses), so a bad upload is refused at upload or confirm, not in a job. It decodes
once, at reduced scale where the format allows (JPEG, WebP), and keeps only the thumbnail:
peak memory per check is 4 bytes per pixel of the photo for PNG, TIFF, BMP and WebP, 8 with
alpha and for HEIC, 2 per sample for a progressive JPEG, far less for a baseline JPEG
(`decode_budget`, bench/server/upload_memory.py), and `Intake` keeps the checks running at once
within `[uploads] decode_memory_mb`.
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from dataclasses import dataclass

from PIL import Image

from irisd import freed_memory
from irisd.decode_budget import peak_bytes
from irisd.errors import InvalidField
from irisd.pipeline.decode import preview

_MEDIA_TYPES = {
    "jpeg": "image/jpeg",
    "mpo": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "tiff": "image/tiff",
    "heif": "image/heic",
    "bmp": "image/bmp",
}
MIN_SIDE = 16  # pixels: below this no iris can be found, so say so now rather than after a job
THUMBNAIL_SIDE = 256


class ImageTooSmall(InvalidField):
    message = f"The image is too small: it must be at least {MIN_SIDE} x {MIN_SIDE} pixels."


@dataclass(frozen=True)
class Inspection:
    """What the bytes really are: measured size (EXIF orientation applied), type, thumbnail."""

    width: int
    height: int
    content_type: str
    thumbnail: bytes


def inspect(data: bytes, max_pixels: int) -> Inspection:
    """Check `data` fully (CPU-bound: run it in a thread). Raises 413/415/422 errors."""
    info, small = preview(data, max_pixels, THUMBNAIL_SIDE)
    if min(info.width, info.height) < MIN_SIDE:
        raise ImageTooSmall(width=info.width, height=info.height)
    out = io.BytesIO()
    Image.fromarray(small).save(out, format="JPEG", quality=80)
    media_type = _MEDIA_TYPES.get(info.format, "application/octet-stream")
    return Inspection(info.width, info.height, media_type, out.getvalue())


class Intake:
    """Runs `check` (`inspect`) off the event loop within a memory budget: each check costs
    what its one full decode will hold (`decode_budget.peak_bytes`, from the header), and
    checks wait until their costs fit in `budget_bytes` together. One check larger than the
    budget runs alone, so any photo within the pixel limit is still accepted."""

    def __init__(
        self,
        budget_bytes: int,
        check: Callable[[bytes, int], Inspection] | None = None,
        cost: Callable[[bytes, int], int] | None = None,
    ) -> None:
        self.budget_bytes = budget_bytes
        self._check = check or inspect
        self._cost = cost or peak_bytes
        self._used = 0
        self._changed = asyncio.Condition()

    async def inspect(self, data: bytes, max_pixels: int) -> Inspection:
        # The header alone, outside the budget: a bomb or a non-image is refused at once.
        cost = await asyncio.to_thread(self._cost, data, max_pixels)
        async with self._changed:
            await self._changed.wait_for(lambda: self._fits(cost))
            self._used += cost
        try:
            return await asyncio.to_thread(self._check_and_release, data, max_pixels)
        finally:
            async with self._changed:
                self._used -= cost
                self._changed.notify_all()

    def _check_and_release(self, data: bytes, max_pixels: int) -> Inspection:
        # The decode's memory goes back to the OS before its cost leaves the budget.
        try:
            return self._check(data, max_pixels)
        finally:
            freed_memory.release()

    def _fits(self, cost: int) -> bool:
        return self._used == 0 or self._used + cost <= self.budget_bytes
