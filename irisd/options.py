"""The choices of one pipeline run (output size, format, occlusion) and their allowed values.

One list for the config, the CLI and the pipeline. It sits outside `irisd.pipeline` so that
config can check its `[pipeline]` section without importing the pipeline (numpy, OpenCV, torch).
"""

from __future__ import annotations

from typing import Literal, get_args

OutputFormat = Literal["png", "jpeg"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
# What the print shows where lids or lashes cover the iris: the iris completed by the polar
# texture fill (an art print is a full disc) or nothing (transparent; black in a JPEG).
Occlusion = Literal["fill", "transparent"]
OCCLUSIONS: tuple[Occlusion, ...] = get_args(Occlusion)
# Side of the square result, px: below 64 there is no iris art to see; above 8192 one result
# (RGBA, float working copies) would take gigabytes.
OUTPUT_SIZES = range(64, 8193)
# The smallest result that makes a print, px across: 8.7 cm at 300 dpi, 17 cm at 150 dpi
# (a canvas). A photo whose iris allows less (its radius under about 240 px, as the result
# is enlarged at most 2x) is still processed, for screens, and said not to be print-ready.
PRINT_SIDE = 1024


def check(output_size: int, output_format: str, occlusion: str) -> None:
    """ValueError naming the first choice outside its allowed values."""
    if output_size not in OUTPUT_SIZES:
        sizes = f"{OUTPUT_SIZES.start}-{OUTPUT_SIZES.stop - 1}"
        raise ValueError(f"output_size: {output_size} is outside {sizes}")
    if output_format not in OUTPUT_FORMATS:
        formats = ", ".join(OUTPUT_FORMATS)
        raise ValueError(f"output_format: {output_format!r} is not one of {formats}")
    if occlusion not in OCCLUSIONS:
        choices = ", ".join(OCCLUSIONS)
        raise ValueError(f"occlusion: {occlusion!r} is not one of {choices}")
