"""HD export: a print (or a style, fusion or composition of prints) as a file for a printer.

The file is written at PRINT_DPI (300 dpi, what photo labs ask for) for the chosen print
size, sRGB (an sRGB ICC profile embedded: PNG iCCP, TIFF tag 34675), 8 bits a channel, its
dpi in the file (PNG pHYs, TIFF XResolution/YResolution).

How large is honest: the photo's own detail is the iris's crop in the original photo's
pixels (`native_px`, the iris diameter, times the print's PADDING), never more than the
print handed in. A size needs at least MIN_DETAIL_DPI of that detail: 150 dpi, the
canvas and wall-print norm for pictures seen from arm's length or further (the README's
"Print size"), which is also the pipeline's own limit of enlarging a photo at most twice
(MAX_ENLARGEMENT) to reach 300 dpi. Any file larger than the photo's own detail is
`enlarged=True`: its extra pixels are interpolation (`irisd.art.upscale`), not detail.

PNG keeps the print's transparency (screens, the app, online labs that take PNG). TIFF is
what fine-art and professional labs ask for beside JPEG (lossless, 8-bit RGB, LZW); their
RIPs handle alpha unevenly, so it is flattened onto white, the unprinted paper. The profile
is littleCMS's built-in sRGB (ICC v4, 588 bytes); software that reads only v2 profiles falls
back to assuming sRGB, which is what the pixels are.
"""

from __future__ import annotations

import io
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import cv2
import numpy as np
from PIL import Image, ImageCms

from irisd.art import upscale
from irisd.pipeline.output import PADDING

ExportFormat = Literal["png", "tiff"]
PRINT_DPI = 300.0
MIN_DETAIL_DPI = 150.0
MM_PER_INCH = 25.4


@dataclass(frozen=True)
class PrintSize:
    id: str
    label: str
    width_mm: float
    height_mm: float

    @property
    def inches(self) -> float:
        """The longer side, in inches."""
        return max(self.width_mm, self.height_mm) / MM_PER_INCH


def _cm(side: int) -> PrintSize:
    return PrintSize(f"{side}x{side}cm", f"{side} x {side} cm", side * 10.0, side * 10.0)


def _inch(side: int) -> PrintSize:
    return PrintSize(
        f"{side}x{side}in", f"{side} x {side} in", side * MM_PER_INCH, side * MM_PER_INCH
    )


# Square photo-lab sizes, small to large: metric, then imperial.
PRINT_SIZES: tuple[PrintSize, ...] = (
    *(_cm(side) for side in (10, 15, 20, 25, 30, 40, 50)),
    *(_inch(side) for side in (4, 6, 8, 10, 12, 16, 20)),
)


class UnknownPrintSize(ValueError):
    """Not one of PRINT_SIZES' ids."""


class UnknownExportFormat(ValueError):
    """Neither "png" nor "tiff"."""


@dataclass(frozen=True)
class Export:
    data: bytes
    format: ExportFormat
    width: int
    height: int
    dpi: float
    enlarged: bool
    native_px: int
    detail_dpi: float  # the photo's own detail per inch of this print (MIN_DETAIL_DPI: honest)


def size_by_id(size_id: str) -> PrintSize:
    """The PRINT_SIZES entry with id `size_id`; UnknownPrintSize where there is none."""
    for size in PRINT_SIZES:
        if size.id == size_id:
            return size
    raise UnknownPrintSize(f"unknown print size {size_id!r}")


def pixels(size: PrintSize) -> int:
    """The side, px, of a file for `size` at PRINT_DPI."""
    return round(size.inches * PRINT_DPI)


def detail_px(print_side: int, native_px: int) -> int:
    """The largest side the photo's own detail supports: the iris's crop in the photo's
    pixels, and no more than the print itself carries (`print_side`, its longer side)."""
    return max(1, min(print_side, math.ceil(native_px * PADDING)))


def honest_sizes(native: int) -> tuple[PrintSize, ...]:
    """The PRINT_SIZES a print with `native` px of detail makes at MIN_DETAIL_DPI or more."""
    return tuple(size for size in PRINT_SIZES if native / size.inches >= MIN_DETAIL_DPI)


def export(
    print_bgra: np.ndarray,
    *,
    native_px: int,
    print_size: str | None = None,
    format: ExportFormat = "png",
    report: Callable[[float], None] | None = None,
) -> Export:
    """The print as a file: for `print_size` (an id of PRINT_SIZES) at PRINT_DPI, or, with
    none, at the photo's own detail (never enlarged) at PRINT_DPI. An image that is not
    square (a composition) keeps its shape, its longer side the print size's."""
    if format not in ("png", "tiff"):
        raise UnknownExportFormat("export format must be png or tiff")
    if native_px < 1:
        raise ValueError("native_px is the iris's diameter in the photo, at least 1 px")
    tell = report or (lambda _fraction: None)
    native = detail_px(max(print_bgra.shape[:2]), native_px)
    if print_size is None:
        side = native
        detail = PRINT_DPI
    else:
        size = size_by_id(print_size)
        side = pixels(size)
        detail = native / size.inches
    tell(0.1)
    image = upscale.to_long_side(print_bgra, side, lambda done: tell(0.1 + 0.6 * done))
    tell(0.7)
    data = encode(image, format, PRINT_DPI)
    tell(1.0)
    height, width = image.shape[:2]
    return Export(data, format, width, height, PRINT_DPI, side > native, native, round(detail, 1))


@cache
def srgb_profile() -> bytes:
    """An sRGB ICC profile (littleCMS's built-in), as embedded in every export."""
    return bytes(ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes())


def encode(bgra: np.ndarray, fmt: ExportFormat, dpi: float) -> bytes:
    """PNG (RGBA) or TIFF (RGB on white), sRGB profile and dpi embedded."""
    out = io.BytesIO()
    if fmt == "png":
        picture = Image.fromarray(cv2.cvtColor(bgra, cv2.COLOR_BGRA2RGBA), "RGBA")
        # Level 3, not Pillow's 6: a 50 cm export is 35 MP; 6 takes seconds more for a smaller file.
        picture.save(out, "PNG", dpi=(dpi, dpi), icc_profile=srgb_profile(), compress_level=3)
    else:
        weight = bgra[:, :, 3:].astype(np.float32) / 255.0
        on_white = bgra[:, :, :3].astype(np.float32) * weight + 255.0 * (1.0 - weight)
        rgb = cv2.cvtColor(np.clip(on_white + 0.5, 0, 255).astype(np.uint8), cv2.COLOR_BGR2RGB)
        picture = Image.fromarray(rgb, "RGB")
        picture.save(
            out, "TIFF", dpi=(dpi, dpi), icc_profile=srgb_profile(), compression="tiff_lzw"
        )
    return out.getvalue()
