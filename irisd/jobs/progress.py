"""Pure state transitions of a job's LiveState: every visible change is exactly one seq.

`advance` folds a pipeline report into the state; the other functions are the engine's
transitions (queued, started, retried, saving, completed, failed). Each returns a new state
with `seq + 1`, or None from `advance` when nothing a client can see would change.
"""

from __future__ import annotations

import dataclasses

from irisd.errors import JobFailure
from irisd.jobs.model import JobStatus, LiveState, Step, first_step, step_named


def advance(state: LiveState, step: str, progress: int, now: str) -> LiveState | None:
    """The state after the pipeline reported (`step`, `progress`), or None if unchanged.

    Reports only move a running job; progress is clamped to 0..100 and never goes
    backwards within an attempt (a late or repeated checkpoint changes nothing).
    """
    if state.status is not JobStatus.PROCESSING:
        return None  # a late report after the job finished, failed or was re-queued
    try:
        new_step = step_named(step)
    except ValueError:
        return None  # not an API.md step name: nothing a client could display
    new_progress = max(state.progress, min(max(progress, 0), 100))
    if new_step is state.step and new_progress == state.progress:
        return None
    return _next(state, now, step=new_step, progress=new_progress)


def queued(state: LiveState, position: int | None, now: str) -> LiveState | None:
    """The state with a new queue position, or None when the position did not change."""
    if state.status is not JobStatus.PENDING or state.queue_position == position:
        return None
    return _next(state, now, queue_position=position)


def started(state: LiveState, attempt: int, now: str) -> LiveState:
    """An attempt begins: the server is loading the original ("Preparing your image...") or,
    for an art kind, the results it works from."""
    return _next(
        state,
        now,
        status=JobStatus.PROCESSING,
        step=first_step(state.kind),
        progress=0,
        attempt=attempt,
        queue_position=None,
    )


def retrying(state: LiveState, now: str) -> LiveState:
    """A retryable failure: the next attempt starts from the beginning (progress 0)."""
    return started(state, state.attempt + 1, now)


def requeued(state: LiveState, now: str, attempt: int | None = None) -> LiveState:
    """Back in the queue (a dead worker found at start, or a server stopping): progress reset.

    `attempt` lowers the count when the interrupted attempt was no failure of the job.
    """
    count = state.attempt if attempt is None else attempt
    return _next(state, now, status=JobStatus.PENDING, step=None, progress=0, attempt=count)


def saving(state: LiveState, progress: int, now: str) -> LiveState:
    """The server stores the result (API.md: saving reports 95, then 100)."""
    return _next(state, now, step=Step.SAVING, progress=max(state.progress, progress))


def completed(
    state: LiveState,
    *,
    result_key: str,
    mask_key: str | None,
    size: tuple[int, int],
    quality_score: float | None,
    quality_notes: tuple[str, ...],
    warnings: tuple[str, ...] = (),
    processing_time_ms: int,
    now: str,
    file_size_bytes: int | None = None,
) -> LiveState:
    """The job finished with a stored result and the pipeline's notes on its quality (the
    `warnings` among them: the flaws it doubts the result for)."""
    return _next(
        state,
        now,
        status=JobStatus.COMPLETED,
        step=Step.SAVING,
        progress=100,
        result_key=result_key,
        mask_key=mask_key,
        result_width=size[0],
        result_height=size[1],
        quality_score=quality_score,
        quality_notes=tuple(quality_notes),
        warnings=tuple(warnings),
        processing_time_ms=processing_time_ms,
        file_size_bytes=file_size_bytes,
    )


def failed(state: LiveState, failure: JobFailure, now: str) -> LiveState:
    """The job failed for good with the user-facing fields of `failure` (API.md)."""
    return _next(
        state,
        now,
        status=JobStatus.FAILED,
        queue_position=None,
        error_type=failure.error_type,
        error_message=failure.text,
        suggestion=failure.suggestion,
        result_key=None,
        mask_key=None,
    )


def _next(state: LiveState, now: str, **changes: object) -> LiveState:
    return dataclasses.replace(state, seq=state.seq + 1, updated_at=now, **changes)  # type: ignore[arg-type]
