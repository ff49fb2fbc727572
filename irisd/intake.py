"""Intake checks of an uploaded image, by content (type, pixels, truncation), and its thumbnail.

The declared type is never trusted: `inspect` decodes the bytes fully (pipeline.decode, the
same limits a job uses), so a bad upload is refused at upload or confirm, not in a job.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image

from irisd.errors import InvalidField
from irisd.pipeline.decode import decode, probe

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
    info = probe(data, max_pixels)
    if min(info.width, info.height) < MIN_SIDE:
        raise ImageTooSmall(width=info.width, height=info.height)
    image = Image.fromarray(decode(data, max_pixels))
    image.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    media_type = _MEDIA_TYPES.get(info.format, "application/octet-stream")
    return Inspection(info.width, info.height, media_type, out.getvalue())
