"""What crosses the pipe between the server's RayExecutor and its driver process.

    server → driver:  Run(call, job, time_limit_s), Cancel(call), None (stop)
    driver → server:  PoolState (on every change; the first says "connected"),
                      each report (worker.ReportMessage), Done(call, result | error)

Each side reads the pipe with executors/pipes.relay; None ends its reader.
"""

from __future__ import annotations

from dataclasses import dataclass

from irisd.jobs import worker


@dataclass(frozen=True)
class Run:
    call: int
    job: worker.JobInput
    time_limit_s: float


@dataclass(frozen=True)
class Cancel:
    call: int


@dataclass(frozen=True)
class Done:
    call: int
    result: worker.JobResult | None
    error: BaseException | None


@dataclass(frozen=True)
class PoolState:
    """What the server shows of the pool: /readyz, /metrics, `size` for the dispatcher."""

    size: int  # slots: jobs at once
    warm: int  # actors that have loaded the pipeline
    pids: tuple[int, ...]  # their process ids (on whichever node)
    cluster_gpus: float
