"""Whole real photos made light irises, with synthetic glints and window reflections.

`light_photo` recolours a photo's GT iris ring into a light look (light_looks.lighten) and
pastes glints and/or a window reflection on it (pasted_reflections); `encode_png` makes it
an input for the pipeline again. Used by bench/images/sheets.py and light_segmentation.py.
"""

from __future__ import annotations

import cv2
import numpy as np

from bench.lib.art_runs import decode_rgb
from bench.lib.datasets import Item, derived_circle, derived_pupil
from bench.lib.light_looks import LIGHT_COLOURS, lighten
from bench.lib.pasted_reflections import paste_glints, paste_window
from bench.lib.real_crops import pupil_from_hole
from irisd.pipeline.geometry import Circle, disk

LOOKS = ("blue", "grey", "amber", "green", "hazel", "light-brown")  # light_looks.LIGHT_COLOURS
REFLECTIONS = ("glints", "window", "both", "none")


def light_photo(item: Item, look: str, reflection: str, seed: int) -> np.ndarray | None:
    """The full photo with its GT iris ring recoloured to `look` and `reflection` ("glints",
    "window", "both" or "none") pasted on it; None where no iris circle derives from the GT."""
    made = light_photo_and_pupil(item, look, reflection, seed)
    return None if made is None else made[0]


def light_photo_and_pupil(
    item: Item, look: str, reflection: str, seed: int
) -> tuple[np.ndarray, Circle] | None:
    """`light_photo` and the pupil circle it was made around (from the GT label, else from
    the hole in the GT iris)."""
    rgb = decode_rgb(item.image.read_bytes())
    iris = derived_circle(item.iris)
    if iris is None:
        return None
    pupil = derived_pupil(item.pupil) if item.pupil is not None else None
    if pupil is None:
        pupil = pupil_from_hole(rgb, item.iris, iris)
    shape = item.iris.shape
    out = lighten(rgb, item.iris, iris, pupil, LIGHT_COLOURS[look])
    ring = item.iris & disk(shape, iris) & ~disk(shape, pupil)
    cornea = (item.iris | disk(shape, pupil)) & disk(shape, iris)
    rng = np.random.default_rng(seed)
    if reflection in ("glints", "both"):
        out, _ = paste_glints(out, ring, iris.r, rng)
    if reflection in ("window", "both"):
        out, _ = paste_window(out, ring, iris.r, rng, clip=cornea)
    return np.asarray(out), pupil


def encode_png(rgb: np.ndarray) -> bytes:
    ok, data = cv2.imencode(".png", rgb[:, :, ::-1])
    if not ok:
        raise ValueError("PNG encoding failed")
    return data.tobytes()
