"""Test pipelines for failure injection, chosen by config (`jobs.pipeline`), never by patching.

Each is a real `process(image, report, options) -> PipelineResult` run in a real worker
process. Per-attempt behaviour reads the worker's current job (`worker.current_job()`).
The pipelines that talk to a test (gated, sleepy, exit_worker) use the directory named by
the environment variable `GATE_DIR_ENV`, set by the test before the server starts (worker
processes inherit it; `irisd serve` subprocesses too, as it has no IRISD_ prefix).

    gated: like `ok`, except on the first attempt of a job whose photo the test marked
           with the file {dir}/{photo_id}.hold: then it writes {dir}/{job_id}.pid, makes the
           FIFO {dir}/{job_id}.gate, reports ("segmenting", 20) and blocks reading the FIFO.
           The test writes "go" (carry on) or "fail" (raise ValueError) to release it.

    marked_failures: fails a photo the test marked with `Gates.fail` ({dir}/{photo_id}.fail):
           quality_issue or server_error; like `ok` for any other.

Every successful result carries the quality notes the test wrote for its photo with
`Gates.note` ({dir}/{photo_id}.notes, one a line; none without the file or the directory),
after the warnings it wrote with `Gates.warn` ({dir}/{photo_id}.warnings), which are notes
too (the pipeline's flaws come first among its notes).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import aiohttp
import cv2
import numpy as np
import pytest

from irisd.errors import QualityIssue
from irisd.jobs.model import PIPELINE_CHECKPOINTS
from irisd.jobs.worker import current_job
from irisd.pipeline import refusals
from irisd.pipeline.types import PipelineOptions, PipelineResult, Report
from tests.support.clients import ApiClient

GATE_DIR_ENV = "PIPELINE_TEST_DIR"
SIZE = 8  # pixels: a tiny but real PNG
# The longest refusal the pipeline gives: a failed card must show all of it.
QUALITY_TEXT = refusals.LOW_RESOLUTION
LOW_SCORE = 0.31
NOTES = (
    "Part of the iris was hidden by the eyelid and has been completed.",
    "The photo is a little soft; a sharper one gives a crisper print.",
)
WARNINGS = ("Part of what was printed may not be iris. Check the print.",)


def _attempt() -> int:
    job = current_job()
    return job.attempt if job else 1


def _gate_dir() -> Path:
    return Path(os.environ[GATE_DIR_ENV])


def _png(value: int) -> bytes:
    ok, data = cv2.imencode(".png", np.full((SIZE, SIZE), value, np.uint8))
    assert ok
    return bytes(data)


def _notes(kind: str = "notes") -> tuple[str, ...]:
    """The notes (or `kind` "warnings") the test wrote for the current job's photo, read as
    the job runs."""
    job, directory = current_job(), os.environ.get(GATE_DIR_ENV)
    if job is None or directory is None:
        return ()
    path = Path(directory) / f"{job.photo_id}.{kind}"
    return tuple(path.read_text(encoding="utf-8").splitlines()) if path.exists() else ()


def _result() -> PipelineResult:
    warnings = _notes("warnings")
    return PipelineResult(
        image=_png(128),
        format="png",
        mask=_png(255),
        width=SIZE,
        height=SIZE,
        quality_score=0.9,
        measures={"sharpness": 1.0},
        quality_notes=warnings + _notes(),
        warnings=warnings,
    )


def _report_from(report: Report, start: int) -> None:
    for step, value in PIPELINE_CHECKPOINTS:
        if value >= start:
            report(step, value)


def ok(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Reports every checkpoint and returns a tiny real PNG and mask."""
    _report_from(report, 0)
    return _result()


DISC_SIDE = 256  # a print large enough for the art code, small enough to be quick
DISC_IRIS_RADIUS = 300.0  # px in the "original photo": what an export may print


def disc_print(side: int = DISC_SIDE, seed: int = 0) -> bytes:
    """A real BGRA print as the pipeline makes one: a textured iris disc (radial fibres and
    rings around a black pupil), transparent outside the disc."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:side, 0:side].astype(np.float32) - (side - 1) / 2
    radius, angle = np.hypot(xx, yy) / (side / 2), np.arctan2(yy, xx)
    fibres = 0.5 + 0.5 * np.sin(angle * rng.integers(40, 90) + 6 * radius)
    rings = 0.5 + 0.5 * np.cos(radius * rng.integers(10, 30))
    base = rng.uniform(60, 200, 3)
    bgr = np.stack([base[c] * (0.6 + 0.3 * fibres + 0.2 * rings) for c in range(3)], -1)
    bgr[radius < 0.3] = 8  # the pupil
    alpha = np.where(radius <= 1.0, 255, 0)
    image = np.dstack([np.clip(bgr, 0, 255), alpha]).astype(np.uint8)
    ok, data = cv2.imencode(".png", image)
    assert ok
    return bytes(data)


def disc(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Like `ok`, with a real print of DISC_SIDE px (the art kinds' real work needs one) and
    the iris's radius in the photo among its measures."""
    _report_from(report, 0)
    return dataclasses.replace(
        _result(),
        image=disc_print(seed=len(image)),
        width=DISC_SIDE,
        height=DISC_SIDE,
        measures={"iris_radius_px": DISC_IRIS_RADIUS},
    )


def low_score(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Like `ok`, with a low quality score and no notes (a poor result with nothing named)."""
    _report_from(report, 0)
    return dataclasses.replace(_result(), quality_score=LOW_SCORE)


def echo_options(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Like `ok`, with the options the worker was given as the result's quality notes."""
    _report_from(report, 0)
    given = f"{options.occlusion} {options.output_format} {options.output_size}"
    return dataclasses.replace(_result(), quality_notes=(given,))


def flaky_once(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """ConnectionError on the first attempt of each job, success on the second."""
    report("segmenting", 20)
    if _attempt() == 1:
        raise ConnectionError("storage went away")
    return ok(image, report, options)


def always_transient(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    report("segmenting", 20)
    raise ConnectionError("storage went away")


def always_runtime(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    report("segmenting", 20)
    raise RuntimeError("CUDA out of memory")


def quality_issue(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    report("segmenting", 20)
    raise QualityIssue(QUALITY_TEXT, blur=0.01)


def unexpected(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    report("segmenting", 20)
    raise ValueError("a bug in a step")


def marked_failures(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Fails as `Gates.fail` marked the photo: quality_issue (the photo is unusable) or
    server_error (a bug in a step); an unmarked photo succeeds as with `ok`."""
    job, directory = current_job(), os.environ.get(GATE_DIR_ENV)
    mark = Path(directory) / f"{job.photo_id}.fail" if job and directory else None
    error_type = mark.read_text(encoding="utf-8").strip() if mark and mark.exists() else ""
    if not error_type:
        return ok(image, report, options)
    report("segmenting", 20)
    if error_type == "quality_issue":
        raise QualityIssue(QUALITY_TEXT, blur=0.01)
    raise ValueError("a bug in a step")


def sleepy(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Reports, then blocks far past any test's time limit (the executor must kill it)."""
    report("segmenting", 20)
    time.sleep(3600)
    return ok(image, report, options)


def exit_worker(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """The worker process dies mid-job on the first attempt (os._exit), succeeds after."""
    report("segmenting", 20)
    if _attempt() == 1:
        os._exit(1)
    return ok(image, report, options)


def gated(image: bytes, report: Report, options: PipelineOptions) -> PipelineResult:
    """Held at ("segmenting", 20) on a held photo's first attempt until the test says."""
    job = current_job()
    directory = _gate_dir()
    if job is None or job.attempt > 1 or not (directory / f"{job.photo_id}.hold").exists():
        return ok(image, report, options)
    report("loading", 10)
    (directory / f"{job.job_id}.pid").write_text(str(os.getpid()))
    gate = directory / f"{job.job_id}.gate"
    if not gate.exists():  # a job run again as attempt 1 (clean stop) reuses its gate
        os.mkfifo(gate)
    report("segmenting", 20)  # after the FIFO exists: the test may open it from now on
    command = gate.read_text().strip()  # blocks until the test writes and closes
    if command == "fail":
        raise ValueError("told to fail by the test")
    _report_from(report, 30)
    return _result()


# --- the test's side -----------------------------------------------------------------------


class Gates:
    """The test's side of `gated`: hold photos, read a held job's worker pid, release it."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def hold(self, photo_id: str) -> None:
        (self.directory / f"{photo_id}.hold").touch()

    def unhold(self, photo_id: str) -> None:
        (self.directory / f"{photo_id}.hold").unlink()

    def note(self, photo_id: str, *notes: str) -> None:
        """The quality notes of the photo's next results (none: clean results again)."""
        path = self.directory / f"{photo_id}.notes"
        if notes:
            path.write_text("\n".join(notes), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    def warn(self, photo_id: str, *warnings: str) -> None:
        """The warnings (flaws, also among the notes) of the photo's next results."""
        path = self.directory / f"{photo_id}.warnings"
        if warnings:
            path.write_text("\n".join(warnings), encoding="utf-8")
        else:
            path.unlink(missing_ok=True)

    def fail(self, photo_id: str, error_type: str) -> None:
        """The photo's jobs fail with `error_type` ("quality_issue" or "server_error") under
        the `marked_failures` pipeline."""
        (self.directory / f"{photo_id}.fail").write_text(error_type, encoding="utf-8")

    def pid(self, job_id: str) -> int:
        """The pid of the worker holding `job_id` (valid once the job reported 20)."""
        return int((self.directory / f"{job_id}.pid").read_text())

    async def release(self, job_id: str, command: str = "go") -> None:
        """Open the job's gate: "go" carries on, "fail" makes the pipeline raise ValueError."""
        await asyncio.to_thread(self._write, self.directory / f"{job_id}.gate", command)

    @staticmethod
    def _write(gate: Path, command: str) -> None:
        # The worker has the FIFO open for reading (or is opening it): this returns at once.
        with gate.open("w") as fifo:
            fifo.write(command)


@pytest.fixture
def gates(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Gates:
    """A gate directory, named in the environment before any server or worker starts."""
    directory = tmp_path / "gates"
    directory.mkdir()
    monkeypatch.setenv(GATE_DIR_ENV, str(directory))
    return Gates(directory)


def pipeline(name: str) -> dict[str, str]:
    """The `jobs` settings change selecting test pipeline `name`, for processing and for the
    art kinds alike (tests/support/studios.py)."""
    return {
        "pipeline": f"tests.support.pipelines:{name}",
        "studio": "tests.support.studios:as_pipeline",
    }


async def messages_until(
    api: ApiClient, job_id: str, done: Callable[[dict[str, Any]], bool], **kw: Any
) -> list[dict[str, Any]]:
    """The job's WebSocket messages up to the first for which `done` holds (then closes)."""
    seen: list[dict[str, Any]] = []
    async with api.ws(f"/ws/jobs/{job_id}", **kw) as socket:
        async for message in socket:
            if message.type != aiohttp.WSMsgType.TEXT:
                continue
            seen.append(json.loads(message.data))
            if done(seen[-1]):
                return seen
    raise AssertionError(f"the socket closed before the awaited state: {seen[-3:]}")


async def at_gate(api: ApiClient, job_id: str) -> dict[str, Any]:
    """Wait until a held job is blocked at its gate (it reported 20 after making the FIFO)."""
    seen = await messages_until(
        api, job_id, lambda m: m.get("status") == "processing" and m.get("progress", 0) >= 20
    )
    return seen[-1]


async def final(api: ApiClient, job_id: str) -> dict[str, Any]:
    """The job's final WebSocket message (Completion or Error), waiting for it if needed."""
    seen = await messages_until(api, job_id, lambda m: m.get("status") in FINAL)
    return seen[-1]


FINAL = ("completed", "failed")
