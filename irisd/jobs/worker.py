"""Runs in a worker process: the initializer (device, threads, pipeline + models once) and run().

Only plain, picklable values cross the process boundary: `WorkerConfig` (initargs),
`JobInput` in, `PipelineResult` (a `process` job) or `ArtResult` (the art kinds) out, and
`(job_id, attempt, step, progress)` tuples on the
slot's report pipe. Every exception leaving `run` is a `JobFailure` (they pickle by design):
a foreign exception that does not pickle would otherwise break the whole pool.
"""

from __future__ import annotations

import ctypes
import importlib
import os
import signal
import sys
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from irisd.errors import Cancelled, JobFailure, classify
from irisd.jobs.art_work import ArtResult
from irisd.jobs.cancel import stop_asked
from irisd.pipeline.types import PipelineOptions, PipelineResult, Report

END = "__end__"  # sent after the last report of an attempt, so the server can flush them

Process = Callable[[bytes, Report, PipelineOptions], PipelineResult]
Studio = Callable[[str, str, tuple[bytes, ...], Report], ArtResult]  # art_work.run
ReportMessage = tuple[str, int, str, int]  # job_id, attempt, step, progress
JobResult = PipelineResult | ArtResult
PROCESS = "process"  # JobKind.PROCESS: the pipeline on a photo


@dataclass(frozen=True)
class WorkerConfig:
    """What a worker process needs at start (initargs of its pool)."""

    index: int
    pipeline: str  # "module:function"
    device: str  # "cpu" or "cuda"
    gpu_count: int
    threads: int
    parent_pid: int
    load_models: bool = True  # call the pipeline module's warm_up() (its weights) at start
    studio: str = "irisd.jobs.art_work:run"  # "module:function" for the art kinds


@dataclass(frozen=True)
class JobInput:
    """One attempt of a job. A `process` job carries its photo in `image`; an art kind
    (jobs/art_work.py) its JSON `params` and the stored results it works from in `sources`."""

    job_id: str
    photo_id: str
    attempt: int
    image: bytes
    options: PipelineOptions
    cancel_flag: str  # a file whose existence asks the job to stop (jobs/cancel.py)
    kind: str = PROCESS
    params: str = ""
    sources: tuple[bytes, ...] = ()


Send = Callable[[ReportMessage], None]


@dataclass
class _Worker:
    process: Process
    studio: Studio
    conn: Connection | None  # the slot's report pipe; None in a Ray actor (it streams)
    current: JobInput | None = None


_worker: _Worker | None = None


def resolve(spec: str) -> Process:
    """Import "package.module:function" (settings.jobs.pipeline)."""
    process: Process = _imported(spec, "process")
    return process


def _imported(spec: str, default: str) -> Any:
    module_name, _, name = spec.partition(":")
    return getattr(importlib.import_module(module_name), name or default)


def initialize(config: WorkerConfig, conn: Connection) -> None:
    """Pool initializer: die with the server, pin the device, load the pipeline once."""
    _die_with_parent(config.parent_pid)
    _pin_device(config)
    prepare(config, conn)


def prepare(config: WorkerConfig, conn: Connection | None = None) -> None:
    """Load the pipeline once (its warm_up) in this process: a pool worker or a Ray actor."""
    global _worker  # per-process state of a pool worker or actor
    _set_threads(config.threads)
    process = resolve(config.pipeline)
    warm_up = getattr(sys.modules[process.__module__], "warm_up", None)
    if config.load_models and callable(warm_up):
        warm_up()  # load models once per process, not once per job
    if "torch" in sys.modules:  # only pay for torch when the pipeline uses it
        sys.modules["torch"].set_num_threads(config.threads)
    _worker = _Worker(process, _imported(config.studio, "run"), conn)


def ping() -> int:
    """A no-op job: returns the worker's pid (warm-up and tests)."""
    return os.getpid()


def resolve_current() -> Process:
    """The pipeline this process loaded (test studios run it on art jobs)."""
    if _worker is None:
        raise UnexpectedWorkerState()
    return _worker.process


def current_job() -> JobInput | None:
    """The job this process is running (for test pipelines that act per job or attempt)."""
    return _worker.current if _worker else None


def run(job: JobInput) -> JobResult:
    """Run the pipeline on one job; reports go to the slot's pipe, END after the last one."""
    if _worker is None or _worker.conn is None:
        raise UnexpectedWorkerState()
    return execute(job, _worker.conn.send)


def execute(job: JobInput, send: Send, stopped: Callable[[], bool] = lambda: False) -> JobResult:
    """Run one job by its kind (the pipeline, or an art kind); each report goes to `send`,
    END after the last one.

    `stopped` is a second way to ask the job to stop besides its flag file (a Ray actor's
    cancel, on a node that cannot see the server's files).
    """
    worker = _worker
    if worker is None:
        raise UnexpectedWorkerState()
    worker.current = job

    def report(step: str, progress: int) -> None:
        # A report is a step boundary: the place a cancelled job stops.
        if stopped() or stop_asked(job.cancel_flag):
            raise Cancelled(job_id=job.job_id)
        send((job.job_id, job.attempt, step, int(progress)))

    try:
        if job.kind != PROCESS:  # the art kinds need no models: the pipeline stays loaded
            return worker.studio(job.kind, job.params, job.sources, report)
        report("loading", 5)
        return worker.process(job.image, report, job.options)
    except JobFailure:
        raise
    except Exception as exc:  # noqa: BLE001 - classified here so that it always pickles
        raise classify(exc) from None
    finally:
        worker.current = None
        send((job.job_id, job.attempt, END, 0))


class UnexpectedWorkerState(RuntimeError):
    """run() called in a process whose initializer did not run."""


def _die_with_parent(parent_pid: int) -> None:
    """Ask Linux to end this worker when the server dies (even by SIGKILL): no orphans."""
    if sys.platform.startswith("linux"):
        pr_set_pdeathsig = 1
        ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGTERM)
    if os.getppid() != parent_pid:  # the server died before prctl took effect
        os._exit(1)


def _pin_device(config: WorkerConfig) -> None:
    """One GPU per worker (by index), or none."""
    if config.device == "cuda" and config.gpu_count > 0:
        os.environ["CUDA_VISIBLE_DEVICES"] = str(config.index % config.gpu_count)
    else:
        os.environ["CUDA_VISIBLE_DEVICES"] = ""


def _set_threads(threads: int) -> None:
    """Thread counts before any library starts (Ray pins an actor's GPU itself)."""
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        os.environ[name] = str(threads)
    import cv2

    cv2.setNumThreads(threads)


def describe(config: WorkerConfig) -> dict[str, Any]:
    """For logs: how a worker was set up."""
    return {"worker": config.index, "device": config.device, "threads": config.threads}
