"""Generated test images: valid small JPEG/PNG, EXIF-rotated, and every bad input of the issue."""

from __future__ import annotations

import functools
import io
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

EXIF_ORIENTATION = 0x0112


def _pattern(width: int, height: int) -> Image.Image:
    """A smooth gradient with a bright disc: compresses like a photo, not like flat colour."""
    ys, xs = np.mgrid[0:height, 0:width]
    disc = ((xs - width / 2) ** 2 + (ys - height / 2) ** 2) < (min(width, height) / 4) ** 2
    rgb = np.stack(
        [xs * 255 // max(1, width - 1), ys * 255 // max(1, height - 1), disc * 200], axis=-1
    ).astype(np.uint8)
    return Image.fromarray(rgb)


def _encode(image: Image.Image, fmt: str, **kwargs: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **kwargs)
    return out.getvalue()


def jpeg(width: int = 64, height: int = 48, quality: int = 90) -> bytes:
    """A valid JPEG of `width` x `height`."""
    return _encode(_pattern(width, height), "JPEG", quality=quality)


def png(width: int = 64, height: int = 48) -> bytes:
    """A valid PNG of `width` x `height`."""
    return _encode(_pattern(width, height), "PNG")


def rotated_jpeg(width: int = 40, height: int = 20) -> bytes:
    """A `width` x `height` JPEG with EXIF orientation 6: it displays as `height` x `width`."""
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = 6
    return _encode(_pattern(width, height), "JPEG", exif=exif, quality=90)


def empty() -> bytes:
    return b""


def text_named_jpg() -> bytes:
    """What a user gets by renaming notes.txt to eye.jpg."""
    return b"These are my notes, not a photo of an eye.\n" * 20


def truncated_jpeg() -> bytes:
    """A JPEG cut off halfway through its scan data (an interrupted upload)."""
    data = jpeg(256, 192)
    return data[: len(data) // 2]


def one_pixel() -> bytes:
    """A complete, valid 1 x 1 PNG."""
    return _encode(Image.new("RGB", (1, 1), (128, 64, 32)), "PNG")


@functools.cache
def png_bomb(side: int = 10_000) -> bytes:
    """A `side` x `side` (default 100 MP) grayscale PNG of zeros: ~100 kB on disk.

    Built chunk by chunk, so neither this process nor the test ever holds the pixels.
    """
    row = b"\x00" * (side + 1)  # filter byte 0 + one byte per pixel
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", body)
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


# A fresh process's peak memory over one upload check (`irisd.intake.inspect`), in bytes:
# decoders' buffers (libjpeg, libwebp) are outside tracemalloc.
_PEAK_SCRIPT = """
import sys
from pathlib import Path
from irisd.intake import inspect
def kib(field):
    status = Path("/proc/self/status").read_text().splitlines()
    return next(int(line.split()[1]) for line in status if line.startswith(field))
data = Path(sys.argv[1]).read_bytes()
Path("/proc/self/clear_refs").write_text("5")  # the peak (VmHWM) starts again from here
before = kib("VmRSS:")
inspect(data, 60_000_000)
print((kib("VmHWM:") - before) * 1024)
"""


def check_peak(photo: Path) -> int:
    """Bytes a fresh process's resident memory peaks at above its start while it checks the
    photo at `photo` as an upload is checked (60 MP allowed)."""
    script = [sys.executable, "-c", _PEAK_SCRIPT, str(photo)]
    return int(subprocess.run(script, check=True, capture_output=True, text=True).stdout)
