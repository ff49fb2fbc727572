"""A pipeline whose models load as slowly as the test says: warm_up() waits at a gate.

When the gate directory holds a FIFO `warm.gate`, a worker's warm_up() (run by its
initializer, as the real pipeline loads its weights) blocks until the test writes to it.
"""

from __future__ import annotations

import os
from pathlib import Path

from irisd.pipeline.types import PipelineOptions, PipelineResult, Report
from tests.support.pipelines import GATE_DIR_ENV, ok


def warm_up() -> None:
    gate = Path(os.environ[GATE_DIR_ENV]) / "warm.gate"
    if gate.exists():
        gate.read_text()  # blocks until the test opens the gate


def process(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    return ok(image, report, options)
