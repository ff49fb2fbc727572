"""The run loop's dispatcher: fills the worker slots from the queue (the jobs table), keeps
the queue depth, and brings changes other processes commit to the hub (the catch-up).

Each job that runs here has one `RunningJob` record, created when it is claimed and dropped,
with all it holds, when its run ends. As in huey's consumer, each role of the loop is a
small class: `Dispatcher` fills, `CatchUp` follows other processes, the engine's `Runner`
(jobs/attempts.py) runs one job, and the `Engine` owns them and every state change.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

from irisd.db import Database
from irisd.jobs import store
from irisd.jobs.model import LiveState
from irisd.logs import get_logger

log = get_logger(__name__)

POLL_S = 1.0  # the dispatcher also looks at the table this often: jobs queued by the CLI


class Publisher(Protocol):
    """What the engine needs of the hub (irisd.jobs.hub.Hub)."""

    def publish(self, state: LiveState) -> None: ...


@dataclass(eq=False)
class RunningJob:
    """Everything this server holds about one job while it runs here."""

    state: LiveState  # the newest state: the row, the hub and this agree
    attempt_started_at: str = ""  # when the current attempt began (for the attempt log)
    step_since: tuple[str, float] | None = None  # the current step, since (monotonic s)
    end: tuple[int, asyncio.Event] | None = None  # an attempt awaiting its worker's END
    task: asyncio.Task[None] = field(init=False, repr=False)  # set as soon as it is made

    def expect_end(self) -> asyncio.Event:
        """The event set by the END report of the current attempt (see `end_reported`)."""
        event = asyncio.Event()
        self.end = (self.state.attempt, event)
        return event

    def end_reported(self, attempt: int) -> None:
        """The worker sent END for `attempt`: every report of it has been applied."""
        if self.end is not None and self.end[0] == attempt:
            self.end[1].set()

    def step_changed(self, state: LiveState, now: float) -> tuple[str, float] | None:
        """Follow `state` (published); (the step that ended, its seconds) when it changed."""
        step = state.step.value if state.step and not state.status.final else ""
        previous = self.step_since
        if step and (previous is None or previous[0] != step):
            self.step_since = (step, now)
        if previous is None or previous[0] == step:
            return None
        return previous[0], now - previous[1]


class CatchUp:
    """Publishes job changes committed by other processes (`irisd jobs cancel`), so open
    sockets see them within a poll. It reads the job_events table only when SQLite says
    another connection committed; the batch then holds the server's own changes too, which
    the hub already has and skips."""

    def __init__(self, db: Database, hub: Publisher) -> None:
        self.db = db
        self.hub = hub
        self._cursor = 0  # the newest job_events row this server has published
        self._data_version = 0  # SQLite's count of other connections' commits, last seen
        self._next = 0.0  # monotonic time of the next look

    async def start(self) -> None:
        self._cursor = await store.last_event_id(self.db)
        self._data_version = await store.data_version(self.db)

    async def poll(self) -> None:
        """Look for other processes' changes, at most once per POLL_S (not on every wake)."""
        if time.monotonic() < self._next:
            return
        self._next = time.monotonic() + POLL_S
        newest = await store.last_event_id(self.db)  # read first: a commit after it is seen
        version = await store.data_version(self.db)
        if version == self._data_version:
            self._cursor = newest  # every row up to it is the server's own
            return
        self._data_version = version
        while events := await store.events_after(self.db, self._cursor):
            for event_id, state in events:
                if state is not None:
                    self.hub.publish(state)
                self._cursor = event_id


class Dispatcher:
    """Hands at most `slots` claimed jobs to `run` at once; wakes on submit, on a job's end
    and every POLL_S (jobs queued by another process)."""

    def __init__(
        self,
        db: Database,
        hub: Publisher,
        publish: Callable[[LiveState], None],
        run: Callable[[RunningJob], Awaitable[None]],
    ) -> None:
        self.db = db
        self.running: dict[str, RunningJob] = {}
        self.queue_depth = 0
        self.slots = 0
        self._publish = publish
        self._run_job = run
        self._catch_up = CatchUp(db, hub)
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self, slots: int) -> None:
        self.resize(slots)
        await self._catch_up.start()
        self.queue_depth = await store.pending_count(self.db)
        self._task = asyncio.create_task(self._loop(), name="irisd-dispatch")

    async def stop(self) -> None:
        """Stop dispatching and cancel every running job (the engine re-queues them)."""
        tasks = [job.task for job in self.running.values()]
        if self._task is not None:
            tasks.append(self._task)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    def alive(self) -> bool:
        return self._task is not None and not self._task.done()

    def resize(self, slots: int) -> None:
        """Hand over at most `slots` jobs at once from now on (the executor's size changed)."""
        self.slots = slots
        self._wake.set()  # fill the new slots now, not at the next poll

    def queued(self, count: int) -> None:
        """`count` jobs were submitted here: count them and fill the free slots now."""
        self.queue_depth += count
        self._wake.set()

    def dropped(self) -> None:
        """A pending job was cancelled."""
        self.queue_depth = max(self.queue_depth - 1, 0)

    async def wait_for(self, job_ids: set[str]) -> None:
        """Until none of `job_ids` runs here any more."""
        tasks = [job.task for job_id, job in self.running.items() if job_id in job_ids]
        if tasks:
            await asyncio.wait(tasks)

    async def _loop(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._fill()
                await self._catch_up.poll()
            except Exception:  # the dispatcher must outlive a bad moment
                log.exception("engine.dispatch_failed")
            # asyncio.timeout, not wait_for: on 3.11 a cancel racing wait_for's inner task
            # could leave this task stuck "cancelling" and hang the server's shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_S):
                    await self._wake.wait()

    async def _fill(self) -> None:
        if len(self.running) >= self.slots:
            return
        if await store.pending_count(self.db) == 0:  # a read: the idle poll takes no write lock
            self.queue_depth = 0
            return
        while len(self.running) < self.slots:
            state, moved = await store.claim_next(self.db)
            for other in moved:
                self._publish(other)
            if state is None:
                break
            job = self.running[state.job_id] = RunningJob(state)
            self._publish(state)
            job.task = asyncio.create_task(self._run(job), name=f"irisd-job-{state.job_id}")
        self.queue_depth = await store.pending_count(self.db)

    async def _run(self, job: RunningJob) -> None:
        try:
            await self._run_job(job)
        finally:
            del self.running[job.state.job_id]  # with it, everything held about the job
            self._wake.set()
