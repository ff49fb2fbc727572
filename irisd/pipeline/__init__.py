"""The iris pipeline seam: `process(image, report, options) -> PipelineResult`.

Raises `irisd.errors.QualityIssue(message)` when the photo itself is the problem.
"""

from __future__ import annotations

from irisd.pipeline.types import PipelineOptions, PipelineResult, Report

__all__ = ["PipelineOptions", "PipelineResult", "Report", "process"]


def process(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Run the whole pipeline on one encoded photo (placeholder until issue 3 lands)."""
    from irisd.pipeline.run import run

    return run(image, report, options)
