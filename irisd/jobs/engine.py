"""The job engine, the one data path: submit → queue → attempt (load → compute → save) → finish.

The engine owns the parts of the run loop, one small class per role (huey's consumer):
the `Dispatcher` (jobs/dispatch.py) fills the worker slots from the queue, which is the jobs
table, and follows other processes' changes; the `Runner` (jobs/attempts.py) runs one job's
attempts under the retry rules; the `Executor` (jobs/executors/: the local process pool or
Ray actors) runs the pipeline. What is left here: start and stop (recovery), submit, cancel,
and every state change.

Every state change goes through `_update`: the row and its job_events row first
(store.save_state), then the job's `RunningJob` record, then the hub (push). One lock orders
the changes of every job, so pipeline reports and the job's own transitions never race for
a seq.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Sequence
from functools import partial

from irisd import db as dbm
from irisd.config import Settings
from irisd.db import Database
from irisd.errors import NotFound
from irisd.jobs import executors, progress, store, worker
from irisd.jobs.attempts import Change, Runner, discard_results
from irisd.jobs.cancel import AlreadyFinished, Cancellation, Outcome, cancel_photo
from irisd.jobs.cancel import cancel as cancel_job
from irisd.jobs.dispatch import Dispatcher, Publisher, RunningJob
from irisd.jobs.model import JobKind, LiveState
from irisd.jobs.store import JobRecord
from irisd.logs import get_logger
from irisd.metrics import Metrics
from irisd.storage import Storage

log = get_logger(__name__)


class Engine:
    """Owns the worker pool, the dispatcher and the runner; submit, cancel, state changes."""

    def __init__(
        self,
        settings: Settings,
        db: Database,
        storage: Storage,
        hub: Publisher,
        metrics: Metrics,
        *,
        rng: random.Random | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.settings = settings
        self.db = db
        self.storage = storage
        self.hub = hub
        self.metrics = metrics
        use_learned = settings.pipeline.use_learned
        self._executor = executors.create(
            settings.jobs, self.on_report, metrics, load_models=use_learned, resized=self._resized
        )
        rng = rng or random.Random()  # noqa: S311 - retry jitter, not cryptography
        runner = Runner(settings, db, storage, self._executor, metrics, self._update, rng, sleep)
        self._dispatcher = Dispatcher(db, hub, self._publish, runner.run)
        self._reports: asyncio.Queue[worker.ReportMessage] = asyncio.Queue()
        self._reports_task: asyncio.Task[None] | None = None
        self._lock = asyncio.Lock()

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Recover what a previous run left, start the pool, the dispatcher and the reports."""
        self._executor.start()
        requeued, failed = await store.recover_on_start(self.db)
        for state in failed:
            await discard_results(self.storage, state)
        self._publish_all([*requeued, *failed])
        if requeued or failed:
            log.info("engine.recovered", requeued=len(requeued), failed=len(failed))
        self._register_metrics()
        await self._dispatcher.start(self._executor.size)
        self._reports_task = asyncio.create_task(self._apply_reports(), name="irisd-reports")

    async def stop(self) -> None:
        """Stop dispatching; put interrupted jobs back in the queue (uncounted); stop workers."""
        await self._dispatcher.stop()
        if self._reports_task is not None:
            self._reports_task.cancel()
            await asyncio.gather(self._reports_task, return_exceptions=True)
        # This server is the table's only runner: whatever is still processing was ours.
        for state in await store.processing(self.db):
            await self._requeue_interrupted(state)
        self._executor.close()

    async def _requeue_interrupted(self, state: LiveState) -> None:
        # The server stopped, the job did not fail: its attempt does not count.
        back = progress.requeued(state, dbm.now(), attempt=max(state.attempt - 1, 0))
        if await store.save_state(self.db, back):
            self.hub.publish(back)

    def _resized(self, size: int) -> None:
        """The executor's size changed (a Ray node joined, or a restarted Ray driver found the
        cluster smaller): hand over that many jobs at once."""
        log.info("engine.resized", workers=size)
        self._dispatcher.resize(size)

    def warm(self) -> bool:
        """A worker has loaded its models ([jobs] warm_start), so a job starts at once."""
        return self._executor.warm()

    def alive(self) -> bool:
        """True while the worker pool can run jobs (for /readyz)."""
        reports = self._reports_task is not None and not self._reports_task.done()
        return reports and self._dispatcher.alive() and self._executor.alive()

    def worker_pids(self) -> list[int]:
        """The pids of the live worker processes (operators and tests)."""
        return self._executor.pids()

    # --- submit and cancel ----------------------------------------------------------------

    async def submit(self, user_id: str, photo_ids: list[str], priority: int) -> list[JobRecord]:
        """Queue one job per photo (the caller checked ownership); 429 when the queue is full."""
        jobs = self.settings.jobs
        records, moved = await store.insert(
            self.db, user_id, photo_ids, priority, jobs.queue_limit, jobs.user_queue_limit
        )
        self._queued(user_id, records, moved)
        return records

    async def resubmit(self, user_id: str, photo_id: str) -> tuple[JobRecord, bool]:
        """Queue the photo again, unless a job of it is still waiting: (that job, False)."""
        jobs = self.settings.jobs
        record, new, moved = await store.insert_unless_pending(
            self.db, user_id, photo_id, store.SINGLE_PRIORITY, jobs.queue_limit,
            jobs.user_queue_limit,
        )  # fmt: skip
        if new:
            self._queued(user_id, [record], moved)
        return record, new

    async def submit_art(self, user_id: str, spec: store.ArtSpec) -> JobRecord:
        """Queue an art job (the caller checked its sources), with processing's limits and
        turns; 429 when the queue is full."""
        jobs = self.settings.jobs
        record, moved = await store.insert_art(
            self.db, user_id, spec, store.SINGLE_PRIORITY, jobs.queue_limit, jobs.user_queue_limit
        )
        self._queued(user_id, [record], moved)
        return record

    def _queued(self, user_id: str, records: list[JobRecord], moved: list[LiveState]) -> None:
        self._publish_all(moved)
        for record in records:
            state = record.state
            log.info("job.queued", job_id=state.job_id, user_id=user_id, photo_id=state.photo_id)
        self._dispatcher.queued(len(records))

    async def cancel(
        self, user_id: str, job_id: str, kinds: Sequence[JobKind] = store.PROCESSED
    ) -> JobRecord:
        """Drop a pending job at once; ask a running one to stop at its next step boundary.
        A job of another kind than `kinds` is not found (each kind's routes cancel their own)."""
        record = await store.fetch_for_user(self.db, user_id, job_id)
        if record.state.kind not in kinds:
            raise NotFound(job_id=job_id)
        done = await cancel_job(self.db, self.settings.data_path, record.state)
        # Cancelling twice is not an error (Outcome.CANCELLED): the job comes back as it is.
        if done.outcome is Outcome.FINISHED:
            raise AlreadyFinished(job_id=job_id)
        self._cancelled(done)
        return JobRecord(done.state, record.created_at)

    async def cancel_photo_jobs(self, photo_id: str) -> None:
        """Stop every job of a photo being deleted, and wait until none can write a result."""
        done = await cancel_photo(self.db, self.settings.data_path, photo_id)
        for cancellation in done:
            self._cancelled(cancellation)
        await self._dispatcher.wait_for({cancellation.state.job_id for cancellation in done})

    def _cancelled(self, done: Cancellation) -> None:
        self._publish_all(done.changed)
        if done.outcome is not Outcome.DROPPED:
            return
        self._dispatcher.dropped()
        state = done.state
        log.info("job.cancelled", job_id=state.job_id, user_id=state.user_id, status="pending")
        self.metrics.inc("irisd_jobs_finished_total", status="failed", error_type="cancelled")

    # --- state changes --------------------------------------------------------------------

    def on_report(self, message: worker.ReportMessage) -> None:
        """Called on the loop (bridge thread → call_soon_threadsafe) for each worker report."""
        self._reports.put_nowait(message)

    async def _apply_reports(self) -> None:
        while True:
            job_id, attempt, step, value = await self._reports.get()
            job = self._dispatcher.running.get(job_id)
            if job is None:
                continue  # a late report of a job that no longer runs here
            if step == worker.END:
                job.end_reported(attempt)
                continue
            try:
                await self._update(job, partial(_report, attempt, step, value))
            except Exception:  # one failed write must not stop all progress
                log.exception("job.report_failed", job_id=job_id)

    async def _update(self, job: RunningJob, change: Change) -> LiveState | None:
        """Apply `change` to the job's live state: row + event, then the hub. None if no-op."""
        async with self._lock:
            if self._dispatcher.running.get(job.state.job_id) is not job:
                return None  # its run ended while this change waited for the lock
            new = change(job.state)
            if new is None:
                return None
            if not await store.save_state(self.db, new):
                log.warning("job.state_stale", job_id=new.job_id, seq=new.seq)
                return None
            job.state = new
            self._publish(new)
            return new

    def _publish_all(self, states: Iterable[LiveState]) -> None:
        for state in states:
            self._publish(state)

    def _publish(self, state: LiveState) -> None:
        self.hub.publish(state)
        job = self._dispatcher.running.get(state.job_id)
        ended = job.step_changed(state, time.monotonic()) if job else None
        if ended is not None:
            step, seconds = ended
            self.metrics.observe("irisd_job_step_seconds", seconds, step=step)

    # --- metrics --------------------------------------------------------------------------

    def _register_metrics(self) -> None:
        dispatcher = self._dispatcher
        self.metrics.gauge("irisd_queue_depth", lambda: {(): float(dispatcher.queue_depth)})
        self.metrics.gauge(
            "irisd_jobs_running",
            lambda: {(("status", "processing"),): float(len(dispatcher.running))},
        )


def _report(attempt: int, step: str, value: int, state: LiveState) -> LiveState | None:
    """A worker report applies only to the attempt that sent it."""
    if state.attempt != attempt:
        return None
    return progress.advance(state, step, value, dbm.now())
