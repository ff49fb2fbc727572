"""RunningJob: the one record of a job running here (step clock, END of an attempt)."""

from __future__ import annotations

import dataclasses

from irisd.jobs.dispatch import RunningJob
from irisd.jobs.model import JobStatus, LiveState, Step


def state(
    step: Step | None, status: JobStatus = JobStatus.PROCESSING, attempt: int = 1
) -> LiveState:
    return LiveState("j1", "u1", "p1", status, seq=1, step=step, attempt=attempt)


def test_the_step_clock_reports_each_step_once_it_ends() -> None:
    job = RunningJob(state(Step.LOADING))
    assert job.step_changed(state(Step.LOADING), 10.0) is None  # the first step starts
    assert job.step_changed(state(Step.LOADING), 11.0) is None  # progress within the step
    assert job.step_changed(state(Step.SEGMENTING), 12.5) == ("loading", 2.5)
    assert job.step_changed(state(Step.SAVING), 14.0) == ("segmenting", 1.5)
    finished = state(Step.SAVING, JobStatus.COMPLETED)
    assert job.step_changed(finished, 15.0) == ("saving", 1.0)  # a final state ends the step


def test_a_retry_starts_the_loading_step_again() -> None:
    job = RunningJob(state(Step.LOADING))
    job.step_changed(state(Step.SEGMENTING), 1.0)
    assert job.step_changed(state(Step.LOADING, attempt=2), 3.0) == ("segmenting", 2.0)
    assert job.step_since == ("loading", 3.0)


async def test_only_the_awaited_attempts_end_sets_its_event() -> None:
    job = RunningJob(state(Step.SEGMENTING, attempt=2))
    ended = job.expect_end()
    job.end_reported(1)  # a late END of the attempt before
    assert not ended.is_set()
    job.end_reported(2)
    assert ended.is_set()
    job.state = dataclasses.replace(job.state, attempt=3)
    assert not job.expect_end().is_set()
