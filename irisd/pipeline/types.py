"""Plain, picklable values that cross the worker boundary (the pipeline seam)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from irisd.options import Occlusion, OutputFormat, check

# The option types stay importable from here (the seam's own vocabulary); their allowed values
# live in `irisd.options`, which config reads without importing the pipeline.
__all__ = ["Occlusion", "OutputFormat", "PipelineOptions", "PipelineResult", "Report"]

# report(step, progress): step is an API.md step name, progress an API.md checkpoint (0..100).
Report = Callable[[str, int], None]


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
        check(self.output_size, self.output_format, self.occlusion)


@dataclass(frozen=True)
class PipelineResult:
    """One processed photo.

    `image` is the encoded art-ready crop (`format` "png" or "jpeg"), `mask` a PNG of the
    decoded input's size, nonzero on the visible iris. `width`/`height` are the crop's size:
    `output_size`, or less where that would enlarge the photo's iris more than 2x.
    `quality_score` (0..1) judges the finished result as well as the input; `quality_notes`
    are short sentences about it (empty for a clean result): first its `warnings`, the flaws
    the pipeline doubts the result for (a person should check the print), then what is
    only information (a part completed, a size for screens).
    """

    image: bytes
    format: OutputFormat
    mask: bytes
    width: int
    height: int
    quality_score: float
    measures: dict[str, float] = field(default_factory=dict)
    quality_notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()  # the quality_notes that are flaws: check this print
    debug_overlay: bytes | None = None

    @property
    def ext(self) -> str:
        return "png" if self.format == "png" else "jpg"
