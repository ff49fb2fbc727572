"""run_with_retry with injected sleep and rng: one retry for retryable failures only."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable

import pytest

from irisd.errors import (
    Cancelled,
    JobFailure,
    QualityIssue,
    ServerFailure,
    TransientFailure,
    UnexpectedFailure,
    classify,
)
from irisd.jobs.retry import backoff, run_with_retry


class Recorder:
    """Collects what the wrapper did: sleeps, retries and the final failure."""

    def __init__(self) -> None:
        self.sleeps: list[float] = []
        self.retries: list[tuple[str, float]] = []
        self.failures: list[JobFailure] = []

    async def sleep(self, delay: float) -> None:
        self.sleeps.append(delay)

    async def on_retry(self, failure: JobFailure, delay: float) -> None:
        self.retries.append((failure.error_type, delay))

    async def on_failure(self, failure: JobFailure) -> None:
        self.failures.append(failure)


def raising(*outcomes: BaseException | str) -> Callable[[], object]:
    """An attempt that raises the given exceptions in turn, or returns a string."""
    queue = list(outcomes)
    calls = {"n": 0}

    async def attempt() -> str:
        calls["n"] += 1
        outcome = queue.pop(0)
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome

    attempt.calls = calls  # type: ignore[attr-defined]
    return attempt


async def run(rec: Recorder, attempt: Callable[[], object], retries: int = 1) -> object:
    return await run_with_retry(
        attempt,  # type: ignore[arg-type]
        classify=classify,
        on_retry=rec.on_retry,
        on_failure=rec.on_failure,
        sleep=rec.sleep,
        rng=random.Random(7),
        base_delay_s=1.0,
        jitter_s=0.5,
        retries=retries,
    )


async def test_success_needs_no_retry() -> None:
    rec = Recorder()
    assert await run(rec, raising("done")) == "done"
    assert (rec.sleeps, rec.retries, rec.failures) == ([], [], [])


@pytest.mark.parametrize(
    "exc", [ConnectionError("x"), TimeoutError("x"), RuntimeError("oom")], ids=repr
)
async def test_retryable_failure_is_retried_once_then_succeeds(exc: Exception) -> None:
    rec = Recorder()
    assert await run(rec, raising(exc, "done")) == "done"
    assert len(rec.retries) == 1
    assert rec.failures == []
    assert rec.sleeps == [rec.retries[0][1]]
    assert 1.0 <= rec.sleeps[0] <= 1.5  # base delay plus jitter


async def test_transient_twice_fails_with_transient_error() -> None:
    rec = Recorder()
    attempt = raising(ConnectionError("a"), ConnectionError("b"), "never")
    assert await run(rec, attempt) is None
    assert attempt.calls["n"] == 2  # type: ignore[attr-defined]
    [failure] = rec.failures
    assert isinstance(failure, TransientFailure)
    assert failure.text == "Processing timed out. Please try again."


@pytest.mark.parametrize(
    ("exc", "kind"),
    [
        (QualityIssue("Too dark."), QualityIssue),
        (ValueError("bug"), UnexpectedFailure),
        (Cancelled(), Cancelled),
    ],
    ids=["quality", "unexpected", "cancelled"],
)
async def test_non_retryable_failures_are_not_retried(exc: Exception, kind: type) -> None:
    rec = Recorder()
    attempt = raising(exc, "never")
    assert await run(rec, attempt) is None
    assert attempt.calls["n"] == 1  # type: ignore[attr-defined]
    assert rec.retries == []
    assert rec.sleeps == []
    assert isinstance(rec.failures[0], kind)


async def test_no_retry_left_after_a_restart() -> None:
    rec = Recorder()
    assert await run(rec, raising(RuntimeError("died"), "never"), retries=0) is None
    assert rec.retries == []
    assert isinstance(rec.failures[0], ServerFailure)


async def test_cancelled_error_propagates_unclassified() -> None:
    rec = Recorder()
    with pytest.raises(asyncio.CancelledError):
        await run(rec, raising(asyncio.CancelledError()))
    assert rec.failures == []
    assert rec.retries == []


def test_backoff_is_exponential_with_bounded_jitter() -> None:
    rng = random.Random(1)
    assert backoff(0, 1.0, 0.0, rng) == 1.0
    assert backoff(2, 1.0, 0.0, rng) == 4.0
    delays = [backoff(0, 1.0, 0.5, rng) for _ in range(100)]
    assert all(1.0 <= d <= 1.5 for d in delays)
    assert len(set(delays)) > 1  # jitter spreads retries apart
