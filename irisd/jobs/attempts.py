"""One claimed job, run to its end: attempts under the retry rules (jobs/retry.py), each one
the data path load → compute → save, and the callbacks that record a retry or the failure.

Every state change goes through the engine's `update` (row + job_events, then the hub), so
the runner never writes a state itself. Between steps it stops at a cancel (jobs/cancel.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial

from irisd import db as dbm
from irisd.config import Settings
from irisd.db import Database
from irisd.errors import Cancelled, JobFailure, StorageError, classify
from irisd.jobs import art_params, art_saving, previews, progress, retry, store, worker
from irisd.jobs.art_work import ArtResult
from irisd.jobs.cancel import cancel_flag, clear_stop, stop_requested
from irisd.jobs.dispatch import RunningJob
from irisd.jobs.executors import Executor
from irisd.jobs.model import JobKind, LiveState
from irisd.jobs.store import MAX_ATTEMPTS
from irisd.logs import get_logger
from irisd.metrics import Metrics
from irisd.pipeline.types import PipelineOptions, PipelineResult
from irisd.storage import Storage, keys

log = get_logger(__name__)

END_WAIT_S = 5.0  # a worker sends END before its result; this only bounds a lost message
MEDIA_TYPES = {"png": "image/png", "jpeg": "image/jpeg"}

Change = Callable[[LiveState], LiveState | None]
Update = Callable[[RunningJob, Change], Awaitable[LiveState | None]]


@dataclass
class Runner:
    """Runs one job: `run(job)` returns when the job completed, failed, or was cancelled."""

    settings: Settings
    db: Database
    storage: Storage
    executor: Executor
    metrics: Metrics
    update: Update  # the engine's one way to change a job's state
    rng: random.Random
    sleep: Callable[[float], Awaitable[None]]

    async def run(self, job: RunningJob) -> None:
        state = job.state
        log.info("job.started", job_id=state.job_id, user_id=state.user_id, attempt=state.attempt)
        jobs = self.settings.jobs
        try:
            await retry.run_with_retry(
                partial(self._attempt, job),
                classify=classify,
                on_retry=partial(self._on_retry, job),
                on_failure=partial(self._on_failure, job),
                sleep=self.sleep,
                rng=self.rng,
                base_delay_s=jobs.retry_delay_s,
                jitter_s=jobs.retry_jitter_s,
                retries=max(0, MAX_ATTEMPTS - state.attempt),
            )
        except Exception:  # e.g. the database failed while finishing
            log.exception("job.crashed", job_id=state.job_id)  # left processing: recovered at start
        finally:
            clear_stop(self.settings.data_path, state.job_id)

    async def _attempt(self, job: RunningJob) -> None:
        """Load the original (or an art job's sources) here, compute in a worker, save the
        result here."""
        state = job.state
        started = time.monotonic()
        job.attempt_started_at = dbm.now()
        self._check_cancel(state)
        if state.kind is not JobKind.PROCESS:
            await self._art_attempt(job, started)
            return
        image = await self.storage.get(keys.original(state.user_id, state.photo_id))
        self._check_cancel(state)
        result = await self._compute(job, worker_input(self.settings, state, image))
        self._check_cancel(state)
        assert isinstance(result, PipelineResult)  # noqa: S101 - a process job's result
        await self._save(job, result, started, image)

    async def _art_attempt(self, job: RunningJob, started: float) -> None:
        """An art kind: its sources are stored results, its result an ArtResult."""
        state = job.state
        params = await store.params_of(self.db, state.job_id)
        sources = tuple([await self.storage.get(key) for key in art_params.source_keys(params)])
        self._check_cancel(state)
        task = worker_input(self.settings, state, b"", params, sources)
        result = await self._compute(job, task)
        self._check_cancel(state)
        assert isinstance(result, ArtResult)  # noqa: S101 - an art job's result
        await self.finished(job, await art_saving.save(self._saving(job), result, started))

    def _saving(self, job: RunningJob) -> art_saving.Saving:
        return art_saving.Saving(self.db, self.storage, job.state, partial(self.update, job))

    def _check_cancel(self, state: LiveState) -> None:
        """A step boundary: stop here if the user cancelled (API or CLI flag)."""
        if stop_requested(self.settings.data_path, state.job_id):
            raise Cancelled(job_id=state.job_id)

    async def _compute(self, job: RunningJob, task: worker.JobInput) -> worker.JobResult:
        ended = job.expect_end()
        result = await self.executor.run(task, self.settings.jobs.time_limit_s)
        # Apply every report of this attempt before the saving states follow them.
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(END_WAIT_S):
                await ended.wait()
        return result

    async def _save(
        self, job: RunningJob, result: PipelineResult, started: float, original: bytes
    ) -> None:
        state = job.state
        await self.update(job, lambda s: progress.saving(s, 95, dbm.now()))
        result_key = keys.processed(state.user_id, state.job_id, result.ext)
        mask_key = keys.mask(state.user_id, state.job_id)
        await self.storage.put(result_key, result.image, MEDIA_TYPES[result.format])
        await self.storage.put(mask_key, result.mask, "image/png")
        await previews.store(self.db, self.storage, state, result.image, original, result.mask)
        await store.save_measures(self.db, state.job_id, result.measures)
        await self.update(job, lambda s: progress.saving(s, 100, dbm.now()))
        done = await self.update(
            job,
            lambda s: progress.completed(
                s,
                result_key=result_key,
                mask_key=mask_key,
                size=(result.width, result.height),
                quality_score=result.quality_score,
                quality_notes=result.quality_notes,
                warnings=result.warnings,
                processing_time_ms=int((time.monotonic() - started) * 1000),
                now=dbm.now(),
            ),
        )
        await self.finished(job, done)

    async def finished(self, job: RunningJob, done: LiveState | None) -> None:
        """After the completed state was written (None: the row is gone, as its photo was
        deleted meanwhile: leave nothing behind)."""
        if done is None:
            await discard_results(self.storage, job.state)
            return
        await self._log_attempt(job, "completed")
        log.info("job.completed", job_id=done.job_id, user_id=done.user_id, attempt=done.attempt)
        self.metrics.inc("irisd_jobs_finished_total", status="completed", error_type="")

    async def _on_retry(self, job: RunningJob, failure: JobFailure, delay_s: float) -> None:
        await self._log_attempt(job, _cause(failure))
        state = await self.update(job, lambda s: progress.retrying(s, dbm.now()))
        log.info(
            "job.retried",
            job_id=job.state.job_id,
            user_id=job.state.user_id,
            attempt=state.attempt if state else None,
            error_type=failure.error_type,
            cause=_cause(failure),
            delay_s=round(delay_s, 3),
        )
        self.metrics.inc("irisd_job_retries_total", error_type=failure.error_type)

    async def _on_failure(self, job: RunningJob, failure: JobFailure) -> None:
        state = job.state
        # Partial results go before anyone can see the failure.
        await discard_results(self.storage, state)
        await self._log_attempt(job, _cause(failure))
        await self.update(job, lambda s: progress.failed(s, failure, dbm.now()))
        log.info(
            "job.failed",
            job_id=state.job_id,
            user_id=state.user_id,
            attempt=state.attempt,
            error_type=failure.error_type,
            cause=_cause(failure),
        )
        self.metrics.inc(
            "irisd_jobs_finished_total", status="failed", error_type=failure.error_type
        )

    async def _log_attempt(self, job: RunningJob, cause: str) -> None:
        state = job.state
        started_at = job.attempt_started_at or state.updated_at
        await store.log_attempt(self.db, state.job_id, state.attempt, started_at, cause)


async def discard_results(storage: Storage, state: LiveState) -> None:
    """Delete whatever the job stored (a failed or orphaned job leaves no result behind)."""
    prefix = keys.processed_prefix(state.user_id, state.job_id)
    try:
        await storage.delete_prefix(prefix)
    except StorageError:
        log.exception("job.cleanup_failed", job_id=state.job_id, user_id=state.user_id)


def worker_input(
    settings: Settings,
    state: LiveState,
    image: bytes,
    params: str = "",
    sources: tuple[bytes, ...] = (),
) -> worker.JobInput:
    """What a worker gets for one attempt of the job."""
    flag = str(cancel_flag(settings.data_path, state.job_id))
    return worker.JobInput(
        *(state.job_id, state.photo_id, state.attempt, image, _options(settings), flag),
        kind=state.kind.value,
        params=params,
        sources=sources,
    )


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
