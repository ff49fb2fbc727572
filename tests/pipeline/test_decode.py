"""decode/probe: formats, EXIF orientation once, pixel limits, truncation, odd modes."""

from __future__ import annotations

import io
import pickle
import zlib

import numpy as np
import pytest
from PIL import Image

from irisd.errors import PayloadTooLarge, UnsupportedMediaType
from irisd.pipeline.decode import decode, probe

MAX = 60_000_000


def encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **kwargs)
    return buffer.getvalue()


def marked_image() -> Image.Image:
    """40x20 black image with a red block in the top-left corner (to see rotations)."""
    array = np.zeros((20, 40, 3), np.uint8)
    array[:5, :10] = (255, 0, 0)
    return Image.fromarray(array)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "TIFF", "BMP"])
def test_supported_formats_decode_to_rgb(fmt: str) -> None:
    data = encode(marked_image(), fmt)
    rgb = decode(data, MAX)
    assert rgb.shape == (20, 40, 3)
    assert rgb.dtype == np.uint8
    assert probe(data, MAX).width == 40


def test_exif_orientation_is_applied_exactly_once() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6  # stored image must be rotated 90° clockwise for display
    data = encode(marked_image(), "JPEG", exif=exif, quality=95)
    rgb = decode(data, MAX)
    assert rgb.shape == (40, 20, 3)
    # The red corner moves from top-left to top-right under a 90° clockwise rotation.
    assert rgb[:8, -4:, 0].mean() > 200
    assert rgb[:8, :4, 0].mean() < 60
    info = probe(data, MAX)
    assert (info.width, info.height, info.format) == (20, 40, "jpeg")


def test_pixel_limit_is_checked_before_decoding() -> None:
    data = encode(Image.new("L", (3000, 3000)), "PNG")
    with pytest.raises(PayloadTooLarge):
        probe(data, 1_000_000)
    with pytest.raises(PayloadTooLarge):
        decode(data, 1_000_000)


def test_decompression_bomb_header_is_rejected() -> None:
    # A PNG whose header claims 100k x 100k pixels (a bomb); only the header is valid.
    good = encode(Image.new("L", (1, 1)), "PNG")
    ihdr = good.find(b"IHDR")
    forged = bytearray(good)
    forged[ihdr + 4 : ihdr + 12] = (100_000).to_bytes(4, "big") * 2
    forged[ihdr + 17 : ihdr + 21] = zlib.crc32(bytes(forged[ihdr : ihdr + 17])).to_bytes(4, "big")
    with pytest.raises(PayloadTooLarge):
        probe(bytes(forged), MAX)


def test_truncated_jpeg_is_unsupported() -> None:
    rng = np.random.default_rng(0)
    noisy = Image.fromarray(rng.integers(0, 255, (256, 256, 3), dtype=np.uint8))
    data = encode(noisy, "JPEG", quality=90)
    with pytest.raises(UnsupportedMediaType):
        probe(data[: len(data) // 2], MAX)
    with pytest.raises(UnsupportedMediaType):
        decode(data[: len(data) // 2], MAX)


@pytest.mark.parametrize(
    "data", [b"", b"hello world", b"%PDF-1.4\n" + bytes(100), b"GIF89a" + bytes(40)]
)
def test_non_images_are_unsupported(data: bytes) -> None:
    with pytest.raises(UnsupportedMediaType):
        probe(data, MAX)


def test_grayscale_16bit_png_is_scaled_to_8bit() -> None:
    gray = np.full((10, 30), 65535, np.uint16)
    gray[:, :15] = 256
    rgb = decode(encode(Image.fromarray(gray), "PNG"), MAX)
    assert rgb.shape == (10, 30, 3)
    assert rgb[0, -1, 0] == 255
    assert rgb[0, 0, 0] == 1


def test_32bit_grayscale_wider_than_16_bits_is_scaled_not_clipped() -> None:
    gray = np.full((10, 30), 1_000_000, np.int32)
    gray[:, :15] = 500_000
    rgb = decode(encode(Image.fromarray(gray, "I"), "TIFF"), MAX)
    assert rgb[0, -1, 0] == 255
    assert rgb[0, 0, 0] == 128  # half the maximum stays half, where it used to clip to 255


@pytest.mark.parametrize("mode", ["L", "LA", "RGBA", "P", "1", "CMYK"])
def test_modes_are_normalised(mode: str) -> None:
    image = marked_image().convert(mode)
    fmt = "TIFF" if mode == "CMYK" else "PNG"
    rgb = decode(encode(image, fmt), MAX)
    assert rgb.shape == (20, 40, 3)
    assert rgb.dtype == np.uint8


def test_alpha_is_composited_on_white() -> None:
    rgba = np.zeros((4, 4, 4), np.uint8)
    rgb = decode(encode(Image.fromarray(rgba, "RGBA"), "PNG"), MAX)
    assert (rgb == 255).all()


def test_one_pixel_wide_image() -> None:
    rgb = decode(encode(Image.new("RGB", (1, 57), (9, 9, 9)), "PNG"), MAX)
    assert rgb.shape == (57, 1, 3)


def test_decode_errors_pickle_with_message_only() -> None:
    with pytest.raises(UnsupportedMediaType) as info:
        decode(b"nope", MAX)
    clone = pickle.loads(pickle.dumps(info.value))
    assert clone.args == info.value.args
    assert len(clone.args) == 1


def test_heic_decodes_when_pillow_heif_can_encode() -> None:
    pillow_heif = pytest.importorskip("pillow_heif")
    pillow_heif.register_heif_opener()
    try:
        data = encode(marked_image(), "HEIF")
    except (OSError, KeyError, ValueError) as exc:
        pytest.skip(f"no HEIF encoder on this platform: {exc}")
    assert decode(data, MAX).shape == (20, 40, 3)
    assert probe(data, MAX).format == "heif"
