"""Encoded bytes → RGB array: format check, pixel limit before decoding, EXIF orientation once.

Used twice: by the server at upload/confirm time (`preview`, which decodes every byte, so
truncated files are caught early, but at the smallest scale the format allows, and keeps only
a thumbnail) and by the pipeline (`decode`). Pillow decodes, except WebP thumbnails, which
OpenCV decodes (Pillow's WebP path holds 16 bytes a pixel, OpenCV's 3). Neither rotates by
itself, so `_transposed` applies the EXIF orientation exactly once.
Every Pillow/OS error is translated here into `UnsupportedMediaType` or `PayloadTooLarge`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageFile

from irisd.errors import PayloadTooLarge, UnsupportedMediaType

_HEIF: tuple[str, ...]
try:  # HEIC/HEIF only where the platform library is present.
    import pillow_heif

    pillow_heif.register_heif_opener()
    _HEIF = ("HEIF",)
except ImportError:  # pragma: no cover - depends on the platform
    _HEIF = ()

# Parsers we allow Pillow to try (no exotic formats from untrusted uploads). The JPEG parser
# also yields "MPO" for many phone photos; BMP lets the local CLI read research sets such as MMU.
FORMATS: tuple[str, ...] = ("JPEG", "PNG", "WEBP", "TIFF", "BMP", *_HEIF)

# EXIF orientations 5..8 swap width and height.
_SWAPPING_ORIENTATIONS = frozenset({5, 6, 7, 8})
_EXIF_ORIENTATION = 0x0112
_TRANSPOSE = {  # EXIF orientation → the transpose that makes the image upright (ImageOps's)
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}
# What one decode holds a pixel (bench/server/upload_memory.py): Pillow's own buffer is 1 byte for
# 8-bit grey and palettes, 2 for 16-bit grey, 4 for everything wider; libwebp and libheif
# first decode into buffers of their own, which Pillow offers no way to scale (WebP thumbnails
# are therefore OpenCV's: 3 bytes a pixel, and a little more for its scaled copy).
_MODE_BYTES_PER_PIXEL = {"1": 1, "L": 1, "P": 1, "I;16": 2, "I;16B": 2, "I;16L": 2}
_DECODER_BYTES_PER_PIXEL = {"WEBP": 4, "HEIF": 8}
# OpenCV's reduced reads of a WebP, largest reduction first (each holds one full-size 3-byte
# buffer, where a full read holds two).
_WEBP_READS = (
    (8, cv2.IMREAD_REDUCED_COLOR_8),
    (4, cv2.IMREAD_REDUCED_COLOR_4),
    (2, cv2.IMREAD_REDUCED_COLOR_2),
    (1, cv2.IMREAD_COLOR),
)
_BAND_ROWS = 256  # rows converted at a time: float temporaries of a band, not of the image


@dataclass(frozen=True)
class ImageInfo:
    """Size after EXIF orientation (pixels) and the container format ("jpeg", "png", ...)."""

    width: int
    height: int
    format: str


def probe(data: bytes, max_pixels: int) -> ImageInfo:
    """Validate `data` as a supported, complete image within `max_pixels`; return its info.

    Decodes the whole file (at reduced scale for JPEG) so truncated files fail here.
    Raises PayloadTooLarge (pixel limit, decompression bomb) or UnsupportedMediaType.
    """
    with _open(data, max_pixels) as image:
        w, h = image.size
        if image.format in ("JPEG", "MPO"):
            image.draft("RGB", (max(1, w // 8), max(1, h // 8)))
        _load(image)
        fmt = str(image.format or "").lower()
        swapped = _orientation(image) in _SWAPPING_ORIENTATIONS
    return ImageInfo(width=h if swapped else w, height=w if swapped else h, format=fmt)


def preview(data: bytes, max_pixels: int, side: int) -> tuple[ImageInfo, np.ndarray]:
    """Check `data` as `probe` does and return it with an upright RGB thumbnail within `side`.

    The one decode is the only full-size buffer, in the file's own mode (1 to 4 bytes per
    pixel): JPEG decodes at the smallest DCT scale that still covers `side` (1/8 at most),
    other formats at full size, and the thumbnail is reduced from it before any conversion.
    """
    with _open(data, max_pixels) as image:
        w, h = image.size
        fmt = str(image.format or "").lower()
        orientation = _orientation(image)
        scale = min(1.0, side / max(image.size))
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        if fmt == "webp":
            small = _webp_thumbnail(data, max(w, h), size)
        else:
            if fmt in ("jpeg", "mpo"):
                image.draft("RGB", (side, side))
            _load(image)
            # Pillow cannot `reduce` 16-bit grey (what thumbnail() uses); BOX averages the same.
            small = image.resize(size, Image.Resampling.BOX)
    small = _transposed(small, orientation)
    swapped = orientation in _SWAPPING_ORIENTATIONS
    info = ImageInfo(width=h if swapped else w, height=w if swapped else h, format=fmt)
    return info, to_rgb(small)


def _webp_thumbnail(data: bytes, longest: int, size: tuple[int, int]) -> Image.Image:
    """A WebP decoded by OpenCV (every byte: a truncated file fails) and reduced to `size`,
    read at the largest reduction that still covers it. Alpha is dropped: this is a
    thumbnail, and a transparent eye photo is rare."""
    flag = next(flag for factor, flag in _WEBP_READS if longest // factor >= max(size))
    flags = flag | cv2.IMREAD_IGNORE_ORIENTATION  # `_transposed` turns it, once
    bgr = cv2.imdecode(np.frombuffer(data, np.uint8), flags)
    if bgr is None:
        raise UnsupportedMediaType(reason="WebP did not decode")
    small = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA)
    return Image.fromarray(cv2.cvtColor(small, cv2.COLOR_BGR2RGB))


def decode_cost(data: bytes, max_pixels: int) -> int:
    """Bytes `preview` will hold at its peak for `data`, from the header alone.

    Raises PayloadTooLarge or UnsupportedMediaType as `probe` does (before any decoding).
    """
    with _open(data, max_pixels) as image:
        pixels = image.width * image.height
        fmt = image.format or ""
        if fmt in ("JPEG", "MPO"):  # decoded at 1/8 scale (draft)
            per_pixel, pixels = 4, max(pixels // 64, 1)
        else:
            per_pixel = _DECODER_BYTES_PER_PIXEL.get(fmt, _MODE_BYTES_PER_PIXEL.get(image.mode, 4))
    return pixels * per_pixel + len(data)


def decode(data: bytes, max_pixels: int) -> np.ndarray:
    """Decode `data` to an (H, W, 3) uint8 RGB array, EXIF orientation applied.

    Grayscale, 16-bit, alpha (composited on white), palette and CMYK inputs are normalised.
    Raises PayloadTooLarge or UnsupportedMediaType as `probe` does.
    """
    with _open(data, max_pixels) as image:
        _load(image)
        return to_rgb(_transposed(image, _orientation(image)))


def to_rgb(image: Image.Image) -> np.ndarray:
    """Any Pillow mode → (H, W, 3) uint8 RGB, contiguous."""
    if image.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _wide_gray_to_rgb(np.asarray(image))
    if image.mode == "P" and "transparency" in image.info:
        image = image.convert("RGBA")
    if image.mode in ("RGBA", "LA", "PA", "RGBa", "La"):
        rgba = image.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(background, rgba)
    if image.mode != "RGB":
        image = image.convert("RGB")
    return np.ascontiguousarray(np.asarray(image, dtype=np.uint8))


def _wide_gray_to_rgb(values: np.ndarray) -> np.ndarray:
    """(H, W) 16/32-bit integer or float gray → (H, W, 3) uint8.

    Integers up to 16 bits are scaled by their bit depth; wider integers and floats, whose
    range no header states, by their own maximum (float data in 0..1 as it is). Converted
    band by band into the output: no whole-image float64 copy (a 60 MP 16-bit photo took
    +1.3 GB that way; bench/server/upload_memory.py).
    """
    top = _finite_max(values)
    if values.dtype.kind == "f" or top > 65535.0:
        scale = 255.0 / top if top > 1.0 else 255.0
    else:
        scale = 255.0 / 65535.0 if top > 255.0 else 1.0
    rgb = np.empty((*values.shape, 3), np.uint8)
    if values.dtype.kind == "u" and values.dtype.itemsize <= 2:
        lookup = np.clip(np.arange(65536, dtype=np.float32) * scale + 0.5, 0, 255)
        rgb[...] = lookup.astype(np.uint8)[values][:, :, None]
        return rgb
    for start in range(0, values.shape[0], _BAND_ROWS):
        band = np.nan_to_num(
            values[start : start + _BAND_ROWS].astype(np.float64),
            nan=0.0, posinf=0.0, neginf=0.0,
        )  # fmt: skip
        rgb[start : start + _BAND_ROWS] = np.clip(band * scale + 0.5, 0, 255)[:, :, None]
    return rgb


def _finite_max(values: np.ndarray) -> float:
    """The largest finite value (0 for none), band by band."""
    top = 0.0
    for start in range(0, values.shape[0], _BAND_ROWS):
        band = values[start : start + _BAND_ROWS]
        if band.dtype.kind == "f":
            band = band[np.isfinite(band)]
        if band.size:
            top = max(top, float(band.max()))
    return top


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """Open lazily (header only) and check the pixel count before any decoding."""
    if not data:
        raise UnsupportedMediaType(reason="empty")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=FORMATS)
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(reason="decompression bomb") from exc
    except (OSError, ValueError, SyntaxError, TypeError) as exc:
        raise UnsupportedMediaType(reason=repr(exc)) from exc
    w, h = image.size
    if w < 1 or h < 1:
        image.close()
        raise UnsupportedMediaType(reason="empty image")
    if w * h > max_pixels:
        image.close()
        raise PayloadTooLarge(reason="pixels", pixels=w * h, max_pixels=max_pixels)
    return image


def _load(image: Image.Image) -> None:
    """Fully decode; truncated or corrupt data becomes UnsupportedMediaType."""
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image.load()
    except Image.DecompressionBombError as exc:
        raise PayloadTooLarge(reason="decompression bomb") from exc
    except (OSError, ValueError, SyntaxError, TypeError, EOFError) as exc:
        raise UnsupportedMediaType(reason=repr(exc)) from exc
    except MemoryError as exc:
        raise PayloadTooLarge(reason="memory") from exc


def _transposed(image: Image.Image, orientation: int) -> Image.Image:
    """The image turned upright for EXIF `orientation` (as stored when 1: no copy)."""
    method = _TRANSPOSE.get(orientation)
    return image if method is None else image.transpose(method)


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1..8), 1 when absent or unreadable."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError, TypeError):
        return 1
    return int(value) if isinstance(value, int) else 1
