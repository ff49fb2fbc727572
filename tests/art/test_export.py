"""irisd.art.export on real prints: the size for each print size, dpi and sRGB read back by
Pillow, `enlarged` right both ways, TIFF for labs, and the enlargement measured against
Lanczos."""

from __future__ import annotations

import io
import math
import struct
import zlib

import cv2
import numpy as np
import pytest
from PIL import Image, ImageCms

from bench.lib.blend_scores import inner_disc, psnr, ssim, texture_ratio
from irisd.art.export import (
    MIN_DETAIL_DPI,
    PRINT_SIZES,
    Export,
    PrintSize,
    UnknownPrintSize,
    export,
    honest_sizes,
    pixels,
)
from irisd.art.layout import compose
from irisd.art.upscale import enlarge, lanczos
from irisd.pipeline.output import PADDING
from tests.art.blend_prints import large_print, real_prints

SRGB_NAME = "sRGB".encode("utf-16-be")  # in the profile's description (an ICC v4 mluc tag)


def opened(made: Export) -> Image.Image:
    picture = Image.open(io.BytesIO(made.data))
    picture.load()
    return picture


def png_chunks(data: bytes) -> dict[bytes, bytes]:
    """The PNG's chunks by type (the last of each), read by hand: not through Pillow."""
    chunks, pos = {}, 8
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        chunks[kind] = data[pos + 8 : pos + 8 + length]
        pos += 12 + length
    return chunks


def tiff_tags(data: bytes) -> dict[int, tuple[int, int, int]]:
    """The first IFD's tags of a little-endian TIFF, read by hand: {tag: (type, count, value
    or offset)}."""
    assert data[:4] == b"II*\0"
    (ifd,) = struct.unpack("<I", data[4:8])
    (count,) = struct.unpack("<H", data[ifd : ifd + 2])
    tags = {}
    for k in range(count):
        tag, kind, n, value = struct.unpack("<HHII", data[ifd + 2 + 12 * k : ifd + 14 + 12 * k])
        tags[tag] = (kind, n, value)
    return tags


def profile_name(picture: Image.Image) -> str:
    icc = picture.info["icc_profile"]
    return str(ImageCms.getProfileDescription(ImageCms.ImageCmsProfile(io.BytesIO(icc))))


@pytest.mark.parametrize("size", PRINT_SIZES, ids=lambda s: s.id)
def test_every_print_size_is_a_square_at_300_dpi(size: PrintSize) -> None:
    inches = size.width_mm / 25.4
    assert size.width_mm == size.height_mm
    assert abs(pixels(size) / inches - 300) < 0.2
    assert size.id.endswith(("cm", "in"))


def test_the_sizes_run_from_10_cm_to_50_cm_and_from_4_to_20_inches() -> None:
    ids = [size.id for size in PRINT_SIZES]
    assert ids[0] == "10x10cm"
    assert "50x50cm" in ids
    assert "4x4in" in ids
    assert "20x20in" in ids
    assert len(set(ids)) == len(ids)


@pytest.mark.parametrize("size_id", ["10x10cm", "4x4in", "15x15cm"])
def test_a_png_for_a_print_size_has_its_pixels_dpi_and_srgb_for_any_reader(size_id: str) -> None:
    image, native = large_print()
    made = export(image, native_px=native, print_size=size_id)
    picture = opened(made)
    expected = pixels(next(s for s in PRINT_SIZES if s.id == size_id))
    assert picture.format == "PNG"
    assert picture.size == (made.width, made.height) == (expected, expected)
    assert picture.mode == "RGBA"
    assert made.dpi == 300
    assert picture.info["dpi"] == pytest.approx((300, 300), abs=0.01)  # pHYs: px per metre
    assert "sRGB" in profile_name(picture)
    # The print's transparent corners stay transparent; its disc stays opaque.
    alpha = np.asarray(picture)[:, :, 3]
    assert alpha[0, 0] == 0
    assert alpha[made.height // 2, made.width // 2] == 255


def test_another_reader_finds_the_pngs_dpi_and_srgb_profile_in_its_chunks() -> None:
    made = export(real_prints()[2], native_px=900, print_size="4x4in")
    chunks = png_chunks(made.data)
    assert struct.unpack(">IIB", chunks[b"pHYs"]) == (11811, 11811, 1)  # px a metre: 300 dpi
    name, rest = chunks[b"iCCP"].split(b"\0", 1)
    profile = zlib.decompress(rest[1:])  # after the compression method byte
    assert profile[36:40] == b"acsp"  # an ICC profile
    assert profile[16:20] == b"RGB "  # of an RGB colour space
    assert SRGB_NAME in profile
    assert name


def test_another_reader_finds_the_tiffs_dpi_and_icc_profile_in_its_tags() -> None:
    made = export(real_prints()[2], native_px=900, print_size="4x4in", format="tiff")
    tags = tiff_tags(made.data)
    for resolution in (282, 283):  # XResolution, YResolution: a rational at an offset
        kind, _, offset = tags[resolution]
        assert kind == 5
        numerator, denominator = struct.unpack("<II", made.data[offset : offset + 8])
        assert numerator / denominator == pytest.approx(300)
    assert tags[296][2] == 2  # ResolutionUnit: inch
    assert tags[258][1] == 3  # BitsPerSample: three samples (RGB) ...
    kind, length, offset = tags[34675]  # InterColorProfile
    assert made.data[offset + 36 : offset + 40] == b"acsp"
    assert SRGB_NAME in made.data[offset : offset + length]


def test_a_tiff_opens_as_8_bit_rgb_on_white_with_its_dpi_and_srgb() -> None:
    image = real_prints()[0]
    made = export(image, native_px=1000, print_size="10x10cm", format="tiff")
    picture = opened(made)
    assert picture.format == "TIFF"
    assert picture.mode == "RGB"
    assert picture.size == (1181, 1181)
    assert picture.info["dpi"] == pytest.approx((300, 300), abs=0.01)
    assert "sRGB" in profile_name(picture)
    pixels_ = np.asarray(picture)
    assert (pixels_[0, 0] == 255).all()  # paper where the print is transparent
    centre = cv2.resize(image, (1181, 1181), interpolation=cv2.INTER_AREA)[590, 590, :3]
    assert np.abs(pixels_[590, 590].astype(int) - centre[::-1].astype(int)).max() <= 12


def test_enlarged_is_false_within_the_photos_own_detail_and_true_beyond() -> None:
    image, native = large_print()  # a 1536 px print of an iris ~1380 px across in its photo
    detail = math.ceil(native * PADDING)
    assert pixels(PRINT_SIZES[0]) < detail < image.shape[0]
    within = export(image, native_px=native, print_size="10x10cm")  # 1181 px
    beyond = export(image, native_px=native, print_size="15x15cm")  # 1772 px
    assert within.native_px == beyond.native_px == detail
    assert not within.enlarged
    assert beyond.enlarged
    assert beyond.detail_dpi == pytest.approx(detail / (150 / 25.4), abs=0.1)


def test_with_no_print_size_the_file_is_the_photos_own_detail_never_enlarged() -> None:
    image, native = large_print()
    made = export(image, native_px=native)
    assert made.width == made.height == math.ceil(native * PADDING) < image.shape[0]
    assert not made.enlarged
    # A print smaller than its photo's detail (capped output) is its own limit.
    small = real_prints()[0]
    capped = export(small, native_px=5000)
    assert capped.width == capped.native_px == small.shape[0]
    assert not capped.enlarged


def test_honest_sizes_are_those_with_150_dpi_of_the_photos_own_detail() -> None:
    honest = honest_sizes(1060)  # 1060 px: 7.07 in at 150 dpi
    assert [size.id for size in honest] == ["10x10cm", "15x15cm", "4x4in", "6x6in"]
    assert all(1060 / (size.width_mm / 25.4) >= MIN_DETAIL_DPI for size in honest)


def test_back_projection_keeps_more_of_the_print_than_lanczos() -> None:
    # Each real print shrunk by half and enlarged back, against the original.
    for image in real_prints():
        small = cv2.resize(image, (512, 512), interpolation=cv2.INTER_AREA)
        region = inner_disc(1024, 0.85)
        plain, ours = lanczos(small, 1024, 1024), enlarge(small, 1024, 1024)
        assert psnr(ours, image, region) > psnr(plain, image, region)
        assert ssim(ours, image, region) > ssim(plain, image, region)
        assert abs(texture_ratio(ours, image, region) - 1) < abs(
            texture_ratio(plain, image, region) - 1
        )


def test_exporting_leaves_the_print_as_it_was_and_reports_progress_up_to_done() -> None:
    image = real_prints()[1]
    before = image.copy()
    seen: list[float] = []
    export(image, native_px=800, print_size="10x10cm", report=seen.append)
    assert np.array_equal(image, before)
    assert seen == sorted(seen)
    assert seen[-1] == 1.0


def test_a_composition_keeps_its_shape_its_long_side_the_print_sizes() -> None:
    canvas = compose(real_prints()[:2], "horizontal", 1024)
    made = export(canvas, native_px=1000, print_size="10x10cm")
    picture = opened(made)
    assert picture.size == (made.width, made.height) == (1181, round(1181 * canvas.shape[0] / 1024))


def test_an_unknown_print_size_or_format_is_refused() -> None:
    image = np.zeros((64, 64, 4), np.uint8)
    with pytest.raises(UnknownPrintSize):
        export(image, native_px=64, print_size="A4")
    assert issubclass(UnknownPrintSize, ValueError)
    with pytest.raises(ValueError, match="png or tiff"):
        export(image, native_px=64, format="jpeg")  # type: ignore[arg-type]
