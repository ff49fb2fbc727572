"""The job engine, the one data path: submit → queue → attempt (load → compute → save) → finish.

The queue is the jobs table (store.claim_next); the dispatcher hands at most as many jobs to
the executor as it has workers. Every state change goes through `_update`: the row and its
job_events row first (store.save_state), then the live state, then the hub (push). One lock
orders the changes of every job, so pipeline reports and the job's own transitions never
race for a seq.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable, Iterable
from functools import partial
from typing import Protocol

from irisd import db as dbm
from irisd.config import Settings
from irisd.db import Database
from irisd.errors import Cancelled, JobFailure, StorageError, classify
from irisd.jobs import progress, retry, store, worker
from irisd.jobs.cancel import (
    AlreadyFinished,
    Cancellation,
    Outcome,
    cancel_photo,
    clear_stop,
    stop_requested,
)
from irisd.jobs.cancel import cancel as cancel_job
from irisd.jobs.executor import Executor
from irisd.jobs.model import LiveState
from irisd.jobs.step_timer import StepTimer
from irisd.jobs.store import MAX_ATTEMPTS, JobRecord
from irisd.logs import get_logger
from irisd.metrics import Metrics
from irisd.pipeline.types import PipelineOptions, PipelineResult
from irisd.storage import Storage, keys

log = get_logger(__name__)

POLL_S = 1.0  # the dispatcher also looks at the table this often: jobs queued by the CLI
END_WAIT_S = 5.0  # a worker sends END before its result; this only bounds a lost message
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}

Change = Callable[[LiveState], LiveState | None]


class Publisher(Protocol):
    """What the engine needs of the hub (irisd.jobs.hub.Hub)."""

    def publish(self, state: LiveState) -> None: ...


class Engine:
    """Owns the queue, the worker pool and every running job's live state."""

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
        self._rng = rng or random.Random()  # noqa: S311 - retry jitter, not cryptography
        self._sleep = sleep
        self._executor: Executor | None = None
        self._live: dict[str, LiveState] = {}
        self._running: dict[str, asyncio.Task[None]] = {}
        self._attempt_started: dict[str, str] = {}
        self._ended: dict[tuple[str, int], asyncio.Event] = {}
        self._reports: asyncio.Queue[worker.ReportMessage] = asyncio.Queue()
        self._lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._queue_depth = 0
        self._steps = StepTimer(metrics)
        self._event_cursor = 0  # the newest job_events row this server has published
        self._next_catch_up = 0.0  # monotonic time of the next look for other processes' changes
        self._data_version = 0  # SQLite's count of other connections' commits, last seen

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self) -> None:
        """Recover what a previous run left, start the pool, the dispatcher and the reports."""
        self._executor = Executor(
            self.settings.jobs, self.on_report, load_models=self.settings.pipeline.use_learned
        )
        self._executor.start()
        self._event_cursor = await store.last_event_id(self.db)
        self._data_version = await store.data_version(self.db)
        requeued, failed = await store.recover_on_start(self.db)
        for state in failed:
            await self._discard_results(state)
        self._publish_all([*requeued, *failed])
        if requeued or failed:
            log.info("engine.recovered", requeued=len(requeued), failed=len(failed))
        self._queue_depth = await store.pending_count(self.db)
        self._register_metrics()
        self._tasks = [
            asyncio.create_task(self._dispatch(), name="irisd-dispatch"),
            asyncio.create_task(self._apply_reports(), name="irisd-reports"),
        ]

    async def stop(self) -> None:
        """Stop dispatching; put interrupted jobs back in the queue (uncounted); stop workers."""
        tasks = [*self._tasks, *self._running.values()]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        # This server is the table's only runner: whatever is still processing was ours.
        for state in await store.processing(self.db):
            await self._requeue_interrupted(state)
        if self._executor is not None:
            self._executor.close()

    async def _requeue_interrupted(self, state: LiveState) -> None:
        # The server stopped, the job did not fail: its attempt does not count.
        back = progress.requeued(state, dbm.now(), attempt=max(state.attempt - 1, 0))
        if await store.save_state(self.db, back):
            self.hub.publish(back)

    def alive(self) -> bool:
        """True while the worker pool can run jobs (for /readyz)."""
        running = all(not task.done() for task in self._tasks) and bool(self._tasks)
        return running and self._executor is not None and self._executor.alive()

    def worker_pids(self) -> list[int]:
        """The pids of the live worker processes (operators and tests)."""
        return self._executor.pids() if self._executor else []

    # --- submit and cancel ----------------------------------------------------------------

    async def submit(self, user_id: str, photo_ids: list[str], priority: int) -> list[JobRecord]:
        """Queue one job per photo (the caller checked ownership); 429 when the queue is full."""
        limit = self.settings.jobs.queue_limit
        records, moved = await store.insert(self.db, user_id, photo_ids, priority, limit)
        self._publish_all(moved)
        self._queue_depth += len(records)
        for record in records:
            log.info(
                "job.queued",
                job_id=record.state.job_id,
                user_id=user_id,
                photo_id=record.state.photo_id,
            )
        self._wake.set()
        return records

    async def cancel(self, user_id: str, job_id: str) -> JobRecord:
        """Drop a pending job at once; ask a running one to stop at its next step boundary."""
        record = await store.fetch_for_user(self.db, user_id, job_id)
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
        job_ids = {cancellation.state.job_id for cancellation in done}
        running = [task for job_id, task in self._running.items() if job_id in job_ids]
        if running:
            await asyncio.wait(running)

    def _cancelled(self, done: Cancellation) -> None:
        self._publish_all(done.changed)
        if done.outcome is not Outcome.DROPPED:
            return
        self._queue_depth = max(self._queue_depth - 1, 0)
        state = done.state
        log.info("job.cancelled", job_id=state.job_id, user_id=state.user_id, status="pending")
        self.metrics.inc("irisd_jobs_finished_total", status="failed", error_type="cancelled")

    # --- dispatch -------------------------------------------------------------------------

    async def _dispatch(self) -> None:
        while True:
            self._wake.clear()
            try:
                await self._fill()
                if time.monotonic() >= self._next_catch_up:  # not on every wake: once a poll
                    self._next_catch_up = time.monotonic() + POLL_S
                    await self._catch_up()
            except Exception:  # the dispatcher must outlive a bad moment
                log.exception("engine.dispatch_failed")
            # asyncio.timeout, not wait_for: on 3.11 a cancel racing wait_for's inner task
            # could leave this task stuck "cancelling" and hang the server's shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(POLL_S):
                    await self._wake.wait()

    async def _catch_up(self) -> None:
        """Publish job changes committed by other processes (`irisd jobs cancel`), so open
        sockets see them within a poll. Only when SQLite says another connection committed;
        the batch then holds the server's own changes too, which the hub already has."""
        newest = await store.last_event_id(self.db)  # read first: a commit after it is seen
        version = await store.data_version(self.db)
        if version == self._data_version:
            self._event_cursor = newest  # every row up to it is the server's own
            return
        self._data_version = version
        while events := await store.events_after(self.db, self._event_cursor):
            for event_id, state in events:
                if state is not None:
                    self.hub.publish(state)
                self._event_cursor = event_id

    async def _fill(self) -> None:
        size = self._executor.size if self._executor else 0
        if len(self._running) >= size:
            return
        if await store.pending_count(self.db) == 0:  # a read: the idle poll takes no write lock
            self._queue_depth = 0
            return
        while len(self._running) < size:
            state, moved = await store.claim_next(self.db)
            self._publish_all(moved)
            if state is None:
                break
            self._live[state.job_id] = state
            self._publish(state)
            task = asyncio.create_task(self._run(state), name=f"irisd-job-{state.job_id}")
            self._running[state.job_id] = task
        self._queue_depth = await store.pending_count(self.db)

    # --- one job --------------------------------------------------------------------------

    async def _run(self, state: LiveState) -> None:
        job_id = state.job_id
        log.info("job.started", job_id=job_id, user_id=state.user_id, attempt=state.attempt)
        jobs = self.settings.jobs
        try:
            await retry.run_with_retry(
                partial(self._attempt, job_id),
                classify=classify,
                on_retry=partial(self._on_retry, job_id),
                on_failure=partial(self._on_failure, job_id),
                sleep=self._sleep,
                rng=self._rng,
                base_delay_s=jobs.retry_delay_s,
                jitter_s=jobs.retry_jitter_s,
                retries=max(0, MAX_ATTEMPTS - state.attempt),
            )
        except Exception:  # e.g. the database failed while finishing
            log.exception("job.crashed", job_id=job_id)  # left processing: recovered at start
        finally:
            self._forget(job_id)

    def _forget(self, job_id: str) -> None:
        self._running.pop(job_id, None)
        self._live.pop(job_id, None)
        self._attempt_started.pop(job_id, None)
        self._steps.forget(job_id)
        clear_stop(self.settings.data_path, job_id)
        self._wake.set()

    async def _attempt(self, job_id: str) -> None:
        """Load the original here, compute in a worker, save the result here."""
        state = self._live[job_id]
        started = time.monotonic()
        self._attempt_started[job_id] = dbm.now()
        self._check_cancel(job_id)
        image = await self.storage.get(keys.original(state.user_id, state.photo_id))
        self._check_cancel(job_id)
        result = await self._compute(state, image)
        self._check_cancel(job_id)
        await self._save(job_id, result, started)

    def _check_cancel(self, job_id: str) -> None:
        """A step boundary: stop here if the user cancelled (API or CLI flag)."""
        if stop_requested(self.settings.data_path, job_id):
            raise Cancelled(job_id=job_id)

    async def _compute(self, state: LiveState, image: bytes) -> PipelineResult:
        assert self._executor is not None  # noqa: S101 - started before any job runs
        options = _options(self.settings)
        flag = str(worker.cancel_flag(self.settings.data_path, state.job_id))
        job = worker.JobInput(state.job_id, state.photo_id, state.attempt, image, options, flag)
        ended = self._ended[(state.job_id, state.attempt)] = asyncio.Event()
        try:
            result = await self._executor.run(job, self.settings.jobs.time_limit_s)
            # Apply every report of this attempt before the saving states follow them.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(END_WAIT_S):
                    await ended.wait()
            return result
        finally:
            self._ended.pop((state.job_id, state.attempt), None)

    async def _save(self, job_id: str, result: PipelineResult, started: float) -> None:
        state = self._live[job_id]
        await self._update(job_id, lambda s: progress.saving(s, 95, dbm.now()))
        result_key = keys.processed(state.user_id, job_id, result.ext)
        mask_key = keys.mask(state.user_id, job_id)
        await self.storage.put(result_key, result.image, MEDIA_TYPES[result.format])
        await self.storage.put(mask_key, result.mask, "image/png")
        await store.save_measures(self.db, job_id, result.measures)
        await self._update(job_id, lambda s: progress.saving(s, 100, dbm.now()))
        done = await self._update(
            job_id,
            lambda s: progress.completed(
                s,
                result_key=result_key,
                mask_key=mask_key,
                size=(result.width, result.height),
                quality_score=result.quality_score,
                quality_notes=result.quality_notes,
                processing_time_ms=int((time.monotonic() - started) * 1000),
                now=dbm.now(),
            ),
        )
        if done is None:  # the row is gone (photo deleted meanwhile): leave nothing behind
            await self._discard_results(state)
            return
        await self._log_attempt(done, "completed")
        log.info("job.completed", job_id=job_id, user_id=done.user_id, attempt=done.attempt)
        self.metrics.inc("irisd_jobs_finished_total", status="completed", error_type="")

    async def _on_retry(self, job_id: str, failure: JobFailure, delay_s: float) -> None:
        await self._log_attempt(self._live[job_id], _cause(failure))
        state = await self._update(job_id, lambda s: progress.retrying(s, dbm.now()))
        log.info(
            "job.retried",
            job_id=job_id,
            user_id=self._live[job_id].user_id,
            attempt=state.attempt if state else None,
            error_type=failure.error_type,
            cause=_cause(failure),
            delay_s=round(delay_s, 3),
        )
        self.metrics.inc("irisd_job_retries_total", error_type=failure.error_type)

    async def _on_failure(self, job_id: str, failure: JobFailure) -> None:
        state = self._live[job_id]
        # Partial results go before anyone can see the failure.
        await self._discard_results(state)
        await self._log_attempt(state, _cause(failure))
        await self._update(job_id, lambda s: progress.failed(s, failure, dbm.now()))
        log.info(
            "job.failed",
            job_id=job_id,
            user_id=state.user_id,
            attempt=state.attempt,
            error_type=failure.error_type,
            cause=_cause(failure),
        )
        self.metrics.inc(
            "irisd_jobs_finished_total", status="failed", error_type=failure.error_type
        )

    async def _discard_results(self, state: LiveState) -> None:
        prefix = keys.processed_prefix(state.user_id, state.job_id)
        try:
            await self.storage.delete_prefix(prefix)
        except StorageError:
            log.exception("job.cleanup_failed", job_id=state.job_id, user_id=state.user_id)

    async def _log_attempt(self, state: LiveState, cause: str) -> None:
        started_at = self._attempt_started.get(state.job_id, state.updated_at)
        await store.log_attempt(self.db, state.job_id, state.attempt, started_at, cause)

    # --- state changes --------------------------------------------------------------------

    def on_report(self, message: worker.ReportMessage) -> None:
        """Called on the loop (bridge thread → call_soon_threadsafe) for each worker report."""
        self._reports.put_nowait(message)

    async def _apply_reports(self) -> None:
        while True:
            job_id, attempt, step, value = await self._reports.get()
            if step == worker.END:
                ended = self._ended.get((job_id, attempt))
                if ended is not None:
                    ended.set()
                continue
            try:
                await self._update(job_id, partial(_report, attempt, step, value))
            except Exception:  # one failed write must not stop all progress
                log.exception("job.report_failed", job_id=job_id)

    async def _update(self, job_id: str, change: Change) -> LiveState | None:
        """Apply `change` to the job's live state: row + event, then the hub. None if no-op."""
        async with self._lock:
            live = self._live.get(job_id)
            new = change(live) if live is not None else None
            if new is None:
                return None
            if not await store.save_state(self.db, new):
                log.warning("job.state_stale", job_id=job_id, seq=new.seq)
                return None
            self._live[job_id] = new
            self._publish(new)
            return new

    def _publish_all(self, states: Iterable[LiveState]) -> None:
        for state in states:
            self._publish(state)

    def _publish(self, state: LiveState) -> None:
        self.hub.publish(state)
        self._steps.observe(state)

    # --- metrics --------------------------------------------------------------------------

    def _register_metrics(self) -> None:
        self.metrics.gauge("irisd_queue_depth", lambda: {(): float(self._queue_depth)})
        self.metrics.gauge(
            "irisd_jobs_running", lambda: {(("status", "processing"),): float(len(self._running))}
        )


def _report(attempt: int, step: str, value: int, state: LiveState) -> LiveState | None:
    """A worker report applies only to the attempt that sent it."""
    if state.attempt != attempt:
        return None
    return progress.advance(state, step, value, dbm.now())


def _options(settings: Settings) -> PipelineOptions:
    return PipelineOptions(
        output_size=settings.pipeline.output_size,
        output_format=settings.pipeline.output_format,
        max_pixels=settings.uploads.max_pixels,
        use_learned=settings.pipeline.use_learned,
        occlusion=settings.pipeline.occlusion,
    )


def _cause(failure: JobFailure) -> str:
    """What to log about a failure: the underlying exception when there was one."""
    return str(failure.context.get("cause") or failure.error_type)
