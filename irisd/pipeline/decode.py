"""Encoded bytes → RGB array: format check, pixel limit before decoding, EXIF orientation once.

Used twice: by the server at upload/confirm time (`probe`, which fully decodes so truncated
files are caught early) and by the pipeline (`decode`). Pillow is the only decoder: it does not
rotate by itself, so `ImageOps.exif_transpose` applies the EXIF orientation exactly once.
Every Pillow/OS error is translated here into `UnsupportedMediaType` or `PayloadTooLarge`.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFile, ImageOps

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


def decode(data: bytes, max_pixels: int) -> np.ndarray:
    """Decode `data` to an (H, W, 3) uint8 RGB array, EXIF orientation applied.

    Grayscale, 16-bit, alpha (composited on white), palette and CMYK inputs are normalised.
    Raises PayloadTooLarge or UnsupportedMediaType as `probe` does.
    """
    with _open(data, max_pixels) as image:
        _load(image)
        return to_rgb(_upright(image))


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
    range no header states, by their own maximum (float data in 0..1 as it is).
    """
    array = np.nan_to_num(values.astype(np.float64), nan=0.0, posinf=0.0, neginf=0.0)
    top = float(array.max()) if array.size else 0.0
    if values.dtype.kind == "f" or top > 65535.0:
        scale = 255.0 / top if top > 1.0 else 255.0
    else:
        scale = 255.0 / 65535.0 if top > 255.0 else 1.0
    gray = np.clip(array * scale + 0.5, 0, 255).astype(np.uint8)
    return np.ascontiguousarray(np.repeat(gray[:, :, None], 3, axis=2))


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


def _upright(image: Image.Image) -> Image.Image:
    """Apply the EXIF orientation once; a malformed EXIF block leaves the image as stored."""
    try:
        return ImageOps.exif_transpose(image)
    except (OSError, ValueError, SyntaxError, TypeError, KeyError):
        return image


def _orientation(image: Image.Image) -> int:
    """The EXIF orientation tag (1..8), 1 when absent or unreadable."""
    try:
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    except (OSError, ValueError, SyntaxError, TypeError):
        return 1
    return int(value) if isinstance(value, int) else 1
