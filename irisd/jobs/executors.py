"""The executor seam: what the engine needs of whatever runs the pipeline, and the choice.

Two executors implement it: `executor.Executor`, the local process pool (the default), and
`ray_executor.RayExecutor`, actors on a Ray cluster (`[jobs] executor = "ray"`). Above the
seam nothing changes: the engine hands over at most `size` jobs at once, `run` returns the
pipeline's result or raises what the retry rules classify (WorkerDied → server error,
TimeoutError → transient, a JobFailure as itself), and each pipeline report, then END, goes
to `deliver` on the event loop. An executor whose size changes (Ray, when a node joins) calls
`resized` with its new size, on the loop, so the engine hands over more jobs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Protocol

from irisd.config import JobsSettings
from irisd.errors import ConfigError
from irisd.jobs import worker
from irisd.metrics import Metrics
from irisd.pipeline.types import PipelineResult

if TYPE_CHECKING:
    from irisd.jobs.ray_executor import RayExecutor

Deliver = Callable[[worker.ReportMessage], None]
Resized = Callable[[int], None]  # the executor's new size (Ray: a node joined, say)


class WorkerDied(RuntimeError):
    """The worker process or actor died (killed, os._exit, OOM, node lost): server_error."""


class Executor(Protocol):
    """Runs jobs on `size` workers; see the module docstring for the contract of `run`."""

    size: int  # how many jobs it runs at once (known after start; may grow, see `resized`)

    def start(self) -> None: ...

    def close(self) -> None: ...

    def alive(self) -> bool:
        """Whether it can run jobs now (for /readyz)."""
        ...

    def warm(self) -> bool:
        """Whether a worker has loaded its models, so a job starts at once (the `note`)."""
        ...

    def pids(self) -> list[int]:
        """The pids of its live workers (operators and tests)."""
        ...

    async def run(self, job: worker.JobInput, time_limit_s: float) -> PipelineResult: ...


def check(settings: JobsSettings) -> None:
    """Before anything starts: a clear ConfigError when `executor = "ray"` has no Ray."""
    if settings.executor == "ray":
        _ray_executor()


def create(
    settings: JobsSettings,
    deliver: Deliver,
    metrics: Metrics,
    *,
    load_models: bool,
    resized: Resized | None = None,
) -> Executor:
    """The executor `[jobs] executor` names."""
    if settings.executor == "ray":
        ray_executor = _ray_executor()
        return ray_executor(settings, deliver, metrics, load_models=load_models, resized=resized)
    from irisd.jobs.executor import Executor as LocalExecutor  # a fixed pool: never resized

    return LocalExecutor(settings, deliver, load_models=load_models)


def _ray_executor() -> type[RayExecutor]:
    try:
        from irisd.jobs.ray_executor import RayExecutor
    except ImportError as exc:
        if exc.name is not None and exc.name.partition(".")[0] != "ray":
            raise  # our own import failed, not Ray's
        raise ConfigError(
            "[jobs] executor = \"ray\" needs Ray, which is not installed: pip install 'irisd[ray]'"
        ) from None
    return RayExecutor
