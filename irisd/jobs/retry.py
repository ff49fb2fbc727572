"""The one retry layer: run an attempt, retry retryable failures with backoff and jitter.

Classification and the retry budget follow API.md ("Errors of a job"): transient and server
errors get one retry; quality issues, unexpected errors and cancels get none.
`asyncio.CancelledError` is a BaseException and is never caught here, so shutdown stays clean.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from irisd.errors import JobFailure

T = TypeVar("T")


def backoff(retry_index: int, base_delay_s: float, jitter_s: float, rng: random.Random) -> float:
    """Exponential backoff with additive jitter: base·2^i + U(0, jitter)."""
    return float(base_delay_s * 2**retry_index + rng.uniform(0.0, jitter_s))


async def run_with_retry(
    attempt: Callable[[], Awaitable[T]],
    *,
    classify: Callable[[BaseException], JobFailure],
    on_retry: Callable[[JobFailure, float], Awaitable[None]],
    on_failure: Callable[[JobFailure], Awaitable[None]],
    sleep: Callable[[float], Awaitable[None]],
    rng: random.Random,
    base_delay_s: float,
    jitter_s: float,
    retries: int = 1,
) -> T | None:
    """The attempt's result, or None after `on_failure` was awaited with the final failure.

    `on_retry(failure, delay_s)` runs before each backoff sleep; `retries` is how many
    retries are left (0 when this run is itself the retry, e.g. after a restart).
    """
    retry_index = 0
    while True:
        try:
            return await attempt()
        except Exception as exc:  # noqa: BLE001 - the one place every failure is classified
            failure = classify(exc)
        if not failure.retryable or retry_index >= retries:
            await on_failure(failure)
            return None
        delay = backoff(retry_index, base_delay_s, jitter_s, rng)
        retry_index += 1
        await on_retry(failure, delay)
        await sleep(delay)
