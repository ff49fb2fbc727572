"""Plain, picklable values that cross the worker boundary (the pipeline seam)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal, get_args

# report(step, progress): step is an API.md step name, progress an API.md checkpoint (0..100).
Report = Callable[[str, int], None]

OutputFormat = Literal["png", "jpeg"]
OUTPUT_FORMATS: tuple[OutputFormat, ...] = get_args(OutputFormat)
# What the print shows where lids or lashes cover the iris: the iris completed by the polar
# texture fill (an art print is a full disc) or nothing (transparent; black in a JPEG).
Occlusion = Literal["fill", "transparent"]
OCCLUSIONS: tuple[Occlusion, ...] = get_args(Occlusion)
# Side of the square result, px: below 64 there is no iris art to see; above 8192 one result
# (RGBA, float working copies) would take gigabytes.
OUTPUT_SIZES = range(64, 8193)


@dataclass(frozen=True)
class PipelineOptions:
    """What a caller may choose per run; defaults come from the [pipeline] config section."""

    output_size: int = 2048
    output_format: OutputFormat = "png"
    max_pixels: int = 60_000_000
    use_learned: bool = True
    occlusion: Occlusion = "fill"
    debug: bool = False

    def __post_init__(self) -> None:
        if self.output_size not in OUTPUT_SIZES:
            sizes = f"{OUTPUT_SIZES.start}-{OUTPUT_SIZES.stop - 1}"
            raise ValueError(f"output_size: {self.output_size} is outside {sizes}")
        if self.output_format not in OUTPUT_FORMATS:
            formats = ", ".join(OUTPUT_FORMATS)
            raise ValueError(f"output_format: {self.output_format!r} is not one of {formats}")
        if self.occlusion not in OCCLUSIONS:
            choices = ", ".join(OCCLUSIONS)
            raise ValueError(f"occlusion: {self.occlusion!r} is not one of {choices}")


@dataclass(frozen=True)
class PipelineResult:
    """One processed photo.

    `image` is the encoded art-ready crop (`format` "png" or "jpeg"), `mask` a PNG of the
    decoded input's size, nonzero on the visible iris. `width`/`height` are the crop's size:
    `output_size`, or less where that would enlarge the photo's iris more than 2x.
    `quality_score` (0..1) judges the finished result as well as the input; `quality_notes`
    are short sentences saying what holds it back (empty for a clean result).
    """

    image: bytes
    format: OutputFormat
    mask: bytes
    width: int
    height: int
    quality_score: float
    measures: dict[str, float] = field(default_factory=dict)
    quality_notes: tuple[str, ...] = ()
    debug_overlay: bytes | None = None

    @property
    def ext(self) -> str:
        return "png" if self.format == "png" else "jpg"
