"""Whether the eye looks past the camera: the sclera shows on one side of the iris only.

Looking straight, the white of the eye shows on both sides of the iris at about the same
level; looking sideways, one side is white and the other is the eye's corner or the lid.
The measure is the difference of the two sides' median grey levels (1.05-1.8 iris radii
out, at the iris centre's height) over their sum. It words a refusal, never makes one: when
an eye cannot be outlined (segment.arbitrate) or its outline fails the gate (input_quality.gate:
MOBIUS 1_1i_Lr_1, looking right, -0.53 around its outline), a sideways eye is asked to look
at the camera.
"""

from __future__ import annotations

import numpy as np

from irisd.pipeline.geometry import Circle

# Calibration: MMU persons 1-45 (frontal): |asymmetry| at most 0.44 (one eye, 0.38 next);
# MOBIUS: straight 0.22, sideways 0.43-0.46 (outlined and accepted) and 0.70-0.75.
SIDEWAYS = 0.5


def asymmetry(grey: np.ndarray, iris: Circle) -> float:
    """Signed sclera asymmetry (-1..1) of an (H, W) grey image around `iris` (its pixels);
    0 when a side lies outside the image."""
    h, w = grey.shape
    rows = slice(max(0, int(iris.y - 0.3 * iris.r)), min(h, int(iris.y + 0.3 * iris.r) + 1))
    sides = []
    for sign in (-1, 1):
        a, b = iris.x + sign * 1.05 * iris.r, iris.x + sign * 1.8 * iris.r
        x0, x1 = max(0, int(min(a, b))), min(w, int(max(a, b)) + 1)
        if x1 <= x0 or rows.stop <= rows.start:
            return 0.0
        sides.append(float(np.median(grey[rows, x0:x1])))
    left, right = sides
    return (left - right) / max(left + right, 1e-6)


def sideways(grey: np.ndarray, iris: Circle) -> bool:
    return turned(asymmetry(grey, iris))


def turned(asymmetry: float) -> bool:
    """Whether an `asymmetry` says the eye looks past the camera."""
    return abs(asymmetry) > SIDEWAYS
