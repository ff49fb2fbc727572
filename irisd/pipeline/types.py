"""Plain, picklable values that cross the worker boundary (the pipeline seam)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

# report(step, progress): step is an API.md step name, progress an API.md checkpoint (0..100).
Report = Callable[[str, int], None]

OutputFormat = Literal["png", "jpeg"]


@dataclass(frozen=True)
class PipelineOptions:
    """What a caller may choose per run; defaults come from the [pipeline] config section."""

    output_size: int = 2048
    output_format: OutputFormat = "png"
    max_pixels: int = 60_000_000
    use_learned: bool = True
    debug: bool = False


@dataclass(frozen=True)
class PipelineResult:
    """One processed photo.

    `image` is the encoded art-ready crop (`format` "png" or "jpeg"), `mask` a PNG of the
    decoded input's size, nonzero on the visible iris. `width`/`height` are the crop's size.
    """

    image: bytes
    format: OutputFormat
    mask: bytes
    width: int
    height: int
    quality_score: float
    measures: dict[str, float] = field(default_factory=dict)
    debug_overlay: bytes | None = None

    @property
    def ext(self) -> str:
        return "png" if self.format == "png" else "jpg"
