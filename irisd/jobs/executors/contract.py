"""The executor contract: what the engine needs of whatever runs the pipeline.

The engine hands over at most `size` jobs at once; `run` returns the pipeline's result or
raises what the retry rules classify (errors.WorkerDied → server error, TimeoutError →
transient, a JobFailure as itself); each pipeline report, then END, goes to `deliver` on the
event loop. An executor whose size changes (Ray, when a node joins) calls `resized` with its
new size, on the loop, so the engine hands over more jobs at once.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from irisd.jobs import worker

Deliver = Callable[[worker.ReportMessage], None]
Resized = Callable[[int], None]  # the executor's new size (Ray: a node joined, say)


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

    async def run(self, job: worker.JobInput, time_limit_s: float) -> worker.JobResult: ...
