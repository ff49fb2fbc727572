"""The executor seam: what the engine needs of whatever runs the pipeline, and the choice.

Two executors implement it: `executor.Executor`, the local process pool (the default), and
`ray_executor.RayExecutor`, actors on a Ray cluster (`[jobs] executor = "ray"`). Above the
seam nothing changes: the engine hands over at most `size` jobs at once, `run` returns the
pipeline's result or raises what the retry rules classify (WorkerDied → server error,
TimeoutError → transient, a JobFailure as itself), and each pipeline report, then END, goes
to `deliver` on the event loop.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from typing import Protocol

from irisd.config import JobsSettings
from irisd.errors import ConfigError
from irisd.jobs import worker
from irisd.metrics import Metrics
from irisd.pipeline.types import PipelineResult

Deliver = Callable[[worker.ReportMessage], None]


class WorkerDied(RuntimeError):
    """The worker process or actor died (killed, os._exit, OOM, node lost): server_error."""


class Executor(Protocol):
    """Runs jobs on `size` workers; see the module docstring for the contract of `run`."""

    size: int  # how many jobs it runs at once (known after start)

    def start(self) -> None: ...

    def close(self) -> None: ...

    def alive(self) -> bool:
        """Whether it can run jobs now (for /readyz)."""
        ...

    def pids(self) -> list[int]:
        """The pids of its live workers (operators and tests)."""
        ...

    async def run(self, job: worker.JobInput, time_limit_s: float) -> PipelineResult: ...


def create(
    settings: JobsSettings, deliver: Deliver, metrics: Metrics, *, load_models: bool
) -> Executor:
    """The executor `[jobs] executor` names; a clear ConfigError when Ray is not installed."""
    if settings.executor == "ray":
        if importlib.util.find_spec("ray") is None:
            raise ConfigError(
                '[jobs] executor = "ray" needs Ray, which is not installed: '
                "pip install 'irisd[ray]'"
            )
        from irisd.jobs.ray_executor import RayExecutor

        return RayExecutor(settings, deliver, metrics, load_models=load_models)
    from irisd.jobs.executor import Executor as LocalExecutor

    return LocalExecutor(settings, deliver, load_models=load_models)
