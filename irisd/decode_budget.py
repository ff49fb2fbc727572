"""What one upload check (`intake.inspect`) holds at its peak, from the file's header alone.

`pipeline.decode.decode_cost` (the pipeline's figure, which also refuses bombs and non-images
from the header) counts one buffer in the file's own mode, and a JPEG at 1/8 scale. Three kinds
of file hold far more while they decode; they are counted here (bench/server/upload_memory.py
measures each at 7740 x 7740):

- a progressive JPEG: libjpeg keeps every DCT coefficient of the whole image until its last
  scan, 2 bytes a sample of each component after subsampling, whatever the output scale: no
  reduced read avoids it (4:4:4: 6 bytes a pixel, 348 MB where the 1/8 output is 4 MB);
- an image with alpha (RGBA, LA): the thumbnail's resize premultiplies the alpha into a second
  full-size buffer (8 bytes a pixel where the decode holds 4), then resizes it in two passes;
- an RLE-compressed BMP: Pillow's RLE decoder builds the pixels in a growing buffer and copies
  them twice on the way in (measured 2.9 bytes a pixel where the image holds 1).

The cost decides how many checks run at once (`Intake`, `[uploads] decode_memory_mb`), before
anything is allocated; a file past the pixel limit is refused (413) before that.
"""

from __future__ import annotations

import io
import warnings

from PIL import Image

from irisd.pipeline.decode import FORMATS, decode_cost

COEFFICIENT_BYTES = 2  # libjpeg's JCOEF, one per sample of each component
JPEG_OUTPUT_BYTES = 4  # the 1/8-scale output, as decode_cost counts it
ALPHA_BYTES = 8  # the decoded RGBA/LA buffer and its premultiplied copy
# ... and the resize's first pass of that copy: up to 256 px (the thumbnail) by the long side.
RESIZE_PASS_BYTES = 256 * 4
RLE_BYTES = 4  # measured 2.9: a grown buffer (up to 1/8 spare), its copy, the image
# Beyond the image buffers: the thumbnail and its JPEG, the decoders' own work areas.
WORKING_BYTES = 8 * 1024 * 1024
_ALPHA_MODES = frozenset({"RGBA", "LA"})
_BMP_RLE = frozenset({1, 2})  # BI_RLE8, BI_RLE4


def peak_bytes(data: bytes, max_pixels: int) -> int:
    """Bytes the check of `data` will hold at its peak (the file's own bytes included).

    Raises PayloadTooLarge or UnsupportedMediaType as `decode_cost` does, before decoding.
    """
    counted = decode_cost(data, max_pixels)  # checks the header: refuses bombs, non-images
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        with Image.open(io.BytesIO(data), formats=FORMATS) as image:
            held = _held(image)
    return max(counted, held + len(data)) + WORKING_BYTES


def _held(image: Image.Image) -> int:
    pixels = image.width * image.height
    fmt = image.format or ""
    if fmt in ("JPEG", "MPO") and image.info.get("progressive"):
        return _coefficient_bytes(image) + pixels // 64 * JPEG_OUTPUT_BYTES
    if image.mode in _ALPHA_MODES:
        return pixels * ALPHA_BYTES + max(image.size) * RESIZE_PASS_BYTES
    if fmt == "BMP" and image.info.get("compression") in _BMP_RLE:
        return pixels * RLE_BYTES
    return 0


def _coefficient_bytes(image: Image.Image) -> int:
    """The whole-image coefficient buffer of a JPEG: each component's samples (its sampling
    factors against the largest), 2 bytes each, in whole 8 x 8 blocks."""
    layers = getattr(image, "layer", None) or [("", 1, 1, 0)] * len(image.getbands())
    most_h = max(layer[1] for layer in layers) or 1
    most_v = max(layer[2] for layer in layers) or 1
    total = 0
    for _, h, v, _ in layers:
        width = -(-image.width * h // most_h)
        height = -(-image.height * v // most_v)
        total += _blocks(width) * _blocks(height) * 64 * COEFFICIENT_BYTES
    return total


def _blocks(samples: int) -> int:
    return -(-samples // 8)
