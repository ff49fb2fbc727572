"""The art studio's 15 style presets (issue 27): procedural renderings of an iris print.

`stylise(print_bgra, preset_id, report)` returns a new BGRA array of the print's size; each
preset is its own picture made from the print's fibres, crypts, rings and colours (see the
family modules: `light`, `paint`, `oil`, `graphic`), seeded from the preset id so the same print
always gives the same art, and drawn in the print's own frame so a preview and a full size
agree. A print larger than 1024 px is drawn at 1024 px and enlarged (`scale`): seconds on one
CPU thread at 2048 px. The catalogue (`catalogue`) is the app's.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from irisd.art.styles import graphic, light, oil, paint
from irisd.art.styles.canvas import Canvas
from irisd.art.styles.catalogue import PRESETS, Preset, UnknownPreset, preset
from irisd.art.styles.scale import to_print_size, working_copy

__all__ = ["PRESETS", "Preset", "UnknownPreset", "preset", "stylise"]

Renderer = Callable[[Canvas], np.ndarray]

# How much of the print's own fine detail (finer than the working size keeps) goes back into
# a full-size result, per preset: the photographic looks want their fibres crisp, the flat and
# drawn ones do not (their edges are their own, and enlarging keeps them clean).
_DETAIL: dict[str, float] = {
    "cosmic_iris": 0.8,
    "natures_eye": 0.5,
    "neon_pulse": 0.0,
    "aurora_flow": 0.4,
    "golden_hour": 0.9,
    "fire_and_ice": 0.8,
    "watercolor_dream": 0.0,
    "oil_master": 0.25,
    "monets_garden": 0.0,
    "ink_wash": 0.0,
    "pop_vision": 0.0,
    "minimal_lines": 0.0,
    "crystal_geometry": 0.0,
    "stained_glass": 0.0,
    "digital_glitch": 0.6,
}

_RENDERERS: dict[str, Renderer] = {
    "cosmic_iris": light.cosmic_iris,
    "watercolor_dream": paint.watercolor_dream,
    "pop_vision": graphic.pop_vision,
    "minimal_lines": graphic.minimal_lines,
    "natures_eye": light.natures_eye,
    "oil_master": oil.oil_master,
    "neon_pulse": light.neon_pulse,
    "crystal_geometry": graphic.crystal_geometry,
    "aurora_flow": light.aurora_flow,
    "monets_garden": paint.monets_garden,
    "stained_glass": graphic.stained_glass,
    "digital_glitch": graphic.digital_glitch,
    "golden_hour": light.golden_hour,
    "ink_wash": paint.ink_wash,
    "fire_and_ice": light.fire_and_ice,
}


def stylise(
    print_bgra: np.ndarray, preset_id: str, report: Callable[[float], None] | None = None
) -> np.ndarray:
    """`print_bgra` (BGRA uint8) rendered in the preset `preset_id`: a new array, same size.

    Raises UnknownPreset for an id that is not one of PRESETS'.
    """
    render = _RENDERERS.get(preset(preset_id).id)
    if render is None:  # a catalogue entry without a renderer is a bug, not a user's error
        raise RuntimeError(f"preset {preset_id!r} has no renderer")
    if report is not None:
        report(0.0)
    canvas = Canvas(working_copy(print_bgra), preset_id)
    if report is not None:
        report(0.1)
    out = render(canvas)
    if report is not None:
        report(0.85)
    if out.shape != print_bgra.shape:
        out = to_print_size(out, print_bgra, _DETAIL.get(preset_id, 0.0))
    if report is not None:
        report(1.0)
    return out
