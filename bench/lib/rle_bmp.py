"""A run-length encoded BMP, which Pillow reads but does not write: a format whose decoded
size its file size does not tell (the upload checks and their bench decode it)."""

from __future__ import annotations

import struct


def rle8_bmp(side: int) -> bytes:
    """A BI_RLE8 BMP (Pillow reads RLE BMPs but does not write them): one run per 255 px."""
    rows = bytearray()
    for y in range(side):
        left, value = side, y * 255 // max(side - 1, 1)
        while left:
            rows += bytes((min(left, 255), value))
            left -= min(left, 255)
        rows += b"\x00\x00"  # end of line
    rows += b"\x00\x01"  # end of bitmap
    palette = b"".join(bytes((g, g, g, 0)) for g in range(256))
    offset = 14 + 40 + len(palette)
    header = struct.pack("<2sIHHI", b"BM", offset + len(rows), 0, 0, offset)
    info = struct.pack("<IiiHHIIiiII", 40, side, side, 1, 8, 1, len(rows), 2835, 2835, 256, 0)
    return header + info + palette + bytes(rows)
