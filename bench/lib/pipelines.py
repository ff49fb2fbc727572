"""Bench pipelines (selected by `jobs.pipeline = "bench.lib.pipelines:NAME"`), run in real workers.

Both read the directory named by the environment variable `BENCH_DIR_ENV` (set by the bench
before the server starts; the workers inherit it).

    timed: reports the nine pipeline checkpoints (10..90) with a random pause of
           PAUSE_S before each, and records `time.time()` of each report, taken in the
           worker just before `report()`, as lines "job_id progress unix_time" in
           {dir}/{job_id}.times (written once, after the last report: no file I/O between
           a report and its timestamp).
    gated: like `timed`, except for a photo whose FIFO {dir}/{photo_id}.gate the bench
           made before submitting: it reports ("loading", 10) and blocks reading the FIFO
           until the bench writes to it (a job held in processing, for the fan-out bench).
    instant: the nine reports at once, no pause (per-job overhead, bench/server/ray_executor.py).
    steady: STEADY_S of sleep in nine steps (throughput that does not depend on the CPUs).
"""

from __future__ import annotations

import io
import os
import random
import time
from pathlib import Path

from PIL import Image

from irisd.jobs.model import PIPELINE_CHECKPOINTS
from irisd.jobs.worker import current_job
from irisd.pipeline.types import PipelineOptions, PipelineResult, Report

BENCH_DIR_ENV = "IRIS_BENCH_DIR"  # no IRISD_ prefix: not a setting
PAUSE_S = (0.05, 0.25)  # random, so reports fall at every phase of a 500 ms poll
CHECKPOINTS = PIPELINE_CHECKPOINTS
STEADY_S = 0.5


def _dir() -> Path:
    return Path(os.environ[BENCH_DIR_ENV])


def _png(value: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (8, 8), value).save(out, format="PNG")
    return out.getvalue()


def _result() -> PipelineResult:
    return PipelineResult(
        image=_png(128), format="png", mask=_png(255), width=8, height=8, quality_score=0.9
    )


def timed(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Nine reports with short random pauses; each report's worker time goes to a file."""
    job = current_job()
    job_id = job.job_id if job else "unknown"
    lines = []
    for step, value in CHECKPOINTS:
        time.sleep(random.uniform(*PAUSE_S))  # jitter, not crypto
        sent = time.time()
        report(step, value)
        lines.append(f"{job_id} {value} {sent!r}\n")
    (_dir() / f"{job_id}.times").write_text("".join(lines), encoding="utf-8")
    return _result()


def gated(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Held at ("loading", 10) while its photo has a gate FIFO, until the bench writes to it."""
    job = current_job()
    gate = _dir() / f"{job.photo_id}.gate" if job else None
    if job is not None and job.attempt == 1 and gate is not None and gate.exists():
        report("loading", 10)
        gate.read_text()  # blocks until the bench opens the FIFO, writes and closes it
    return timed(image, report, options)


def instant(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """The nine reports and a tiny result at once: a job that is all overhead."""
    for step, value in CHECKPOINTS:
        report(step, value)
    return _result()


def steady(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """STEADY_S of waiting in nine steps, then a tiny result (throughput without CPU noise)."""
    for step, value in CHECKPOINTS:
        time.sleep(STEADY_S / len(CHECKPOINTS))
        report(step, value)
    return _result()
