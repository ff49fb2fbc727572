"""Resizing a print to an export's pixel size.

Shrinking is area averaging. Enlarging is Lanczos (OpenCV's 8x8 Lanczos-4, on premultiplied
colour so the transparent corners do not darken the disc's edge).

No super-resolution network: none earns its place here. Real-ESRGAN x4plus, measured on
iris crops for issue 9 (bench/README.md, "Rejected: super-resolution"), scored about 10 dB
PSNR below Lanczos, painting the fine low-contrast texture of dark irises flat, at about
250 s per input megapixel on CPU; this box has no GPU to lend it, and no other network with
weights whose licence allows shipping is at hand. So an export's enlargement is
interpolation, and says so (`Export.enlarged`).
"""

from __future__ import annotations

import numpy as np

from irisd.art.print_disc import resized


def to_side(print_bgra: np.ndarray, side: int) -> np.ndarray:
    """The (S, S, 4) uint8 BGRA print at `side` x `side`."""
    return resized(print_bgra, side)
