"""Test studios (`[jobs] studio`): the art kinds run the test pipeline, for failure injection.

`as_pipeline` runs the worker's configured test pipeline (tests/support/pipelines.py: `gated`,
`flaky_once`, `exit_worker`, `sleepy`, ...) on an art job's first source, with the pipeline's
steps reported as the art kind's, and its result as an ArtResult. The pipelines' gates are
per photo and per attempt (`worker.current_job()`), so an art job of a held photo is held
like a processing job of it: every resilience test can run over every kind unchanged.
"""

from __future__ import annotations

from irisd.jobs import worker
from irisd.jobs.art_work import ArtResult
from irisd.pipeline.types import PipelineOptions, Report

MAIN_STEP = {"style": "styling", "fusion": "blending", "composition": "layout",
             "export": "upscaling"}  # fmt: skip
FINISH_STEP = {"style": "finishing", "fusion": "postprocessing", "composition": "layout",
               "export": "finishing"}  # fmt: skip


def as_pipeline(kind: str, params: str, sources: tuple[bytes, ...], report: Report) -> ArtResult:
    """The configured pipeline on `sources[0]`, reporting the art kind's steps."""

    def art_report(step: str, progress: int) -> None:
        if step == "loading":
            report("preparing", progress)
        elif step == "enhancing" and progress >= 90:
            report(FINISH_STEP[kind], progress)
        else:
            report(MAIN_STEP[kind], progress)

    process = worker.resolve_current()
    result = process(sources[0], art_report, PipelineOptions(output_size=512))
    info = {"dpi": 300.0, "format": "png", "enlarged": False, "native_px": result.width}
    return ArtResult(result.image, "png", result.width, result.height, result.image, info)
