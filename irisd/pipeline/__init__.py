"""The iris pipeline seam: `process(image, report, options) -> PipelineResult`.

Raises `irisd.errors.QualityIssue(message)` when the photo itself is the problem.
"""

from __future__ import annotations

from irisd.pipeline.types import PipelineOptions, PipelineResult, Report

__all__ = ["PipelineOptions", "PipelineResult", "Report", "process", "warm_up"]


def process(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Run the whole pipeline on one encoded photo."""
    from irisd.pipeline.run import run

    return run(image, report, options)


def warm_up() -> None:
    """Import the pipeline and load the segmenter's weights: once per worker process, at its
    start (the pool's initializer calls this), not during a user's first job."""
    from irisd.pipeline import run  # noqa: F401 - importing is part of the warm-up
    from irisd.pipeline.segment import network

    network.load()
