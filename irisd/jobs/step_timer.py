"""The irisd_job_step_seconds histogram: time from one step change of a job to the next."""

from __future__ import annotations

import time

from irisd.jobs.model import LiveState
from irisd.metrics import Metrics


class StepTimer:
    """Observes each published state; one clock per job while it has a step."""

    def __init__(self, metrics: Metrics) -> None:
        self.metrics = metrics
        self._clock: dict[str, tuple[str, float]] = {}

    def observe(self, state: LiveState) -> None:
        now = time.monotonic()
        previous = self._clock.get(state.job_id)
        step = state.step.value if state.step and not state.status.final else ""
        if previous and previous[0] != step:
            self.metrics.observe("irisd_job_step_seconds", now - previous[1], step=previous[0])
        if step and (previous is None or previous[0] != step):
            self._clock[state.job_id] = (step, now)

    def forget(self, job_id: str) -> None:
        self._clock.pop(job_id, None)
