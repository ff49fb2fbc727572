"""A lost worker and a job past its time limit, mapped the same way for every executor.

    the worker died (its process, actor or node)  → errors.WorkerDied: a server error, one
                                                    retry, on the slot's fresh worker
    over the job's time limit                     → TimeoutError: transient; the worker is
                                                    killed and replaced (no other way to
                                                    stop a stuck pipeline)

Both executors run a job's call inside `bounded`, so the two mappings cannot drift apart.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Protocol

from irisd.errors import WorkerDied
from irisd.logs import get_logger

log = get_logger(__name__)


class Replaceable(Protocol):
    """A slot holding one worker (a process or an actor) that it can replace by a fresh one."""

    @property
    def index(self) -> int: ...

    def replace(self) -> None:
        """Kill the current worker (if alive) and start a fresh one."""
        ...


@contextlib.asynccontextmanager
async def bounded(
    slot: Replaceable,
    job_id: str,
    time_limit_s: float,
    lost: tuple[type[BaseException], ...],
    died: Callable[[BaseException], str],
) -> AsyncIterator[None]:
    """Run the body within `time_limit_s`; an exception in `lost` means the worker died
    (`died` words WorkerDied's message from it). Either way the slot gets a fresh worker."""
    try:
        async with asyncio.timeout(time_limit_s):  # not wait_for: see Dispatcher._loop
            yield
    except lost as exc:
        log.warning("worker.died", worker=slot.index, job_id=job_id, cause=repr(exc))
        slot.replace()
        raise WorkerDied(died(exc)) from exc
    except TimeoutError:
        log.warning("worker.killed", worker=slot.index, job_id=job_id)
        slot.replace()
        raise TimeoutError(f"over the time limit of {time_limit_s:g} s") from None
