"""The styles draw at a working size of at most WORK_SIDE px and enlarge to the print's size.

A style is a picture of the iris's shapes, not of its pixels: drawn at a fixed working size,
a 2048 px full size costs about what a 1024 px one does (seconds, not tens of seconds, on one
CPU thread) and is, by construction, the same picture as the preview. What the working size
loses, the print's own detail finer than it, is put back into the enlarged result in the
proportion each style asks for (`detail`), inside the disc only.
"""

from __future__ import annotations

import cv2
import numpy as np

WORK_SIDE = 1024
LEAST_SIDE = 16  # a thumbnail smaller than this is drawn at this size and reduced


def working_copy(print_bgra: np.ndarray) -> np.ndarray:
    """The print at most WORK_SIDE px on its longer side and at least LEAST_SIDE on its
    shorter (the print itself when it is between)."""
    h, w = print_bgra.shape[:2]
    factor = min(WORK_SIDE / max(h, w), max(1.0, LEAST_SIDE / min(h, w)))
    if factor == 1.0:
        return print_bgra
    size = (max(1, round(w * factor)), max(1, round(h * factor)))
    method = cv2.INTER_AREA if factor < 1.0 else cv2.INTER_NEAREST
    return np.asarray(cv2.resize(print_bgra, size, interpolation=method))


def to_print_size(styled: np.ndarray, print_bgra: np.ndarray, detail: float) -> np.ndarray:
    """`styled` (drawn at the working size) at the print's size, with `detail` times the
    print's luminance detail finer than the working size added back within the disc."""
    h, w = print_bgra.shape[:2]
    big = cv2.resize(styled, (w, h), interpolation=cv2.INTER_CUBIC)
    if detail <= 0.0:
        return big
    grey = cv2.cvtColor(print_bgra[:, :, :3], cv2.COLOR_BGR2GRAY).astype(np.float32)
    small = cv2.resize(grey, styled.shape[1::-1], interpolation=cv2.INTER_AREA)
    fine = grey - cv2.resize(small, (w, h), interpolation=cv2.INTER_CUBIC)
    fine *= detail * (print_bgra[:, :, 3].astype(np.float32) / 255.0)
    colour = big[:, :, :3].astype(np.float32) + fine[:, :, None]
    big[:, :, :3] = np.clip(colour, 0, 255).astype(np.uint8)
    return big
