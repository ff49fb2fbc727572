"""One Ray actor slot: its actor handle, the warm-up it awaits, and its replacement.

A slot holds one `PipelineActor` at a time. Its actor is warm once it answered `pid()`
(its constructor, the pipeline's warm_up, has run). A dead or killed actor is replaced by a
fresh one at once; Ray schedules it when the cluster has room (a node that joins later
gives it one), and a job waiting for the slot waits for that warm-up within its time limit.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

from irisd.logs import get_logger

log = get_logger(__name__)

ActorFactory = Callable[[], Any]  # () → a new actor handle (ray.actor.ActorHandle)


class ActorSlot:
    """One actor at a time; `ready` resolves to its pid once it is warm."""

    def __init__(
        self, index: int, make: ActorFactory, ray: Any, on_warm: Callable[[], None]
    ) -> None:
        self.index = index
        self._make = make
        self._ray = ray
        self._on_warm = on_warm
        self.handle: Any = None
        self.pid: int | None = None
        self.ready = self._open()

    def _open(self) -> asyncio.Task[int]:
        self.handle = self._make()
        self.pid = None
        ready = asyncio.create_task(self._warm(self.handle), name=f"irisd-actor-{self.index}")
        ready.add_done_callback(_seen)
        return ready

    async def _warm(self, handle: Any) -> int:
        pid = int(await handle.pid.remote())
        if handle is self.handle:
            self.pid = pid
            log.info("executor.actor_ready", worker=self.index, pid=pid)
            self._on_warm()
        return pid

    @property
    def warm(self) -> bool:
        return self.pid is not None

    async def wait_warm(self) -> None:
        """Until the current actor is warm; raises what its start raised (e.g. it died)."""
        await asyncio.shield(self.ready)

    def replace(self) -> None:
        """Kill the current actor (if alive) and start a fresh one."""
        self.kill()
        self.ready = self._open()

    def kill(self) -> None:
        self.ready.cancel()
        self.pid = None
        with contextlib.suppress(Exception):  # already dead, or the cluster is gone
            self._ray.kill(self.handle, no_restart=True)


def _seen(task: asyncio.Task[int]) -> None:
    """A start that failed is reported to the job that waits for it; this only marks it seen."""
    if not task.cancelled():
        task.exception()
