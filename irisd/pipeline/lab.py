"""8-bit RGB to and from float CIE L*a*b* (L* 0..100), the space the finishing steps edit in.

Both convert in place where they can: on a 12 MP crop each temporary costs tens of ms.
"""

from __future__ import annotations

import cv2
import numpy as np


def to_lab(rgb: np.ndarray) -> np.ndarray:
    """(..., 3) uint8 RGB -> float32 L*a*b* of the same shape."""
    unit = rgb.astype(np.float32)
    unit /= 255.0
    return np.asarray(cv2.cvtColor(unit, cv2.COLOR_RGB2LAB))


def to_rgb(lab: np.ndarray) -> np.ndarray:
    """(..., 3) float32 L*a*b* -> uint8 RGB, rounded and clipped."""
    unit = np.asarray(cv2.cvtColor(lab, cv2.COLOR_LAB2RGB), np.float32)
    unit *= 255.0
    unit += 0.5
    np.clip(unit, 0, 255, out=unit)
    return unit.astype(np.uint8)
